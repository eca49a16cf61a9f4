import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * ONNX Runtime called synchronously: the session lives in a worker thread,
 * the caller writes its input into shared memory and blocks (`Atomics.wait`)
 * until the worker has written the outputs back. onnxruntime-node only has an
 * asynchronous `run`, and a discrete-event run cannot wait for the event
 * loop without its results depending on wall-clock timing; this way an agent
 * gets its prediction inside the kernel event that asked for it, and the run
 * stays deterministic.
 */

// The worker, as source: one file that works from sources (tests) and from dist/ alike.
const WORKER = `
const { workerData } = require('node:worker_threads');
const ort = require(workerData.ortPath);
(async () => {
  const { control, data, errorText, inputName, inputTail, outputs } = workerData;
  const ctl = new Int32Array(control);
  const buf = new Float32Array(data);
  let session;
  try {
    session = await ort.InferenceSession.create(new Uint8Array(workerData.model), { intraOpNumThreads: 1, interOpNumThreads: 1 });
  } catch (e) {
    const text = new TextEncoder().encode(String((e && e.message) || e).split('\\n')[0]);
    new Uint8Array(errorText).set(text.subarray(0, errorText.byteLength));
    Atomics.store(ctl, 5, 2);
    Atomics.notify(ctl, 5);
    return;
  }
  Atomics.store(ctl, 5, 1);
  Atomics.notify(ctl, 5);
  let seen = 0;
  for (;;) {
    Atomics.wait(ctl, 0, seen);
    seen = Atomics.load(ctl, 0);
    if (Atomics.load(ctl, 2) === 1) break;
    const n = Atomics.load(ctl, 3);
    const per = inputTail.reduce((a, b) => a * b, 1);
    try {
      const x = new ort.Tensor('float32', buf.slice(0, n * per), [n, ...inputTail]);
      const out = await session.run({ [inputName]: x });
      let offset = 0;
      for (const name of outputs) {
        buf.set(out[name].data, offset);
        offset += out[name].data.length;
      }
      Atomics.store(ctl, 4, 0);
    } catch (e) {
      Atomics.store(ctl, 4, 1);
    }
    Atomics.store(ctl, 1, seen);
    Atomics.notify(ctl, 1);
  }
  await session.release();
})();
`;

export interface SyncSessionOptions {
  /** Name of the model's input, e.g. `x`. */
  input: string;
  /** Input dimensions after the batch dimension, e.g. [window, channels]. */
  inputTail: number[];
  /** Outputs to read, each with `perExample` values per example, in order. */
  outputs: { name: string; perExample: number }[];
  /** Largest batch one call may carry. */
  maxBatch: number;
}

export class SyncOnnxSession {
  private readonly ctl: Int32Array;
  private readonly buf: Float32Array;
  private closed = false;

  private constructor(
    private readonly worker: Worker,
    control: SharedArrayBuffer,
    data: SharedArrayBuffer,
    private readonly options: SyncSessionOptions,
  ) {
    this.ctl = new Int32Array(control);
    this.buf = new Float32Array(data);
  }

  /**
   * Loads the model in a worker and blocks until it is ready to answer (or
   * has failed: then throws with ONNX Runtime's reason). Synchronous, so a
   * run can be built in one go.
   */
  static open(model: Uint8Array, options: SyncSessionOptions): SyncOnnxSession {
    const per = options.inputTail.reduce((a, b) => a * b, 1);
    const outPer = options.outputs.reduce((a, o) => a + o.perExample, 0);
    const control = new SharedArrayBuffer(6 * 4);
    const data = new SharedArrayBuffer(4 * options.maxBatch * Math.max(per, outPer));
    const errorText = new SharedArrayBuffer(512);
    const ortPath = createRequire(import.meta.url).resolve('onnxruntime-node');
    // A copy of our own to hand over (a Node Buffer's slice would share, and transfer, its pool).
    const copy = new Uint8Array(model);
    const worker = new Worker(WORKER, {
      eval: true,
      workerData: { ortPath, model: copy.buffer, control, data, errorText, inputName: options.input, inputTail: options.inputTail, outputs: options.outputs.map((o) => o.name) },
      transferList: [copy.buffer],
    });
    // A session nobody closed must not keep the process alive.
    worker.unref();
    const ctl = new Int32Array(control);
    if (Atomics.wait(ctl, 5, 0, 60_000) === 'timed-out') {
      void worker.terminate();
      throw new Error('ONNX Runtime worker: no answer within 60 s');
    }
    if (Atomics.load(ctl, 5) !== 1) {
      void worker.terminate();
      const bytes = new Uint8Array(errorText);
      const end = bytes.indexOf(0);
      throw new Error(`ONNX Runtime worker: ${new TextDecoder().decode(bytes.subarray(0, end < 0 ? bytes.length : end))}`);
    }
    return new SyncOnnxSession(worker, control, data, options);
  }

  /** Runs `n` examples now, blocking until the outputs are back; one Float32Array per output. */
  run(x: Float32Array, n: number): Float32Array[] {
    if (this.closed) throw new Error('the session is closed');
    const per = this.options.inputTail.reduce((a, b) => a * b, 1);
    if (n > this.options.maxBatch) throw new RangeError(`batch of ${n} exceeds maxBatch ${this.options.maxBatch}`);
    if (x.length < n * per) throw new RangeError(`expected ${n * per} input values, got ${x.length}`);
    this.buf.set(x.subarray(0, n * per));
    Atomics.store(this.ctl, 3, n);
    const seq = Atomics.add(this.ctl, 0, 1) + 1;
    Atomics.notify(this.ctl, 0);
    for (let done = Atomics.load(this.ctl, 1); done !== seq; done = Atomics.load(this.ctl, 1)) {
      if (Atomics.wait(this.ctl, 1, done, 60_000) === 'timed-out') throw new Error('the ONNX Runtime worker did not answer within 60 s');
    }
    if (Atomics.load(this.ctl, 4) !== 0) throw new Error('ONNX Runtime failed on this input');
    let offset = 0;
    return this.options.outputs.map((o) => {
      const out = this.buf.slice(offset, offset + n * o.perExample);
      offset += n * o.perExample;
      return out;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    Atomics.store(this.ctl, 2, 1);
    Atomics.add(this.ctl, 0, 1);
    Atomics.notify(this.ctl, 0);
    // The worker releases its session and ends by itself: terminating it during the release
    // aborted the whole process once (a native error thrown while ONNX Runtime was torn down).
    const fallback = setTimeout(() => void this.worker.terminate(), 5000);
    fallback.unref();
    await exited;
    clearTimeout(fallback);
  }
}
