import type { Kernel } from '../clock/kernel.js';

/** Longest stretch of model work between two looks at the event loop, ms. */
const SLICE_MS = 25;
/** Kernel entries run between two looks at the wall clock. */
const SLICE_ENTRIES = 256;
/** Most kernel entries run before the event loop is served again, however cheap they are. */
export const MAX_SLICE_ENTRIES = 16 * SLICE_ENTRIES;

export interface RealtimeOptions {
  /** Simulated seconds per wall second (1 = real time, 60 = a minute per second). */
  speed: number;
  /** Longest wall-clock sleep between checks, ms (how quickly pause/speed changes take effect). */
  tickMs?: number;
  onTick?: (simulatedSeconds: number) => void;
}

/**
 * Runs the kernel in scaled real time, for the viewer and live bridges: the
 * simulated clock follows the wall clock times `speed`. Events from outside
 * (a bridge, an operator) can be scheduled at `kernel.now` between ticks. Only
 * this run mode reads the wall clock; the model never does, so a real-time run
 * without outside input writes the same event log as a discrete-event run.
 */
export class RealtimeRunner {
  private speed: number;
  private paused = false;
  /** Holds on the clock (answers awaited from other processes): time stands while there are any. */
  private holds = 0;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private anchorWall = 0;
  private anchorSim = 0;
  private resolveDone: (() => void) | undefined;

  constructor(
    private readonly kernel: Kernel,
    private readonly options: RealtimeOptions,
  ) {
    if (!(options.speed > 0)) throw new RangeError(`speed must be > 0, got ${options.speed}`);
    this.speed = options.speed;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  get currentSpeed(): number {
    return this.speed;
  }

  /** Runs until simulated time `horizon`; resolves when it is reached or `stop()` is called. */
  run(horizon: number): Promise<void> {
    this.rebase();
    return new Promise((resolve) => {
      this.resolveDone = resolve;
      const tick = () => {
        if (this.holds > 0 && !this.paused) {
          // Time stands, but what happens at this instant (answers arriving) is run.
          this.kernel.runThrough(this.kernel.now);
        } else if (!this.paused) {
          // Never before now: a follower ahead of its leader (see follow) stands still, but runs what is due now.
          const target = Math.max(this.kernel.now, this.anchorSim + ((performance.now() - this.anchorWall) / 1000) * this.speed);
          if (target >= horizon) {
            // The run covers [0, horizon), as a discrete-event run does: nothing at the horizon itself.
            this.kernel.runUntil(horizon);
            this.options.onTick?.(this.kernel.now);
            // Stopped short by a hold (a remote answer awaited in the last stretch): the rest runs once released.
            if (this.kernel.now < horizon) {
              this.timer = setTimeout(tick, 1);
              return;
            }
            this.finish();
            return;
          }
          // In slices, so sockets and timers are served even when the model is heavy.
          const sliceStart = performance.now();
          let caughtUp = false;
          for (let n = 0; !caughtUp && this.holds === 0 && n < MAX_SLICE_ENTRIES && performance.now() - sliceStart < SLICE_MS; n += SLICE_ENTRIES) {
            caughtUp = this.kernel.runThrough(target, SLICE_ENTRIES);
          }
          if (!caughtUp) {
            // Behind the wall clock: yield now, and drop the debt rather than pile it up: the run
            // goes as fast as this machine can until it keeps up again.
            this.rebase();
            this.options.onTick?.(this.kernel.now);
            // setImmediate: after the I/O of this turn of the event loop, before its timers.
            this.immediate = setImmediate(tick);
            return;
          }
          this.kernel.advanceTo(target);
          this.options.onTick?.(this.kernel.now);
        }
        const untilNext = ((this.kernel.nextTime() - this.kernel.now) / this.speed) * 1000;
        // Held: look again soon, the awaited answers are on their way.
        this.timer = setTimeout(tick, this.holds > 0 ? 1 : Math.max(1, Math.min(this.options.tickMs ?? 50, untilNext)));
      };
      tick();
    });
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.rebase();
  }

  setSpeed(speed: number): void {
    if (!(speed > 0)) throw new RangeError(`speed must be > 0, got ${speed}`);
    this.rebase();
    this.speed = speed;
  }

  stop(): void {
    this.finish();
  }

  /**
   * Stops simulated time until the returned release is called, for a live run
   * waiting on answers from other processes: at high speed a bid window of a
   * few simulated seconds is shorter than a network round trip. Events at the
   * current instant still run. Releasing twice is harmless.
   */
  hold(): () => void {
    this.holds++;
    // Called from inside a kernel event (a message going out), time must stand from this entry on.
    this.kernel.stop();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.holds === 0) this.rebase();
    };
  }

  /**
   * Follows another process's clock (a live run spread over processes): the
   * run jumps ahead to `simulatedNow` if it is behind; a run ahead stays
   * where it is (time never goes back; what is due at that instant still
   * runs) until the leader's clock, moving at `speed`, closes the gap. So a
   * follower never drifts ahead of a leader that goes slower than its
   * nominal speed (a plant holding its clock for answers, a busy CPU).
   */
  follow(simulatedNow: number, speed: number, paused: boolean): void {
    if (!(speed > 0)) throw new RangeError(`speed must be > 0, got ${speed}`);
    this.speed = speed;
    this.paused = paused;
    this.anchorWall = performance.now();
    this.anchorSim = simulatedNow;
  }

  private rebase(): void {
    this.anchorWall = performance.now();
    this.anchorSim = this.kernel.now;
  }

  private finish(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = this.immediate = undefined;
    const done = this.resolveDone;
    this.resolveDone = undefined;
    done?.();
  }
}
