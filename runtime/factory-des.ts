import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { projectRoot } from './paths.js';
import { loadScenario } from '../scenarios/load.js';
import type { Scenario } from '../scenarios/schema.js';
import { buildRun } from './plant.js';

/** The benchmark's output line (shared/bench/factory-des.md §6). */
export interface FactoryDesResult {
  impl: string;
  runtime: string;
  machines: number;
  technicians: number;
  days: number;
  horizon_s: number;
  seed: number;
  jobs_completed: number;
  jobs_scrapped: number;
  failures: number;
  repairs_started: number;
  repairs_completed: number;
  downtime_s: number;
  technician_utilisation: number;
  mean_wait_s: number;
  events: number;
  down_at_end: number;
  waiting_at_end: number;
  wall_s: number;
  events_per_s: number;
  /** Not in the spec: the event log's hash and size, to show the run was logged in full. */
  log_hash: string;
  log_records: number;
}

export const FACTORY_DES_SCENARIO = join(projectRoot(), 'scenarios/factory-des.yaml');

/** The factory-des scenario resized: M machines, K technicians (ceil(M/10) by default), T days. */
export function factoryDesScenario(base: Scenario, machines: number, days: number, technicians?: number): Scenario {
  return {
    ...base,
    horizon: days * 86400,
    machines: [{ ...base.machines[0], count: machines }],
    technicians: { ...base.technicians, count: technicians ?? Math.ceil(machines / 10) },
  };
}

/**
 * Runs the factory-des benchmark with the plant's own actors (machines and
 * technicians are XState actors, repairs negotiated through the maintenance
 * coordinator) and reads the benchmark's KPIs off the floor's counters.
 */
export function runFactoryDes(opts: {
  machines: number;
  days: number;
  seed: number;
  technicians?: number;
  scenarioPath?: string;
  jobs?: 'eager' | 'lazy';
}): FactoryDesResult {
  const base = loadScenario(opts.scenarioPath ?? FACTORY_DES_SCENARIO);
  const scenario = factoryDesScenario(base, opts.machines, opts.days, opts.technicians);
  const start = performance.now();
  const run = buildRun(scenario, { seed: opts.seed, jobs: opts.jobs });
  const T = scenario.horizon;
  run.kernel.runUntil(T);

  let jobsCompleted = 0;
  let jobsScrapped = 0;
  let failures = 0;
  let downtime = 0;
  let downAtEnd = 0;
  for (const m of run.machines.values()) {
    jobsCompleted += m.jobsCompleted(T);
    failures += m.counters.failures;
    // A job scrapped at a failure counts; one in progress at T is neither completed nor scrapped.
    jobsScrapped += m.counters.jobsScrapped;
    downtime += m.downSeconds(T).unplanned;
    if (!m.up) downAtEnd++;
  }
  const w = run.work.counters;
  let busy = w.busySeconds;
  let inRepair = 0;
  for (const job of run.work.active()) {
    busy += Math.min(T, job.end) - job.start;
    inRepair++;
  }
  const K = scenario.technicians.count;
  const events = jobsCompleted + failures + w.repairsStarted + w.repairsCompleted;
  const wall = (performance.now() - start) / 1000;
  const { logHash, events: records } = run.log.finish();
  run.host.stopAll();
  return {
    impl: 'hyperfactory',
    runtime: `node ${process.versions.node}, xstate actors, ${opts.jobs ?? 'lazy'} jobs`,
    machines: opts.machines,
    technicians: K,
    days: opts.days,
    horizon_s: T,
    seed: opts.seed,
    jobs_completed: jobsCompleted,
    jobs_scrapped: jobsScrapped,
    failures,
    repairs_started: w.repairsStarted,
    repairs_completed: w.repairsCompleted,
    downtime_s: downtime,
    technician_utilisation: busy / (K * T),
    mean_wait_s: w.repairsStarted > 0 ? w.repairWaitSeconds / w.repairsStarted : 0,
    events,
    down_at_end: downAtEnd,
    waiting_at_end: downAtEnd - inRepair,
    wall_s: wall,
    events_per_s: events / wall,
    log_hash: logHash,
    log_records: records,
  };
}
