import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { parseYamlFile, readTextFile, ScenarioError } from '../../../scenarios/yaml-file.js';
import { parseJsonText } from './json-text.js';
import { checkErp, ERP_TABLES, ErpTablesSchema, type ErpData, type ErpTable } from './model.js';
import { buildRoadGraph, distanceMatrix } from '../../../world/layout/road-graph.js';

/**
 * Reads an ERP export: a folder of CSV files, one per table (header row of
 * field names, any column order), and/or `erp.json`, the same tables as one
 * JSON document. Every problem is collected and reported with its file, row
 * (the line in the file) and column (the field; in erp.json its path).
 */

/** The CSV file of each table. */
export const ERP_FILES: Record<ErpTable, string> = {
  items: 'items.csv',
  bom: 'bom.csv',
  locations: 'locations.csv',
  stock: 'stock.csv',
  suppliers: 'suppliers.csv',
  supplierItems: 'supplier-items.csv',
  customers: 'customers.csv',
  orders: 'orders.csv',
  trucks: 'trucks.csv',
  roads: 'roads.csv',
};

export const ERP_JSON = 'erp.json';

export interface ErpImportProblem {
  file: string;
  /** Line in the file (the header is line 1 of a CSV file). */
  row?: number;
  /** CSV: the column's name; erp.json: the field's path, e.g. `orders[3].qty`. */
  column?: string;
  message: string;
}

/** An export that cannot be used, with every problem found. */
export class ErpImportError extends Error {
  constructor(
    readonly dir: string,
    readonly problems: ErpImportProblem[],
  ) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ErpImportError';
  }
}

export function formatProblem(p: ErpImportProblem): string {
  return `${p.file}${p.row !== undefined ? `:${p.row}` : ''}: ${p.column ? `${p.column}: ` : ''}${p.message}`;
}

/** Where each row came from, to report cross-reference problems. */
type Origin = { file: string; line?: number; json?: (path: readonly PropertyKey[]) => { row?: number; column: string } };

/** Reads and checks the export in `dir`; throws an ErpImportError listing every problem. */
export function importErp(dir: string): ErpData {
  const problems: ErpImportProblem[] = [];
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ErpImportError(dir, [{ file: dir, message: 'no such folder' }]);
  const files = readdirSync(dir);
  const known = new Set<string>([...Object.values(ERP_FILES), ERP_JSON]);
  for (const f of files) {
    if (f.toLowerCase().endsWith('.csv') && !known.has(f)) {
      problems.push({ file: join(dir, f), message: `unknown table file (expected ${Object.values(ERP_FILES).join(', ')})` });
    }
  }
  if (!files.some((f) => known.has(f))) {
    throw new ErpImportError(dir, [{ file: dir, message: `no ERP export here: expected ${ERP_JSON} and/or ${Object.values(ERP_FILES).join(', ')}` }]);
  }
  const data = Object.fromEntries(Object.keys(ERP_TABLES).map((t) => [t, []])) as unknown as ErpData;
  const origins = Object.fromEntries(Object.keys(ERP_TABLES).map((t) => [t, [] as Origin[]])) as Record<ErpTable, Origin[]>;
  const refused = new Set<ErpTable>();

  if (files.includes(ERP_JSON)) {
    const file = join(dir, ERP_JSON);
    const json = readJson(file, problems);
    if (json) {
      for (const t of Object.keys(ERP_TABLES) as ErpTable[]) {
        (data[t] as unknown[]).push(...json.value[t]);
        json.value[t].forEach((_, i) => origins[t].push({ file, json: (p) => json.locate([t, i, ...p.slice(2)]) }));
      }
    } else {
      for (const t of Object.keys(ERP_TABLES) as ErpTable[]) refused.add(t);
    }
  }
  for (const t of Object.keys(ERP_TABLES) as ErpTable[]) {
    if (!files.includes(ERP_FILES[t])) continue;
    const file = join(dir, ERP_FILES[t]);
    if (data[t].length > 0) {
      problems.push({ file, message: `table ${t} is given twice: in ${ERP_JSON} and in ${ERP_FILES[t]}; keep one` });
      continue;
    }
    const text = readFile(file, problems);
    if (text === undefined) {
      refused.add(t);
      continue;
    }
    const csv = parseErpCsv(t, text, file);
    problems.push(...csv.problems);
    if (csv.problems.length > 0) refused.add(t);
    (data[t] as unknown[]).push(...csv.rows);
    csv.lines.forEach((line) => origins[t].push({ file, line }));
  }

  for (const p of checkErp(data)) {
    if (p.refersTo && refused.has(p.refersTo)) continue;
    const [table, index] = p.path as [ErpTable, number];
    const origin = origins[table][index];
    if (origin.json) {
      const at = origin.json(p.path);
      problems.push({ file: origin.file, row: at.row, column: at.column, message: p.message });
    } else {
      problems.push({ file: origin.file, row: origin.line, column: p.path[2] === undefined ? undefined : String(p.path[2]), message: p.message });
    }
  }
  if (problems.length === 0 && data.roads.length > 0) {
    const file = origins.roads[0].file;
    for (const [a, b] of unreachableSites(data)) problems.push({ file, message: `no road joins "${a}" and "${b}"` });
  }
  if (problems.length > 0) throw new ErpImportError(dir, problems);
  return data;
}

/** Pairs of a depot and a place its trucks serve that no chain of roads joins. */
export function unreachableSites(data: ErpData): [string, string][] {
  const graph = buildRoadGraph(data.locations, data.roads);
  const sites = data.locations.filter((l) => l.kind !== 'junction').map((l) => l.id);
  const depots = new Set(data.locations.filter((l) => l.kind === 'depot').map((l) => l.id));
  return distanceMatrix(graph, sites).unreachable.filter(([a, b]) => depots.has(a) || depots.has(b));
}

function readFile(file: string, problems: ErpImportProblem[]): string | undefined {
  try {
    return readTextFile(file);
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    problems.push({ file, message: e.problems[0].message });
    return undefined;
  }
}

type Tables = z.output<typeof ErpTablesSchema>;

function readJson(file: string, problems: ErpImportProblem[]): { value: Tables; locate: (path: readonly PropertyKey[]) => { row?: number; column: string } } | undefined {
  const text = readFile(file, problems);
  if (text === undefined) return undefined;
  const syntax = parseJsonText(text);
  if (!syntax.ok) {
    problems.push({ file, row: syntax.line, message: syntax.message });
    return undefined;
  }
  try {
    // JSON is YAML: the YAML reader locates each field's line.
    const { value, problem } = parseYamlFile(text, file, ErpTablesSchema, `${ERP_JSON} is an object of tables ({"items": […], "bom": […], …})`);
    return {
      value,
      locate: (path) => {
        const p = problem(path, '');
        return { row: p.line, column: p.path };
      },
    };
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    problems.push(...e.problems.map((p) => ({ file, row: p.line, column: p.path || undefined, message: p.message })));
    return undefined;
  }
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Strictly a decimal number: no empty text, hex, `Infinity` or thousands separators. */
export function parseNumberCell(text: string): { ok: true; value: number } | { ok: false; message: string } {
  if (NUMBER.test(text)) {
    const value = Number(text);
    // Decimal, but beyond a double ("1e999"): it read as Infinity, which its cell cannot mean.
    return Number.isFinite(value) ? { ok: true, value } : { ok: false, message: `"${text}" is not a number (it is out of range)` };
  }
  const hint = /^[+-]?\d+,\d+$/.test(text) ? ' (use a decimal point, not a comma)' : '';
  return { ok: false, message: `"${text}" is not a number${hint}` };
}

/** Whether a field of a row schema holds numbers (after unwrapping optional and default). */
function isNumberField(s: z.ZodType): boolean {
  let t: z.ZodType = s;
  while (t instanceof z.ZodOptional || t instanceof z.ZodDefault) t = t.unwrap() as z.ZodType;
  return t instanceof z.ZodNumber;
}

/**
 * One table's CSV text as rows of its schema. `lines[i]` is the file line of
 * `rows[i]`. Rows with problems are left out of `rows`.
 */
export function parseErpCsv(table: ErpTable, text: string, file: string = ERP_FILES[table]): { rows: unknown[]; lines: number[]; problems: ErpImportProblem[] } {
  const schema = ERP_TABLES[table] as unknown as z.ZodObject;
  const fields = schema.shape as Record<string, z.ZodType>;
  const problems: ErpImportProblem[] = [];
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // Every line end an editor shows is one: left to itself csv-parse takes the first it meets as the only record
    // delimiter, and then counts a later \r\n as two lines (a file starting with \n, then \r\n, had every row number doubled).
    records = parse(text, { bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, info: true, record_delimiter: ['\r\n', '\n', '\r'] }) as unknown as typeof records;
  } catch (e) {
    const err = e as Error & { lines?: number };
    return { rows: [], lines: [], problems: [{ file, row: err.lines, message: `not CSV: ${err.message.replace(/^Invalid [^:]*: /, '').split('\n')[0]}` }] };
  }
  if (records.length === 0) return { rows: [], lines: [], problems: [{ file, row: 1, message: `empty file: expected a header row (${Object.keys(fields).join(',')})` }] };
  const header = records[0].record;
  const headerLine = records[0].info.lines;
  const byLower = new Map(Object.keys(fields).map((f) => [f.toLowerCase(), f]));
  const columns: (string | undefined)[] = [];
  header.forEach((h) => {
    const f = byLower.get(h.toLowerCase());
    if (!f) problems.push({ file, row: headerLine, column: h, message: `unknown column "${h}" (columns of ${basename(file)}: ${Object.keys(fields).join(', ')})` });
    else if (columns.includes(f)) problems.push({ file, row: headerLine, column: h, message: `column "${h}" is given twice` });
    columns.push(f && !columns.includes(f) ? f : undefined);
  });
  const missing = new Set<string>();
  for (const [f, s] of Object.entries(fields)) {
    if (!columns.includes(f) && !s.safeParse(undefined).success) {
      missing.add(f);
      problems.push({ file, row: headerLine, column: f, message: `missing column "${f}"` });
    }
  }
  const rows: unknown[] = [];
  const lines: number[] = [];
  for (const { record, info } of records.slice(1)) {
    const line = info.lines;
    if (record.length !== header.length) {
      const hint = record.length > header.length ? ' (a value with a comma, such as "normal(3d, 0.5d)", goes in double quotes)' : '';
      problems.push({ file, row: line, message: `${record.length} fields; the header has ${header.length}${hint}` });
      continue;
    }
    const raw: Record<string, unknown> = {};
    const empty = new Set<string>();
    const reported = new Set<string>();
    record.forEach((cell, i) => {
      const f = columns[i];
      if (!f) return;
      if (cell === '') return void empty.add(f);
      if (isNumberField(fields[f])) {
        const n = parseNumberCell(cell);
        if (n.ok) raw[f] = n.value;
        else {
          reported.add(f);
          problems.push({ file, row: line, column: f, message: n.message });
        }
      } else raw[f] = cell;
    });
    const parsed = schema.safeParse(raw);
    if (parsed.success && reported.size === 0) {
      rows.push(parsed.data);
      lines.push(line);
      continue;
    }
    for (const issue of parsed.success ? [] : parsed.error.issues) {
      const f = issue.path[0] === undefined ? undefined : String(issue.path[0]);
      if (f !== undefined && (missing.has(f) || reported.has(f))) continue;
      const inner = issue.path.slice(1).join('.');
      const message = f !== undefined && empty.has(f) ? 'missing value' : `${inner ? `${inner}: ` : ''}${issue.message}`;
      problems.push({ file, row: line, column: f, message });
    }
  }
  return { rows, lines, problems };
}
