import { Observable } from 'rxjs';
import { Priority, type Kernel, type Timer } from '../../sim/clock/kernel.js';
import { SENSOR_CHANNELS, writeChannels, type SensorSample } from './sensor-model.js';

export { SENSOR_CHANNELS, type SensorSample } from './sensor-model.js';

/** Anything that can be sampled (a DegradingMachine). */
export interface Sampled {
  sample(): SensorSample;
}

/**
 * Samples every machine every `intervalSeconds` of simulated time, first one
 * interval after subscription. Samples are emitted synchronously inside the
 * kernel event, machine by machine in array order, so their order is part of
 * the deterministic run. Cold: each subscription has its own timer and
 * consumes sensor draws, so share it (`share()`) between consumers.
 * Unsubscribing cancels the pending kernel timer.
 */
export function telemetry$(kernel: Kernel, machines: readonly Sampled[], intervalSeconds: number, priority: number = Priority.world): Observable<SensorSample> {
  if (!(intervalSeconds > 0)) throw new RangeError(`telemetry interval must be positive, got ${intervalSeconds}`);
  return new Observable<SensorSample>((subscriber) => {
    let timer: Timer<undefined> | undefined;
    const tick = (): void => {
      for (const m of machines) {
        if (subscriber.closed) return;
        subscriber.next(m.sample());
      }
      if (!subscriber.closed) timer = kernel.after(intervalSeconds, tick, undefined, priority);
    };
    timer = kernel.after(intervalSeconds, tick, undefined, priority);
    return () => kernel.cancel(timer);
  });
}

/** A machine's last `size` samples, oldest first: `size` rows of `SENSOR_CHANNELS`. */
export interface SensorWindow {
  machine: string;
  /** Time of the newest sample. */
  t: number;
  window: Float32Array;
}

/**
 * Sliding windows per machine: once a machine has `size` samples, every
 * `stride`-th new sample emits its last `size` ones. Each window is a fresh
 * array (consumers may keep it).
 */
export function windowed(samples$: Observable<SensorSample>, size: number, stride = 1): Observable<SensorWindow> {
  if (!(Number.isInteger(size) && size > 0)) throw new RangeError(`window size must be a positive integer, got ${size}`);
  if (!(Number.isInteger(stride) && stride > 0)) throw new RangeError(`window stride must be a positive integer, got ${stride}`);
  const width = SENSOR_CHANNELS.length;
  return new Observable<SensorWindow>((subscriber) => {
    // Per machine: a ring of the last `size` rows and how many samples it has seen.
    const rings = new Map<string, { rows: Float32Array; seen: number }>();
    return samples$.subscribe({
      next: (s) => {
        let ring = rings.get(s.machine);
        if (!ring) rings.set(s.machine, (ring = { rows: new Float32Array(size * width), seen: 0 }));
        writeChannels(s, ring.rows, (ring.seen % size) * width);
        ring.seen++;
        if (ring.seen < size || (ring.seen - size) % stride !== 0) return;
        const window = new Float32Array(size * width);
        const oldest = ring.seen % size; // the slot the next sample would overwrite
        window.set(ring.rows.subarray(oldest * width), 0);
        window.set(ring.rows.subarray(0, oldest * width), (size - oldest) * width);
        subscriber.next({ machine: s.machine, t: s.t, window });
      },
      error: (e: unknown) => subscriber.error(e),
      complete: () => subscriber.complete(),
    });
  });
}
