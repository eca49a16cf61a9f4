import { describe, expect, it } from 'vitest';
import { solveProductionPlan } from './lot-sizing.js';
import { replan, replanMany } from './replan.js';
import type { PlanningProblem } from './plan-model.js';
import type { ProductionPlan } from './production-plan.js';

const exact = { mipRelGap: 0, timeLimit: 30 };

/** E (made on M, 9 units per period after its setup) from bought C; 6 E per period demanded. */
function base(): PlanningProblem {
  return {
    horizon: 8,
    items: [
      { id: 'E', holdingCost: 1, backlogCost: 20, initialStock: 12, source: { type: 'make', resource: 'M', unitTime: 1, setupTime: 1, setupCost: 30 } },
      { id: 'C', holdingCost: 0.1, initialStock: 100, source: { type: 'buy', leadTime: 2, unitCost: 1 } },
    ],
    bom: [{ parent: 'E', child: 'C', qtyPer: 1 }],
    resources: [{ id: 'M', capacity: 10 }],
    demand: Array.from({ length: 8 }, (_, k) => ({ item: 'E', period: k + 1, qty: 6 })),
    frozenPeriods: 2,
    released: [],
  };
}

const at = (plan: ProductionPlan, item: string, t: number) => plan.items.find((i) => i.item === item)?.periods[t - 1];
const backlogCost = (plan: ProductionPlan, problem: PlanningProblem) =>
  plan.items.reduce((s, ip) => s + (problem.items.find((i) => i.id === ip.item)?.backlogCost ?? 0) * ip.periods.reduce((b, p) => b + p.backlog, 0), 0);

describe('re-planning on events', () => {
  it('an urgent order inside the frozen fence is backlogged and its cost accounted', async () => {
    const problem = base();
    const before = await solveProductionPlan(problem, exact);
    expect(before.status).toBe('optimal');
    expect(before.costs.backlog).toBe(0);

    const { plan, diff, problem: next } = await replan(before, problem, { type: 'order', item: 'E', period: 2, qty: 8 }, exact);
    expect(plan.status).toBe('optimal');
    // Nothing new can start in periods 1–2: the 8 extra units wait at least until period 3.
    expect(plan.orders.filter((o) => o.release <= 2)).toEqual([]);
    expect(at(plan, 'E', 2)?.backlog).toBe(8);
    expect(plan.costs.backlog).toBeGreaterThan(0);
    expect(plan.costs.backlog).toBeCloseTo(backlogCost(plan, next), 6);
    expect(diff.costs.delta.backlog).toBeCloseTo(plan.costs.backlog, 6);
    expect(diff.costs.delta.total).toBeCloseTo(plan.costs.total - before.costs.total, 6);
    expect(diff.backlog.some((b) => b.item === 'E' && b.period === 2 && b.after === 8)).toBe(true);
    expect(diff.summary[0]).toContain('inside the frozen fence');
    expect(next.demand.filter((d) => d.period === 2).reduce((s, d) => s + d.qty, 0)).toBe(14);
    // The machine runs flat out until the backlog is gone (9 units after the 1 h setup).
    expect(at(plan, 'E', 3)?.produce).toBe(9);
    expect(problem.demand).toHaveLength(8); // the caller's problem is untouched
  });

  it('a supplier delay moves the released purchase order and the production that needs it', async () => {
    const problem = base();
    problem.items[0].initialStock = 0;
    problem.items[1].initialStock = 0;
    problem.demand = [{ item: 'E', period: 3, qty: 8 }, { item: 'E', period: 6, qty: 8 }];
    problem.released = [{ id: 'PO-7', item: 'C', kind: 'buy', qty: 8, release: 0, due: 3 }];
    const before = await solveProductionPlan(problem, exact);
    expect(before.status).toBe('optimal');
    expect(at(before, 'E', 3)?.produce).toBe(8);

    const { plan, diff } = await replan(before, problem, { type: 'supplier-delay', item: 'C', delay: 2 }, exact);
    expect(plan.status).toBe('optimal');
    expect(diff.dueChanges).toEqual([{ id: 'PO-7', item: 'C', dueBefore: 3, dueAfter: 5 }]);
    expect(at(plan, 'C', 5)?.receipt).toBe(8);
    expect(at(plan, 'E', 3)?.produce).toBe(0);
    // New C ordered in period 3 arrives in 5 too, or E waits for PO-7: either way E is late by 2 periods.
    expect(at(plan, 'E', 3)?.backlog).toBe(8);
    expect(at(plan, 'E', 4)?.backlog).toBe(8);
    expect(plan.costs.backlog).toBe(2 * 8 * 20);
    expect(diff.orders.some((o) => o.item === 'E' && o.release === 3 && o.change === 'removed')).toBe(true);
  });

  it('a machine down takes back a released lot that no longer fits and re-plans around the outage', async () => {
    const problem = base();
    problem.items[0].initialStock = 0;
    problem.released = [{ id: 'WO-1', item: 'E', kind: 'make', qty: 9, release: 2, due: 2 }];
    problem.demand = Array.from({ length: 8 }, (_, k) => ({ item: 'E', period: k + 1, qty: k === 0 ? 0 : 4 }));
    const before = await solveProductionPlan(problem, exact);
    expect(before.status).toBe('optimal');

    const { plan, diff, displaced, problem: next } = await replan(before, problem, { type: 'capacity-loss', resource: 'M', periods: [2, 4, 5] }, exact);
    expect(displaced.map((o) => o.id)).toEqual(['WO-1']);
    expect(next.released.find((o) => o.id === 'WO-1')).toBeUndefined();
    expect(plan.status).toBe('optimal');
    const load = plan.resources[0].periods;
    for (const t of [2, 4, 5]) {
      expect(load[t - 1].capacity).toBe(0);
      expect(load[t - 1].load).toBe(0);
    }
    expect(at(plan, 'E', 2)?.backlog).toBe(4);
    expect(plan.costs.backlog).toBeGreaterThan(0);
    expect(diff.summary.some((s) => s.includes('WO-1') && s.includes('withdrawn'))).toBe(true);
  });

  it('rolls the frozen fence: orders released by the previous plan become firm', async () => {
    const problem = base();
    const before = await solveProductionPlan(problem, exact);
    const early = before.orders.filter((o) => !o.firm && o.release <= 4);
    expect(early.length).toBeGreaterThan(0);

    const { plan, problem: next } = await replan(before, problem, { type: 'order', item: 'E', period: 7, qty: 5, at: 3 }, exact);
    expect(plan.status).toBe('optimal');
    expect(next.frozenPeriods).toBe(4);
    for (const o of early) expect(plan.orders).toContainEqual({ ...o, firm: true });
    expect(plan.orders.filter((o) => !o.firm).every((o) => o.release > 4)).toBe(true);
  });

  it('a stock count in period 1 replaces the opening stock', async () => {
    const problem = base();
    const before = await solveProductionPlan(problem, exact);
    const { plan, problem: next, diff } = await replan(before, problem, { type: 'stock-count', item: 'E', onHand: 30 }, exact);
    expect(next.items[0].initialStock).toBe(30);
    expect(next.adjustments).toEqual([]);
    expect(plan.status).toBe('optimal');
    expect(at(plan, 'E', 1)?.inventory).toBe(24);
    expect(diff.summary[0]).toBe('stock count: E 30 on hand at the start (opening stock was 12)');
  });

  it('a later stock count corrects the stock the plan expected, from that period on; a second count in the period replaces the first', async () => {
    const problem = base();
    const before = await solveProductionPlan(problem, exact);
    const expected = at(before, 'C', 3)!.inventory;
    const first = await replan(before, problem, { type: 'stock-count', item: 'C', onHand: expected - 20, at: 4 }, exact);
    expect(first.problem.adjustments).toEqual([{ item: 'C', period: 4, qty: -20 }]);
    expect(first.problem.items[1].initialStock).toBe(100);
    expect(first.plan.status).toBe('optimal');
    // Periods before the count keep their stock; from period 4 on the count holds.
    expect(at(first.plan, 'C', 3)?.inventory).toBe(expected);
    const c4 = at(first.plan, 'C', 4)!;
    // The correction is part of period 4's receipts: 20 fewer than before the count.
    const arriving = first.plan.orders.filter((o) => o.item === 'C' && o.due === 4).reduce((s, o) => s + o.qty, 0);
    expect(c4.receipt).toBeCloseTo(arriving - 20, 6);
    expect(c4.inventory).toBeCloseTo(expected + c4.receipt - c4.dependentDemand, 6);
    expect(first.diff.summary[0]).toBe(`stock count: C ${expected - 20} on hand in period 4 (the plan expected ${expected}: -20)`);

    const second = await replanMany(first.plan, first.problem, [{ type: 'stock-count', item: 'C', onHand: expected + 5, at: 4 }], exact);
    expect(second.problem.adjustments).toEqual([{ item: 'C', period: 4, qty: 5 }]);
    expect(second.plan.status).toBe('optimal');
  });

  it('solves several events at once, the fence at the latest', async () => {
    const problem = base();
    const before = await solveProductionPlan(problem, exact);
    const { plan, problem: next, notes } = await replanMany(before, problem, [
      { type: 'order', item: 'E', period: 6, qty: 3, at: 2 },
      { type: 'stock-count', item: 'C', onHand: 50, at: 3 },
    ], exact);
    expect(plan.status).toBe('optimal');
    expect(next.frozenPeriods).toBe(4);
    expect(notes).toHaveLength(2);
    expect(notes[0]).toContain('3 × E');
    expect(notes[1]).toContain('stock count: C 50');
  });
});
