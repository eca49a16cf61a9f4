/**
 * MAPF benchmark (Moving AI protocol, Stern et al. 2019): for every scenario
 * file in shared/data/mapf, solve the first N agents for growing N with a
 * wall-clock limit per instance until the solver has failed twice.
 *
 *   npm run bench:mapf                                   # 10 s per instance, all scenario files
 *   npm run bench:mapf -- --time-limit 2 --only room     # shorter limit, scenario files matching "room"
 *   npm run bench:mapf -- --first-solution               # plain LaCAM (stop at the first solution)
 *
 * Every solution is checked by the independent validator. Writes
 * bench/results/mapf.json and prints a Markdown table.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../../runtime/paths.js';
import { buildInstance, parseMap, parseScenario, solveMapf, validatePaths, type XY } from '../../world/planning/mapf/index.js';

const { values } = parseArgs({
  options: {
    'time-limit': { type: 'string', default: '10' },
    only: { type: 'string' },
    'first-solution': { type: 'boolean', default: false },
  },
});
const timeLimitSeconds = Number(values['time-limit']);
if (!(timeLimitSeconds > 0)) throw new Error(`--time-limit must be a positive number, got "${values['time-limit']}"`);
const refine = !values['first-solution'];

const root = projectRoot();
// The shared folder sits beside the project's folder (as in CI's clone).
const dataDir = join(root, '..', 'shared', 'data', 'mapf');
const scenFiles = readdirSync(dataDir)
  .filter((f) => f.endsWith('.scen') && (!values.only || f.includes(values.only)))
  .sort();
if (scenFiles.length === 0) throw new Error(`no scenario files in ${dataDir}`);

/** 25, 50, then steps of 50, and the scenario's full agent count last. */
function agentCounts(max: number): number[] {
  const ns = [25, 50];
  for (let n = 100; n < max; n += 50) ns.push(n);
  return [...ns.filter((n) => n < max), max];
}

interface Row {
  map: string;
  scen: string;
  agents: number;
  solved: boolean;
  sumOfCosts: number | null;
  makespan: number | null;
  lowerBound: number;
  ratio: number | null;
  optimal: boolean;
  runtimeSeconds: number;
  firstSolutionSeconds: number | null;
  stoppedBy: string;
}

const rows: Row[] = [];
for (const scenFile of scenFiles) {
  const scenario = parseScenario(readFileSync(join(dataDir, scenFile), 'utf8'), scenFile);
  const mapFile = scenario[0].map;
  const map = parseMap(readFileSync(join(dataDir, mapFile), 'utf8'), mapFile);
  const xy = (c: number): XY => [c % map.width, Math.floor(c / map.width)];
  let failures = 0;
  for (const n of agentCounts(scenario.length)) {
    const { grid, starts, goals } = buildInstance(map, mapFile, scenario, scenFile, n);
    const s = solveMapf(grid, starts, goals, { timeLimitSeconds, refine });
    if (s.solved) {
      const violations = validatePaths(grid, starts.map(xy), goals.map(xy), s.paths.map((p) => p.map(xy)));
      if (violations.length > 0) throw new Error(`${scenFile} N=${n}: invalid solution: ${violations[0].message}`);
    }
    rows.push({
      map: mapFile.replace(/\.map$/, ''),
      scen: scenFile.replace(/\.scen$/, ''),
      agents: n,
      solved: s.solved,
      sumOfCosts: s.sumOfCosts,
      makespan: s.makespan,
      lowerBound: s.lowerBound,
      ratio: s.solved ? s.sumOfCosts! / Math.max(1, s.lowerBound) : null,
      optimal: s.optimal,
      runtimeSeconds: s.runtimeSeconds,
      firstSolutionSeconds: s.firstSolutionSeconds,
      stoppedBy: s.stoppedBy,
    });
    const r = rows[rows.length - 1];
    process.stderr.write(
      `${r.scen} N=${n}: ${s.solved ? `SoC ${r.sumOfCosts} (×${r.ratio!.toFixed(3)} LB), first ${r.firstSolutionSeconds!.toFixed(2)} s` : `not solved (${s.stoppedBy})`}, ${r.runtimeSeconds.toFixed(2)} s\n`,
    );
    if (!s.solved && ++failures >= 2) break;
  }
}

// The issue's bar: random-32-32-10 with 100 agents and warehouse with 200, solved in every scenario file.
const bar = [
  { map: 'random-32-32-10', agents: 100 },
  { map: 'warehouse-10-20-10-2-1', agents: 200 },
].map((b) => {
  const runs = rows.filter((r) => r.map === b.map && r.agents === b.agents);
  return { ...b, runs: runs.length, solved: runs.filter((r) => r.solved).length };
});
const solvedCount = rows.filter((r) => r.solved).length;
const env = {
  cpu: `${cpus()[0].model} × ${cpus().length}`,
  os: `Linux ${release()}`,
  node: process.versions.node,
  date: new Date().toISOString().slice(0, 10),
  timeLimitSeconds,
  solver: refine ? 'LaCAM* (refines until the limit)' : 'LaCAM (first solution)',
};
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'mapf.json'), JSON.stringify({ env, bar, solved: solvedCount, attempted: rows.length, rows }, null, 2) + '\n');

const num = (x: number | null, d = 0) => (x === null ? '–' : x.toFixed(d));
const lines = [
  `Machine: ${env.cpu}, ${env.os}; Node ${env.node}. Solver: ${env.solver}, ${timeLimitSeconds} s per instance; N grows until two failures.`,
  '',
  '| map | scen | N | solved | sumOfCosts | makespan | LB (Σ BFS) | SoC / LB | first solution s | runtime s |',
  '| --- | --- | ---: | :---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| ${r.map} | ${r.scen.replace(`${r.map}-`, '')} | ${r.agents} | ${r.solved ? 'yes' : 'no'} | ${num(r.sumOfCosts)} | ${num(r.makespan)} | ${r.lowerBound} | ${num(r.ratio, 3)}${r.optimal ? ' (opt)' : ''} | ${num(r.firstSolutionSeconds, 2)} | ${r.runtimeSeconds.toFixed(2)} |`,
  ),
  '',
  `Solved ${solvedCount} of ${rows.length} instances attempted (${((100 * solvedCount) / rows.length).toFixed(1)}%).`,
  ...bar.map((b) => `Bar: ${b.map} with ${b.agents} agents solved in ${b.solved} of ${b.runs} scenario files.`),
];
process.stdout.write(lines.join('\n') + '\n');
