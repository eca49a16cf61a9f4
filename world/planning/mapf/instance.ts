/**
 * A MAPF instance: a map plus the first N agents of a scenario (the Moving AI
 * protocol). Building one checks that the scenario fits the map, so the solver
 * only ever sees well-formed input and the user gets `file:line: problem`.
 */
import type { Grid } from '../grid.js';
import { MapfFormatError, type MovingAiMap, type ScenarioAgent } from './movingai.js';

export interface MapfInstance {
  grid: Grid;
  /** Cell indices (`y * width + x`), one per agent. */
  starts: number[];
  goals: number[];
}

/**
 * The instance of the first `agents` lines of `scenario` on `map`. Every start
 * and goal must be a free cell inside the map, starts and goals pairwise
 * distinct, and each goal reachable from its start (else no solution exists).
 */
export function buildInstance(map: MovingAiMap, mapFile: string, scenario: ScenarioAgent[], scenFile: string, agents: number): MapfInstance {
  if (!Number.isInteger(agents) || agents < 0) throw new RangeError(`agent count must be a non-negative integer, got ${agents}`);
  if (agents > scenario.length) {
    throw new MapfFormatError(scenFile, null, `asked for ${agents} agents but the scenario has only ${scenario.length}`);
  }
  const { grid } = map;
  const starts: number[] = [];
  const goals: number[] = [];
  const startOwner = new Map<number, number>();
  const goalOwner = new Map<number, number>();
  for (let i = 0; i < agents; i++) {
    const a = scenario[i];
    if (a.mapWidth !== map.width || a.mapHeight !== map.height) {
      throw new MapfFormatError(scenFile, a.line, `map size ${a.mapWidth} × ${a.mapHeight} does not match ${mapFile} (${map.width} × ${map.height})`);
    }
    for (const [what, c] of [['start', a.start], ['goal', a.goal]] as const) {
      if (!grid.inside(c.x, c.y)) throw new MapfFormatError(scenFile, a.line, `${what} (${c.x}, ${c.y}) is outside the map`);
      if (!grid.free(c.x, c.y)) throw new MapfFormatError(scenFile, a.line, `${what} (${c.x}, ${c.y}) is an obstacle in ${mapFile}`);
    }
    const s = grid.index(a.start.x, a.start.y);
    const g = grid.index(a.goal.x, a.goal.y);
    const sameStart = startOwner.get(s);
    if (sameStart !== undefined) {
      throw new MapfFormatError(scenFile, a.line, `start (${a.start.x}, ${a.start.y}) is also the start of the agent on line ${scenario[sameStart].line}`);
    }
    const sameGoal = goalOwner.get(g);
    if (sameGoal !== undefined) {
      throw new MapfFormatError(scenFile, a.line, `goal (${a.goal.x}, ${a.goal.y}) is also the goal of the agent on line ${scenario[sameGoal].line}`);
    }
    startOwner.set(s, i);
    goalOwner.set(g, i);
    starts.push(s);
    goals.push(g);
  }
  // Reachability: one BFS per connected component, not one per agent.
  const component = new Int32Array(grid.size).fill(-1);
  let next = 0;
  for (let i = 0; i < agents; i++) {
    if (component[starts[i]] < 0) {
      const d = grid.distancesTo(starts[i]);
      for (let c = 0; c < d.length; c++) if (d[c] >= 0) component[c] = next;
      next++;
    }
    if (component[goals[i]] !== component[starts[i]]) {
      const a = scenario[i];
      throw new MapfFormatError(scenFile, a.line, `goal (${a.goal.x}, ${a.goal.y}) cannot be reached from start (${a.start.x}, ${a.start.y})`);
    }
  }
  return { grid, starts, goals };
}
