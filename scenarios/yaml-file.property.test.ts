import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { LineCounter, parseDocument, stringify as stringifyYaml } from 'yaml';
import { z } from 'zod';
import { anyJson, mutatedJson, mutatedText, outcome } from '../test/support/fuzz.js';
import { formatPath, parseYamlFile, readTextFile, ScenarioError } from './yaml-file.js';

/**
 * The YAML reader under every file kind kept beside the scenarios: a value
 * its schema accepts, or a ScenarioError whose problems carry the file, the
 * line and the path of the field the schema refused.
 */

const FILE = 'fuzz/cell.yaml';
const Cell = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/),
    size: z.number().int().positive(),
    tags: z.array(z.string()).default([]),
    pose: z.object({ x: z.number(), y: z.number() }).strict().optional(),
  })
  .strict();

const validCell = fc.record(
  {
    id: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
    size: fc.integer({ min: 1, max: 1e9 }),
    tags: fc.array(fc.string({ maxLength: 10 }), { maxLength: 4 }),
    pose: fc.record({ x: fc.double({ noNaN: true, noDefaultInfinity: true }), y: fc.integer() }),
  },
  { requiredKeys: ['id', 'size'] },
);

const toYaml = (v: unknown) => stringifyYaml(v, { aliasDuplicateObjects: false, lineWidth: 0 });
const read = (text: string) => outcome(() => parseYamlFile(text, FILE, Cell, 'a cell is a YAML mapping').value, ScenarioError);

/** The line of the deepest node of `path` present in the text (what the reader must point at). */
function lineOf(text: string, path: readonly PropertyKey[]): number | undefined {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter });
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as unknown[], true);
    const at = (node as { range?: [number] } | undefined)?.range?.[0];
    if (at !== undefined) return counter.linePos(at).line;
  }
  return undefined;
}

describe('YAML file reader, hardened', () => {
  test.prop([validCell], { numRuns: 200 })('round trip: a valid value written as YAML reads back as itself', (cell) => {
    const r = read(toYaml(cell));
    expect(r).toEqual({ ok: true, value: Cell.parse(cell) });
  });

  test.prop([mutatedJson(validCell, 3)], { numRuns: 300 })('a mutated value: accepted as the schema says, or refused at the line and path of each issue', (doc) => {
    const text = toYaml(doc);
    const r = read(text);
    const expected = Cell.safeParse(doc);
    if (r.ok) {
      expect(expected.success).toBe(true);
      expect(r.value).toEqual(expected.data);
      return;
    }
    const { problems } = r.error as ScenarioError;
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
      expect(problems).toEqual([{ path: '', line: 1, column: 1, message: 'a cell is a YAML mapping' }]);
      return;
    }
    expect(expected.success).toBe(false);
    expect(problems.map((p) => p.path)).toEqual(expected.error!.issues.map((i) => formatPath(i.path)));
    expected.error!.issues.forEach((issue, i) => expect(problems[i].line).toBe(lineOf(text, issue.path)));
    for (const line of (r.error as ScenarioError).message.split('\n')) expect(line.startsWith(`${FILE}:`)).toBe(true);
  });

  test.prop([mutatedText(validCell.map(toYaml), 4)], { numRuns: 300 })('edited YAML text: a value or a located ScenarioError', (text) => {
    const r = read(text);
    if (!r.ok) for (const p of (r.error as ScenarioError).problems) expect(p.line).toBeGreaterThanOrEqual(1);
  });

  test.prop([fc.oneof(fc.string({ maxLength: 200 }), anyJson.map(toYaml))], { numRuns: 300 })('arbitrary text and any JSON value: a value or a located ScenarioError', (text) => {
    const r = read(text);
    if (!r.ok) for (const p of (r.error as ScenarioError).problems) expect(p.line).toBeGreaterThanOrEqual(1);
  });

  describe('readTextFile', () => {
    const dir = mkdtempSync(join(tmpdir(), 'yaml-file-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    test.prop([fc.uint8Array({ maxLength: 300 })], { numRuns: 50 })('reads any bytes as the text the parser gets', (bytes) => {
      const file = join(dir, 'any.yaml');
      writeFileSync(file, bytes);
      expect(readTextFile(file)).toBe(Buffer.from(bytes).toString('utf8'));
    });
    it('names a file that cannot be read, and why', () => {
      expect(() => readTextFile(join(dir, 'missing.yaml'))).toThrow(/missing\.yaml: no such file/);
      expect(() => readTextFile(dir)).toThrow(ScenarioError);
      expect(() => readTextFile(dir)).toThrow(/: not a regular file/);
    });
  });
});
