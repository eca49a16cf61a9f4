/**
 * Auction quality benchmark: the sequential contract-net auction the plant
 * runs, against the optimal dispatch solved exactly by HiGHS (MIP).
 *
 *   npm run bench:auction            # 200 instances per size
 *   npm run bench:auction -- --quick # 20 instances per size
 *
 * Writes bench/results/auction.json and prints a Markdown report. The
 * formulations are in formulations.ts; README.md in this folder explains them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { projectRoot } from '../../runtime/paths.js';
import { mean } from '../../sim/stats/summary.js';
import { RandomStream } from '../../sim/random/stream.js';
import { randomInstance, defaultFloor, type Instance } from './instances.js';
import { scoreQueues, sequentialAuction, type Dispatch } from './auction.js';
import { assignmentProgram, assignmentQueues, sequencingProgram, sequencingQueues } from './formulations.js';
import { solveProgram, type Solved } from './highs.js';
import { bestOrders } from './brute-force.js';

const quick = process.argv.includes('--quick');
const perSize = quick ? 20 : 200;
const SEED = 1;

interface GapStats {
  meanPct: number;
  worstPct: number;
  /** Lowest gap: negative only when the auction's dispatch lies outside the optimum's feasible set. */
  bestPct: number;
  /** Instances where the auction found an optimum (gap < 1e-6 %). */
  optimalPct: number;
}

interface SizeResult {
  n: number;
  m: number;
  instances: number;
  highs: { meanMs: number; maxMs: number; variables: number; rows: number };
  auctionMeanUs: number;
  gaps: Record<string, GapStats>;
  /** Share of instances where the system's auction queued two or more tasks at one cobot. */
  stackedPct?: number;
}

const gapPct = (cost: number, opt: number) => ((cost - opt) / opt) * 100;

function stats(gaps: number[]): GapStats {
  return {
    meanPct: mean(gaps),
    worstPct: Math.max(...gaps),
    bestPct: Math.min(...gaps),
    optimalPct: (gaps.filter((g) => Math.abs(g) < 1e-6).length / gaps.length) * 100,
  };
}

/** Runs one size: `solve` gives the optimum, `auctions` the dispatches scored against it. */
async function runSize(
  kind: string,
  n: number,
  m: number,
  solve: (inst: Instance) => Promise<{ solved: Solved; optimum: Dispatch }>,
  auctions: Record<string, (inst: Instance) => Dispatch>,
): Promise<SizeResult> {
  const ms: number[] = [];
  const us: number[] = [];
  const gaps: Record<string, number[]> = Object.fromEntries(Object.keys(auctions).map((k) => [k, []]));
  let stacked = 0;
  let shape = { variables: 0, rows: 0 };
  for (let k = 0; k < perSize; k++) {
    const inst = randomInstance(new RandomStream(`bench/auction/${kind}/${n}x${m}/${k}`, SEED), n, m);
    const { solved, optimum } = await solve(inst);
    if (Math.abs(optimum.total - solved.objective) > 1e-6 * solved.objective) throw new Error(`decoded optimum disagrees with HiGHS (${kind} ${n}×${m} #${k})`);
    ms.push(solved.seconds * 1000);
    shape = { variables: solved.variables, rows: solved.rows };
    for (const [name, auction] of Object.entries(auctions)) {
      const t0 = performance.now();
      const d = auction(inst);
      if (name === 'system') us.push((performance.now() - t0) * 1000);
      gaps[name].push(gapPct(d.total, solved.objective));
      if (name === 'system' && d.queues.some((q) => q.length > 1)) stacked++;
    }
  }
  process.stderr.write(`${kind} N=${n} M=${m}: ${perSize} instances, HiGHS mean ${mean(ms).toFixed(1)} ms\n`);
  return {
    n,
    m,
    instances: perSize,
    highs: { meanMs: mean(ms), maxMs: Math.max(...ms), ...shape },
    auctionMeanUs: mean(us),
    gaps: Object.fromEntries(Object.entries(gaps).map(([k, g]) => [k, stats(g)])),
    ...('system' in auctions && kind === 'assignment' ? { stackedPct: (stacked / perSize) * 100 } : {}),
  };
}

const system = (inst: Instance) => sequentialAuction(inst);
const onePerCobot = (inst: Instance) => sequentialAuction(inst, { oneTaskPerCobot: true });
const reordered = (inst: Instance) => scoreQueues(inst, bestOrders(inst, sequentialAuction(inst).queues));

const assignment: SizeResult[] = [];
for (const n of [5, 10, 20]) {
  for (const m of [Math.ceil(n / 2), n]) {
    assignment.push(
      await runSize(
        'assignment',
        n,
        m,
        async (inst) => {
          const solved = await solveProgram(assignmentProgram(inst));
          return { solved, optimum: scoreQueues(inst, assignmentQueues(inst, solved.value)) };
        },
        { onePerCobot, system },
      ),
    );
  }
}

const sequencing: SizeResult[] = [];
for (const [n, m] of [[2, 6], [3, 6], [5, 10]]) {
  sequencing.push(
    await runSize(
      'sequencing',
      n,
      m,
      async (inst) => {
        const solved = await solveProgram(sequencingProgram(inst));
        return { solved, optimum: scoreQueues(inst, sequencingQueues(inst, solved.value)) };
      },
      { system, reordered },
    ),
  );
}

const env = {
  cpu: `${cpus()[0].model} × ${cpus().length}`,
  os: `Linux ${release()}`,
  node: process.versions.node,
  highs: 'highs-js (HiGHS, WebAssembly), one-shot solve, mip_rel_gap 0',
  date: new Date().toISOString().slice(0, 10),
  quick,
};
const setup = { floor: defaultFloor, speedMps: 1, handlingSeconds: [10, 40], instancesPerSize: perSize, seed: SEED, charging: 'off (times additive along a queue)' };
const root = projectRoot();
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'auction.json'), JSON.stringify({ env, setup, assignment, sequencing }, null, 2) + '\n');

const f = (x: number, d = 1) => x.toFixed(d);
const lines = [
  `Machine: ${env.cpu}, ${env.os}; Node ${env.node}; ${env.highs}. ${perSize} seeded instances per size on a ${defaultFloor.width} × ${defaultFloor.height} m floor.`,
  'Objective: sum of task completion times (s). Gap = (auction − optimum) / optimum.',
  '',
  '**One task per cobot** (optimum: assignment problem). "auction, 1/cobot": winners bid no more; "system auction": every cobot bids its queued finish time, as in the plant — it may queue two tasks at a cobot, outside the assignment problem, so its gap can be negative.',
  '',
  '| N | M | auction 1/cobot mean gap | worst | optimal | system auction mean gap | worst | best | stacked | HiGHS mean ms | max ms | vars |',
  '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...assignment.map((r) => {
    const a = r.gaps.onePerCobot;
    const s = r.gaps.system;
    return `| ${r.n} | ${r.m} | ${f(a.meanPct)}% | ${f(a.worstPct)}% | ${f(a.optimalPct, 0)}% | ${f(s.meanPct)}% | ${f(s.worstPct)}% | ${f(s.bestPct)}% | ${f(r.stackedPct ?? 0, 0)}% | ${f(r.highs.meanMs, 2)} | ${f(r.highs.maxMs, 2)} | ${r.highs.variables} |`;
  }),
  '',
  '**Several tasks per cobot** (optimum: position-indexed sequencing MIP, exact; the system auction is feasible in it, so gaps are ≥ 0). "reordered": the auction\'s awards with each queue in its best order instead of first come, first served.',
  '',
  '| N | M | system auction mean gap | worst | optimal | reordered mean gap | worst | HiGHS mean ms | max ms | vars | rows |',
  '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...sequencing.map((r) => {
    const s = r.gaps.system;
    const o = r.gaps.reordered;
    return `| ${r.n} | ${r.m} | ${f(s.meanPct)}% | ${f(s.worstPct)}% | ${f(s.optimalPct, 0)}% | ${f(o.meanPct)}% | ${f(o.worstPct)}% | ${f(r.highs.meanMs, 1)} | ${f(r.highs.maxMs, 1)} | ${r.highs.variables} | ${r.highs.rows} |`;
  }),
  '',
  `Auction (system, all N bids per task, pricing by agents/cobot/planning.ts): ${[...assignment, ...sequencing].map((r) => `${r.n}×${r.m} ${f(r.auctionMeanUs, 0)} µs`).join(', ')} per instance.`,
];
process.stdout.write(lines.join('\n') + '\n');
