import type { CostSplit, PlannedOrder, ProductionPlan } from './production-plan.js';

/**
 * What a re-plan changed, for the people who have to act on it: which lots
 * and purchase orders appear, disappear or change size (per item and release
 * period), which released orders now arrive at another time, where backlog
 * moved, and what it costs. Compared on quantities per (item, release
 * period), not on order ids, because a re-plan renumbers nothing but may
 * merge or split lots.
 */

export interface OrderChange {
  item: string;
  kind: 'make' | 'buy';
  release: number;
  before: number;
  after: number;
  change: 'added' | 'removed' | 'changed';
}

export interface DueChange {
  id: string;
  item: string;
  dueBefore: number;
  dueAfter: number;
}

export interface BacklogChange {
  item: string;
  period: number;
  before: number;
  after: number;
}

export interface PlanDiff {
  statusBefore: ProductionPlan['status'];
  statusAfter: ProductionPlan['status'];
  orders: OrderChange[];
  dueChanges: DueChange[];
  backlog: BacklogChange[];
  costs: { before: CostSplit; after: CostSplit; delta: CostSplit };
  /** One line per notable change, for a planner's log. */
  summary: string[];
}

const EPS = 1e-6;

function quantities(orders: PlannedOrder[]): Map<string, { item: string; kind: 'make' | 'buy'; release: number; qty: number }> {
  const out = new Map<string, { item: string; kind: 'make' | 'buy'; release: number; qty: number }>();
  for (const o of orders) {
    const key = `${o.item}\u0000${o.release}`;
    const e = out.get(key);
    if (e) e.qty += o.qty;
    else out.set(key, { item: o.item, kind: o.kind, release: o.release, qty: o.qty });
  }
  return out;
}

function backlogs(plan: ProductionPlan): Map<string, number> {
  const out = new Map<string, number>();
  for (const ip of plan.items) for (const p of ip.periods) if (p.backlog > EPS) out.set(`${ip.item}\u0000${p.period}`, p.backlog);
  return out;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

export function diffPlans(before: ProductionPlan, after: ProductionPlan): PlanDiff {
  const orders: OrderChange[] = [];
  const qb = quantities(before.orders);
  const qa = quantities(after.orders);
  for (const key of new Set([...qb.keys(), ...qa.keys()])) {
    const b = qb.get(key);
    const a = qa.get(key);
    const bq = b?.qty ?? 0;
    const aq = a?.qty ?? 0;
    if (Math.abs(aq - bq) <= EPS) continue;
    const ref = (a ?? b) as { item: string; kind: 'make' | 'buy'; release: number };
    orders.push({ item: ref.item, kind: ref.kind, release: ref.release, before: r3(bq), after: r3(aq), change: bq <= EPS ? 'added' : aq <= EPS ? 'removed' : 'changed' });
  }
  orders.sort((x, y) => x.release - y.release || x.item.localeCompare(y.item));

  const dueChanges: DueChange[] = [];
  const firmBefore = new Map(before.orders.filter((o) => o.firm).map((o) => [o.id, o]));
  for (const o of after.orders) {
    const b = firmBefore.get(o.id);
    if (o.firm && b && b.due !== o.due) dueChanges.push({ id: o.id, item: o.item, dueBefore: b.due, dueAfter: o.due });
  }

  const backlog: BacklogChange[] = [];
  const bb = backlogs(before);
  const ba = backlogs(after);
  for (const key of new Set([...bb.keys(), ...ba.keys()])) {
    const b = bb.get(key) ?? 0;
    const a = ba.get(key) ?? 0;
    if (Math.abs(a - b) <= EPS) continue;
    const [item, period] = key.split('\u0000');
    backlog.push({ item, period: Number(period), before: r3(b), after: r3(a) });
  }
  backlog.sort((x, y) => x.period - y.period || x.item.localeCompare(y.item));

  const delta: CostSplit = {
    setup: r3(after.costs.setup - before.costs.setup),
    holding: r3(after.costs.holding - before.costs.holding),
    backlog: r3(after.costs.backlog - before.costs.backlog),
    purchase: r3(after.costs.purchase - before.costs.purchase),
    total: r3(after.costs.total - before.costs.total),
  };

  const summary: string[] = [];
  if (before.status !== after.status) summary.push(`status ${before.status} → ${after.status}`);
  for (const c of orders) {
    const what = c.kind === 'make' ? 'lot' : 'purchase order';
    if (c.change === 'added') summary.push(`new ${what} ${c.item} ×${c.after} released in period ${c.release}`);
    else if (c.change === 'removed') summary.push(`${what} ${c.item} ×${c.before} in period ${c.release} cancelled`);
    else summary.push(`${what} ${c.item} in period ${c.release}: ${c.before} → ${c.after}`);
  }
  for (const d of dueChanges) summary.push(`released order ${d.id} (${d.item}) now due in period ${d.dueAfter} instead of ${d.dueBefore}`);
  const lateBefore = [...bb.values()].reduce((s, x) => s + x, 0);
  const lateAfter = [...ba.values()].reduce((s, x) => s + x, 0);
  if (Math.abs(lateAfter - lateBefore) > EPS) summary.push(`backlog (unit-periods) ${r3(lateBefore)} → ${r3(lateAfter)}`);
  summary.push(`cost ${before.costs.total} → ${after.costs.total} (${delta.total >= 0 ? '+' : ''}${delta.total}; backlog ${delta.backlog >= 0 ? '+' : ''}${delta.backlog})`);

  return {
    statusBefore: before.status, statusAfter: after.status, orders, dueChanges, backlog,
    costs: { before: before.costs, after: after.costs, delta }, summary,
  };
}
