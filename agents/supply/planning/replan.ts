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
 * - `stock-count`: the stock on hand of an item at the start of period `at`
 *   is `onHand`. The difference to what the plan in force projected (its
 *   stock at the end of period `at` − 1) becomes a stock adjustment in `at`
 *   (at period 1: the opening stock is replaced). A second count in the same
 *   period replaces the first.
 *
 * `replanMany` applies several events (in order) and solves once.
 *
 * The problem is never modified; the updated one is returned for the next event.
 */

export type PlanEvent =
  | { type: 'order'; item: string; period: number; qty: number; at?: number }
  | { type: 'supplier-delay'; item: string; delay: number; orderId?: string; leadTimeIncrease?: number; at?: number }
  | { type: 'capacity-loss'; resource: string; periods: number[]; hours?: number; at?: number }
  | { type: 'stock-count'; item: string; onHand: number; at?: number };

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

/**
 * Applies an event to a problem copy; returns the orders it displaced and
 * notes. `previous`, the plan in force, is what a stock count is compared with.
 */
export function applyEvent(problem: PlanningProblem, event: PlanEvent, previous?: ProductionPlan): { problem: PlanningProblem; displaced: ReleasedOrder[]; notes: string[] } {
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
    case 'stock-count':
      notes.push(applyCount(next, event.item, event.onHand, Math.max(1, at), previous));
      break;
  }
  return { problem: next, displaced, notes };
}

/** Books a stock count of `item` at the start of period `at` into `problem` (changed in place); returns the note. */
function applyCount(problem: PlanningProblem, id: string, onHand: number, at: number, previous: ProductionPlan | undefined): string {
  const item = problem.items.find((i) => i.id === id);
  if (!item) return `stock count: unknown item ${id}, ignored`;
  const others = (problem.adjustments ?? []).filter((a) => !(a.item === id && a.period === at));
  if (at === 1) {
    const before = item.initialStock;
    item.initialStock = Math.max(0, onHand);
    problem.adjustments = others;
    return `stock count: ${id} ${item.initialStock} on hand at the start (opening stock was ${before})`;
  }
  const projected = previous?.items.find((p) => p.item === id)?.periods[at - 2]?.inventory;
  if (projected === undefined) {
    // No plan to project from: the count is taken against the opening stock and the corrections so far.
    const booked = item.initialStock + others.filter((a) => a.item === id && a.period < at).reduce((s, a) => s + a.qty, 0);
    problem.adjustments = [...others, { item: id, period: at, qty: onHand - booked }];
    return `stock count: ${id} ${onHand} on hand in period ${at} (no plan to project from: corrected by ${round3(onHand - booked)} against the stock booked)`;
  }
  const qty = onHand - projected;
  problem.adjustments = Math.abs(qty) > 1e-9 ? [...others, { item: id, period: at, qty }] : others;
  return `stock count: ${id} ${onHand} on hand in period ${at} (the plan expected ${round3(projected)}: ${qty >= 0 ? '+' : ''}${round3(qty)})`;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

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
  return replanMany(previous, problem, [event], options);
}

/**
 * Re-solves once after several events (applied in order), e.g. those that
 * arrived while the previous solve ran. The fence moves to the latest
 * event's period; the notes and diff cover them all.
 */
export async function replanMany(previous: ProductionPlan, problem: PlanningProblem, events: readonly PlanEvent[], options: PlanOptions = {}): Promise<ReplanResult> {
  const at = Math.max(1, ...events.map((e) => e.at ?? 1));
  let current = rollFence(previous, problem, at - 1 + problem.frozenPeriods);
  const displaced: ReleasedOrder[] = [];
  const notes: string[] = [];
  for (const event of events) {
    const applied = applyEvent(current, event, previous);
    current = applied.problem;
    displaced.push(...applied.displaced);
    notes.push(...applied.notes);
  }
  const start = options.start ?? setupStart(previous, current);
  const plan = await solveProductionPlan(current, { ...options, start });
  const diff = diffPlans(previous, plan);
  diff.summary.unshift(...notes);
  return { plan, problem: current, diff, displaced, notes };
}
