/**
 * Parsers for the Moving AI MAPF benchmark formats (Stern et al. 2019,
 * movingai.com/benchmarks/mapf): `.map` grids and `.scen` agent lists.
 * They take the file's text and its name, so a malformed file is reported as
 * `file:line: problem` (one line, for the CLI) rather than as a stack trace.
 */
import { Grid } from '../grid.js';

/** A malformed map or scenario file (or one that does not fit its map): a user error. */
export class MapfFormatError extends Error {
  override name = 'MapfFormatError';
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly problem: string,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${problem}`);
  }
}

export interface MovingAiMap {
  grid: Grid;
  width: number;
  height: number;
}

/** One scenario line: one agent. Coordinates are (column, row) from the top-left corner. */
export interface ScenarioAgent {
  /** 1-based line number in the scenario file, for error messages. */
  line: number;
  bucket: number;
  map: string;
  mapWidth: number;
  mapHeight: number;
  start: { x: number; y: number };
  goal: { x: number; y: number };
  /** Moving AI's octile (8-connected) optimal length: not a 4-connected lower bound. */
  optimalLength: number;
}

const PASSABLE = new Set(['.', 'G']);
const BLOCKED = new Set(['@', 'T', 'O', 'W', 'S']);

function lines(text: string): string[] {
  return text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/** `key value` header line of a map file, with a positive integer value. */
function headerInt(file: string, all: string[], index: number, key: string): number {
  const line = all[index];
  if (line === undefined) throw new MapfFormatError(file, index + 1, `expected "${key} <number>", found end of file`);
  const m = /^(\S+)\s+(\S+)\s*$/.exec(line);
  if (!m || m[1] !== key) throw new MapfFormatError(file, index + 1, `expected "${key} <number>", found "${line}"`);
  if (!/^\d+$/.test(m[2]) || Number(m[2]) < 1) throw new MapfFormatError(file, index + 1, `${key} must be a positive integer, got "${m[2]}"`);
  return Number(m[2]);
}

/** Parses a `.map` file: `type octile`, `height H`, `width W`, `map`, then H rows of W cells. */
export function parseMap(text: string, file: string): MovingAiMap {
  const all = lines(text);
  const type = /^type\s+(\S+)\s*$/.exec(all[0] ?? '');
  if (!type) throw new MapfFormatError(file, 1, `expected "type octile", found "${all[0] ?? ''}"`);
  if (type[1] !== 'octile') throw new MapfFormatError(file, 1, `unsupported map type "${type[1]}" (expected octile)`);
  const height = headerInt(file, all, 1, 'height');
  const width = headerInt(file, all, 2, 'width');
  if ((all[3] ?? '').trim() !== 'map') throw new MapfFormatError(file, 4, `expected "map", found "${all[3] ?? 'end of file'}"`);
  const blocked = new Uint8Array(width * height);
  let end = all.length;
  while (end > 4 && all[end - 1].trim() === '') end--;
  for (let y = 0; y < height; y++) {
    const lineNo = 5 + y;
    const row = all[4 + y];
    if (4 + y >= end) throw new MapfFormatError(file, lineNo, `expected ${height} map rows, found ${y}`);
    if (row.length !== width) throw new MapfFormatError(file, lineNo, `map row has ${row.length} cells, expected width ${width}`);
    for (let x = 0; x < width; x++) {
      const c = row[x];
      if (BLOCKED.has(c)) blocked[y * width + x] = 1;
      else if (!PASSABLE.has(c)) throw new MapfFormatError(file, lineNo, `unknown map character "${c}" at column ${x + 1}`);
    }
  }
  for (let i = 4 + height; i < all.length; i++) {
    if (all[i].trim() !== '') throw new MapfFormatError(file, i + 1, `unexpected text after the ${height} map rows`);
  }
  return { grid: new Grid(width, height, blocked), width, height };
}

function nonNegativeInt(file: string, line: number, name: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new MapfFormatError(file, line, `${name} must be a non-negative integer, got "${value}"`);
  return Number(value);
}

/** Parses a `.scen` file: `version 1`, then one agent per line with 9 tab-separated fields. */
export function parseScenario(text: string, file: string): ScenarioAgent[] {
  const all = lines(text);
  const version = /^version\s+(\S+)\s*$/.exec(all[0] ?? '');
  if (!version) throw new MapfFormatError(file, 1, `expected "version 1", found "${all[0] ?? ''}"`);
  if (Number(version[1]) !== 1) throw new MapfFormatError(file, 1, `unsupported scenario version "${version[1]}" (expected 1)`);
  const agents: ScenarioAgent[] = [];
  for (let i = 1; i < all.length; i++) {
    const raw = all[i];
    if (raw.trim() === '') continue;
    const line = i + 1;
    const f = raw.split('\t');
    if (f.length !== 9) throw new MapfFormatError(file, line, `expected 9 tab-separated fields, found ${f.length}`);
    const opt = Number(f[8]);
    if (f[8].trim() === '' || !Number.isFinite(opt) || opt < 0) {
      throw new MapfFormatError(file, line, `optimal_length must be a non-negative number, got "${f[8]}"`);
    }
    if (f[1].trim() === '') throw new MapfFormatError(file, line, 'map_file is empty');
    agents.push({
      line,
      bucket: nonNegativeInt(file, line, 'bucket', f[0]),
      map: f[1],
      mapWidth: nonNegativeInt(file, line, 'map_width', f[2]),
      mapHeight: nonNegativeInt(file, line, 'map_height', f[3]),
      start: { x: nonNegativeInt(file, line, 'start_x', f[4]), y: nonNegativeInt(file, line, 'start_y', f[5]) },
      goal: { x: nonNegativeInt(file, line, 'goal_x', f[6]), y: nonNegativeInt(file, line, 'goal_y', f[7]) },
      optimalLength: opt,
    });
  }
  return agents;
}
