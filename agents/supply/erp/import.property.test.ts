import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { anyJson, mutatedJson, mutatedText } from '../../../test/support/fuzz.js';
import { ERP_FILES, ERP_JSON, ErpImportError, importErp, parseErpCsv, parseNumberCell, unreachableSites } from './import.js';
import { ERP_TABLES, ErpDataSchema, type ErpTable } from './model.js';

/**
 * The ERP import (a folder of CSV files and/or erp.json), as properties:
 * whatever the files hold, the import returns data that hangs together (the
 * model's schema with its cross-references, roads joining every depot) or
 * throws an ErpImportError whose every problem names its file and, for a
 * problem in a row, the row; it never throws anything else and never writes
 * to the folder.
 */

const EXAMPLE = join(import.meta.dirname, '../../../scenarios/erp-example');
const TABLES = Object.keys(ERP_FILES) as ErpTable[];
const example = Object.fromEntries(TABLES.map((t) => [t, readFileSync(join(EXAMPLE, ERP_FILES[t]), 'utf8')])) as Record<ErpTable, string>;
const exampleData = importErp(EXAMPLE);

const root = mkdtempSync(join(tmpdir(), 'erp-prop-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let runs = 0;

/** Problems that concern a whole file or the folder, not a row. */
const FILE_LEVEL = /unknown table file|is given twice: in|no road joins|no such file|cannot read it|no ERP export here|no such folder|is an object of tables|empty file|not CSV/;

function expectProblems(e: unknown, dir: string): void {
  if (!(e instanceof ErpImportError)) throw new Error(`expected an ErpImportError, got ${e instanceof Error ? e.stack : String(e)}`);
  expect(e.problems.length).toBeGreaterThan(0);
  for (const p of e.problems) {
    expect(p.file.startsWith(dir)).toBe(true);
    expect(p.message.trim()).not.toBe('');
    if (p.row === undefined) expect(p.message).toMatch(FILE_LEVEL);
    else expect(Number.isInteger(p.row) && p.row >= 1).toBe(true);
  }
}

/** Every file of a folder with its bytes. */
const snapshot = (dir: string) => readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'latin1')]);

type Edit =
  | { kind: 'csv'; table: ErpTable; text: string }
  | { kind: 'delete'; table: ErpTable }
  | { kind: 'json'; text: string; dropCsv: boolean }
  | { kind: 'unknown'; name: string };

const csvEdit = fc.constantFrom(...TABLES).chain((table) => mutatedText(fc.constant(example[table]), 3).map((text): Edit => ({ kind: 'csv', table, text })));
const jsonEdit: fc.Arbitrary<Edit> = fc.oneof(
  mutatedJson(fc.constant(exampleData), 3).map((v) => JSON.stringify(v, null, 2) ?? 'null'),
  mutatedText(fc.constant(JSON.stringify(exampleData, null, 2)), 2),
  anyJson.map((v) => JSON.stringify(v) ?? ''),
).chain((text) => fc.boolean().map((dropCsv): Edit => ({ kind: 'json', text, dropCsv })));
const edit: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 6, arbitrary: csvEdit },
  { weight: 3, arbitrary: jsonEdit },
  { weight: 1, arbitrary: fc.constantFrom(...TABLES).map((table): Edit => ({ kind: 'delete', table })) },
  { weight: 1, arbitrary: fc.constantFrom('extra.csv', 'Items.csv', 'notes.txt').map((name): Edit => ({ kind: 'unknown', name })) },
);

describe('the ERP import', () => {
  test.prop([fc.constantFrom(...TABLES).chain((t) => fc.tuple(fc.constant(t), fc.oneof(mutatedText(fc.constant(example[t]), 4), fc.string({ maxLength: 200 }))))], { numRuns: 300 })(
    'a CSV table (mutations of a valid one): rows of its schema, each with its line, and problems each with its row',
    ([table, text]) => {
      const r = parseErpCsv(table, text, 'f.csv');
      expect(r.rows.length).toBe(r.lines.length);
      // Lines as an editor shows them: \r\n, \n and a lone \r each end one. csv-parse counts a \r\n inside a quoted
      // field as two, so quoted text may take the row numbers past that by one per such line end.
      const quotedSlack = text.includes('"') ? (text.match(/\r\n/g) ?? []).length : 0;
      const lines = text.split(/\r\n|\n|\r/).length + quotedSlack;
      r.rows.forEach((row, i) => {
        const again = (ERP_TABLES[table] as unknown as { safeParse(v: unknown): { success: boolean; data?: unknown } }).safeParse(row);
        expect(again.success).toBe(true);
        expect(again.data).toEqual(row);
        expect(r.lines[i]).toBeGreaterThanOrEqual(2);
        expect(r.lines[i]).toBeLessThanOrEqual(lines);
        if (i > 0) expect(r.lines[i]).toBeGreaterThan(r.lines[i - 1]);
      });
      for (const p of r.problems) {
        expect(p.file).toBe('f.csv');
        expect(p.message.trim()).not.toBe('');
        expect(Number.isInteger(p.row) && p.row! >= 1).toBe(true);
      }
    },
  );

  test.prop([fc.array(edit, { minLength: 1, maxLength: 3 })], { numRuns: 120 })(
    'a folder (the example export, edited): data that hangs together, or every problem with its file and row; the folder is left as it was',
    (edits) => {
      const dir = join(root, `run-${++runs}`);
      cpSync(EXAMPLE, dir, { recursive: true });
      for (const e of edits) {
        if (e.kind === 'csv') writeFileSync(join(dir, ERP_FILES[e.table]), e.text);
        else if (e.kind === 'delete') rmSync(join(dir, ERP_FILES[e.table]), { force: true });
        else if (e.kind === 'unknown') writeFileSync(join(dir, e.name), 'a,b\n1,2\n');
        else {
          writeFileSync(join(dir, ERP_JSON), e.text);
          if (e.dropCsv) for (const t of TABLES) rmSync(join(dir, ERP_FILES[t]), { force: true });
        }
      }
      const before = snapshot(dir);
      try {
        const data = importErp(dir);
        const checked = ErpDataSchema.safeParse(data);
        expect(checked.success ? [] : checked.error.issues).toEqual([]);
        if (data.roads.length > 0) expect(unreachableSites(data)).toEqual([]);
      } catch (e) {
        expectProblems(e, dir);
      }
      expect(snapshot(dir)).toEqual(before);
      rmSync(dir, { recursive: true, force: true });
    },
  );

  test.prop([fc.oneof(fc.string({ maxLength: 12 }), fc.double().map(String), fc.constantFrom('1e999', '-1e400', '1e308', '0x10', '1,5', 'Infinity', '.5', '5.', '+1', '-0'))], { numRuns: 300 })(
    'a number cell is a finite decimal number, or refused naming the text',
    (text) => {
      const n = parseNumberCell(text);
      if (n.ok) expect(Number.isFinite(n.value)).toBe(true);
      else expect(n.message).toContain(`"${text}"`);
    },
  );

  it('a number too large for a double is refused in its cell, not read as Infinity (found by the property)', () => {
    expect(parseNumberCell('1e999')).toEqual({ ok: false, message: '"1e999" is not a number (it is out of range)' });
    const csv = parseErpCsv('items', 'id,unitCost,type\nbolt,1e999,purchased\n', 'items.csv');
    expect(csv.problems).toEqual([{ file: 'items.csv', row: 2, column: 'unitCost', message: '"1e999" is not a number (it is out of range)' }]);
  });

  it('an export left alone imports as before (the property starts from a valid folder)', () => {
    const dir = join(root, 'plain');
    cpSync(EXAMPLE, dir, { recursive: true });
    unlinkSync(join(dir, ERP_FILES.roads));
    expect(importErp(dir).roads).toEqual([]);
  });
});
