import type { ErpData, ErpItem } from '../erp/model.js';
import { meanOf } from '../../../sim/random/distributions.js';
import type { DemandLine, PlanItem, PlanningProblem } from './plan-model.js';

/**
 * An ERP export (`agents/supply/erp/model.ts`) as a production-planning
 * problem (`plan-model.ts`). The export knows items, bills of materials,
 * stock, suppliers and customer orders, but no routings: it has no
 * machines, run times, setup times or setup costs. Those are the documented
 * defaults below (one shared resource, the same times and costs for every
 * made item), which `options` may change.
 *
 * | export | planning problem |
 * | --- | --- |
 * | items of type `end` and `manufactured` | made (`make`) on one resource: the export's only `plant` location (else `plant`), `unitTime` h per unit, `setupTime` h and `setupCost` per lot, no lead time |
 * | items of type `purchased` | bought (`buy`) from the cheapest supplier (`supplierItems` price; ties: shorter lead time): its price, its mean lead time in whole periods (rounded up), its `minOrderQty` as the minimum lot, `orderCost` per purchase order |
 * | bom | the bill of materials, as is |
 * | stock | opening stock: on hand − reserved, summed over every location (warehouse, plant, depot) |
 * | orders | demand: each line in the period of its due time (due at the end of the period; due ≤ one period: period 1) |
 * | holdingRate × unitCost | holding cost per period (the rate is per year of 365 days) |
 * | units `pcs` | whole lots of made items (`integral: 'made'`); purchase quantities are continuous by default (HiGHS found plans within 1 % for the example in 1–4 s this way, and took 12 s with every quantity whole) |
 *
 * Calendar: period t covers [(t − 1)·p, t·p) seconds from the run's start,
 * p = `periodSeconds` (default one day); the export's due times count from
 * the run's start too. The horizon is the latest due period, at least
 * `minHorizon`, at most `maxHorizon` (later orders are planned in its last
 * period, with a note).
 *
 * Lateness: items customers order (type `end`, or named by an order line)
 * may be late at `backlogRate` × unit cost per unit and period (default 1:
 * a day late costs the item's value, more than the parts and setups that
 * would make it on time, so the plan is late only when it cannot help it;
 * lower rates let the plan prefer lateness to buying); other items
 * may not (a component can only be used when it is there). An item that
 * may be late and goes into other items is charged at least twice what
 * being late costs for any product it goes into, per unit it is used for,
 * so a plan never makes a product without its component and calls the
 * component late instead (`backlogCosts`, for every item, is what the
 * planner gives an item a later order names).
 *
 * The export has no open purchase or work orders: nothing is released.
 */

export interface ErpPlanningOptions {
  /** Seconds per period (default 86 400: one day). */
  periodSeconds?: number;
  /** Fewest periods planned (default 28). */
  minHorizon?: number;
  /** Most periods planned (default 180). */
  maxHorizon?: number;
  /** Periods frozen from "now" on: no new lot or purchase order may start in them (default 1: today's work is fixed). */
  frozenPeriods?: number;
  /** Hours of the production resource per period (default 16: two shifts). */
  capacity?: number;
  /** Hours per unit of a made item (default 0.5). */
  unitTime?: number;
  /** Hours lost to a setup whenever a made item is made in a period (default 1). */
  setupTime?: number;
  /** Cost of a setup (default 100). */
  setupCost?: number;
  /** Fixed cost of a purchase order (default 25). */
  orderCost?: number;
  /** Cost of one unit late for one period, as a fraction of its unit cost (default 1). */
  backlogRate?: number;
  /** Which items in `pcs` are planned in whole units (default `made`: lots of made items). */
  integral?: 'made' | 'all' | 'none';
}

export const ERP_PLANNING_DEFAULTS: Required<ErpPlanningOptions> = {
  periodSeconds: 86_400,
  minHorizon: 28,
  maxHorizon: 180,
  frozenPeriods: 1,
  capacity: 16,
  unitTime: 0.5,
  setupTime: 1,
  setupCost: 100,
  orderCost: 25,
  backlogRate: 1,
  integral: 'made',
};

export interface ErpPlanningProblem {
  problem: PlanningProblem;
  /** The options in force (defaults filled in). */
  options: Required<ErpPlanningOptions>;
  /** The resource every made item is made on. */
  resource: string;
  /** The supplier each bought item is bought from. */
  suppliers: Record<string, string>;
  /** Backlog cost per unit and period each item gets when customers order it. */
  backlogCosts: Record<string, number>;
  /** Free stock per `item@location` (on hand − reserved, at least 0), the opening stock's parts. */
  stock: Record<string, number>;
  /** What the mapping had to bend (orders beyond the horizon). */
  notes: string[];
}

/** The period a time (seconds from the run's start) falls in. */
export function periodAt(time: number, periodSeconds: number): number {
  return Math.max(1, Math.floor(Math.max(0, time) / periodSeconds) + 1);
}

/** The period by whose end something due at `due` must be there. */
export function duePeriod(due: number, periodSeconds: number): number {
  return Math.max(1, Math.ceil(due / periodSeconds - 1e-9));
}

const isMade = (i: ErpItem) => i.type !== 'purchased';

/** Maps the export; throws only for an export `checkErp` would refuse (unknown items, BOM cycles). */
export function planningProblemFromErp(erp: ErpData, options: ErpPlanningOptions = {}): ErpPlanningProblem {
  const o = { ...ERP_PLANNING_DEFAULTS, ...options };
  const p = o.periodSeconds;
  const plants = erp.locations.filter((l) => l.kind === 'plant');
  const resource = plants.length === 1 ? plants[0].id : 'plant';
  const notes: string[] = [];

  const stock: Record<string, number> = {};
  for (const s of erp.stock) stock[`${s.item}@${s.location}`] = Math.max(0, s.onHand - s.reserved);
  const opening = (id: string) => erp.stock.filter((s) => s.item === id).reduce((sum, s) => sum + stock[`${s.item}@${s.location}`], 0);

  const suppliers: Record<string, string> = {};
  const items: PlanItem[] = erp.items.map((i) => {
    const common = {
      id: i.id,
      holdingCost: (i.unitCost * i.holdingRate * p) / (365 * 86_400),
      initialStock: opening(i.id),
      ...(i.unit === 'pcs' && (o.integral === 'all' || (o.integral === 'made' && isMade(i))) ? { integral: true } : {}),
    };
    if (isMade(i)) {
      return { ...common, source: { type: 'make', resource, unitTime: o.unitTime, setupTime: o.setupTime, setupCost: o.setupCost } };
    }
    const offers = erp.supplierItems
      .filter((s) => s.item === i.id)
      .map((s) => ({ s, lead: Math.max(0, Math.ceil(meanOf(s.leadTime) / p - 1e-9)) }))
      .sort((a, b) => a.s.price - b.s.price || a.lead - b.lead || a.s.supplier.localeCompare(b.s.supplier));
    const best = offers[0];
    if (!best) throw new Error(`purchased item "${i.id}" has no supplier`);
    suppliers[i.id] = best.s.supplier;
    return {
      ...common,
      minLot: best.s.minOrderQty,
      source: { type: 'buy', leadTime: best.lead, unitCost: best.s.price, ...(o.orderCost > 0 ? { orderCost: o.orderCost } : {}) },
    };
  });

  const backlogCosts = lateCosts(erp, o.backlogRate);
  const ordered = new Set(erp.orders.map((l) => l.item));
  for (const item of items) {
    const erpItem = erp.items.find((i) => i.id === item.id) as ErpItem;
    if (erpItem.type === 'end' || ordered.has(item.id)) item.backlogCost = backlogCosts[item.id];
  }

  const latest = Math.max(0, ...erp.orders.map((l) => duePeriod(l.due, p)));
  const horizon = Math.min(o.maxHorizon, Math.max(o.minHorizon, latest));
  const demand: DemandLine[] = erp.orders.map((l) => {
    const period = duePeriod(l.due, p);
    if (period > horizon) notes.push(`order ${l.id} is due in period ${period}, beyond the horizon: planned for period ${horizon}`);
    return { item: l.item, period: Math.min(period, horizon), qty: l.qty };
  });

  return {
    problem: {
      horizon,
      items,
      bom: erp.bom.map((b) => ({ parent: b.parent, child: b.child, qtyPer: b.qtyPer })),
      resources: [{ id: resource, capacity: o.capacity }],
      demand,
      frozenPeriods: Math.min(horizon, o.frozenPeriods),
      released: [],
    },
    options: o,
    resource,
    suppliers,
    backlogCosts,
    stock,
    notes,
  };
}

/**
 * Backlog cost per unit and period of every item: `rate` × its unit cost,
 * raised to twice the cost of any parent per unit of the item it uses
 * (parents first, so the bound carries down the levels of the BOM).
 */
function lateCosts(erp: ErpData, rate: number): Record<string, number> {
  const cost: Record<string, number> = {};
  for (const i of erp.items) cost[i.id] = rate * i.unitCost;
  const parents = new Map<string, { parent: string; qtyPer: number }[]>();
  for (const b of erp.bom) parents.set(b.child, [...(parents.get(b.child) ?? []), { parent: b.parent, qtyPer: b.qtyPer }]);
  const done = new Set<string>();
  const visit = (id: string, path: Set<string>): number => {
    if (done.has(id)) return cost[id];
    if (path.has(id)) throw new Error(`bill of materials has a cycle through "${id}"`);
    path.add(id);
    for (const u of parents.get(id) ?? []) cost[id] = Math.max(cost[id], (2 * visit(u.parent, path)) / u.qtyPer);
    path.delete(id);
    done.add(id);
    return cost[id];
  };
  for (const i of erp.items) visit(i.id, new Set());
  for (const id of Object.keys(cost)) cost[id] = Math.round(cost[id] * 1e6) / 1e6;
  return cost;
}
