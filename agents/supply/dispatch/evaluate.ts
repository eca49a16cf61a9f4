import { estimate, mean, type Estimate } from '../../../sim/stats/summary.js';
import type { DispatchConfig } from './day.js';
import { DispatchEnv, runEpisode, type EpisodeSummary, type Policy } from './dispatch-env.js';

/**
 * Head-to-head comparison of dispatch policies on the same days (common
 * random numbers: a seed fixes the plan and the urgent jobs, so the only
 * difference between two runs of a seed is the policy). Reports each
 * policy's mean cost with a Student-t 95 % interval over days, and the
 * paired difference against the first policy (the baseline), whose interval
 * is much narrower than the two separate ones because the day's own
 * difficulty cancels.
 */

export interface PolicyReport {
  name: string;
  totalCost: Estimate;
  /** Cost of the urgent work only (total minus the morning plan). */
  urgentCost: Estimate;
  couriersPerDay: number;
  courierShare: number;
  lateMinutesPerDay: number;
  /** Paired difference to the baseline (this minus baseline; negative = cheaper). */
  vsBaseline?: Estimate;
  /** Days on which this policy was cheaper / dearer than the baseline by more than 0.01. */
  wins?: number;
  losses?: number;
  episodes: EpisodeSummary[];
}

export interface Comparison {
  seeds: number[];
  urgentJobsPerDay: number;
  policies: PolicyReport[];
}

/** Plays every seed once with every policy; the first policy is the baseline. */
export function compare(config: DispatchConfig, policies: readonly { name: string; policy: Policy }[], seeds: readonly number[]): Comparison {
  const runs = policies.map(() => [] as EpisodeSummary[]);
  for (const seed of seeds) {
    const plan = new DispatchEnv(config, seed).snapshotPlan();
    policies.forEach((p, i) => runs[i].push(runEpisode(new DispatchEnv(config, seed, plan), p.policy)));
  }
  const base = runs[0];
  const jobs = base.reduce((s, e) => s + e.urgentJobs, 0);
  return {
    seeds: [...seeds],
    urgentJobsPerDay: jobs / seeds.length,
    policies: policies.map((p, i) => {
      const eps = runs[i];
      const couriers = eps.reduce((s, e) => s + e.couriers, 0);
      const report: PolicyReport = {
        name: p.name,
        totalCost: estimate(eps.map((e) => e.totalCost)),
        urgentCost: estimate(eps.map((e) => e.totalCost - e.plannedCost)),
        couriersPerDay: couriers / eps.length,
        courierShare: jobs ? couriers / jobs : 0,
        lateMinutesPerDay: mean(eps.map((e) => e.lateMinutes)),
        episodes: eps,
      };
      if (i > 0) {
        const diff = eps.map((e, k) => e.totalCost - base[k].totalCost);
        report.vsBaseline = estimate(diff);
        report.wins = diff.filter((d) => d < -0.01).length;
        report.losses = diff.filter((d) => d > 0.01).length;
      }
      return report;
    }),
  };
}

/** A Markdown table of a comparison (costs in the model's money units). */
export function comparisonTable(c: Comparison): string {
  const f = (x: number, d = 1) => x.toFixed(d);
  const ci = (e: Estimate) => `${f(e.mean)} [${f(e.ci95[0])}, ${f(e.ci95[1])}]`;
  const rows = c.policies.map(
    (p) =>
      `| ${p.name} | ${ci(p.totalCost)} | ${ci(p.urgentCost)} | ${p.vsBaseline ? ci(p.vsBaseline) : '—'} | ${p.wins ?? '—'} / ${p.losses ?? '—'} | ${f(p.couriersPerDay, 2)} (${f(100 * p.courierShare)} %) | ${f(p.lateMinutesPerDay)} |`,
  );
  return [
    `${c.seeds.length} held-out days, ${f(c.urgentJobsPerDay)} urgent jobs per day; mean [95 % CI]`,
    '',
    '| policy | total cost / day | urgent-job cost / day | paired Δ vs baseline | days cheaper / dearer | couriers / day (share) | late min / day |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}
