import { queuePlan, taskPlan } from '../../agents/cobot/planning.js';
import { bestBid, type Bid } from '../../agents/protocol/contract-net.js';
import type { TaskSpec } from '../../agents/robotics/task-spec.js';
import type { Instance } from './instances.js';

/**
 * The dispatch the running system does, replayed without the message layer:
 * tasks are auctioned one by one in arrival order; every cobot bids the time
 * it would finish the task after its queue (the same two planning calls as
 * the cobot agent's `propose`), and contract-net's `bestBid` picks the winner,
 * which appends the task to its queue.
 */
export interface Dispatch {
  /** Each cobot's tasks, in the order it does them (task indices into `instance.tasks`). */
  queues: number[][];
  /** Completion time of each task. */
  completion: number[];
  /** Sum of completion times: the objective both sides are scored on. */
  total: number;
}

export interface AuctionOptions {
  /**
   * A cobot that won bids no more (contract-net's `exclude` list): the
   * one-task-per-cobot variant, comparable with the assignment problem.
   */
  oneTaskPerCobot?: boolean;
}

/** The bid a cobot would send for `task` with `queue` ahead of it. */
export function bidFor(instance: Instance, cobot: number, queue: readonly number[], task: TaskSpec): Bid {
  const c = instance.cobots[cobot];
  const before = queuePlan(c.model, c.start, queue.map((j) => instance.tasks[j]));
  const after = taskPlan(c.model, before, task);
  return { from: c.id, cost: after.time, finishTime: after.time, previousCost: before.time };
}

export function sequentialAuction(instance: Instance, options: AuctionOptions = {}): Dispatch {
  const queues: number[][] = instance.cobots.map(() => []);
  const completion: number[] = [];
  instance.tasks.forEach((task, j) => {
    const bids: Bid[] = [];
    instance.cobots.forEach((_, i) => {
      if (!(options.oneTaskPerCobot && queues[i].length > 0)) bids.push(bidFor(instance, i, queues[i], task));
    });
    const win = bestBid(bids);
    if (!win) throw new Error(`no cobot could bid for ${task.task}`);
    const i = instance.cobots.findIndex((c) => c.id === win.from);
    queues[i].push(j);
    completion[j] = win.finishTime;
  });
  return { queues, completion, total: completion.reduce((s, t) => s + t, 0) };
}

/** Scores any dispatch with the cobots' own planning: each task's completion time, and their sum. */
export function scoreQueues(instance: Instance, queues: readonly (readonly number[])[]): Dispatch {
  const completion: number[] = [];
  queues.forEach((queue, i) => {
    const c = instance.cobots[i];
    let p = c.start;
    for (const j of queue) {
      p = taskPlan(c.model, p, instance.tasks[j]);
      completion[j] = p.time;
    }
  });
  return { queues: queues.map((q) => [...q]), completion, total: completion.reduce((s, t) => s + (t ?? 0), 0) };
}
