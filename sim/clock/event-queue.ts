/**
 * The pending-event set of the kernel: a binary min-heap ordered by
 * (time, priority, insertion sequence). Ties in time are broken by priority
 * (lower first), then by the order in which events were scheduled, so a run is
 * fully determined by the model and its seed.
 */

/** A scheduled entry. Cancelling only marks it; the queue drops it when it surfaces. */
export interface Timer<A = unknown> {
  readonly time: number;
  readonly priority: number;
  readonly seq: number;
  readonly fn: (arg: A) => void;
  readonly arg: A;
  cancelled: boolean;
}

type AnyTimer = Timer<never>;

function before(a: AnyTimer, b: AnyTimer): boolean {
  if (a.time !== b.time) return a.time < b.time;
  if (a.priority !== b.priority) return a.priority < b.priority;
  return a.seq < b.seq;
}

export class EventQueue {
  private heap: AnyTimer[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** The sequence number the next pushed timer will get (part of the kernel's checkpoint). */
  get sequence(): number {
    return this.nextSeq;
  }

  /** The live (not cancelled) timers, in heap order (callers sort what they need). */
  *live(): IterableIterator<Timer> {
    for (const t of this.heap) if (!t.cancelled) yield t as unknown as Timer;
  }

  push<A>(time: number, priority: number, fn: (arg: A) => void, arg: A): Timer<A> {
    const timer = { time, priority, seq: this.nextSeq++, fn, arg, cancelled: false } as Timer<A> as unknown as AnyTimer;
    const heap = this.heap;
    // Sift up with a hole instead of swaps.
    let i = heap.length;
    heap.push(timer);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent];
      if (!before(timer, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = timer;
    return timer as unknown as Timer<A>;
  }

  /** The earliest live timer, without removing it; drops cancelled ones on the way. */
  peek(): AnyTimer | undefined {
    const heap = this.heap;
    while (heap.length > 0 && heap[0].cancelled) this.removeTop();
    return heap[0];
  }

  /** Removes and returns the earliest live timer. */
  pop(): AnyTimer | undefined {
    const top = this.peek();
    if (top) this.removeTop();
    return top;
  }

  private removeTop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    const n = heap.length;
    if (n === 0) return;
    // Sift the last element down from the root.
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(heap[r], heap[l]) ? r : l;
      if (!before(heap[c], last)) break;
      heap[i] = heap[c];
      i = c;
    }
    heap[i] = last;
  }
}
