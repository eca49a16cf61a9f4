import { taskPlan } from '../../agents/cobot/planning.js';
import type { Pose } from '../../agents/ports/robot-port.js';
import type { TaskSpec } from '../../agents/robotics/task-spec.js';
import type { Instance } from './instances.js';
import type { LinearProgram, Row, Term } from './lp-text.js';

/**
 * The exact dispatch problems the auction is measured against, as MIPs.
 * Every cost coefficient comes from the cobot's own planning (`taskPlan`),
 * so the optimum and the auction are scored by the same clock.
 *
 * Assignment (one task per cobot, M ≤ N): binary x_ij (cobot i does task j),
 *   min Σ c_ij x_ij  s.t.  Σ_i x_ij = 1 (each task),  Σ_j x_ij ≤ 1 (each cobot),
 * with c_ij the time cobot i finishes task j starting from where it stands.
 *
 * Sequencing (any number of tasks per cobot, total completion time): a
 * cobot's tasks form a chain from its start. Binary y(i, a, b, r): on cobot
 * i, task b follows a (a task, or the start s) and b is the r-th task from
 * the end of the chain (r = 1: last). The arc's duration w_i(a, b) — drive
 * from a's drop-off (or the start) to b's pickup, pick, carry, place — delays
 * the completion of b and of every task after it, r tasks in all, so
 *   min Σ r · w_i(a, b) · y(i, a, b, r)
 *   s.t. Σ_{i,a,r} y(i, a, b, r) = 1                      each task entered once
 *        Σ_{b,r} y(i, s, b, r) ≤ 1                        one chain per cobot
 *        Σ_a y(i, a, b, r) = Σ_c y(i, b, c, r − 1)        r = 2..M: the successor is one place closer to the end
 * and arcs from a task only into r ≤ M − 1. Positions strictly fall along a
 * chain, so there are no cycles, and following predecessors from any task
 * climbs to a start: the feasible set is exactly every split of the tasks
 * into ordered queues, the auction's among them. (With the start at t0 > 0
 * the start arcs carry it, r times.)
 */
const start = (instance: Instance, i: number) => instance.cobots[i].start;

/** Time cobot i takes for `task` starting at `pose` (no charging in bench instances). */
export function arcSeconds(instance: Instance, i: number, pose: Pose, task: TaskSpec): number {
  const c = instance.cobots[i];
  return taskPlan(c.model, { time: 0, pose, energyWh: c.model.batteryWh }, task).time;
}

/** c_ij: when cobot i would finish task j if it were its only task. */
export const firstTaskCost = (instance: Instance, i: number, j: number): number =>
  taskPlan(instance.cobots[i].model, start(instance, i), instance.tasks[j]).time;

export const xName = (i: number, j: number) => `x_${i}_${j}`;

export function assignmentProgram(instance: Instance): LinearProgram {
  const n = instance.cobots.length;
  const m = instance.tasks.length;
  if (m > n) throw new Error(`assignment needs M ≤ N, got M = ${m}, N = ${n}`);
  const objective: Term[] = [];
  const binaries: string[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) {
    objective.push([firstTaskCost(instance, i, j), xName(i, j)]);
    binaries.push(xName(i, j));
  }
  const rows: Row[] = [];
  for (let j = 0; j < m; j++) rows.push({ name: `task_${j}`, terms: Array.from({ length: n }, (_, i): Term => [1, xName(i, j)]), op: '=', rhs: 1 });
  for (let i = 0; i < n; i++) rows.push({ name: `cobot_${i}`, terms: Array.from({ length: m }, (_, j): Term => [1, xName(i, j)]), op: '<=', rhs: 1 });
  return { objective, rows, binaries };
}

/** Queues from the assignment's solution (column values by name). */
export function assignmentQueues(instance: Instance, value: (name: string) => number): number[][] {
  return instance.cobots.map((_, i) => instance.tasks.flatMap((_, j) => (value(xName(i, j)) > 0.5 ? [j] : [])));
}

/** y(i, a, b, r); a is a task index or 's'. */
export const yName = (i: number, a: number | 's', b: number, r: number) => `y_${i}_${a}_${b}_${r}`;

export function sequencingProgram(instance: Instance): LinearProgram {
  const n = instance.cobots.length;
  const m = instance.tasks.length;
  const objective: Term[] = [];
  const binaries: string[] = [];
  const rows: Row[] = [];
  const into = new Map<string, Term[]>(); // `${i}_${b}_${r}` → arcs entering b at r on cobot i
  const outOf = new Map<string, Term[]>(); // `${i}_${a}_${r}` → arcs leaving task a into position r
  const enter: Term[][] = Array.from({ length: m }, () => []);
  const push = (map: Map<string, Term[]>, key: string, t: Term) => (map.get(key) ?? map.set(key, []).get(key)!).push(t);
  for (let i = 0; i < n; i++) {
    const starts: Term[] = [];
    for (let b = 0; b < m; b++) {
      const fromStart = firstTaskCost(instance, i, b);
      for (let r = 1; r <= m; r++) {
        const v = yName(i, 's', b, r);
        objective.push([r * fromStart, v]);
        binaries.push(v);
        starts.push([1, v]);
        enter[b].push([1, v]);
        push(into, `${i}_${b}_${r}`, [1, v]);
      }
      for (let a = 0; a < m; a++) {
        if (a === b) continue;
        const w = arcSeconds(instance, i, instance.tasks[a].toPose, instance.tasks[b]);
        for (let r = 1; r <= m - 1; r++) {
          const v = yName(i, a, b, r);
          objective.push([r * w, v]);
          binaries.push(v);
          enter[b].push([1, v]);
          push(into, `${i}_${b}_${r}`, [1, v]);
          push(outOf, `${i}_${a}_${r}`, [1, v]);
        }
      }
    }
    if (starts.length > 0) rows.push({ name: `chain_${i}`, terms: starts, op: '<=', rhs: 1 });
  }
  enter.forEach((terms, b) => rows.push({ name: `visit_${b}`, terms, op: '=', rhs: 1 }));
  for (let i = 0; i < n; i++) for (let b = 0; b < m; b++) for (let r = 2; r <= m; r++) {
    const inTerms = into.get(`${i}_${b}_${r}`) ?? [];
    const outTerms = (outOf.get(`${i}_${b}_${r - 1}`) ?? []).map(([c, v]): Term => [-c, v]);
    if (inTerms.length + outTerms.length > 0) rows.push({ name: `flow_${i}_${b}_${r}`, terms: [...inTerms, ...outTerms], op: '=', rhs: 0 });
  }
  return { objective, rows, binaries };
}

/** Queues from the sequencing solution: follow each cobot's chain from its start. */
export function sequencingQueues(instance: Instance, value: (name: string) => number): number[][] {
  const m = instance.tasks.length;
  return instance.cobots.map((_, i) => {
    const queue: number[] = [];
    let prev: number | 's' = 's';
    for (;;) {
      let next: number | undefined;
      for (let b = 0; b < m && next === undefined; b++) {
        if (b === prev) continue;
        for (let r = 1; r <= m; r++) if (value(yName(i, prev, b, r)) > 0.5) next = b;
      }
      if (next === undefined || queue.includes(next)) return queue;
      queue.push(next);
      prev = next;
    }
  });
}
