import type { RandomStream } from '../../sim/random/stream.js';
import { ComponentHealth } from './component-health.js';
import type { DegradationSpec, FaultMode } from './degradation-spec.js';
import { noSeverities, relaxTemperature, sensorReading, steadyTemperature, type SensorSample, type Severities } from './sensor-model.js';

/** What the machine needs of a clock: the kernel, or a plain `{ now }` in offline generators. */
export interface Clock {
  readonly now: number;
}

export interface DegradationStreams {
  /** Onset draws: one stream per component (preferred: adding a component shifts no one), or one shared. */
  onset: RandomStream | ((component: string) => RandomStream);
  /** Sensor noise. */
  sensor: RandomStream;
}

export interface PendingFailure {
  time: number;
  component: string;
}

/**
 * One machine's hidden degradation and its sensors, on a clock. It schedules
 * nothing: the owner asks `nextFailure()` after every `setLoad`/`renew` and
 * keeps one kernel event for it; `sample()` is called by whoever reads the
 * sensors. Between calls all state is closed-form, so a machine costs nothing
 * while nobody looks at it.
 */
export class DegradingMachine {
  readonly components: readonly ComponentHealth[];
  private readonly modes: FaultMode[];
  private _load = 0;
  /** Temperature at `tempAt` (lazy first-order lag). */
  private temp: number;
  private tempAt: number;

  constructor(
    readonly id: string,
    readonly spec: DegradationSpec,
    private readonly clock: Clock,
    private readonly streams: DegradationStreams,
  ) {
    const onset = streams.onset;
    const now = clock.now;
    this.components = spec.components.map((c) => new ComponentHealth(c, typeof onset === 'function' ? onset(c.id) : onset, now));
    this.modes = spec.components.map((c) => c.mode);
    this.temp = spec.ambientC;
    this.tempAt = now;
  }

  get load(): number {
    return this._load;
  }

  /** The load factor in [0, 1] from now on (0: stopped). Re-ask `nextFailure()` afterwards. */
  setLoad(load: number): void {
    if (!(load >= 0 && load <= 1)) throw new RangeError(`load must be in [0, 1], got ${load}`);
    const now = this.clock.now;
    this.advanceTemperature(now);
    for (const c of this.components) c.setLoad(now, load);
    this._load = load;
  }

  /** A noisy reading of every sensor now (draws from the sensor stream). */
  sample(): SensorSample {
    const now = this.clock.now;
    const s = this.severities(now);
    this.advanceTemperature(now, s);
    const r = sensorReading(this.spec, this._load, s, this.temp, this.streams.sensor) as SensorSample;
    r.t = now;
    r.machine = this.id;
    return r;
  }

  /** The first component to fail under the current load, and when; undefined while stopped. */
  nextFailure(): PendingFailure | undefined {
    const now = this.clock.now;
    let best: PendingFailure | undefined;
    for (const c of this.components) {
      const time = c.failureTime(now);
      if (time < (best?.time ?? Infinity)) best = { time, component: c.id };
    }
    return best;
  }

  /** As new after maintenance: one component, or all. Re-ask `nextFailure()` afterwards. */
  renew(component?: string): void {
    const now = this.clock.now;
    this.advanceTemperature(now);
    const targets = component === undefined ? this.components : this.components.filter((c) => c.id === component);
    if (targets.length === 0) throw new Error(`machine ${this.id} has no component "${component}"`);
    for (const c of targets) c.renew(now);
  }

  // Hidden truth, for evaluation only: agents must see sensor samples, never these.

  /** Health (1 − wear) per component now. */
  health(): Record<string, number> {
    const now = this.clock.now;
    return Object.fromEntries(this.components.map((c) => [c.id, c.health(now)]));
  }

  /** True remaining useful life from now if the load stayed at `load` (the current one by default). */
  rul(load = this._load): number {
    const now = this.clock.now;
    let rul = Infinity;
    for (const c of this.components) rul = Math.min(rul, c.timeToFailure(now, load));
    return rul;
  }

  /** Fault severity per mode at t (default now; not before the last load change); the worst component of each mode. */
  severities(t = this.clock.now): Severities {
    const s = noSeverities();
    for (let i = 0; i < this.components.length; i++) {
      const w = this.components[i].wear(t);
      if (w > s[this.modes[i]]) s[this.modes[i]] = w;
    }
    return s;
  }

  /**
   * Brings the temperature to t under the load held since the last update.
   * The steady state uses the wear at t: wear moves over days, the thermal
   * lag over minutes, so treating it as constant between samples is exact
   * enough.
   */
  private advanceTemperature(t: number, s: Severities = this.severities(t)): void {
    const steady = steadyTemperature(this.spec, this._load, s);
    this.temp = relaxTemperature(this.temp, steady, t - this.tempAt, this.spec.thermal.timeConstant);
    this.tempAt = t;
  }
}
