/**
 * physics benchmark: how fast the physics world runs the cobots, against the
 * fleet's size, and what the agents, the planner and the route following
 * cost over bare matter-js stepping the same bodies.
 *
 *   npm run bench:physics              # 10, 50, 200 cobots, 1 h simulated each
 *   npm run bench:physics -- --quick   # 10 minutes simulated each
 *
 * For each fleet size: a warehouse grown with it (`warehouse.ts`) runs in
 * `--mode physics` (0.1 s ticks); then a bare matter-js world with the same
 * floor, the same number of bodies and the same tick steps as many ticks,
 * each body driven back and forth along its row, with no agents, planner or
 * controller. Writes bench/results/physics.json and prints a Markdown table.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { projectRoot } from '../../runtime/paths.js';
import { runPlant } from '../../runtime/plant.js';
import { buildFloor } from '../../world/floor/build-floor.js';
import { MatterFloor } from '../../world/physics/matter-floor.js';
import { cobotPlaces, floorSpec } from '../../scenarios/schema.js';
import { warehouse } from './warehouse.js';

const quick = process.argv.includes('--quick');
const simulated = quick ? 600 : 3600;
const TICK = 0.1;
const sizes = [10, 50, 200];

/** Steps a bare matter-js world with the same floor and bodies for `ticks` ticks; returns wall seconds. */
function bare(n: number, ticks: number): number {
  const scenario = warehouse(n);
  const floor = buildFloor(floorSpec(scenario), cobotPlaces(scenario), n);
  const start = performance.now();
  const world = new MatterFloor(TICK, floor);
  const cells = floor.startCells(Array.from({ length: n }, (_, i) => scenario.cobots!.homes[i % scenario.cobots!.homes.length]));
  for (const c of cells) {
    const p = floor.centre(c);
    world.addCobot(p.x, p.y, scenario.cobots!);
  }
  for (let t = 0; t < ticks; t++) {
    // Back and forth along the parking rows, 1 m/s, turning every 4 s: always moving, never meeting.
    const v = Math.floor(t / 40) % 2 === 0 ? 1 : -1;
    for (let k = 0; k < n; k++) world.setVelocity(k, v, 0);
    world.step();
  }
  return (performance.now() - start) / 1000;
}

type Row = { cobots: number; simulatedSeconds: number; ticks: number; physicsWall: number; physicsRate: number; bareWall: number; bareRate: number; overhead: number; tasksCompleted: number; collisions: number };
const rows: Row[] = [];
for (const n of sizes) {
  const result = runPlant(warehouse(n), { mode: 'physics', until: simulated });
  const ticks = Math.round(simulated / TICK);
  const bareWall = bare(n, ticks);
  const row: Row = {
    cobots: n,
    simulatedSeconds: simulated,
    ticks,
    physicsWall: result.wallSeconds,
    physicsRate: simulated / result.wallSeconds,
    bareWall,
    bareRate: simulated / bareWall,
    overhead: result.wallSeconds / bareWall,
    tasksCompleted: result.kpis.tasksCompleted,
    collisions: result.kpis.collisions,
  };
  rows.push(row);
  process.stderr.write(`${n} cobots: physics ${row.physicsWall.toFixed(2)} s, bare matter-js ${row.bareWall.toFixed(2)} s\n`);
}

const env = { cpu: `${cpus()[0].model} × ${cpus().length}`, os: `Linux ${release()}`, node: process.versions.node, date: new Date().toISOString().slice(0, 10), quick, tickSeconds: TICK };
const root = projectRoot();
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'physics.json'), JSON.stringify({ env, rows }, null, 2) + '\n');

const fmt = (x: number, d = 1) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const lines = [
  `Machine: ${env.cpu}, ${env.os}; Node ${env.node}. ${simulated} s simulated per fleet size, ${TICK} s physics tick.`,
  '',
  '| cobots | physics mode: sim s / wall s | bare matter-js: sim s / wall s | overhead (physics / bare wall time) | tasks completed | collisions |',
  '| ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map((r) => `| ${r.cobots} | ${fmt(r.physicsRate)} | ${fmt(r.bareRate)} | ${fmt(r.overhead, 2)}× | ${r.tasksCompleted} | ${r.collisions} |`),
];
process.stdout.write(lines.join('\n') + '\n');
