/**
 * Urgent-dispatch benchmark on the product's fleet model: the learned policy
 * (committed weights, agents/supply/dispatch/fleet-policy-weights.json)
 * against cheapest insertion as the supply coordinator's contract-net
 * auction awards it (lowest quote; ties to the earlier service start, then
 * the lower truck id), on the same held-out days (seeds 1 000 000…, never
 * used in training or validation). Two hand-made references tell how much
 * of a difference is tie-breaking: cheapest insertion with ties (within
 * 0.01, float noise apart, or within 10) going to the truck that is free first. Then the same weights
 * in worlds they were not trained on (urgent jobs from elsewhere, from
 * nowhere in particular, twice as many, fewer trucks), and under the
 * `dynamic` policy's re-planning (ALNS after every urgent job). Writes
 * bench/results/dispatch-fleet.json.
 *
 *   npm run build && node dist/bench/dispatch/fleet-run.js [--days 400] [--dynamic-days 100]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { projectRoot } from '../../runtime/paths.js';
import { estimate, mean, type Estimate } from '../../sim/stats/summary.js';
import { scheduleTruck } from '../../agents/supply/fleet/index.js';
import { cheapestOption, cheapestPolicy, FLEET_DAY, FleetEnv, runFleetEpisode, type FleetDayConfig, type FleetEpisode, type FleetPolicy } from '../../agents/supply/dispatch/fleet-env.js';
import { greedyFleetPolicy, loadFleetWeights } from '../../agents/supply/dispatch/fleet-policy.js';
import { fleetPlanOf } from '../../agents/supply/dispatch/fleet-train.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const days = arg('days', 400);
const dynamicDays = arg('dynamic-days', 100);
const dynamicIterations = arg('dynamic-iterations', 300);
const seeds = Array.from({ length: days }, (_, k) => 1_000_000 + k);
const weights = loadFleetWeights();

/** When the truck is done with its plan. */
const freeAt = (env: FleetEnv, i: number) => {
  const t = env.trucks[i];
  const s = scheduleTruck(t, t.trips, env.ctx);
  return s.length > 0 ? s[s.length - 1].end : Math.max(t.freeAt, env.now);
};

/** Reference rule: cheapest insertion, but among quotes within `slack` of the cheapest the truck free first. */
const tiesToFreeFirst =
  (slack: number): FleetPolicy =>
  (env, options) => {
    const b = cheapestOption(env.trucks, options);
    const min = options[b].quote!.cost;
    let best = b;
    for (const [i, o] of options.entries()) if (o.quote && o.quote.cost <= min + slack && freeAt(env, o.truck) < freeAt(env, options[best].truck) - 1e-9) best = i;
    return best;
  };

/** How the RL policy departs from the auction, counted at its own decisions. */
const departures = { decisions: 0, same: 0, otherTied: 0, otherDearer: 0, regretSum: 0, idleInsteadOfBusy: 0 };
const rl = greedyFleetPolicy(weights);
const rlLogged: FleetPolicy = (env, options) => {
  const mine = rl(env, options);
  const a = cheapestOption(env.trucks, options);
  departures.decisions++;
  if (mine === a) departures.same++;
  else {
    const regret = options[mine].quote!.cost - options[a].quote!.cost;
    if (regret <= 0.01) departures.otherTied++;
    else {
      departures.otherDearer++;
      departures.regretSum += regret;
    }
    const idle = (i: number) => env.trucks[i].at === env.trucks[i].home && env.trucks[i].trips.every((t) => t.length === 0);
    if (idle(mine) && !idle(a)) departures.idleInsteadOfBusy++;
  }
  return mine;
};

interface PolicyReport {
  name: string;
  totalCost: Estimate;
  urgentCost: Estimate;
  urgentLateMinutesPerDay: number;
  lateMinutesPerDay: number;
  kmPerDay?: number;
  vsBaseline?: Estimate;
  wins?: number;
  losses?: number;
  totalCostPerDay: number[];
}

/** Plays every seed with every policy (the first is the baseline); paired differences against it. */
function compare(config: FleetDayConfig, policies: readonly { name: string; policy: FleetPolicy }[], list: readonly number[], replan = 0): { urgentJobsPerDay: number; policies: PolicyReport[] } {
  const runs = policies.map(() => [] as FleetEpisode[]);
  for (const seed of list) {
    const plan = fleetPlanOf(config, seed);
    policies.forEach((p, i) => runs[i].push(runFleetEpisode(new FleetEnv(config, seed, plan, replan), p.policy)));
  }
  const base = runs[0];
  return {
    urgentJobsPerDay: mean(base.map((e) => e.urgentJobs)),
    policies: policies.map((p, i) => {
      const eps = runs[i];
      const r: PolicyReport = {
        name: p.name,
        totalCost: estimate(eps.map((e) => e.totalCost)),
        urgentCost: estimate(eps.map((e) => e.totalCost - e.plannedCost)),
        urgentLateMinutesPerDay: mean(eps.map((e) => e.urgentLateMinutes)),
        lateMinutesPerDay: mean(eps.map((e) => e.lateMinutes)),
        totalCostPerDay: eps.map((e) => Math.round(e.totalCost * 100) / 100),
      };
      if (i > 0) {
        const diff = eps.map((e, k) => e.totalCost - base[k].totalCost);
        r.vsBaseline = estimate(diff);
        r.wins = diff.filter((d) => d < -0.01).length;
        r.losses = diff.filter((d) => d > 0.01).length;
      }
      return r;
    }),
  };
}

const started = performance.now();
const main = compare(
  FLEET_DAY,
  [
    { name: 'cheapest insertion (auction)', policy: cheapestPolicy },
    { name: 'RL policy (greedy)', policy: rlLogged },
    { name: 'reference: ties (within 0.01) to the truck free first', policy: tiesToFreeFirst(0.01) },
    { name: 'reference: within 10 of cheapest, the truck free first', policy: tiesToFreeFirst(10) },
  ],
  seeds,
);
const mainSeconds = (performance.now() - started) / 1000;

/** Out of distribution: the same weights in worlds they were not trained on. Reported, not used to choose the default. */
const worlds: { name: string; config: FleetDayConfig }[] = [
  { name: 'urgent jobs from elsewhere (hotspot moved to (−18 km, +15 km))', config: { ...FLEET_DAY, urgent: { ...FLEET_DAY.urgent, hotspot: { ...FLEET_DAY.urgent.hotspot, x: -18_000, y: 15_000 } } } },
  { name: 'urgent jobs from anywhere (no hotspot)', config: { ...FLEET_DAY, urgent: { ...FLEET_DAY.urgent, hotspot: { ...FLEET_DAY.urgent.hotspot, share: 0 } } } },
  { name: 'twice the urgent jobs', config: { ...FLEET_DAY, urgent: { ...FLEET_DAY.urgent, perHour: 2 * FLEET_DAY.urgent.perHour } } },
  { name: '6 trucks instead of 8', config: { ...FLEET_DAY, trucks: 6 } },
];
const shifts = worlds.map(({ name, config }) => {
  const r = compare(config, [{ name: 'cheapest', policy: cheapestPolicy }, { name: 'RL', policy: greedyFleetPolicy(weights) }], seeds);
  return { name, days: seeds.length, urgentJobsPerDay: r.urgentJobsPerDay, cheapest: r.policies[0].totalCost, rl: r.policies[1].totalCost, rlMinusCheapest: r.policies[1].vsBaseline!, wins: r.policies[1].wins, losses: r.policies[1].losses };
});

/** Under `dynamic`: the whole plan is re-optimised after every urgent job, so the choice is only ALNS's starting point. */
const dynamicSeeds = seeds.slice(0, dynamicDays);
const dyn = dynamicDays > 0 ? compare(FLEET_DAY, [{ name: 'cheapest', policy: cheapestPolicy }, { name: 'RL', policy: greedyFleetPolicy(weights) }], dynamicSeeds, dynamicIterations) : undefined;
const dynamic = dyn && {
  name: `re-plan by ALNS (${dynamicIterations} iterations) after every urgent job`,
  days: dynamicSeeds.length,
  cheapest: dyn.policies[0].totalCost,
  rl: dyn.policies[1].totalCost,
  rlMinusCheapest: dyn.policies[1].vsBaseline!,
  wins: dyn.policies[1].wins,
  losses: dyn.policies[1].losses,
};
const seconds = (performance.now() - started) / 1000;

const [cheapest, rlReport, , nearTies] = main.policies;
const d = rlReport.vsBaseline!;
/** Does the network add anything over the best hand-made rule? RL minus that rule, paired. */
const rlVsRule = rlReport.totalCostPerDay.map((x, k) => x - nearTies.totalCostPerDay[k]);
const rlMinusBestReference = { reference: nearTies.name, ...estimate(rlVsRule), wins: rlVsRule.filter((x) => x < -0.01).length, losses: rlVsRule.filter((x) => x > 0.01).length };
const verdict =
  d.ci95[1] < 0
    ? 'the RL policy is cheaper (paired 95 % CI below zero): urgentDispatch default rl'
    : d.ci95[0] > 0
      ? 'cheapest insertion is cheaper (paired 95 % CI above zero): urgentDispatch default cheapest'
      : 'no significant difference: urgentDispatch default cheapest (simpler, no model)';
const out = {
  benchmark: 'dispatch-fleet',
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, kernel: release(), node: process.version },
  config: FLEET_DAY,
  seeds: `${seeds[0]}..${seeds[seeds.length - 1]}`,
  weights: (weights as { meta?: unknown }).meta,
  seconds: Math.round(seconds),
  mainSeconds: Math.round(mainSeconds),
  verdict,
  urgentJobsPerDay: main.urgentJobsPerDay,
  rlMinusBestReference,
  rlDeparturesFromAuction: { ...departures, meanRegretWhenDearer: departures.otherDearer ? departures.regretSum / departures.otherDearer : 0 },
  policies: main.policies,
  outOfDistribution: shifts,
  dynamic,
};
mkdirSync(join(projectRoot(), 'bench', 'results'), { recursive: true });
writeFileSync(join(projectRoot(), 'bench', 'results', 'dispatch-fleet.json'), JSON.stringify(out, null, 2) + '\n');

const f = (x: number, n = 1) => x.toFixed(n);
const ci = (e: Estimate) => `${f(e.mean)} [${f(e.ci95[0])}, ${f(e.ci95[1])}]`;
const table = [
  `${seeds.length} held-out days, ${f(main.urgentJobsPerDay)} urgent jobs per day; mean [95 % CI]`,
  '',
  '| policy | total cost / day | urgent-job cost / day | paired Δ vs auction | days cheaper / dearer | urgent min late / day | all min late / day |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...main.policies.map(
    (p) => `| ${p.name} | ${ci(p.totalCost)} | ${ci(p.urgentCost)} | ${p.vsBaseline ? ci(p.vsBaseline) : '—'} | ${p.wins ?? '—'} / ${p.losses ?? '—'} | ${f(p.urgentLateMinutesPerDay)} | ${f(p.lateMinutesPerDay)} |`,
  ),
  '',
  '| world (same weights) | days | cheapest | RL | paired Δ RL − cheapest | days cheaper / dearer |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
  ...[...shifts, ...(dynamic ? [dynamic] : [])].map((x) => `| ${x.name} | ${x.days} | ${ci(x.cheapest)} | ${ci(x.rl)} | ${ci(x.rlMinusCheapest)} | ${x.wins} / ${x.losses} |`),
].join('\n');
process.stdout.write(
  `${table}\n\ncheapest ${f(cheapest.totalCost.mean)} vs RL ${f(rlReport.totalCost.mean)}: ${verdict} (${f(seconds)} s)\nRL − "${nearTies.name}": ${ci(rlMinusBestReference)} (${rlMinusBestReference.wins} / ${rlMinusBestReference.losses} days)\nRL departures from the auction's choice: ${JSON.stringify(out.rlDeparturesFromAuction)}\n`,
);
