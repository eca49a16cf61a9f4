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
 */
export function kernelClock(kernel: Kernel): Clock {
  return {
    setTimeout(fn: () => void, ms: number) {
      return kernel.after(Math.max(0, ms) / 1000, fn, undefined, Priority.timer);
    },
    clearTimeout(timer: unknown) {
      kernel.cancel(timer as ReturnType<Kernel['after']>);
    },
  };
}
