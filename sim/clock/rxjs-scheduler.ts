import { Subscription, type SchedulerAction, type SchedulerLike } from 'rxjs';
import { Priority, type Kernel, type Timer } from './kernel.js';

/**
 * An rxjs scheduler on the kernel's clock, so time-based operators
 * (`debounceTime`, `bufferTime`, `throttleTime`, `delay`, `timer`) run in
 * simulated time and in the kernel's deterministic order: the same run gives
 * the same emissions at the same instants, however fast the machine is.
 * rxjs counts milliseconds; the kernel counts seconds.
 */
export class KernelScheduler implements SchedulerLike {
  constructor(
    private readonly kernel: Kernel,
    private readonly priority: number = Priority.world,
  ) {}

  now(): number {
    return this.kernel.now * 1000;
  }

  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    return new KernelAction<T>(this.kernel, this.priority, work).schedule(state, delay);
  }
}

/** One scheduled piece of work; rescheduling it (`this.schedule` inside the work) replaces its timer. */
class KernelAction<T> extends Subscription implements SchedulerAction<T> {
  private timer: Timer<undefined> | undefined;

  constructor(
    private readonly kernel: Kernel,
    private readonly priority: number,
    private readonly work: (this: SchedulerAction<T>, state?: T) => void,
  ) {
    super();
    this.add(() => this.kernel.cancel(this.timer));
  }

  schedule(state?: T, delay = 0): Subscription {
    if (this.closed) return this;
    this.kernel.cancel(this.timer);
    // Negative or NaN delays (rxjs computes some) mean "now".
    const seconds = delay > 0 ? delay / 1000 : 0;
    this.timer = this.kernel.after(seconds, () => this.run(state), undefined, this.priority);
    return this;
  }

  private run(state: T | undefined): void {
    if (this.closed) return;
    this.timer = undefined;
    try {
      this.work.call(this, state);
    } catch (e) {
      this.unsubscribe();
      throw e;
    }
    // Work that did not reschedule itself is done.
    if (this.timer === undefined) this.unsubscribe();
  }
}
