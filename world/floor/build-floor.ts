import { Grid } from '../planning/grid.js';
import { Floor } from './floor.js';
import { FloorError, type FloorProblem, type FloorRect, type FloorSpec, type FloorWall } from './floor-spec.js';

/** A place of the layout, as the floor needs it. */
export interface FloorPlace {
  id: string;
  kind?: string;
  x: number;
  y: number;
}

/** Beyond this many cells a floor is a mistake (a depot kilometres away), not a warehouse. */
const MAX_CELLS = 4_000_000;
const EPS = 1e-9;

/** Cell columns (or rows) whose centres lie in [from, from + extent). */
function span(origin: number, cs: number, from: number, extent: number): [number, number] {
  return [Math.ceil((from - origin) / cs - EPS), Math.ceil((from + extent - origin) / cs - EPS) - 1];
}

function forRect(grid: Grid, origin: { x: number; y: number }, cs: number, r: FloorRect, fn: (cell: number) => void): void {
  const [i0, i1] = span(origin.x, cs, r.x, r.width);
  const [j0, j1] = span(origin.y, cs, r.y, r.height);
  for (let j = Math.max(0, j0); j <= Math.min(grid.height - 1, j1); j++) {
    for (let i = Math.max(0, i0); i <= Math.min(grid.width - 1, i1); i++) fn(grid.index(i, j));
  }
}

/**
 * The part of a wall inside the box [lo, hi] (Liang–Barsky), or undefined
 * when it misses the box. Ends inside the box are kept exactly, so a wall on
 * the floor is drawn as given. Computed on halves: the difference of two
 * finite coordinates may overflow (1e308 - -1e308), that of their halves not.
 */
function clipWall(wl: FloorWall, lo: { x: number; y: number }, hi: { x: number; y: number }): FloorWall | undefined {
  const dx = wl.x2 / 2 - wl.x1 / 2;
  const dy = wl.y2 / 2 - wl.y1 / 2;
  let t0 = 0;
  let t1 = 1;
  const edges: [number, number][] = [
    [-dx, wl.x1 / 2 - lo.x / 2],
    [dx, hi.x / 2 - wl.x1 / 2],
    [-dy, wl.y1 / 2 - lo.y / 2],
    [dy, hi.y / 2 - wl.y1 / 2],
  ];
  for (const [p, q] of edges) {
    if (p === 0) {
      if (q < 0) return undefined;
      continue;
    }
    const r = q / p;
    if (p < 0) t0 = Math.max(t0, r);
    else t1 = Math.min(t1, r);
  }
  if (!(t0 <= t1)) return undefined;
  const at = (t: number, a: number, d: number) => (t === 0 ? a : a + 2 * (t * d));
  return {
    x1: at(t0, wl.x1, dx),
    y1: at(t0, wl.y1, dy),
    x2: t1 === 1 ? wl.x2 : at(t1, wl.x1, dx),
    y2: t1 === 1 ? wl.y2 : at(t1, wl.y1, dy),
  };
}

/** The floor's extent: the scenario's, or the box around the places and drawn features plus the margin. */
function extent(spec: FloorSpec, places: readonly FloorPlace[]): { origin: { x: number; y: number }; w: number; h: number } {
  const cs = spec.cellSize;
  if (spec.width !== undefined && spec.height !== undefined) {
    return { origin: spec.origin ?? { x: 0, y: 0 }, w: Math.max(1, Math.round(spec.width / cs)), h: Math.max(1, Math.round(spec.height / cs)) };
  }
  const xs: number[] = [];
  const ys: number[] = [];
  for (const p of places) {
    xs.push(p.x);
    ys.push(p.y);
  }
  for (const r of [...spec.obstacles, ...spec.aisles, ...spec.parking]) {
    xs.push(r.x, r.x + r.width - cs);
    ys.push(r.y, r.y + r.height - cs);
  }
  for (const w of spec.walls) {
    xs.push(w.x1, w.x2);
    ys.push(w.y1, w.y2);
  }
  if (xs.length === 0) {
    xs.push(0);
    ys.push(0);
  }
  const origin = spec.origin ?? { x: (Math.floor(Math.min(...xs) / cs) - spec.margin) * cs, y: (Math.floor(Math.min(...ys) / cs) - spec.margin) * cs };
  const w = Math.ceil((Math.max(...xs) - origin.x) / cs - EPS) + 1 + spec.margin;
  const h = Math.ceil((Math.max(...ys) - origin.y) / cs - EPS) + 1 + spec.margin;
  return { origin, w: Math.max(1, w), h: Math.max(1, h) };
}

/**
 * Builds the cobots' floor from the scenario: `places` are the places
 * cobots drive to (homes, task ends, chargers); others of the layout (a
 * supplier's works, the trucks' depot) are not on it. Returns every problem
 * found (a place on a rack, two places in one cell, a place walled in, too
 * little parking) instead of the first, for the scenario's validation.
 */
export function planFloor(spec: FloorSpec, places: readonly FloorPlace[], cobots = 0): { floor?: Floor; problems: FloorProblem[] } {
  const problems: FloorProblem[] = [];
  const cs = spec.cellSize;
  if ((spec.width === undefined) !== (spec.height === undefined)) {
    return { problems: [{ path: ['floor', spec.width === undefined ? 'width' : 'height'], message: 'give both floor.width and floor.height, or neither' }] };
  }
  const { origin, w, h } = extent(spec, places);
  if (w * h > MAX_CELLS) {
    return { problems: [{ path: ['floor'], message: `a floor of ${w} × ${h} cells is too large (at most ${MAX_CELLS}): set floor.width/height or a larger cellSize` }] };
  }
  const grid = new Grid(w, h);
  const aisle = new Uint8Array(grid.size);
  /** What blocked each cell, for messages: index into obstacles, or -1 - wall index; FREE if nothing. */
  const FREE = 0x7fffffff;
  const cause = new Int32Array(grid.size).fill(FREE);
  spec.obstacles.forEach((r, k) => forRect(grid, origin, cs, r, (c) => (cause[c] = k)));
  spec.walls.forEach((drawn, k) => {
    // Only the part of a wall on the floor is sampled: a wall drawn far past
    // it (x2: 1e300) was walked in quarter cells over its whole length, a hang.
    const wl = clipWall(drawn, { x: origin.x - cs, y: origin.y - cs }, { x: origin.x + w * cs, y: origin.y + h * cs });
    if (!wl) return;
    const len = Math.hypot(wl.x2 - wl.x1, wl.y2 - wl.y1);
    // A clipped wall is at most w + h + 2 cells long; the bound only bites on non-finite lengths.
    const n = Math.min(Math.max(1, Math.ceil((len / cs) * 4)), 4 * (w + h + 2));
    for (let s = 0; s <= n; s++) {
      const i = Math.round((wl.x1 + ((wl.x2 - wl.x1) * s) / n - origin.x) / cs);
      const j = Math.round((wl.y1 + ((wl.y2 - wl.y1) * s) / n - origin.y) / cs);
      if (grid.inside(i, j)) cause[grid.index(i, j)] = -1 - k;
    }
  });
  spec.aisles.forEach((r) =>
    forRect(grid, origin, cs, r, (c) => {
      aisle[c] = 1;
      cause[c] = FREE;
    }),
  );
  for (let c = 0; c < grid.size; c++) if (cause[c] !== FREE) grid.block(c % w, Math.floor(c / w));

  const cells = new Map<string, number>();
  const byCell = new Map<number, string>();
  const bounds = `x ${origin.x}…${origin.x + (w - 1) * cs}, y ${origin.y}…${origin.y + (h - 1) * cs} m`;
  for (const p of places) {
    const i = Math.round((p.x - origin.x) / cs);
    const j = Math.round((p.y - origin.y) / cs);
    const path = ['layout', 'places', p.id];
    if (!grid.inside(i, j)) {
      problems.push({ path, message: `place "${p.id}" (${p.x}, ${p.y}) is off the cobots' floor (${bounds})` });
      continue;
    }
    const c = grid.index(i, j);
    if (!grid.freeIndex(c)) {
      const k = cause[c];
      problems.push({ path, message: `place "${p.id}" (${p.x}, ${p.y}) lies on ${k >= 0 ? `floor.obstacles[${k}]` : `floor.walls[${-1 - k}]`}` });
      continue;
    }
    const other = byCell.get(c);
    if (other !== undefined) {
      problems.push({ path, message: `places "${other}" and "${p.id}" fall in the same ${cs} m floor cell: move them apart or use a smaller floor.cellSize` });
      continue;
    }
    byCell.set(c, p.id);
    cells.set(p.id, c);
  }
  const placed = [...cells.entries()];
  /** Distances from the first place: everything cobots use must be connected to it. */
  const reach = placed.length > 0 ? grid.distancesTo(placed[0][1]) : undefined;
  for (const [id, c] of placed) {
    if (reach && reach[c] < 0) problems.push({ path: ['layout', 'places', id], message: `place "${id}" cannot be reached from "${placed[0][0]}": obstacles or walls close it in` });
  }
  const reachable = (c: number) => !reach || reach[c] >= 0;

  const isPlace = (c: number) => byCell.has(c);
  const nearPlace = (c: number) => grid.neighbours(c).some(isPlace);
  const parking: number[] = [];
  if (spec.parking.length > 0) {
    const mark = new Uint8Array(grid.size);
    spec.parking.forEach((r) => forRect(grid, origin, cs, r, (c) => (mark[c] = 1)));
    for (let c = 0; c < grid.size; c++) if (mark[c] && grid.freeIndex(c) && reachable(c) && !isPlace(c) && !aisle[c]) parking.push(c);
    if (parking.length < cobots) problems.push({ path: ['floor', 'parking'], message: `floor.parking has ${parking.length} free cells for ${cobots} cobots` });
  } else {
    for (let c = 0; c < grid.size; c++) if (grid.freeIndex(c) && reachable(c) && !isPlace(c) && !aisle[c] && !nearPlace(c)) parking.push(c);
  }
  if (problems.length > 0) return { problems };
  const chargers = places.filter((p) => p.kind === 'charger').map((p) => cells.get(p.id)!);
  return { floor: new Floor(grid, cs, origin, cells, parking, chargers), problems };
}

/** `planFloor`, throwing a FloorError that lists every problem. */
export function buildFloor(spec: FloorSpec, places: readonly FloorPlace[], cobots = 0): Floor {
  const { floor, problems } = planFloor(spec, places, cobots);
  if (!floor) throw new FloorError(problems);
  return floor;
}
