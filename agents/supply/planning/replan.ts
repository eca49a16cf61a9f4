import { solveProductionPlan, type PlanOptions } from './lot-sizing.js';
import { diffPlans, type PlanDiff } from './plan-diff.js';
import { effectiveCapacity, type PlanningProblem, type ReleasedOrder } from './plan-model.js';
import type { ProductionPlan } from './production-plan.js';
import { yName } from './plan-data.js';

/**
 * Re-planning on events, rolling-horizon style. The calendar keeps its
 * period numbers; an event known at period `at` (default 1, "now") moves the
 * frozen fence to `at − 1 + F`, and every order the previous plan had
 * released up to that fence becomes firm: the new plan must honour it and
 * may only add orders after the fence. The event then changes the problem:
 *
 * - `order`: a new (possibly urgent) customer demand. Inside the fence it can
 *   only be served late, so its backlog cost shows in the new plan.
 * - `supplier-delay`: released purchase orders of an item arrive `delay`
 *   periods later; optionally the supplier's lead time for new orders grows.
 * - `capacity-loss`: a machine is down (all hours, or `hours`) in some periods.
 *   Released lots that no longer fit in such a period are taken back
 *   (`displaced`) and their quantity re-planned after the fence.
 *
 * The problem is never modified; the updated one is returned for the next event.
 */

export type PlanEvent =
  | { type: 'order'; item: string; period: number; qty: number; at?: number }
  | { type: 'supplier-delay'; item: string; delay: number; orderId?: string; leadTimeIncrease?: number; at?: number }
  | { type: 'capacity-loss'; resource: string; periods: number[]; hours?: number; at?: number };

export interface ReplanResult {
  plan: ProductionPlan;
  /** The problem as changed by the event, with the fence moved and released orders made firm. */
  problem: PlanningProblem;
  diff: PlanDiff;
  /** Released lots withdrawn because their machine lost the hours they needed. */
  displaced: ReleasedOrder[];
  /** What the event did to the problem, in words. */
  notes: string[];
}

function clone(problem: PlanningProblem): PlanningProblem {
  return structuredClone(problem);
}

/** Previous plan's orders released up to `fence` become firm orders of the new problem. */
export function rollFence(previous: ProductionPlan, problem: PlanningProblem, fence: number): PlanningProblem {
  const next = clone(problem);
  next.frozenPeriods = Math.min(problem.horizon, Math.max(problem.frozenPeriods, fence));
  const known = new Set(next.released.map((o) => o.id));
  for (const o of previous.orders) {
    if (o.firm || o.release > next.frozenPeriods || known.has(o.id)) continue;
    next.released.push({ id: o.id, item: o.item, kind: o.kind, qty: o.qty, release: o.release, due: o.due });
  }
  return next;
}

/** Applies an event to a problem copy; returns the orders it displaced and notes. */
export function applyEvent(problem: PlanningProblem, event: PlanEvent): { problem: PlanningProblem; displaced: ReleasedOrder[]; notes: string[] } {
  const next = clone(problem);
  const displaced: ReleasedOrder[] = [];
  const notes: string[] = [];
  const at = event.at ?? 1;
  switch (event.type) {
    case 'order': {
      next.demand.push({ item: event.item, period: event.period, qty: event.qty });
      const late = event.period <= next.frozenPeriods ? ' (inside the frozen fence)' : '';
      notes.push(`order: ${event.qty} × ${event.item} due in period ${event.period}${late}`);
      break;
    }
    case 'supplier-delay': {
      const hit = next.released.filter((o) => o.item === event.item && o.kind === 'buy' && o.due >= at && (event.orderId === undefined || o.id === event.orderId));
      for (const o of hit) {
        notes.push(`supplier delay: ${o.id} (${o.qty} × ${o.item}) due ${o.due} → ${o.due + event.delay}`);
        o.due += event.delay;
      }
      if (hit.length === 0) notes.push(`supplier delay: no open purchase order of ${event.item} matched`);
      if (event.leadTimeIncrease) {
        const item = next.items.find((i) => i.id === event.item);
        if (item && item.source.type === 'buy') {
          item.source.leadTime += event.leadTimeIncrease;
          notes.push(`supplier lead time of ${event.item} now ${item.source.leadTime}`);
        }
      }
      break;
    }
    case 'capacity-loss': {
      const res = next.resources.find((r) => r.id === event.resource);
      if (!res) {
        notes.push(`capacity loss: unknown resource ${event.resource}`);
        break;
      }
      res.downtime = [...(res.downtime ?? [])];
      for (const t of event.periods) {
        const hours = event.hours ?? effectiveCapacity(res, t);
        res.downtime.push({ period: t, hours });
        notes.push(`capacity loss: ${res.id} loses ${hours} h in period ${t} (${effectiveCapacity(res, t)} h left)`);
        displaced.push(...displaceLots(next, res.id, t));
      }
      for (const o of displaced) notes.push(`released lot ${o.id} (${o.qty} × ${o.item}, period ${o.release}) withdrawn: no longer fits on ${event.resource}`);
      break;
    }
  }
  return { problem: next, displaced, notes };
}

/** Withdraws released lots in period t on a resource, largest last-released first, until the rest fit. */
function displaceLots(problem: PlanningProblem, resource: string, t: number): ReleasedOrder[] {
  const res = problem.resources.find((r) => r.id === resource);
  if (!res) return [];
  const cap = effectiveCapacity(res, t);
  const timing = new Map(problem.items.flatMap((i) => (i.source.type === 'make' && i.source.resource === resource ? [[i.id, i.source] as const] : [])));
  const lots = problem.released.filter((o) => o.kind === 'make' && o.release === t && timing.has(o.item));
  const load = (list: ReleasedOrder[]) => {
    const setups = new Set(list.map((o) => o.item));
    let h = 0;
    for (const o of list) h += (timing.get(o.item)?.unitTime ?? 0) * o.qty;
    for (const id of setups) h += timing.get(id)?.setupTime ?? 0;
    return h;
  };
  const kept = [...lots].sort((a, b) => a.qty - b.qty || a.id.localeCompare(b.id));
  const out: ReleasedOrder[] = [];
  while (kept.length > 0 && load(kept) > cap + 1e-9) out.push(kept.pop() as ReleasedOrder);
  const gone = new Set(out.map((o) => o.id));
  problem.released = problem.released.filter((o) => !gone.has(o.id));
  return out;
}

/**
 * A MIP start from the previous plan: the same setups (and orders) after the
 * fence, every other setup off. HiGHS completes the quantities itself and
 * drops the start if the event made it infeasible, so it can only help.
 */
export function setupStart(previous: ProductionPlan, problem: PlanningProblem): Map<string, number> {
  const start = new Map<string, number>();
  if (previous.items.length === 0) return start;
  const index = new Map(problem.items.map((i, k) => [i.id, k]));
  const open = new Set([...previous.orders.filter((o) => !o.firm), ...problem.released].map((o) => `${index.get(o.item)}_${o.release}`));
  problem.items.forEach((_, k) => {
    for (let t = problem.frozenPeriods + 1; t <= problem.horizon; t++) start.set(yName(k, t), open.has(`${k}_${t}`) ? 1 : 0);
  });
  return start;
}

/**
 * Re-solves after an event. `previous` is the plan in force and `problem`
 * the problem it was solved for. Returns the new plan, the updated problem
 * (feed it to the next call) and what changed.
 */
export async function replan(previous: ProductionPlan, problem: PlanningProblem, event: PlanEvent, options: PlanOptions = {}): Promise<ReplanResult> {
  const at = Math.max(1, event.at ?? 1);
  const rolled = rollFence(previous, problem, at - 1 + problem.frozenPeriods);
  const applied = applyEvent(rolled, event);
  const start = options.start ?? setupStart(previous, applied.problem);
  const plan = await solveProductionPlan(applied.problem, { ...options, start });
  const diff = diffPlans(previous, plan);
  diff.summary.unshift(...applied.notes);
  return { plan, problem: applied.problem, diff, displaced: applied.displaced, notes: applied.notes };
}
