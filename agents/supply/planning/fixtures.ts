import type { PlanItem, PlanningProblem } from './plan-model.js';

/**
 * Problem builders shared by the planning tests and anyone who wants a
 * realistic instance to try the planner on: a single-item textbook case and
 * a seeded mid-size factory (end items, subassemblies, bought parts, several
 * machines with maintenance). Seeded, never `Math.random`, so an instance is
 * the same on every run.
 */

/** Small deterministic generator (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One made item on an ample machine: the uncapacitated (Wagner–Whitin) case. */
export function singleItem(demand: number[], setupCost: number, holdingCost: number): PlanningProblem {
  return {
    horizon: demand.length,
    items: [{ id: 'A', source: { type: 'make', resource: 'M', unitTime: 1, setupTime: 0, setupCost }, holdingCost, initialStock: 0 }],
    bom: [],
    resources: [{ id: 'M', capacity: 1e6 }],
    demand: demand.map((qty, k) => ({ item: 'A', period: k + 1, qty })).filter((d) => d.qty > 0),
    frozenPeriods: 0,
    released: [],
  };
}

export interface FactoryShape {
  endItems: number;
  subassemblies: number;
  bought: number;
  periods: number;
  resources: number;
  seed: number;
  /** Capacity as a multiple of the average load (default 1.4). */
  slack?: number;
  /** Periods of average requirement the opening stock covers, lead time added (default 3). */
  openingCover?: number;
}

/**
 * A three-level factory: end items made from 1–2 subassemblies and 1–2
 * bought parts; subassemblies made from bought parts. Demand is lumpy
 * (some periods empty), machines are sized from the average load and lose a
 * shift to maintenance once in a while.
 */
export function factory(shape: FactoryShape): PlanningProblem {
  const rnd = seeded(shape.seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
  const T = shape.periods;
  const resources = Array.from({ length: shape.resources }, (_, r) => `M${r + 1}`);
  const items: PlanItem[] = [];
  const bom: PlanningProblem['bom'] = [];
  const demand: PlanningProblem['demand'] = [];
  const bought = Array.from({ length: shape.bought }, (_, k) => `P${k + 1}`);
  const subs = Array.from({ length: shape.subassemblies }, (_, k) => `S${k + 1}`);
  const ends = Array.from({ length: shape.endItems }, (_, k) => `E${k + 1}`);

  for (const id of bought) {
    items.push({
      id, holdingCost: 0.2 + rnd() * 0.3, initialStock: Math.round(rnd() * 40),
      source: { type: 'buy', leadTime: 1 + Math.floor(rnd() * 3), unitCost: 2 + Math.round(rnd() * 8), orderCost: 20 + Math.round(rnd() * 40) },
    });
  }
  for (const id of subs) {
    items.push({
      id, holdingCost: 0.5 + rnd() * 0.5, initialStock: Math.round(rnd() * 20),
      source: { type: 'make', resource: pick(resources), unitTime: 0.05 + rnd() * 0.1, setupTime: 0.5 + rnd(), setupCost: 50 + Math.round(rnd() * 100) },
    });
    for (const p of new Set([pick(bought), pick(bought)])) bom.push({ parent: id, child: p, qtyPer: 1 + Math.floor(rnd() * 3) });
  }
  for (const id of ends) {
    items.push({
      id, holdingCost: 1 + rnd(), backlogCost: 10 + Math.round(rnd() * 10), initialStock: Math.round(rnd() * 30),
      source: { type: 'make', resource: pick(resources), unitTime: 0.1 + rnd() * 0.2, setupTime: 1 + rnd() * 2, setupCost: 100 + Math.round(rnd() * 200) },
    });
    for (const s of new Set([pick(subs), pick(subs)])) bom.push({ parent: id, child: s, qtyPer: 1 + Math.floor(rnd() * 2) });
    bom.push({ parent: id, child: pick(bought), qtyPer: 1 });
    for (let t = 1; t <= T; t++) if (rnd() < 0.6) demand.push({ item: id, period: t, qty: 10 + Math.round(rnd() * 30) });
  }

  // Size each machine from its average load (run time of end items and subassemblies, plus setups).
  const total = (id: string) => demand.filter((d) => d.item === id).reduce((s, d) => s + d.qty, 0);
  const need = new Map<string, number>(ends.map((e) => [e, total(e)]));
  for (const l of bom) if (subs.includes(l.child)) need.set(l.child, (need.get(l.child) ?? 0) + l.qtyPer * (need.get(l.parent) ?? 0));
  for (const l of bom) if (bought.includes(l.child)) need.set(l.child, (need.get(l.child) ?? 0) + l.qtyPer * (need.get(l.parent) ?? 0));
  // Opening stock covers about `cover` periods plus the lead time, as a running factory's would.
  const cover = shape.openingCover ?? 3;
  for (const i of items) {
    const lead = i.source.type === 'buy' ? i.source.leadTime : 0;
    i.initialStock = Math.round(((need.get(i.id) ?? 0) / T) * (cover + lead) * (0.8 + rnd() * 0.4));
  }
  const hours = new Map(resources.map((r) => [r, 0]));
  for (const i of items) {
    if (i.source.type !== 'make') continue;
    const h = (need.get(i.id) ?? 0) * i.source.unitTime + (i.source.setupTime * T) / 3;
    hours.set(i.source.resource, (hours.get(i.source.resource) ?? 0) + h);
  }
  const slack = shape.slack ?? 1.4;
  return {
    horizon: T,
    items,
    bom,
    resources: resources.map((id) => ({
      id,
      capacity: Math.max(8, Math.ceil(((hours.get(id) ?? 0) / T) * slack)),
      downtime: Array.from({ length: T }, (_, k) => k + 1).filter(() => rnd() < 0.1).map((period) => ({ period, hours: 4 })),
    })),
    demand,
    frozenPeriods: 0,
    released: [],
  };
}
