import { RandomStreams } from '../../sim/random/streams.js';
import { DegradingMachine, type PendingFailure } from './degrading-machine.js';
import type { DegradationSpec } from './degradation-spec.js';
import type { SensorSample } from './sensor-model.js';

/**
 * Run-to-failure histories of a fleet, for training maintenance models
 * offline. No kernel: each machine runs on a plain clock that jumps from one
 * sample or load change to the next, with the closed forms in between, so a
 * fleet of hundreds over months takes milliseconds. The same seed and
 * options give the same histories; each machine draws only from its own
 * named streams (`<id>/onset/<component>`, `<id>/sensor`, `<id>/load`).
 */

/** A seeded random load profile: a new uniform load in [min, max] every `segment` seconds, or a stop. */
export interface LoadProfile {
  min: number;
  max: number;
  /** Seconds each drawn load holds. */
  segment: number;
  /** Probability a segment is a stop (load 0: no wear, machine cools down). */
  stopProbability?: number;
}

export interface FleetOptions {
  machines: number;
  seed: number;
  /** Seconds between samples (default 1 h). */
  sampleInterval?: number;
  /** A constant load factor, or a random profile (default: 1, full load). */
  load?: number | LoadProfile;
  /** Machine ids are `<idPrefix>-1 … -N` (default `m`); also names the streams. */
  idPrefix?: string;
  /** A machine not failed by then is censored (default: 5 years). */
  maxDuration?: number;
}

export interface MachineHistory {
  machine: string;
  /** Samples from t = 0 every interval, up to (not at) the failure. */
  samples: SensorSample[];
  /** True remaining useful life at each sample, seconds (NaN when censored). */
  rul: Float64Array;
  /** 1 where some component's fault had started at that sample (the truth anomaly detection is scored on). */
  faulty: Uint8Array;
  /** The failure that ended the history; undefined when censored at `maxDuration`. */
  failure?: PendingFailure;
}

const YEAR = 365 * 86400;

export function fleetHistories(spec: DegradationSpec, options: FleetOptions): MachineHistory[] {
  const { machines, seed, sampleInterval = 3600, load = 1, idPrefix = 'm', maxDuration = 5 * YEAR } = options;
  if (!(sampleInterval > 0)) throw new RangeError(`sampleInterval must be positive, got ${sampleInterval}`);
  if (typeof load !== 'number' && !(load.segment > 0 && load.min >= 0 && load.max <= 1 && load.min <= load.max)) {
    throw new RangeError('a load profile needs 0 ≤ min ≤ max ≤ 1 and a positive segment');
  }
  const streams = new RandomStreams(seed);
  const out: MachineHistory[] = [];
  for (let i = 1; i <= machines; i++) out.push(runToFailure(`${idPrefix}-${i}`, spec, streams, sampleInterval, load, maxDuration));
  return out;
}

function runToFailure(id: string, spec: DegradationSpec, streams: RandomStreams, interval: number, load: number | LoadProfile, maxDuration: number): MachineHistory {
  const clock = { now: 0 };
  const machine = new DegradingMachine(id, spec, clock, {
    onset: (component) => streams.stream(`${id}/onset/${component}`),
    sensor: streams.stream(`${id}/sensor`),
  });
  const loadRng = streams.stream(`${id}/load`);
  const drawLoad = (): number => {
    if (typeof load === 'number') return load;
    if (loadRng.next() < (load.stopProbability ?? 0)) return 0;
    return load.min + (load.max - load.min) * loadRng.next();
  };
  const segment = typeof load === 'number' ? Infinity : load.segment;
  // Counters, not accumulated sums, so times stay exact multiples.
  let samplesTaken = 0;
  let segments = 0;
  const samples: SensorSample[] = [];
  const faulty: number[] = [];
  let failure: PendingFailure | undefined;
  // The failure time only moves when the load does.
  let pending: PendingFailure | undefined;
  for (;;) {
    const nextSample = samplesTaken * interval;
    const nextChange = segments === 0 ? 0 : segments * segment;
    const t = Math.min(nextSample, nextChange);
    if (pending && pending.time <= t && pending.time <= maxDuration) {
      failure = pending;
      break;
    }
    if (t > maxDuration) break;
    clock.now = t;
    if (t === nextChange) {
      machine.setLoad(drawLoad());
      pending = machine.nextFailure();
      segments++;
    }
    if (t === nextSample) {
      samples.push(machine.sample());
      faulty.push(machine.components.some((c) => c.wear(t) > 0) ? 1 : 0);
      samplesTaken++;
    }
  }
  const rul = new Float64Array(samples.length);
  for (let k = 0; k < samples.length; k++) rul[k] = failure ? failure.time - samples[k].t : NaN;
  return { machine: id, samples, rul, faulty: Uint8Array.from(faulty), failure };
}
