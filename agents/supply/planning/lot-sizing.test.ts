import { describe, expect, it } from 'vitest';
import { buildLotSizingModel, solveProductionPlan } from './lot-sizing.js';
import { preparePlanData } from './plan-data.js';
import { seeded, singleItem } from './fixtures.js';
import type { PlanningProblem } from './plan-model.js';
import type { ProductionPlan } from './production-plan.js';

/** Wagner–Whitin by dynamic programming: f(t) = min_j f(j−1) + K + h Σ_{τ=j..t} (τ−j) d_τ. */
function wagnerWhitin(d: number[], K: number, h: number): number {
  const f = [0];
  for (let t = 1; t <= d.length; t++) {
    let best = d[t - 1] === 0 ? f[t - 1] : Infinity;
    for (let j = 1; j <= t; j++) {
      let c = f[j - 1] + K;
      for (let tau = j; tau <= t; tau++) c += h * (tau - j) * d[tau - 1];
      best = Math.min(best, c);
    }
    f.push(best);
  }
  return f[d.length];
}

interface SmallItem { p: number; s: number; K: number; h: number; d: number[] }

/** Exhaustive DP over integer stock states for two items on one machine: the capacitated oracle. */
function bruteForceTwoItems(a: SmallItem, b: SmallItem, cap: number[]): number {
  const T = cap.length;
  const rest = (it: SmallItem, t: number) => it.d.slice(t).reduce((s, x) => s + x, 0);
  let states = new Map<string, number>([['0,0', 0]]);
  for (let t = 0; t < T; t++) {
    const next = new Map<string, number>();
    for (const [key, cost] of states) {
      const [ia, ib] = key.split(',').map(Number);
      for (let xa = 0; xa <= rest(a, t) - ia; xa++) {
        for (let xb = 0; xb <= rest(b, t) - ib; xb++) {
          const load = a.p * xa + b.p * xb + (xa > 0 ? a.s : 0) + (xb > 0 ? b.s : 0);
          if (load > cap[t]) continue;
          const na = ia + xa - a.d[t];
          const nb = ib + xb - b.d[t];
          if (na < 0 || nb < 0) continue;
          const c = cost + (xa > 0 ? a.K : 0) + (xb > 0 ? b.K : 0) + a.h * na + b.h * nb;
          const k = `${na},${nb}`;
          if (c < (next.get(k) ?? Infinity)) next.set(k, c);
        }
      }
    }
    states = next;
  }
  return Math.min(...states.values());
}

function twoItemProblem(a: SmallItem, b: SmallItem, cap: number[]): PlanningProblem {
  const item = (id: string, it: SmallItem) => ({
    id, holdingCost: it.h, initialStock: 0, integral: true,
    source: { type: 'make' as const, resource: 'M', unitTime: it.p, setupTime: it.s, setupCost: it.K },
  });
  return {
    horizon: cap.length,
    items: [item('A', a), item('B', b)],
    bom: [],
    resources: [{ id: 'M', capacity: cap }],
    demand: [...a.d.map((qty, k) => ({ item: 'A', period: k + 1, qty })), ...b.d.map((qty, k) => ({ item: 'B', period: k + 1, qty }))],
    frozenPeriods: 0,
    released: [],
  };
}

const exact = { mipRelGap: 0, timeLimit: 30 };
const row = (plan: ProductionPlan, item: string, t: number) => {
  const p = plan.items.find((i) => i.item === item)?.periods[t - 1];
  if (!p) throw new Error(`no ${item}@${t}`);
  return p;
};

describe('lot sizing (MLCLSP on HiGHS)', () => {
  it('matches Wagner–Whitin on single-item uncapacitated instances', async () => {
    const rnd = seeded(7);
    const cases: { d: number[]; K: number; h: number }[] = [
      { d: [20, 50, 10, 50, 50, 10, 20, 40, 20, 30], K: 100, h: 1 },
      { d: [0, 0, 30, 0, 10, 80, 0, 5], K: 60, h: 0.5 },
    ];
    for (let n = 0; n < 4; n++) {
      cases.push({ d: Array.from({ length: 12 }, () => (rnd() < 0.3 ? 0 : Math.round(rnd() * 60))), K: 50 + Math.round(rnd() * 200), h: 0.5 + rnd() * 2 });
    }
    for (const c of cases) {
      const plan = await solveProductionPlan(singleItem(c.d, c.K, c.h), exact);
      expect(plan.status).toBe('optimal');
      expect(plan.costs.total).toBeCloseTo(wagnerWhitin(c.d, c.K, c.h), 4);
      expect(plan.costs.total).toBeCloseTo(plan.solverObjective ?? NaN, 4);
      // Zero-inventory property of WW: produce only when the stock is gone.
      for (const p of plan.items[0].periods) if (p.produce > 0 && p.period > 1) expect(row(plan, 'A', p.period - 1).inventory).toBeCloseTo(0, 6);
    }
  });

  it('finds the optimum of small capacitated two-item instances (setup times, exhaustive oracle)', async () => {
    const rnd = seeded(11);
    let solved = 0;
    for (let n = 0; n < 8; n++) {
      const mk = (): SmallItem => ({
        p: 1 + Math.floor(rnd() * 2), s: 1 + Math.floor(rnd() * 2), K: 20 + Math.round(rnd() * 40), h: 1 + Math.round(rnd() * 2),
        d: Array.from({ length: 4 }, (_, t) => (t === 0 ? 0 : Math.round(rnd() * 5))),
      });
      const a = mk();
      const b = mk();
      const cap = Array.from({ length: 4 }, () => 8 + Math.floor(rnd() * 5));
      const oracle = bruteForceTwoItems(a, b, cap);
      const plan = await solveProductionPlan(twoItemProblem(a, b, cap), exact);
      if (!Number.isFinite(oracle)) {
        expect(plan.status).toBe('infeasible');
        continue;
      }
      solved++;
      expect(plan.status).toBe('optimal');
      expect(plan.costs.total).toBeCloseTo(oracle, 6);
      for (const p of plan.resources[0].periods) expect(p.load).toBeLessThanOrEqual(p.capacity + 1e-6);
    }
    expect(solved).toBeGreaterThanOrEqual(4);
  });

  it('hand-checked capacitated instance: capacity forces a lot early', async () => {
    // A: 5 units in period 2, B: 5 units in period 2; 1 h/unit, 1 h setup, 8 h per period.
    // Both lots cannot fit in period 2 (12 h): the cheaper one to hold (A, h = 1) goes to period 1.
    const a: SmallItem = { p: 1, s: 1, K: 10, h: 1, d: [0, 5] };
    const b: SmallItem = { p: 1, s: 1, K: 10, h: 3, d: [0, 5] };
    const plan = await solveProductionPlan(twoItemProblem(a, b, [8, 8]), exact);
    expect(plan.status).toBe('optimal');
    expect(plan.costs).toMatchObject({ setup: 20, holding: 5, total: 25 });
    expect(row(plan, 'A', 1).produce).toBe(5);
    expect(row(plan, 'B', 2).produce).toBe(5);
    expect(plan.resources[0].periods.map((p) => p.load)).toEqual([6, 6]);
  });

  it('offsets component purchases by the supplier lead time (2-level BOM)', async () => {
    const problem: PlanningProblem = {
      horizon: 6,
      items: [
        { id: 'E', holdingCost: 2, initialStock: 0, source: { type: 'make', resource: 'M', unitTime: 0.5, setupTime: 1, setupCost: 50 } },
        { id: 'C', holdingCost: 1, initialStock: 4, source: { type: 'buy', leadTime: 2, unitCost: 3, orderCost: 15 } },
      ],
      bom: [{ parent: 'E', child: 'C', qtyPer: 2 }],
      resources: [{ id: 'M', capacity: 10 }],
      demand: [{ item: 'E', period: 5, qty: 10 }],
      frozenPeriods: 0,
      released: [],
    };
    const plan = await solveProductionPlan(problem, exact);
    expect(plan.status).toBe('optimal');
    expect(row(plan, 'E', 5).produce).toBe(10);
    expect(row(plan, 'C', 5).dependentDemand).toBe(20);
    const buys = plan.orders.filter((o) => o.item === 'C');
    expect(buys).toEqual([{ id: 'C@3', item: 'C', kind: 'buy', qty: 16, release: 3, due: 5, firm: false }]);
    expect(row(plan, 'C', 5).receipt).toBe(16);
    expect(row(plan, 'C', 3).purchase).toBe(16);
    // Setup 50 + order 15, purchase 16 × 3, holding the 4 initial units of C for periods 1–4.
    expect(plan.costs).toMatchObject({ setup: 65, purchase: 48, holding: 16, backlog: 0, total: 129 });
    // Seeding HiGHS with the rounded LP relaxation must not change the optimum.
    const warm = await solveProductionPlan(problem, { ...exact, warmStart: 'rounded-lp' });
    expect(warm.status).toBe('optimal');
    expect(warm.costs.total).toBe(129);
  });

  it('respects frozen periods and released orders', async () => {
    const problem: PlanningProblem = {
      horizon: 5,
      items: [{ id: 'E', holdingCost: 1, backlogCost: 5, initialStock: 0, source: { type: 'make', resource: 'M', unitTime: 1, setupTime: 0, setupCost: 10 } }],
      bom: [],
      resources: [{ id: 'M', capacity: 100 }],
      demand: [{ item: 'E', period: 2, qty: 8 }, { item: 'E', period: 4, qty: 6 }],
      frozenPeriods: 2,
      released: [{ id: 'WO-1', item: 'E', kind: 'make', qty: 5, release: 1, due: 1 }],
    };
    const plan = await solveProductionPlan(problem, exact);
    expect(plan.status).toBe('optimal');
    expect(plan.orders.filter((o) => !o.firm).every((o) => o.release > 2)).toBe(true);
    expect(plan.orders.find((o) => o.id === 'WO-1')).toMatchObject({ firm: true, qty: 5, release: 1 });
    expect(row(plan, 'E', 2).backlog).toBe(3);
    expect(row(plan, 'E', 3).produce).toBe(9);
    // Setups: released lot + one new; backlog 3 × 5; holding 5 (end of 1) + 6 (end of 3).
    expect(plan.costs).toMatchObject({ setup: 20, backlog: 15, holding: 11, total: 46 });
  });

  it('reports infeasibility with the demand that cannot be met', async () => {
    const problem: PlanningProblem = {
      horizon: 4,
      items: [{ id: 'E', holdingCost: 1, initialStock: 0, source: { type: 'make', resource: 'M', unitTime: 1, setupTime: 0, setupCost: 10 } }],
      bom: [],
      resources: [{ id: 'M', capacity: 100 }],
      demand: [{ item: 'E', period: 1, qty: 10 }, { item: 'E', period: 3, qty: 5 }],
      frozenPeriods: 1,
      released: [],
    };
    const plan = await solveProductionPlan(problem, exact);
    expect(plan.status).toBe('infeasible');
    expect(plan.infeasibilities).toHaveLength(1);
    expect(plan.infeasibilities?.[0]).toMatchObject({ kind: 'demand', subject: 'E', periods: [1], amount: 10 });
    expect(plan.message).toContain('item E: 10 units of demand in period 1 cannot be met on time (backlog not allowed)');
  });

  it('names a component that cannot arrive in time and an overloaded released period', async () => {
    const late: PlanningProblem = {
      horizon: 5,
      items: [
        { id: 'E', holdingCost: 1, initialStock: 0, source: { type: 'make', resource: 'M', unitTime: 1, setupTime: 0, setupCost: 10 } },
        { id: 'C', holdingCost: 1, initialStock: 0, source: { type: 'buy', leadTime: 3, unitCost: 1 } },
      ],
      bom: [{ parent: 'E', child: 'C', qtyPer: 0.5 }],
      resources: [{ id: 'M', capacity: 100 }],
      demand: [{ item: 'E', period: 2, qty: 10 }],
      frozenPeriods: 0,
      released: [],
    };
    const a = await solveProductionPlan(late, exact);
    expect(a.status).toBe('infeasible');
    expect(a.message).toMatch(/component C: 5 units short in period [12] .*lead time 3/);

    const overloaded: PlanningProblem = {
      horizon: 3,
      items: [{ id: 'E', holdingCost: 1, backlogCost: 10, initialStock: 0, source: { type: 'make', resource: 'M', unitTime: 1, setupTime: 2, setupCost: 10 } }],
      bom: [],
      resources: [{ id: 'M', capacity: 8 }],
      demand: [{ item: 'E', period: 1, qty: 10 }],
      frozenPeriods: 1,
      released: [{ id: 'WO-9', item: 'E', kind: 'make', qty: 10, release: 1, due: 1 }],
    };
    const b = await solveProductionPlan(overloaded, exact);
    expect(b.status).toBe('infeasible');
    expect(b.infeasibilities?.[0]).toMatchObject({ kind: 'capacity', subject: 'M', periods: [1], amount: 4 });
  });

  it('refuses an invalid problem with its reasons and keeps odd ids out of the LP text', async () => {
    const bad = singleItem([5, 5], 10, 1);
    bad.items[0] = { ...bad.items[0], source: { type: 'make', resource: 'nowhere', unitTime: 1, setupTime: 0, setupCost: 1 } };
    const plan = await solveProductionPlan(bad);
    expect(plan.status).toBe('invalid');
    expect(plan.message).toContain('unknown resource nowhere');

    const odd = singleItem([5, 0, 7], 10, 1);
    odd.items[0].id = 'gear 7/8" (blue)';
    odd.items[0].integral = true;
    odd.demand = odd.demand.map((d) => ({ ...d, item: odd.items[0].id }));
    const text = buildLotSizingModel(preparePlanData(odd)).lp.toLpText();
    expect(text).not.toContain('blue');
    expect(text).toMatch(/\nGeneral\n x_0_1/);
    expect(text).toMatch(/\nBinary\n y_0_1/);
    const solved = await solveProductionPlan(odd, exact);
    expect(solved.status).toBe('optimal');
    expect(solved.items[0].item).toBe('gear 7/8" (blue)');
  });
});
