import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * Runs independent jobs (seeded replications) on worker threads, at most
 * `workers` at a time, and returns their results in job order, whatever order
 * they finish in. A job that throws rejects the whole batch with its message.
 */
export async function runOnWorkers<J, R>(workerUrl: URL, jobs: readonly J[], workers = availableParallelism()): Promise<R[]> {
  const results: R[] = new Array(jobs.length);
  let next = 0;
  const size = Math.max(1, Math.min(workers, jobs.length));
  const lane = async () => {
    // A large young generation, as the CLI sets for itself: agents allocate many short-lived snapshots.
    const worker = new Worker(workerUrl, { resourceLimits: { maxYoungGenerationSizeMb: 192 } });
    try {
      while (next < jobs.length) {
        const index = next++;
        results[index] = await new Promise<R>((resolve, reject) => {
          const onMessage = (msg: { ok: true; result: R } | { ok: false; error: string }) => {
            worker.off('error', onError);
            if (msg.ok) resolve(msg.result);
            else reject(new Error(msg.error));
          };
          const onError = (err: Error) => {
            worker.off('message', onMessage);
            reject(err);
          };
          worker.once('message', onMessage);
          worker.once('error', onError);
          worker.postMessage(jobs[index]);
        });
      }
    } finally {
      await worker.terminate();
    }
  };
  await Promise.all(Array.from({ length: size }, lane));
  return results;
}
