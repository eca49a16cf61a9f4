import type { Kernel, Timer } from '../../sim/clock/kernel.js';
import type { RandomStream } from '../../sim/random/stream.js';
import type { Sampler } from '../../sim/random/distributions.js';
import type { MachineObservation } from '../../agents/ports/machine-port.js';
import type { DegradingMachine } from '../degradation/degrading-machine.js';
import type { SensorSample } from '../degradation/sensor-model.js';

/**
 * How a machine wears: either a time to failure in busy time with an optional
 * health signal that shows it coming, or component degradation with its
 * sensors (`world/degradation`), whose failure time follows from the wear.
 */
export interface WearModel {
  /** Busy time from renewal to failure (without `degradation`). */
  timeToFailure?: Sampler;
  /** Hidden component health and multichannel sensors; the machine runs at full load while up. */
  degradation?: DegradingMachine;
  /**
   * Health signal (e.g. vibration RMS, mm/s) as a function of worn fraction
   * w = age / timeToFailure in [0, 1]: baseline + rise · w^exponent, plus noise.
   */
  signal?: { name: string; baseline: number; rise: number; exponent: number; noiseSd: number };
}

export interface MachineParams {
  id: string;
  /** The place on the floor where the machine stands (technicians walk there). */
  place?: string;
  processTime: Sampler;
  wear: WearModel;
  repairTime: Sampler;
  preventiveTime: Sampler;
  /** Value of one unit produced (for lost-production cost). */
  unitValue: number;
  /**
   * How job completions are processed. `eager`: one kernel event per job.
   * `lazy` (default): the machine's chain of jobs is advanced, one draw per
   * job, whenever the machine is observed (a failure, a stop, a KPI read).
   * Both give the same counts and the same event log: job completions change
   * nothing but a counter, so nobody needs to be woken for them.
   */
  jobs?: 'eager' | 'lazy';
}

/** Counters of one machine, read by the KPIs. */
export interface MachineCounters {
  jobsCompleted: number;
  jobsScrapped: number;
  failures: number;
  unplannedDownSeconds: number;
  plannedDownSeconds: number;
}

export type MachineListener = (observation: MachineObservation) => void;

/**
 * The physical machine: it runs jobs back to back while up and wears with busy
 * time until it fails. Job completions only count, so they stay in the world
 * and never reach the machine's agent; a failure and the start and end of work
 * on the machine do.
 */
export class MachineModel {
  up = false;
  /** Why the machine is stopped when it is not up. */
  stopReason: 'failure' | 'planned' | 'idle' = 'idle';
  upSince = 0;
  downSince = 0;
  /** Busy time to failure drawn at the last renewal. */
  ttf = 0;
  readonly counters: MachineCounters = {
    jobsCompleted: 0,
    jobsScrapped: 0,
    failures: 0,
    unplannedDownSeconds: 0,
    plannedDownSeconds: 0,
  };
  /** Busy time accumulated since the last renewal, up to `upSince`. */
  private ageAtUp = 0;
  private jobTimer: Timer<MachineModel> | undefined;
  /** End of the job in progress (lazy mode). */
  private jobEnd = 0;
  private readonly lazy: boolean;
  private failTimer: Timer<MachineModel> | undefined;
  /** The component whose failure is scheduled (with degradation). */
  private failing: string | undefined;
  listener: MachineListener = () => {};

  constructor(
    readonly params: MachineParams,
    private readonly kernel: Kernel,
    private readonly streams: { job: RandomStream; failure: RandomStream; repair: RandomStream; sensor: RandomStream },
  ) {
    this.lazy = params.jobs !== 'eager';
  }

  /** Jobs completed in [0, t) (t defaults to now; t must not be before the last observation). */
  jobsCompleted(t = this.kernel.now): number {
    if (this.lazy && this.up) this.advanceJobs(t);
    return this.counters.jobsCompleted;
  }

  /** Completes, in order, every job of the running chain that ends before `t`. */
  private advanceJobs(t: number): void {
    const draw = this.params.processTime;
    const rng = this.streams.job;
    let end = this.jobEnd;
    let n = 0;
    while (end < t) {
      n++;
      end += draw(rng);
    }
    this.jobEnd = end;
    this.counters.jobsCompleted += n;
  }

  /**
   * Renews the machine (new or just repaired): a fresh time to failure, or
   * with degradation every component as new (a service replaces the worn
   * parts and rebalances and cleans the rest).
   */
  renew(): void {
    const d = this.params.wear.degradation;
    if (d) d.renew();
    else this.ttf = this.params.wear.timeToFailure!(this.streams.failure);
    this.ageAtUp = 0;
  }

  /** Puts the machine into production now. */
  start(): void {
    if (this.up) return;
    const now = this.kernel.now;
    if (this.stopReason === 'failure') this.counters.unplannedDownSeconds += now - this.downSince;
    else if (this.stopReason === 'planned') this.counters.plannedDownSeconds += now - this.downSince;
    this.up = true;
    this.upSince = now;
    const d = this.params.wear.degradation;
    if (d) {
      d.setLoad(1);
      const failure = d.nextFailure();
      this.failing = failure?.component;
      if (failure) this.failTimer = this.kernel.at(Math.max(now, failure.time), MachineModel.onFailure, this as MachineModel);
    } else {
      this.failTimer = this.kernel.at(now + (this.ttf - this.ageAtUp), MachineModel.onFailure, this as MachineModel);
    }
    this.nextJob();
  }

  /** Stops production for planned work; the job in progress is scrapped. */
  stopPlanned(): void {
    if (!this.up) return;
    this.halt('planned');
  }

  /**
   * Breaks the machine now, as an operator's fault injection does: the same
   * failure as a worn-out one, reported to its agent. A machine already
   * stopped has nothing to break.
   */
  injectFailure(): boolean {
    if (!this.up) return false;
    MachineModel.onFailure(this);
    return true;
  }

  /** Busy time since renewal, now. */
  age(): number {
    return this.up ? this.ageAtUp + (this.kernel.now - this.upSince) : this.ageAtUp;
  }

  /** Worn fraction in [0, 1]. */
  worn(): number {
    return Math.min(1, this.age() / this.ttf);
  }

  /** All sensor channels now (a machine with degradation), or undefined. */
  readSensors(): SensorSample | undefined {
    return this.params.wear.degradation?.sample();
  }

  /** A reading of the health signal now, or undefined for a machine without one. */
  readSignal(): { name: string; value: number } | undefined {
    const s = this.params.wear.signal;
    if (!s) return undefined;
    const z = this.streams.sensor.next() + this.streams.sensor.next() + this.streams.sensor.next() - 1.5; // ~N(0, 0.5)
    return { name: s.name, value: s.baseline + s.rise * this.worn() ** s.exponent + s.noiseSd * 2 * z };
  }

  /** Time a repair takes (drawn when it starts). */
  drawRepairTime(kind: 'repair' | 'preventive'): number {
    return kind === 'repair' ? this.params.repairTime(this.streams.repair) : this.params.preventiveTime(this.streams.repair);
  }

  /** Downtime up to `now` including the current stop, by kind. */
  downSeconds(now: number): { unplanned: number; planned: number } {
    let { unplannedDownSeconds: unplanned, plannedDownSeconds: planned } = this.counters;
    if (!this.up && this.stopReason === 'failure') unplanned += now - this.downSince;
    if (!this.up && this.stopReason === 'planned') planned += now - this.downSince;
    return { unplanned, planned };
  }

  private halt(reason: 'failure' | 'planned'): void {
    const now = this.kernel.now;
    if (this.lazy) this.advanceJobs(now);
    this.ageAtUp += now - this.upSince;
    this.params.wear.degradation?.setLoad(0);
    this.kernel.cancel(this.jobTimer);
    this.kernel.cancel(this.failTimer);
    this.jobTimer = this.failTimer = undefined;
    this.counters.jobsScrapped++;
    this.up = false;
    this.stopReason = reason;
    this.downSince = now;
  }

  private nextJob(): void {
    const end = this.kernel.now + this.params.processTime(this.streams.job);
    if (this.lazy) this.jobEnd = end;
    else this.jobTimer = this.kernel.at(end, MachineModel.onJobEnd, this as MachineModel);
  }

  private static onJobEnd(m: MachineModel): void {
    m.counters.jobsCompleted++;
    m.nextJob();
  }

  private static onFailure(m: MachineModel): void {
    m.halt('failure');
    m.counters.failures++;
    m.listener(m.failing ? { type: 'world.failed', component: m.failing } : { type: 'world.failed' });
  }
}
