/**
 * An immutable set of event ids kept as plain data (agent context must stay
 * serialisable and explorable by `xstate/graph`). A flat record would be
 * copied whole on every insert, quadratic over a long run; the ids are spread
 * over a fixed number of buckets instead, and an insert copies one bucket and
 * the bucket index only.
 */
export interface IdSet {
  readonly size: number;
  readonly buckets: Readonly<Record<string, Readonly<Record<string, true>>>>;
}

const BUCKETS = 64;

export const emptyIdSet: IdSet = { size: 0, buckets: {} };

/** FNV-1a over the id's UTF-16 code units: cheap, stable across runs and platforms. */
function bucketOf(id: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return ((h >>> 0) % BUCKETS).toString(36);
}

export function hasId(set: IdSet, id: string): boolean {
  return set.buckets[bucketOf(id)]?.[id] === true;
}

/** The set with `id` added (the same set when it is there already). */
export function addId(set: IdSet, id: string): IdSet {
  const b = bucketOf(id);
  const bucket = set.buckets[b];
  if (bucket?.[id]) return set;
  return { size: set.size + 1, buckets: { ...set.buckets, [b]: { ...bucket, [id]: true } } };
}
