/**
 * Dispatch benchmark: the learned dispatcher (committed weights) against the
 * cheapest-insertion heuristic it would replace, on the same held-out days
 * (seeds 1 000 000…, never used in training or validation), plus a naive
 * reference rule (nearest feasible truck) to place both, and the same
 * weights in three worlds they were not trained on. Writes
 * bench/results/dispatch-rl.json.
 *
 *   npm run bench:dispatch [-- --days 500]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { projectRoot } from '../../runtime/paths.js';
import { DEFAULT_CONFIG, distance } from '../../agents/supply/dispatch/day.js';
import type { Policy } from '../../agents/supply/dispatch/dispatch-env.js';
import { comparisonTable, compare } from '../../agents/supply/dispatch/evaluate.js';
import { cheapestOption, heuristicPolicy } from '../../agents/supply/dispatch/heuristic.js';
import { greedyPolicy, loadWeights } from '../../agents/supply/dispatch/policy.js';
import { anchorAt } from '../../agents/supply/dispatch/route.js';

const i = process.argv.indexOf('--days');
const days = i >= 0 ? Number(process.argv[i + 1]) : 500;
const seeds = Array.from({ length: days }, (_, k) => 1_000_000 + k);
const weights = loadWeights();

/** Reference rule: the feasible truck nearest to the job (courier when none). */
const nearest: Policy = (env, options) => {
  let best = options.length - 1;
  let bestD = Infinity;
  options.forEach((o, k) => {
    if (o.kind !== 'truck' || !o.feasible) return;
    const t = env.trucks[o.truck];
    const d = distance(t.route[anchorAt(t.timetable, env.now)], env.job);
    if (d < bestD) [best, bestD] = [k, d];
  });
  return best;
};

/** How the RL policy departs from the heuristic, counted at the RL policy's own decisions. */
const departures = { decisions: 0, same: 0, courierInsteadOfTruck: 0, truckInsteadOfCourier: 0, otherTruck: 0, otherTruckIdle: 0 };
const rlGreedy = greedyPolicy(weights);
const rlLogged: Policy = (env, options) => {
  const mine = rlGreedy(env, options);
  const h = cheapestOption(options);
  departures.decisions++;
  const a = options[mine];
  const b = options[h];
  if (mine === h) departures.same++;
  else if (a.kind === 'courier') departures.courierInsteadOfTruck++;
  else if (b.kind === 'courier') departures.truckInsteadOfCourier++;
  else {
    departures.otherTruck++;
    const t = env.trucks[a.truck];
    const k = anchorAt(t.timetable, env.now);
    if (t.route.slice(k).every((s) => s.kind === 'depot')) departures.otherTruckIdle++;
  }
  return mine;
};

const started = performance.now();
const result = compare(
  DEFAULT_CONFIG,
  [
    { name: 'heuristic (cheapest insertion)', policy: heuristicPolicy },
    { name: 'RL policy (greedy)', policy: rlLogged },
    { name: 'nearest truck', policy: nearest },
  ],
  seeds,
);

/**
 * Out of distribution: the same weights in worlds they were not trained on
 * (urgent jobs from another place, from nowhere in particular, twice as
 * many). Reported, not used to choose the default.
 */
const shifts = [
  { name: 'hotspot moved to (12, 45)', config: { ...DEFAULT_CONFIG, hotspot: { ...DEFAULT_CONFIG.hotspot, x: 12, y: 45 } } },
  { name: 'no hotspot (uniform urgent jobs)', config: { ...DEFAULT_CONFIG, hotspot: { ...DEFAULT_CONFIG.hotspot, share: 0 } } },
  { name: 'twice the urgent jobs', config: { ...DEFAULT_CONFIG, urgentRate: 2 * DEFAULT_CONFIG.urgentRate } },
].map(({ name, config }) => {
  const r = compare(config, [{ name: 'heuristic', policy: heuristicPolicy }, { name: 'RL', policy: greedyPolicy(weights) }], seeds);
  return { name, heuristic: r.policies[0].totalCost, rl: r.policies[1].totalCost, rlMinusHeuristic: r.policies[1].vsBaseline!, rlCouriersPerDay: r.policies[1].couriersPerDay, heuristicCouriersPerDay: r.policies[0].couriersPerDay };
});
const seconds = (performance.now() - started) / 1000;
const [heuristic, rl] = result.policies;
const rlBetter = rl.vsBaseline!.ci95[1] < 0;
const heuristicBetter = rl.vsBaseline!.ci95[0] > 0;
const verdict = rlBetter
  ? 'the RL policy is cheaper (paired 95 % CI below zero): make it the default'
  : heuristicBetter
    ? 'the heuristic is cheaper (paired 95 % CI above zero): keep the heuristic as the default'
    : 'no significant difference: keep the heuristic as the default (simpler, no model)';
const out = {
  benchmark: 'dispatch-rl',
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, kernel: release(), node: process.version },
  config: DEFAULT_CONFIG,
  seeds: `${seeds[0]}..${seeds[seeds.length - 1]}`,
  weights: weights.meta,
  seconds,
  verdict,
  urgentJobsPerDay: result.urgentJobsPerDay,
  rlDeparturesFromHeuristic: departures,
  outOfDistribution: shifts,
  policies: result.policies.map(({ episodes, ...p }) => ({ ...p, totalCostPerDay: episodes.map((e) => Math.round(e.totalCost * 100) / 100) })),
};
mkdirSync(join(projectRoot(), 'bench', 'results'), { recursive: true });
writeFileSync(join(projectRoot(), 'bench', 'results', 'dispatch-rl.json'), JSON.stringify(out, null, 2) + '\n');
const ci = (e: { mean: number; ci95: [number, number] }) => `${e.mean.toFixed(1)} [${e.ci95[0].toFixed(1)}, ${e.ci95[1].toFixed(1)}]`;
const shiftTable = [
  '| world (same weights) | heuristic | RL | paired Δ RL − heuristic |',
  '| --- | ---: | ---: | ---: |',
  ...shifts.map((x) => `| ${x.name} | ${ci(x.heuristic)} | ${ci(x.rl)} | ${ci(x.rlMinusHeuristic)} |`),
].join('\n');
process.stdout.write(`${comparisonTable(result)}\n\n${shiftTable}\n\nheuristic ${heuristic.totalCost.mean.toFixed(1)} vs RL ${rl.totalCost.mean.toFixed(1)}: ${verdict} (${seconds.toFixed(1)} s)\nRL departures from the heuristic's choice: ${JSON.stringify(departures)}\n`);
