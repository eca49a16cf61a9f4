/**
 * VRPTW benchmark on the shared Solomon instances: runs `hyperfactory vrp
 * solve FILE --time-limit S --json` as a child process, one at a time (one
 * core each), for every instance and time limit, checks every solution with
 * the independent checker and compares with the best-known solutions
 * (bks.csv: fewest vehicles, then distance).
 *
 *   node dist/bench/vrp/run.js                         # 10, 30 and 60 s per instance (~10 min)
 *   node dist/bench/vrp/run.js --limits 10,30 --only R1 # instances whose name contains "R1"
 *
 * Writes bench/results/vrp-solomon.json and prints a Markdown table.
 * Gap = (distance − BKS distance) / BKS distance; a solution with more
 * vehicles than the BKS usually has less distance, so read the vehicle column too.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkSolution, parseSolomon } from '../../agents/supply/routing/index.js';
import { projectRoot } from '../../runtime/paths.js';

const { values } = parseArgs({
  options: {
    limits: { type: 'string', default: '10,30,60' },
    only: { type: 'string' },
    seed: { type: 'string', default: '0' },
  },
});
const limits = values.limits.split(',').map(Number);
if (limits.some((l) => !(l > 0))) throw new Error(`--limits must be positive numbers of seconds, got "${values.limits}"`);

/** Two decimals, without "-0.00" for a distance that rounds to the BKS. */
const pct = (x: number) => (Math.abs(x) < 0.005 ? 0 : x).toFixed(2);

const root = projectRoot();
const dataDir = join(root, '..', 'shared', 'data', 'solomon');
const bks = new Map(
  readFileSync(join(dataDir, 'bks.csv'), 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((line) => {
      const [name, vehicles, distance] = line.split(',');
      return [name, { vehicles: Number(vehicles), distance: Number(distance) }] as const;
    }),
);
const files = readdirSync(dataDir)
  .filter((f) => f.endsWith('.txt') && (!values.only || f.includes(values.only)))
  .sort();
if (files.length === 0) throw new Error(`no instances in ${dataDir}`);

interface Row {
  instance: string;
  timeLimitSeconds: number;
  vehicles: number;
  distance: number;
  bksVehicles: number;
  bksDistance: number;
  gapPercent: number;
  wallSeconds: number;
}

const rows: Row[] = [];
for (const limit of limits) {
  for (const file of files) {
    const name = file.replace(/\.txt$/, '');
    const path = join(dataDir, file);
    const inst = parseSolomon(readFileSync(path, 'utf8'), path);
    const t0 = performance.now();
    const stdout = execFileSync(
      process.execPath,
      [join(root, 'bin', 'hyperfactory.js'), 'vrp', 'solve', path, '--time-limit', String(limit), '--seed', values.seed, '--json'],
      { encoding: 'utf8', maxBuffer: 1 << 24 },
    );
    const wallSeconds = (performance.now() - t0) / 1000;
    const out = JSON.parse(stdout) as { vehicles: number; distance: number; routes: number[][] };
    const check = checkSolution(inst, out.routes);
    if (!check.ok) throw new Error(`${name} @ ${limit} s: invalid solution: ${check.reason}`);
    const b = bks.get(name);
    if (!b) throw new Error(`${name}: not in bks.csv`);
    const row: Row = {
      instance: name,
      timeLimitSeconds: limit,
      vehicles: out.vehicles,
      distance: out.distance,
      bksVehicles: b.vehicles,
      bksDistance: b.distance,
      gapPercent: (100 * (out.distance - b.distance)) / b.distance,
      wallSeconds,
    };
    rows.push(row);
    process.stderr.write(
      `${name} @ ${limit} s: ${row.vehicles} vehicles (BKS ${b.vehicles}), ${row.distance.toFixed(2)} (BKS ${b.distance}), gap ${pct(row.gapPercent)} %, wall ${wallSeconds.toFixed(2)} s\n`,
    );
  }
}

const summary = limits.map((limit) => {
  const rs = rows.filter((r) => r.timeLimitSeconds === limit);
  return {
    timeLimitSeconds: limit,
    meanGapPercent: rs.reduce((s, r) => s + r.gapPercent, 0) / rs.length,
    vehiclesOverBks: rs.reduce((s, r) => s + r.vehicles - r.bksVehicles, 0),
    maxWallSeconds: Math.max(...rs.map((r) => r.wallSeconds)),
  };
});
const env = {
  cpu: `${cpus()[0].model} × ${cpus().length}`,
  os: `Linux ${release()}`,
  node: process.versions.node,
  date: new Date().toISOString().slice(0, 10),
  seed: Number(values.seed),
  solver: 'HGS-VRPTW (hyperfactory vrp solve), one process per run, one at a time',
};
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'vrp-solomon.json'), JSON.stringify({ env, summary, rows }, null, 2) + '\n');

const lines = [
  `Machine: ${env.cpu}, ${env.os}; Node ${env.node}; seed ${env.seed}.`,
  '',
  '| instance | limit s | vehicles | distance | BKS vehicles | BKS distance | gap % | wall s |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| ${r.instance} | ${r.timeLimitSeconds} | ${r.vehicles} | ${r.distance.toFixed(2)} | ${r.bksVehicles} | ${r.bksDistance.toFixed(2)} | ${pct(r.gapPercent)} | ${r.wallSeconds.toFixed(2)} |`,
  ),
  '',
  ...summary.map(
    (s) =>
      `${s.timeLimitSeconds} s: mean distance gap ${pct(s.meanGapPercent)} %, vehicles above BKS ${s.vehiclesOverBks}, slowest run ${s.maxWallSeconds.toFixed(2)} s wall.`,
  ),
];
process.stdout.write(lines.join('\n') + '\n');
