/** XState's clock interface (not exported by name from xstate). */
export interface Clock {
  setTimeout(fn: () => void, timeout: number): unknown;
  clearTimeout(id: unknown): void;
}
import { Priority, type Kernel } from './kernel.js';

/**
 * Gives XState actors the kernel's clock. XState's delays are in milliseconds;
 * the kernel counts seconds. Unlike XState's SimulatedClock, which re-sorts all
 * pending timers on every tick, each timer here is one heap entry.
 *
 * A delay of Infinity (a deadline that does not apply, e.g. contract-net's
 * `finishDeadline` without `graceSeconds`) never fires, so it is not put in
 * the queue: a cancelled entry stays there until its time comes, and at
 * Infinity it would hold its actor for the rest of the run (a leak of one
 * finished negotiation per task, ~2 MB per simulated day in the flagship).
 */
export function kernelClock(kernel: Kernel): Clock {
  return {
    setTimeout(fn: () => void, ms: number) {
      if (ms === Infinity) return { cancelled: true };
      return kernel.after(Math.max(0, ms) / 1000, fn, undefined, Priority.timer);
    },
    clearTimeout(timer: unknown) {
      kernel.cancel(timer as ReturnType<Kernel['after']>);
    },
  };
}
