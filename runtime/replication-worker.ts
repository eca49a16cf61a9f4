import { parentPort } from 'node:worker_threads';
import { loadScenario } from '../scenarios/load.js';
import { runPlant, type RunResult } from './plant.js';

/** One replication: a scenario file, a seed and a policy. */
export interface ReplicationJob {
  scenarioPath: string;
  seed: number;
  policy?: string;
  /** Supply policy (`compare --axis supply`). */
  supplyPolicy?: string;
  until?: number;
}

export type ReplicationResult = Omit<RunResult, 'wallSeconds'> & { wallSeconds: number };

// Worker thread entry: runs replications one after another as they are posted.
parentPort?.on('message', (job: ReplicationJob) => {
  try {
    const scenario = loadScenario(job.scenarioPath);
    const result = runPlant(scenario, { seed: job.seed, policy: job.policy, supplyPolicy: job.supplyPolicy, until: job.until });
    parentPort!.postMessage({ ok: true, result });
  } catch (e) {
    parentPort!.postMessage({ ok: false, error: (e as Error).message });
  }
});
