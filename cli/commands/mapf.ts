import { readFileSync } from 'node:fs';
import type { Grid } from '../../world/planning/grid.js';
import {
  buildInstance,
  MapfFormatError,
  type MapfSolution,
  parseMap,
  parseScenario,
  solveMapf,
  validatePaths,
  type XY,
} from '../../world/planning/mapf/index.js';
import { intFlag, numberFlag, onePositional, parseCommand } from '../args.js';
import { UsageError } from '../errors.js';

export const mapfHelp = `hyperfactory mapf solve --map FILE --scen FILE [--agents N] [--time-limit SECONDS] [--seed S] [--first-solution] [--json]
  Plans collision-free paths for the first N agents (default: all) of a Moving AI
  scenario on its map with LaCAM* (4-connected moves and waits; default limit 10 s).
  It keeps lowering the sum of costs until the limit (LaCAM*, then LNS); --first-solution
  stops at the first solution (plain LaCAM: the output depends only on input and seed).
  --json prints {solved, agents, sumOfCosts, makespan, runtimeSeconds, paths}, paths[i]
  being agent i's [x, y] cells, one per timestep. Every printed solution has passed
  the validator. An instance not solved in time is reported with solved: false.`;

function readText(flag: string, file: string | undefined): string {
  if (!file) throw new UsageError(`mapf solve: missing --${flag} FILE`);
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? String(e)})`}`);
  }
}

/** Cell index → [x, y]. */
function toXY(grid: Grid, cell: number): XY {
  const { x, y } = grid.cell(cell);
  return [x, y];
}

function summary(s: MapfSolution, agents: number): string {
  if (!s.solved) return `not solved: ${agents} agents, stopped by ${s.stoppedBy} after ${s.runtimeSeconds.toFixed(2)} s\n`;
  const ratio = s.lowerBound > 0 ? (s.sumOfCosts! / s.lowerBound).toFixed(3) : '1.000';
  return [
    `solved: ${agents} agents in ${s.runtimeSeconds.toFixed(2)} s (first solution after ${s.firstSolutionSeconds!.toFixed(2)} s)`,
    `sum of costs ${s.sumOfCosts} (lower bound ${s.lowerBound}, ratio ${ratio}${s.optimal ? ', optimal' : ''}), makespan ${s.makespan}`,
    `search: ${s.iterations} iterations, ${s.nodes} configurations, stopped by ${s.stoppedBy}; solution validated`,
  ].join('\n') + '\n';
}

export async function mapfCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand('mapf', argv, {
    map: { type: 'string' },
    scen: { type: 'string' },
    agents: { type: 'string' },
    'time-limit': { type: 'string' },
    seed: { type: 'string' },
    'first-solution': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  const sub = onePositional('mapf', positionals, 'subcommand (solve)');
  if (sub !== 'solve') throw new UsageError(`mapf: unknown subcommand "${sub}" (subcommands: solve)`);
  const mapText = readText('map', values.map);
  const scenText = readText('scen', values.scen);
  const timeLimitSeconds = numberFlag('time-limit', values['time-limit'] ?? '10', { min: 0 })!;
  const seed = intFlag('seed', values.seed ?? '0')!;
  let instance;
  try {
    const map = parseMap(mapText, values.map!);
    const scenario = parseScenario(scenText, values.scen!);
    const agents = intFlag('agents', values.agents ?? String(scenario.length), { min: 1 })!;
    instance = buildInstance(map, values.map!, scenario, values.scen!, agents);
  } catch (e) {
    if (e instanceof MapfFormatError) throw new UsageError(e.message);
    throw e;
  }
  const { grid, starts, goals } = instance;
  const solution = solveMapf(grid, starts, goals, { timeLimitSeconds, seed, refine: !values['first-solution'] });
  const paths = solution.paths.map((p) => p.map((c) => toXY(grid, c)));
  if (solution.solved) {
    const violations = validatePaths(grid, starts.map((c) => toXY(grid, c)), goals.map((c) => toXY(grid, c)), paths);
    if (violations.length > 0) {
      // A solver bug, not a user error: fail loudly (stack trace, non-zero exit), print nothing.
      throw new Error(`mapf: the solver produced an invalid solution (${violations.length} violations), first: ${violations[0].message}`);
    }
  }
  if (values.json) {
    const out = {
      solved: solution.solved,
      agents: starts.length,
      sumOfCosts: solution.sumOfCosts,
      makespan: solution.makespan,
      runtimeSeconds: solution.runtimeSeconds,
      paths,
    };
    process.stdout.write(JSON.stringify(out) + '\n');
  } else {
    process.stdout.write(summary(solution, starts.length));
  }
}
