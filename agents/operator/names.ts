/**
 * Name resolution for operator input: people write `cobot 2`, `Cobot2` or
 * `COBOT-2` for `cobot-2`, and misspell places. A name resolves when it is
 * an id up to case and separators; otherwise the closest ids are offered.
 */
const compact = (s: string) => s.toLowerCase().replace(/[\s_\-#.]+/g, '');

/** The id `name` stands for among `ids`, if exactly one matches up to case and separators. */
export function resolveName(name: string, ids: readonly string[]): string | undefined {
  if (ids.includes(name)) return name;
  const lower = ids.filter((id) => id.toLowerCase() === name.toLowerCase());
  if (lower.length === 1) return lower[0];
  const c = compact(name);
  const loose = ids.filter((id) => compact(id) === c);
  return loose.length === 1 ? loose[0] : undefined;
}

/** Levenshtein distance (small strings only). */
function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/** Up to three ids close to `name` (a third of its length in edits, at least one), closest first. */
export function suggestions(name: string, ids: readonly string[]): string[] {
  const c = compact(name);
  const limit = Math.max(1, Math.floor(c.length / 3));
  return ids
    .map((id) => ({ id, d: editDistance(c, compact(id)) }))
    .filter((x) => x.d <= limit)
    .sort((a, b) => a.d - b.d || (a.id < b.id ? -1 : 1))
    .slice(0, 3)
    .map((x) => x.id);
}

/** `unknown cobot "x"` with a hint: the closest ids, or a few known ones. */
export function unknownName(what: string, name: string, ids: readonly string[]): string {
  const close = suggestions(name, ids);
  if (close.length > 0) return `unknown ${what} "${name}"; did you mean ${close.map((s) => `"${s}"`).join(' or ')}?`;
  if (ids.length === 0) return `unknown ${what} "${name}"; there are none in this plant`;
  const some = [...ids].sort().slice(0, 5);
  return `unknown ${what} "${name}"; known: ${some.join(', ')}${ids.length > 5 ? ', …' : ''}`;
}
