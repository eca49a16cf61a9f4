import { describe, expect, it } from 'vitest';
import { SyncOnnxSession } from './sync-session.js';
import { encodeRulModel, RulModel, type RulModelInfo } from './rul-model.js';
import { initTcn, type TcnConfig } from './tcn.js';

const c: TcnConfig = { inputs: 9, window: 24, channels: 8, kernel: 3, dilations: [1, 2, 4, 8], rulCap: 336, horizon: 48 };
// Metadata of the model's shape: readModelInfo refuses channels or scaling that do not match config.inputs.
const names = Array.from({ length: c.inputs }, (_, i) => `c${i}`);
const info: RulModelInfo = { format: 1, kind: 'tcn-rul', config: c, channels: names, scaling: { min: names.map(() => 0), max: names.map(() => 1) }, training: {} };

describe('ONNX Runtime called synchronously through a worker', () => {
  it('answers inside the caller’s turn, with the same outputs as the asynchronous session', async () => {
    const bytes = encodeRulModel(info, initTcn(c, 2), 'test');
    const n = 10;
    const x = Float32Array.from({ length: n * c.window * c.inputs }, (_, i) => (Math.sin(i) + 1) / 2);
    const sync = SyncOnnxSession.open(bytes, {
      input: 'x',
      inputTail: [c.window, c.inputs],
      outputs: [
        { name: 'rul', perExample: 1 },
        { name: 'p_fail', perExample: 1 },
      ],
      maxBatch: 64,
    });
    let turnEnded = false;
    setImmediate(() => (turnEnded = true));
    const [rul, pFail] = sync.run(x, n);
    // Twice in a row, and still before the event loop turned.
    const [again] = sync.run(x.subarray(0, 3 * c.window * c.inputs), 3);
    expect(turnEnded).toBe(false);
    const reference = await RulModel.fromBytes(bytes);
    const ref = await reference.predict(x, n);
    await reference.close();
    expect(Array.from(rul)).toEqual(Array.from(ref.rul));
    expect(Array.from(pFail)).toEqual(Array.from(ref.pFail));
    expect(Array.from(again)).toEqual(Array.from(ref.rul.slice(0, 3)));
    expect(() => sync.run(x, 65)).toThrow(/exceeds maxBatch 64/);
    await sync.close();
    expect(() => sync.run(x, 1)).toThrow(/closed/);
  });

  it('reports a model ONNX Runtime cannot load', () => {
    expect(() => SyncOnnxSession.open(new Uint8Array([1, 2, 3]), { input: 'x', inputTail: [1], outputs: [], maxBatch: 1 })).toThrow(/ONNX Runtime worker: .+/);
  });
});
