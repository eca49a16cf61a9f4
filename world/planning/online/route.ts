/**
 * A robot's timeline on the grid, in discrete steps: waypoint k says the
 * robot is at `cells[k]` at step `steps[k]`. Between two waypoints it either
 * moves to the next, adjacent cell in one step, or (same cell) waits. After
 * the last waypoint it stays where it is, indefinitely: a robot always owns
 * the cell it ends on. Long waits cost two waypoints, not one per step.
 */
export interface Route {
  cells: number[];
  steps: number[];
}

export const standing = (cell: number, step: number): Route => ({ cells: [cell], steps: [step] });

/** Index of the waypoint in force at `step` (the last with steps[k] ≤ step; 0 before the first). */
export function waypointAt(route: Route, step: number): number {
  const { steps } = route;
  let lo = 0;
  let hi = steps.length - 1;
  if (step >= steps[hi]) return hi;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (steps[mid] <= step) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Where the route has the robot at `step` (its first cell before the route starts). */
export function cellAt(route: Route, step: number): number {
  return route.cells[waypointAt(route, step)];
}

/** Step at which the robot reaches its last cell. */
export const endStep = (route: Route): number => route.steps[route.steps.length - 1];

/** Compresses one cell per step, from step `s`, into waypoints. */
export function fromPath(s: number, path: readonly number[]): Route {
  const cells: number[] = [];
  const steps: number[] = [];
  for (let k = 0; k < path.length; k++) {
    // Keep the first and last step of each run in a cell.
    if (k > 0 && path[k] === path[k - 1] && (k + 1 === path.length || path[k + 1] === path[k])) continue;
    cells.push(path[k]);
    steps.push(s + k);
  }
  return { cells, steps };
}

/** The route up to step `s`, then `next` (which starts at step s on the cell the route has at s). */
export function splice(route: Route, s: number, next: Route): Route {
  const k = waypointAt(route, s);
  const cells = route.cells.slice(0, k + 1);
  const steps = route.steps.slice(0, k + 1);
  if (steps[k] > s) throw new RangeError(`cannot splice at step ${s}, before the route starts (${steps[k]})`);
  if (next.cells[0] !== cells[k]) throw new Error('a spliced route must start where the old one is');
  for (let i = 0; i < next.cells.length; i++) {
    if (next.steps[i] <= steps[steps.length - 1]) continue;
    cells.push(next.cells[i]);
    steps.push(next.steps[i]);
  }
  return { cells, steps };
}

/** Drops the waypoints wholly before step `before` (the one in force then stays). */
export function trim(route: Route, before: number): Route {
  const k = waypointAt(route, before);
  return k === 0 ? route : { cells: route.cells.slice(k), steps: route.steps.slice(k) };
}

/** Number of cell changes (moves) between steps `a` and `b`. */
export function movesBetween(route: Route, a: number, b: number): number {
  let n = 0;
  for (let k = 1; k < route.cells.length; k++) {
    if (route.steps[k] > a && route.steps[k] <= b && route.cells[k] !== route.cells[k - 1]) n++;
  }
  return n;
}
