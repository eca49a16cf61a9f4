/**
 * Canonical JSON: object keys sorted (by UTF-16 code units, as
 * `Array.prototype.sort` does) at every depth, no whitespace, keys whose value
 * is `undefined` left out, numbers and strings as `JSON.stringify` writes
 * them. For the JSON data a ledger holds this is the JSON Canonicalization
 * Scheme (RFC 8785), so other tools (or a contract) can recompute the hashes:
 * the ledger file's record hashes and the signed events' payload hashes.
 * Values JSON cannot hold faithfully (non-finite numbers, bigints, functions)
 * are refused rather than silently changed. Whatever `JSON.stringify` writes
 * of a value, its canonical form is the canonical form of that JSON read back,
 * so a hash or signature made in memory still holds after the wire.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON cannot hold the number ${value}`);
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  }
  // As JSON.stringify: a Date (any toJSON) is what toJSON gives; an array's holes are null (map would skip them).
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return canonicalJson((value as { toJSON: () => unknown }).toJSON());
  if (Array.isArray(value)) return `[${Array.from(value, (v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}
