import { createHash } from 'node:crypto';
import { EventQueue, type Timer } from './event-queue.js';

export type { Timer } from './event-queue.js';

/** Priorities for same-instant events; lower runs first. */
export const Priority = {
  /** Physical processes of the world (job ends, failures, arrivals). */
  world: 0,
  /** Message deliveries on the bus: after the world event that caused them. */
  message: 10,
  /** Protocol timers (auction deadlines, maintenance intervals). */
  timer: 20,
} as const;

/**
 * What a checkpoint records of the kernel. The queue's entries are closures of
 * world processes and cannot be written out; their digest (time, priority,
 * sequence and handler name of every live entry) proves a resumed run rebuilt
 * the same queue.
 */
export interface KernelState {
  now: number;
  processed: number;
  /** Sequence number of the next entry. */
  sequence: number;
  pending: number;
  /** SHA-256 over the live entries in queue order. */
  queueDigest: string;
}

/**
 * The simulation kernel: virtual time and the event queue. Time is in seconds.
 * Everything simulated (world processes, message delivery, actor timers) is an
 * entry in this one queue, so the order of events is fixed by the model alone.
 */
export class Kernel {
  private queue = new EventQueue();
  private _now = 0;
  private stopped = false;
  private _processed = 0;

  /** Current simulated time, in seconds. */
  get now(): number {
    return this._now;
  }

  /** Number of kernel entries executed so far (engine-internal, not model events). */
  get processed(): number {
    return this._processed;
  }

  get pending(): number {
    return this.queue.size;
  }

  /** The kernel's state for a checkpoint (see KernelState). */
  state(): KernelState {
    const live = [...this.queue.live()].sort((a, b) => a.time - b.time || a.priority - b.priority || a.seq - b.seq);
    const hash = createHash('sha256');
    for (const t of live) hash.update(`${t.time},${t.priority},${t.seq},${t.fn.name}\n`);
    return { now: this._now, processed: this._processed, sequence: this.queue.sequence, pending: live.length, queueDigest: hash.digest('hex') };
  }

  /** Schedules `fn(arg)` at absolute time `time` (never before now). */
  at<A>(time: number, fn: (arg: A) => void, arg: A, priority: number = Priority.world): Timer<A> {
    if (!(time >= this._now)) {
      throw new RangeError(`cannot schedule at ${time}: it is before now (${this._now})`);
    }
    return this.queue.push(time, priority, fn, arg);
  }

  /** Schedules `fn(arg)` after `delay` seconds. */
  after<A>(delay: number, fn: (arg: A) => void, arg: A, priority: number = Priority.world): Timer<A> {
    return this.at(this._now + delay, fn, arg, priority);
  }

  cancel(timer: { cancelled: boolean } | undefined): void {
    if (timer) timer.cancelled = true;
  }

  /** Time of the next live entry, or Infinity. */
  nextTime(): number {
    const top = this.queue.peek();
    return top ? top.time : Infinity;
  }

  /** Asks a running `runUntil` to return after the current entry. */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Executes every entry with time < `horizon` (the run covers [0, horizon)),
   * then sets the clock to `horizon`. Returns early if `stop()` is called.
   */
  runUntil(horizon: number): void {
    this.stopped = false;
    const queue = this.queue;
    for (;;) {
      const top = queue.peek();
      if (!top || top.time >= horizon) break;
      queue.pop();
      this._now = top.time;
      this._processed++;
      top.fn(top.arg);
      if (this.stopped) return;
    }
    if (horizon !== Infinity && horizon > this._now) this._now = horizon;
  }

  /**
   * Executes entries up to and including time `t`, without moving past the
   * last one; at most `maxEntries` of them (callers that must stay responsive
   * run in slices). Returns true when no entry at or before `t` is left.
   */
  runThrough(t: number, maxEntries = Infinity): boolean {
    this.stopped = false;
    const queue = this.queue;
    for (let n = 0; ; n++) {
      const top = queue.peek();
      if (!top || top.time > t) return true;
      if (n >= maxEntries) return false;
      queue.pop();
      this._now = top.time;
      this._processed++;
      top.fn(top.arg);
      if (this.stopped) return false;
    }
  }

  /** Moves the clock forward to `t` without executing anything (real-time mode idles this way). */
  advanceTo(t: number): void {
    const next = this.nextTime();
    if (t > this._now && t <= next) this._now = t;
  }
}
