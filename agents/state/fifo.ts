/**
 * A first-in first-out queue as immutable plain data, with O(1) push and
 * shift. The items array is shared between successive versions: a push
 * appends in place only when this version is the newest (its `tail` is the
 * array's end), otherwise it copies, so every older version still reads
 * exactly its own [head, tail) slice. That keeps agent snapshots immutable
 * (model-based tests branch from them) without copying a long queue per event.
 * Consumed items are dropped once they make up most of the array.
 */
export interface Fifo<T> {
  readonly items: T[];
  readonly head: number;
  readonly tail: number;
}

const COMPACT_AT = 1024;

export function fifo<T>(items: readonly T[] = []): Fifo<T> {
  return { items: [...items], head: 0, tail: items.length };
}

export function size<T>(q: Fifo<T>): number {
  return q.tail - q.head;
}

export function push<T>(q: Fifo<T>, item: T): Fifo<T> {
  if (q.items.length === q.tail && q.head < COMPACT_AT) {
    q.items.push(item);
    return { items: q.items, head: q.head, tail: q.tail + 1 };
  }
  const items = q.items.slice(q.head, q.tail);
  items.push(item);
  return { items, head: 0, tail: items.length };
}

export function peek<T>(q: Fifo<T>): T | undefined {
  return q.head < q.tail ? q.items[q.head] : undefined;
}

/** The first item and the queue without it (the same queue if empty). */
export function shift<T>(q: Fifo<T>): [T | undefined, Fifo<T>] {
  if (q.head >= q.tail) return [undefined, q];
  return [q.items[q.head], { items: q.items, head: q.head + 1, tail: q.tail }];
}

export function toArray<T>(q: Fifo<T>): T[] {
  return q.items.slice(q.head, q.tail);
}

export function find<T>(q: Fifo<T>, match: (item: T) => boolean): T | undefined {
  for (let i = q.head; i < q.tail; i++) if (match(q.items[i])) return q.items[i];
  return undefined;
}

/** A copy with every item that matches replaced (rare operations only: it copies). */
export function replace<T>(q: Fifo<T>, match: (item: T) => boolean, by: (item: T) => T): Fifo<T> {
  return fifo(toArray(q).map((x) => (match(x) ? by(x) : x)));
}
