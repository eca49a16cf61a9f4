/**
 * The ids of the last few thousand messages taken, to drop a second copy.
 * QoS 1 delivers at least once: a broker that dies between forwarding a
 * message and acknowledging it to its sender gets it again from the sender
 * when both are back, and delivers it again. For the live link a duplicate
 * is not harmless (an award taken twice is a task carried twice), so each
 * end drops an envelope it has taken already. Bounded: the oldest id goes
 * first, and a duplicate comes within seconds of its original.
 */
export class RecentIds {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity = 8192) {}

  /** True the first time `id` is given (and remembers it), false for a repeat. */
  first(id: string): boolean {
    if (this.seen.has(id)) return false;
    this.seen.add(id);
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.values().next().value!);
    return true;
  }

  /** Forgets everything (a new run, or a sender that starts its numbering again). */
  clear(): void {
    this.seen.clear();
  }
}
