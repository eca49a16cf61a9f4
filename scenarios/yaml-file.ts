import { readFileSync, statSync } from 'node:fs';
import { isAlias, isNode, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { oneLine } from '../agents/protocol/one-line.js';

/**
 * Reading YAML files checked by a zod schema, with every problem located by
 * line and column. Kept apart from `load.ts` (the scenario loader) so that
 * the readers a scenario pulls in (the ERP import) can use it without an
 * import cycle.
 */

/** One thing wrong with a scenario file, located in the file. */
export interface ScenarioProblem {
  /** Path in the document, e.g. `machines[0].type`; for a CSV file a scenario reads, the column. */
  path: string;
  line?: number;
  column?: number;
  message: string;
  /** The file the problem is in, when it is not the scenario itself (a CSV file of an ERP export). */
  file?: string;
}

/** A scenario that cannot be used, with every problem found and where it is. */
export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ScenarioProblem[],
  ) {
    super(problems.map((p) => formatScenarioProblem(file, p)).join('\n'));
    this.name = 'ScenarioError';
  }
}

/**
 * `file:line:column: path: message`, as compilers print it (parts that are
 * unknown left out), on one line: a path or message quoting the file (a key
 * or value with a line break, a NUL in yaml's own messages) has its control
 * characters escaped, so one problem cannot read as two.
 */
export function formatScenarioProblem(file: string, p: ScenarioProblem): string {
  const at = p.line ? `:${p.line}${p.column ? `:${p.column}` : ''}` : '';
  return oneLine(`${p.file ?? file}${at}: ${p.path ? `${p.path}: ` : ''}${p.message}`);
}

export function formatPath(path: readonly PropertyKey[]): string {
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

/** Locates a problem at a path of the document. */
export type ProblemAt = (path: readonly PropertyKey[], message: string) => ScenarioProblem;

/**
 * Where content that is not in the text came from (sections a scenario
 * imports): the path to point at instead, and a note for the message.
 */
export type Origin = (path: readonly PropertyKey[]) => { at: readonly PropertyKey[]; note: string } | undefined;

/**
 * A step between reading the YAML and checking it: may replace the document
 * (merge in content from other files) and say where that content came from.
 * It throws a ScenarioError for problems of its own.
 */
export type Prepare = (raw: Record<string, unknown>, problem: ProblemAt) => { raw: Record<string, unknown>; origin?: Origin };

/**
 * A YAML file parsed and checked against a zod schema, with problems located
 * by line and column. Other file kinds kept beside the scenarios (federations)
 * use it too, and `problem` locates the checks that need more than the schema.
 */
export function parseYamlFile<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
  notMapping: string,
  prepare?: Prepare,
): { value: z.output<S>; problem: ProblemAt } {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      file,
      doc.errors.map((e) => ({ path: '', line: e.linePos?.[0].line, column: e.linePos?.[0].col, message: e.message.split('\n')[0] })),
    );
  }
  const parsed = toPlain(doc, counter, file);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ScenarioError(file, [{ path: '', line: 1, column: 1, message: notMapping }]);
  }
  const problem: ProblemAt = (path, message) => {
    const where = locate(doc, counter, path);
    return { path: formatPath(path), line: where?.line, column: where?.column, message };
  };
  const prepared: ReturnType<Prepare> = prepare ? prepare(parsed as Record<string, unknown>, problem) : { raw: parsed as Record<string, unknown> };
  const result = schema.safeParse(prepared.raw);
  if (!result.success) throw new ScenarioError(file, problems(result.error, doc, counter, prepared.origin));
  return { value: result.data, problem };
}

/**
 * The document as plain values. yaml resolves aliases (and YAML 1.1 merge
 * keys) only here, and throws plain errors for what is wrong with them: an
 * alias bomb past `maxAliasCount` ("billion laughs"), an alias before its
 * anchor, a merge of a non-map. Those are the file's problems, not crashes:
 * they come as a ScenarioError at the alias concerned (the first alias of
 * an unknown anchor, else the first alias).
 */
function toPlain(doc: Document, counter: LineCounter, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    const anchors = new Set<string>();
    let first: Node | undefined;
    let unresolved: Node | undefined;
    visit(doc, {
      Node(_key, node) {
        if (isAlias(node)) {
          first ??= node;
          if (anchors.has(node.source)) return undefined;
          unresolved = node;
          return visit.BREAK;
        }
        if (node.anchor) anchors.add(node.anchor);
        return undefined;
      },
    });
    const at = (unresolved ?? first ?? doc.contents)?.range?.[0];
    const pos = at === undefined ? { line: 1, col: 1 } : counter.linePos(at);
    throw new ScenarioError(file, [{ path: '', line: pos.line, column: pos.col, message: (e instanceof Error ? e.message : String(e)).split('\n')[0] }]);
  }
}

function problems(error: z.ZodError, doc: Document, counter: LineCounter, origin?: Origin): ScenarioProblem[] {
  return error.issues.map((issue) => {
    const from = origin?.(issue.path);
    const where = locate(doc, counter, from?.at ?? issue.path);
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    if (from) message += ` (${from.note})`;
    return { path: formatPath(issue.path), line: where?.line, column: where?.column, message };
  });
}

/** A file's text, or a ScenarioError saying why it cannot be read. */
/** Largest scenario or federation file read (a plant's is a few kB; an ERP export goes through its own importer). */
const MAX_TEXT_BYTES = 16 * 1024 * 1024;

export function readTextFile(file: string): string {
  try {
    // A device or a FIFO (`/dev/zero`, a pipe) would be read for ever: only regular files, of a sane size.
    const stat = statSync(file);
    if (!stat.isFile()) throw new ScenarioError(file, [{ path: '', message: 'not a regular file' }]);
    if (stat.size > MAX_TEXT_BYTES) throw new ScenarioError(file, [{ path: '', message: `${stat.size} bytes; a scenario file may have at most ${MAX_TEXT_BYTES}` }]);
    return readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof ScenarioError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new ScenarioError(file, [{ path: '', message: code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? String(e)})` }]);
  }
}
