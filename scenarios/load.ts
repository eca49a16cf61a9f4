import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ScenarioSchema, type Scenario } from './schema.js';

/** One thing wrong with a scenario file, located in the file. */
export interface ScenarioProblem {
  /** Path in the document, e.g. `machines[0].type`. */
  path: string;
  line?: number;
  column?: number;
  message: string;
}

/** A scenario that cannot be used, with every problem found and where it is. */
export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ScenarioProblem[],
  ) {
    super(problems.map((p) => `${file}${p.line ? `:${p.line}:${p.column}` : ''}: ${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n'));
    this.name = 'ScenarioError';
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join('');
}

/** Finds the deepest node of `path` present in the document, for its position. */
function locate(doc: Document, counter: LineCounter, path: readonly PropertyKey[]): { line: number; column: number } | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as unknown[], true);
    if (isNode(node) && node.range) {
      const { line, col } = counter.linePos(node.range[0]);
      return { line, column: col };
    }
  }
  return undefined;
}

/**
 * A YAML file parsed and checked against a zod schema, with problems located
 * by line and column. Other file kinds kept beside the scenarios (federations)
 * use it too, and `problem` locates the checks that need more than the schema.
 */
export function parseYamlFile<S extends z.ZodType>(text: string, file: string, schema: S, notMapping: string): { value: z.output<S>; problem: (path: readonly PropertyKey[], message: string) => ScenarioProblem } {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      file,
      doc.errors.map((e) => ({ path: '', line: e.linePos?.[0].line, column: e.linePos?.[0].col, message: e.message.split('\n')[0] })),
    );
  }
  const raw = doc.toJS({ maxAliasCount: 100 });
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ScenarioError(file, [{ path: '', line: 1, column: 1, message: notMapping }]);
  }
  const result = schema.safeParse(raw);
  if (!result.success) throw new ScenarioError(file, problems(result.error, doc, counter));
  return {
    value: result.data,
    problem: (path, message) => {
      const where = locate(doc, counter, path);
      return { path: formatPath(path), line: where?.line, column: where?.column, message };
    },
  };
}

/** Parses and validates scenario text; throws a ScenarioError naming the file, the place and the problem. */
export function parseScenario(text: string, file: string): Scenario {
  const { value } = parseYamlFile(text, file, ScenarioSchema, 'a scenario is a YAML mapping (name, horizon, machines, …)');
  return resolveFiles(value, file);
}

/** Files a scenario names (models) are relative to the scenario's folder. */
function resolveFiles(scenario: Scenario, file: string): Scenario {
  const models = scenario.maintenance.predictive?.models;
  if (!models) return scenario;
  const dir = dirname(file);
  for (const m of Object.values(models)) {
    m.rul = resolve(dir, m.rul);
    if (m.anomaly) m.anomaly = resolve(dir, m.anomaly);
  }
  return scenario;
}

function problems(error: z.ZodError, doc: Document, counter: LineCounter): ScenarioProblem[] {
  return error.issues.map((issue) => {
    const where = locate(doc, counter, issue.path);
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    return { path: formatPath(issue.path), line: where?.line, column: where?.column, message };
  });
}

/** A file's text, or a ScenarioError saying why it cannot be read. */
export function readTextFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ScenarioError(file, [{ path: '', message: code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? String(e)})` }]);
  }
}

/** Reads and validates a scenario file. */
export function loadScenario(file: string): Scenario {
  return parseScenario(readTextFile(file), file);
}
