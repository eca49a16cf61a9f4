import { fc } from '@fast-check/vitest';
import { expect } from 'vitest';

/**
 * Shared generators for the property tests of decoders and loaders
 * (`*.property.test.ts`): structured mutations of VALID inputs (JSON values,
 * text, bytes), since pure noise only ever reaches a decoder's first check,
 * and the check that a refusal is the decoder's own clear error.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Values that break decoders more often than random ones: wrong types, edges of ranges, huge and empty things. */
export const nastyJson: fc.Arbitrary<Json> = fc.constantFrom<Json>(
  null,
  true,
  false,
  0,
  -0,
  -1,
  0.5,
  -1e-9,
  1e308,
  -1e308,
  2 ** 53 + 2,
  Number.MAX_SAFE_INTEGER,
  '',
  ' ',
  '0',
  '-1',
  'NaN',
  'Infinity',
  'null',
  '__proto__',
  'constructor',
  '\u0000',
  '\ud800',
  'x'.repeat(300),
  '../../etc/passwd',
  'a/b/#/+',
  [],
  [null],
  {},
  { __proto__: null } as unknown as Json,
);

/** Any JSON value, nasty ones often. */
export const anyJson: fc.Arbitrary<Json> = fc.oneof({ weight: 2, arbitrary: nastyJson }, { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> });

type Path = (string | number)[];

function paths(v: Json, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) paths(v[k], [...at, k], out);
  return out;
}

type JsonMutation =
  | { kind: 'replace'; value: Json }
  | { kind: 'delete' }
  | { kind: 'add'; key: string; value: Json }
  | { kind: 'duplicate' }
  | { kind: 'stringify' }
  | { kind: 'wrap' };

const jsonMutation: fc.Arbitrary<JsonMutation> = fc.oneof(
  { weight: 5, arbitrary: anyJson.map((value) => ({ kind: 'replace' as const, value })) },
  { weight: 3, arbitrary: fc.constant({ kind: 'delete' as const }) },
  { weight: 1, arbitrary: fc.tuple(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', 'extra')), anyJson).map(([key, value]) => ({ kind: 'add' as const, key, value })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'duplicate' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'stringify' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'wrap' as const }) },
);

const clone = (v: Json): Json => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as Json));

/** Own-property assignment that never reaches the `__proto__` setter (JSON.parse makes such keys own properties too). */
function put(o: Record<string, Json> | Json[], k: string | number, v: Json): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

function apply(root: Json, path: Path, mutation: JsonMutation): Json {
  // Values are copied in: fast-check hands out the same constant objects (`[]`, `{}`) to every run, and a
  // later mutation editing one in place leaked into other runs and could make a value contain itself.
  const m = 'value' in mutation ? { ...mutation, value: structuredClone(mutation.value) } : mutation;
  if (path.length === 0) {
    if (m.kind === 'replace') return m.value;
    if (m.kind === 'stringify') return JSON.stringify(root);
    if (m.kind === 'wrap') return [root];
    if (m.kind === 'add' && root !== null && typeof root === 'object' && !Array.isArray(root)) put(root, m.key, m.value);
    return root;
  }
  let parent: Json = root;
  for (const k of path.slice(0, -1)) parent = (parent as Record<string, Json>)[k as string];
  const key = path[path.length - 1];
  const container = parent as Record<string, Json> | Json[];
  const here = (container as Record<string, Json>)[key as string];
  switch (m.kind) {
    case 'replace':
      put(container, key, m.value);
      break;
    case 'delete':
      if (Array.isArray(container)) container.splice(key as number, 1);
      else delete container[key as string];
      break;
    case 'add':
      if (here !== null && typeof here === 'object' && !Array.isArray(here)) put(here, m.key, m.value);
      else if (Array.isArray(here)) here.push(m.value);
      break;
    case 'duplicate':
      if (Array.isArray(container)) container.splice(key as number, 0, clone(here));
      else if (Array.isArray(here) && here.length > 0) here.push(clone(here[0]));
      break;
    case 'stringify':
      put(container, key, JSON.stringify(here) ?? null);
      break;
    case 'wrap':
      put(container, key, [here]);
      break;
  }
  return root;
}

/** A valid value with one to `max` structured mutations at random places (replace, delete, add a key, duplicate, stringify, wrap). */
export function mutatedJson(valid: fc.Arbitrary<unknown>, max = 3): fc.Arbitrary<Json> {
  return fc
    .tuple(valid, fc.array(fc.tuple(fc.nat(), jsonMutation), { minLength: 1, maxLength: max }))
    .map(([v, ms]) => {
      let out = clone(v as Json);
      for (const [pick, m] of ms) {
        const all = paths(out);
        out = apply(out, all[pick % all.length], m);
      }
      return out;
    });
}

type TextMutation =
  | { kind: 'deleteLine' | 'duplicateLine' | 'swapLines' | 'crlf' | 'bom' | 'truncate' | 'deleteChar'; at: number; to: number }
  | { kind: 'insert' | 'replaceToken' | 'appendLine'; at: number; to: number; text: string };

/** Tokens a hand-written file gets wrong. */
export const nastyToken = fc.constantFrom('', ' ', '-1', '0', '1e309', '-1e309', 'NaN', 'Infinity', '0x10', '1,5', '1.2.3', '"', "'", ',', ';', '\t', '#', ':', '- ', '{', '[', '}', ']', '&a', '*a', '!!js/function', '%', '\u0000', '\ufeff', 'é', '\ud83d\ude00', 'null', '~', 'yes', '9'.repeat(40));

const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  fc.record({ kind: fc.constantFrom('deleteLine', 'duplicateLine', 'swapLines', 'crlf', 'bom', 'truncate', 'deleteChar' as const), at: fc.nat(), to: fc.nat() }),
  fc.record({ kind: fc.constantFrom('insert', 'replaceToken', 'appendLine' as const), at: fc.nat(), to: fc.nat(), text: fc.oneof(nastyToken, fc.string({ maxLength: 12 }), fc.string({ maxLength: 6, unit: 'binary' })) }),
);

function applyText(text: string, m: TextMutation): string {
  const lines = text.split('\n');
  const li = lines.length > 0 ? m.at % lines.length : 0;
  switch (m.kind) {
    case 'deleteLine':
      lines.splice(li, 1);
      return lines.join('\n');
    case 'duplicateLine':
      lines.splice(li, 0, lines[li] ?? '');
      return lines.join('\n');
    case 'swapLines': {
      const lj = m.to % Math.max(1, lines.length);
      [lines[li], lines[lj]] = [lines[lj], lines[li]];
      return lines.join('\n');
    }
    case 'crlf':
      return text.replace(/\n/g, '\r\n');
    case 'bom':
      return `\ufeff${text}`;
    case 'truncate':
      return text.slice(0, m.at % (text.length + 1));
    case 'deleteChar': {
      const i = m.at % Math.max(1, text.length);
      return text.slice(0, i) + text.slice(i + 1);
    }
    case 'insert': {
      const i = m.at % (text.length + 1);
      return text.slice(0, i) + m.text + text.slice(i);
    }
    case 'appendLine':
      lines.splice(li, 0, m.text);
      return lines.join('\n');
    case 'replaceToken': {
      // A token: a run between separators (whitespace, comma, colon).
      const tokens = [...(lines[li] ?? '').matchAll(/[^\s,:]+/g)];
      if (tokens.length === 0) return text;
      const t = tokens[m.to % tokens.length];
      lines[li] = lines[li].slice(0, t.index) + m.text + lines[li].slice(t.index + t[0].length);
      return lines.join('\n');
    }
  }
}

/** Valid text with one to `max` edits: lines deleted, duplicated or swapped, tokens replaced, characters inserted, truncation, CRLF, a BOM. */
export function mutatedText(valid: fc.Arbitrary<string>, max = 3): fc.Arbitrary<string> {
  return fc.tuple(valid, fc.array(textMutation, { minLength: 1, maxLength: max })).map(([t, ms]) => ms.reduce(applyText, t));
}

type ByteMutation = { kind: 'flip' | 'set' | 'truncate' | 'insert' | 'zero'; at: number; value: number; length: number };

/** Valid bytes with one to `max` corruptions: a bit flipped, a byte set, truncation, bytes inserted or zeroed. */
export function mutatedBytes(valid: fc.Arbitrary<Uint8Array>, max = 3): fc.Arbitrary<Uint8Array> {
  const mutation: fc.Arbitrary<ByteMutation> = fc.record({ kind: fc.constantFrom('flip', 'set', 'truncate', 'insert', 'zero' as const), at: fc.nat(), value: fc.nat(255), length: fc.integer({ min: 1, max: 16 }) });
  return fc.tuple(valid, fc.array(mutation, { minLength: 1, maxLength: max })).map(([bytes, ms]) => {
    let b = Uint8Array.from(bytes);
    for (const m of ms) {
      const i = b.length > 0 ? m.at % b.length : 0;
      if (m.kind === 'flip' && b.length > 0) b[i] ^= 1 << (m.value % 8);
      else if (m.kind === 'set' && b.length > 0) b[i] = m.value;
      else if (m.kind === 'truncate') b = b.slice(0, m.at % (b.length + 1));
      else if (m.kind === 'insert') b = Uint8Array.from([...b.slice(0, i), ...new Array<number>(m.length).fill(m.value), ...b.slice(i)]);
      else if (m.kind === 'zero') b.fill(0, i, i + m.length);
    }
    return b;
  });
}

/**
 * Runs `fn`: its value, or the error it threw, which must be of the
 * decoder's own clear class (never a TypeError, RangeError or other
 * unexpected exception) with a one-line-or-more non-empty message.
 */
export function outcome<T>(fn: () => T, ...clear: (abstract new (...args: never[]) => Error)[]): { ok: true; value: T } | { ok: false; error: Error } {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    expectClear(e, ...clear);
    return { ok: false, error: e as Error };
  }
}

/** The async `outcome`. */
export async function outcomeAsync<T>(fn: () => Promise<T>, ...clear: (abstract new (...args: never[]) => Error)[]): Promise<{ ok: true; value: T } | { ok: false; error: Error }> {
  try {
    return { ok: true, value: await fn() };
  } catch (e) {
    expectClear(e, ...clear);
    return { ok: false, error: e as Error };
  }
}

export function expectClear(e: unknown, ...clear: (abstract new (...args: never[]) => Error)[]): void {
  if (!clear.some((c) => e instanceof c)) {
    // Show the stack of the unexpected error: it is the bug.
    throw new Error(`expected ${clear.map((c) => c.name).join(' or ')}, got ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }
  expect((e as Error).message.trim()).not.toBe('');
}
