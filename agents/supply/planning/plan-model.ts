/**
 * The production-planning problem as plain data: what the ERP knows (items,
 * bills of materials, stock, suppliers, machines, demand, released orders)
 * over a calendar of periods 1..T. The lot-sizing model (`lot-sizing.ts`)
 * reads only this, so the same problem can be re-solved after an event has
 * changed it (`replan.ts`).
 *
 * Periods are 1-based calendar indices (days, shifts, weeks…); capacities are
 * in hours per period and processing times in hours per unit.
 */

/** An item made in-house on one resource. */
export interface MakeSource {
  type: 'make';
  resource: string;
  /** Hours of the resource per unit. */
  unitTime: number;
  /** Hours lost to changeover whenever the item is made in a period. */
  setupTime: number;
  /** Cost of one setup (a period in which the item is made). */
  setupCost: number;
  /** Periods from start to availability (default 0: made and usable in the same period). */
  leadTime?: number;
}

/** An item bought from a supplier. */
export interface BuySource {
  type: 'buy';
  /** Periods from release of the purchase order to its arrival. */
  leadTime: number;
  /** Price per unit. */
  unitCost: number;
  /** Fixed cost per purchase order (default 0; > 0 makes ordering a yes/no decision). */
  orderCost?: number;
  /** Most the supplier can accept per release period: one number for all, or per period (index t−1). */
  capacity?: number | number[];
}

export interface PlanItem {
  id: string;
  source: MakeSource | BuySource;
  /** Cost of holding one unit over one period (charged on end-of-period stock). */
  holdingCost: number;
  /**
   * Cost per unit and period of demand served late. Absent: this item's
   * demand must be met on time (components never backlog).
   */
  backlogCost?: number;
  initialStock: number;
  /** Smallest quantity per lot or purchase order (a lot is made or ordered only if ≥ this). */
  minLot?: number;
  /** Quantities must be whole units (a `General` variable). Default: continuous. */
  integral?: boolean;
}

/** One line of a bill of materials: making one `parent` uses `qtyPer` of `child`. */
export interface BomLine {
  parent: string;
  child: string;
  qtyPer: number;
}

export interface PlanResource {
  id: string;
  /** Hours available per period: one number for all, or per period (index t−1). */
  capacity: number | number[];
  /** Planned maintenance and breakdowns: hours lost in a period (capped at the capacity). */
  downtime?: { period: number; hours: number }[];
}

export interface DemandLine {
  item: string;
  period: number;
  qty: number;
}

/**
 * An order already released to the shop floor or a supplier: the plan must
 * honour it. It starts (uses capacity and components) in `release` and its
 * quantity becomes available in `due`. A release ≤ 0 means it is already
 * under way (in transit or in process) and only its arrival matters.
 */
export interface ReleasedOrder {
  id: string;
  item: string;
  kind: 'make' | 'buy';
  qty: number;
  release: number;
  due: number;
}

/**
 * A correction of an item's stock at the start of a period (a count that
 * differs from what the plan expected, a write-off, a find): `qty` units are
 * added (negative: removed) there, like a receipt. Stock counts become these
 * in a re-plan (`replan.ts`, event `stock-count`).
 */
export interface StockAdjustment {
  item: string;
  period: number;
  qty: number;
}

export interface PlanningProblem {
  /** Number of periods T. */
  horizon: number;
  items: PlanItem[];
  bom: BomLine[];
  resources: PlanResource[];
  demand: DemandLine[];
  /** Periods 1..F are frozen: no new orders may start in them, only released ones. */
  frozenPeriods: number;
  released: ReleasedOrder[];
  /** Stock corrections after the opening stock (default none). */
  adjustments?: StockAdjustment[];
}

/** Value of a scalar-or-per-period figure in period t (1-based); missing periods repeat the last value. */
export function perPeriod(value: number | number[], t: number): number {
  if (typeof value === 'number') return value;
  if (value.length === 0) return 0;
  return value[Math.min(t, value.length) - 1];
}

/** Hours of `resource` usable in period t after downtime. */
export function effectiveCapacity(resource: PlanResource, t: number): number {
  const base = perPeriod(resource.capacity, t);
  const lost = (resource.downtime ?? []).filter((d) => d.period === t).reduce((s, d) => s + d.hours, 0);
  return Math.max(0, base - lost);
}

export function leadTimeOf(item: PlanItem): number {
  return item.source.type === 'buy' ? item.source.leadTime : (item.source.leadTime ?? 0);
}

/** Independent demand of each item per period, index [item][t] with t = 1..T (index 0 unused). */
export function demandMatrix(problem: PlanningProblem): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const item of problem.items) out.set(item.id, new Array<number>(problem.horizon + 1).fill(0));
  for (const d of problem.demand) {
    const row = out.get(d.item);
    if (row && d.period >= 1 && d.period <= problem.horizon) row[d.period] += d.qty;
  }
  return out;
}

/**
 * Items ordered parents before children (a topological order of the BOM), so
 * requirements can be exploded level by level. Throws on a cycle, which no
 * real bill of materials has.
 */
export function levelOrder(problem: PlanningProblem): string[] {
  const children = new Map<string, string[]>();
  const indegree = new Map<string, number>();
  for (const i of problem.items) {
    children.set(i.id, []);
    indegree.set(i.id, 0);
  }
  for (const l of problem.bom) {
    children.get(l.parent)?.push(l.child);
    indegree.set(l.child, (indegree.get(l.child) ?? 0) + 1);
  }
  const queue = problem.items.filter((i) => indegree.get(i.id) === 0).map((i) => i.id);
  const order: string[] = [];
  while (queue.length > 0) {
    const id = queue.shift() as string;
    order.push(id);
    for (const c of children.get(id) ?? []) {
      const n = (indegree.get(c) ?? 0) - 1;
      indegree.set(c, n);
      if (n === 0) queue.push(c);
    }
  }
  if (order.length !== problem.items.length) throw new Error('bill of materials has a cycle');
  return order;
}

/**
 * Checks the references and numbers a model builder relies on and returns
 * every problem found (empty: valid), so a bad ERP extract is refused with
 * its reasons rather than producing a strange plan.
 */
export function validateProblem(problem: PlanningProblem): string[] {
  const errors: string[] = [];
  const items = new Set(problem.items.map((i) => i.id));
  const resources = new Set(problem.resources.map((r) => r.id));
  if (!Number.isInteger(problem.horizon) || problem.horizon < 1) errors.push(`horizon must be a positive integer, got ${problem.horizon}`);
  if (problem.frozenPeriods < 0 || problem.frozenPeriods > problem.horizon) errors.push(`frozenPeriods ${problem.frozenPeriods} outside 0..${problem.horizon}`);
  if (items.size !== problem.items.length) errors.push('duplicate item ids');
  for (const i of problem.items) {
    if (i.source.type === 'make' && !resources.has(i.source.resource)) errors.push(`item ${i.id}: unknown resource ${i.source.resource}`);
    if (i.holdingCost < 0 || (i.backlogCost ?? 0) < 0) errors.push(`item ${i.id}: negative cost`);
    if (i.initialStock < 0) errors.push(`item ${i.id}: negative initial stock`);
    if (leadTimeOf(i) < 0 || !Number.isInteger(leadTimeOf(i))) errors.push(`item ${i.id}: lead time must be a whole number of periods`);
  }
  for (const l of problem.bom) {
    if (!items.has(l.parent) || !items.has(l.child)) errors.push(`BOM line ${l.parent} → ${l.child}: unknown item`);
    if (l.qtyPer <= 0) errors.push(`BOM line ${l.parent} → ${l.child}: qtyPer must be positive`);
  }
  for (const d of problem.demand) {
    if (!items.has(d.item)) errors.push(`demand for unknown item ${d.item}`);
    if (d.period < 1 || d.period > problem.horizon) errors.push(`demand for ${d.item} in period ${d.period} outside 1..${problem.horizon}`);
  }
  for (const o of problem.released) {
    const item = problem.items.find((i) => i.id === o.item);
    if (!item) errors.push(`released order ${o.id}: unknown item ${o.item}`);
    else if (item.source.type !== o.kind) errors.push(`released order ${o.id}: item ${o.item} is a ${item.source.type} item`);
    if (o.due < o.release) errors.push(`released order ${o.id}: due before release`);
  }
  for (const a of problem.adjustments ?? []) {
    if (!items.has(a.item)) errors.push(`stock adjustment of unknown item ${a.item}`);
    if (!Number.isInteger(a.period) || a.period < 1 || a.period > problem.horizon) errors.push(`stock adjustment of ${a.item} in period ${a.period} outside 1..${problem.horizon}`);
    if (!Number.isFinite(a.qty)) errors.push(`stock adjustment of ${a.item}: quantity ${a.qty} is not a number`);
  }
  if (errors.length === 0) {
    try {
      levelOrder(problem);
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  return errors;
}
