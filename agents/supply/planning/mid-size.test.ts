import { describe, expect, it } from 'vitest';
import { solveProductionPlan } from './lot-sizing.js';
import { replan } from './replan.js';
import { factory } from './fixtures.js';
import type { PlanningProblem } from './plan-model.js';
import type { ProductionPlan } from './production-plan.js';

/**
 * A 20-item × 30-period × 3-machine factory (8 end items, 8 subassemblies,
 * 4 bought parts), with a short time limit: what is asserted is that the
 * plan is a plan — every balance holds, no machine is over capacity,
 * nothing starts in the frozen periods. Solve times and gaps are a
 * benchmark (`npm run bench:plan`), not a test.
 */

function checkPlan(plan: ProductionPlan, problem: PlanningProblem): void {
  for (const ip of plan.items) {
    const item = problem.items.find((i) => i.id === ip.item);
    let stock = item?.initialStock ?? 0;
    let backlog = 0;
    for (const p of ip.periods) {
      const lhs = stock - backlog + p.receipt;
      const rhs = p.inventory - p.backlog + p.demand + p.dependentDemand;
      expect(Math.abs(lhs - rhs)).toBeLessThan(1e-4);
      expect(p.inventory).toBeGreaterThanOrEqual(0);
      if (item?.backlogCost === undefined) expect(p.backlog).toBe(0);
      stock = p.inventory;
      backlog = p.backlog;
    }
  }
  for (const rp of plan.resources) for (const p of rp.periods) expect(p.load).toBeLessThanOrEqual(p.capacity + 1e-4);
  for (const o of plan.orders) if (!o.firm) expect(o.release).toBeGreaterThan(problem.frozenPeriods);
}

describe('mid-size instance (20 items × 30 periods × 3 resources)', () => {
  it('solves, re-plans an urgent order, and reports the times', async () => {
    const problem = factory({ endItems: 8, subassemblies: 8, bought: 4, periods: 30, resources: 3, seed: 1 });
    problem.frozenPeriods = 2;
    const options = { timeLimit: 5, mipRelGap: 0.01 };
    const plan = await solveProductionPlan(problem, options);
    expect(['optimal', 'time-limit']).toContain(plan.status);
    checkPlan(plan, problem);

    const urgent = await replan(plan, problem, { type: 'order', item: 'E1', period: 5, qty: 60, at: 2 }, options);
    expect(['optimal', 'time-limit']).toContain(urgent.plan.status);
    checkPlan(urgent.plan, urgent.problem);

    const down = await replan(urgent.plan, urgent.problem, { type: 'capacity-loss', resource: 'M1', periods: [8, 9, 10], at: 2 }, options);
    expect(['optimal', 'time-limit']).toContain(down.plan.status);
    checkPlan(down.plan, down.problem);

  }, 120_000);
});
