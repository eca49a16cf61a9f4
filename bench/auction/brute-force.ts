import type { Instance } from './instances.js';
import { scoreQueues } from './auction.js';

/**
 * Exhaustive optima for tiny instances, scored with the cobots' own planning
 * (`scoreQueues`), to check the MIP formulations, not to be fast.
 */

/** Best one-task-per-cobot assignment (M ≤ N): every injective map of tasks to cobots. */
export function bruteAssignment(instance: Instance): number {
  const n = instance.cobots.length;
  const m = instance.tasks.length;
  let best = Infinity;
  const queues: number[][] = instance.cobots.map(() => []);
  const go = (j: number) => {
    if (j === m) {
      best = Math.min(best, scoreQueues(instance, queues).total);
      return;
    }
    for (let i = 0; i < n; i++) {
      if (queues[i].length > 0) continue;
      queues[i].push(j);
      go(j + 1);
      queues[i].pop();
    }
  };
  go(0);
  return best;
}

/** Best split of the tasks into ordered queues: each task appended to some cobot's queue, in every order. */
export function bruteSequencing(instance: Instance): number {
  const n = instance.cobots.length;
  const m = instance.tasks.length;
  let best = Infinity;
  const queues: number[][] = instance.cobots.map(() => []);
  const used = new Array<boolean>(m).fill(false);
  // Pick the next task (any unused one) and the cobot whose queue it extends: every sequence per cobot arises.
  const go = (placed: number) => {
    if (placed === m) {
      best = Math.min(best, scoreQueues(instance, queues).total);
      return;
    }
    for (let j = 0; j < m; j++) {
      if (used[j]) continue;
      used[j] = true;
      for (let i = 0; i < n; i++) {
        queues[i].push(j);
        go(placed + 1);
        queues[i].pop();
      }
      used[j] = false;
    }
  };
  go(0);
  return best;
}

/** All orders of `items` (Heap's algorithm would do; lists here have at most 8 items). */
function permutations(items: readonly number[]): number[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((x, k) => permutations([...items.slice(0, k), ...items.slice(k + 1)]).map((p) => [x, ...p]));
}

/**
 * The same assignment with each cobot's queue in its best order: what the
 * auction would score if cobots re-sequenced their queues instead of doing
 * them first come, first served. Separates the cost of the award from the
 * cost of FIFO queues.
 */
export function bestOrders(instance: Instance, queues: readonly (readonly number[])[]): number[][] {
  return queues.map((queue, i) => {
    if (queue.length > 8) return [...queue];
    let best: number[] = [...queue];
    let bestTotal = Infinity;
    for (const p of permutations(queue)) {
      const only = instance.cobots.map((_, k) => (k === i ? p : []));
      const total = scoreQueues(instance, only).total;
      if (total < bestTotal) [best, bestTotal] = [p, total];
    }
    return best;
  });
}
