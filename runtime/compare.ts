import { estimate, type Estimate } from '../sim/stats/summary.js';
import { runOnWorkers } from '../sim/replication/pool.js';
import type { ReplicationJob, ReplicationResult } from './replication-worker.js';

export interface PolicyComparison {
  policies: Record<string, { runs: number; kpis: Record<string, { mean: number; ci95: [number, number] }> }>;
}

export interface CompareOptions {
  scenarioPath: string;
  policies: string[];
  /** What the policies name: the maintenance policy (default) or the supply policy. */
  axis?: 'maintenance' | 'supply';
  runs: number;
  /** Seeds are firstSeed … firstSeed + runs − 1, the same for every policy (common random numbers). */
  firstSeed?: number;
  until?: number;
  workers?: number;
  onResult?: (done: number, total: number) => void;
}

/**
 * Runs every policy over the same seeds on worker threads and summarises each
 * KPI as a mean with a 95% Student-t confidence interval over replications.
 */
export async function comparePolicies(options: CompareOptions): Promise<PolicyComparison & { raw: Record<string, ReplicationResult[]> }> {
  const first = options.firstSeed ?? 1;
  const jobs: ReplicationJob[] = options.policies.flatMap((policy) =>
    Array.from({ length: options.runs }, (_, i) => ({
      scenarioPath: options.scenarioPath,
      seed: first + i,
      ...(options.axis === 'supply' ? { supplyPolicy: policy } : { policy }),
      until: options.until,
    })),
  );
  const workerUrl = new URL('./replication-worker.js', import.meta.url);
  const results = await runOnWorkers<ReplicationJob, ReplicationResult>(workerUrl, jobs, options.workers);
  options.onResult?.(results.length, jobs.length);
  const out: PolicyComparison['policies'] = {};
  const raw: Record<string, ReplicationResult[]> = {};
  options.policies.forEach((policy, p) => {
    const runs = results.slice(p * options.runs, (p + 1) * options.runs);
    raw[policy] = runs;
    const names = Object.keys(runs[0].kpis);
    const kpis: Record<string, { mean: number; ci95: [number, number] }> = {};
    for (const name of names) {
      const e: Estimate = estimate(runs.map((r) => r.kpis[name]));
      kpis[name] = { mean: e.mean, ci95: e.ci95 };
    }
    out[policy] = { runs: runs.length, kpis };
  });
  return { policies: out, raw };
}
