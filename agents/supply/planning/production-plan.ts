import type { PlanningProblem, ReleasedOrder } from './plan-model.js';
import {
  bName, frozenSetupCost, frozenSetupHours, iName, xName, yName, type PlanData,
} from './plan-data.js';

/**
 * The answer the planner gives back, in the ERP's terms (item and resource
 * ids, calendar periods), read from the solver's column values. Costs are
 * recomputed here from the plan itself, released orders included, so the
 * split always adds up to what the plan does, not to what the solver was
 * asked to minimise.
 */

export type PlanStatus = 'optimal' | 'time-limit' | 'infeasible' | 'no-solution' | 'invalid' | 'error';

export interface ItemPeriod {
  period: number;
  /** Independent (customer) demand. */
  demand: number;
  /** Used by parents started in this period (BOM explosion). */
  dependentDemand: number;
  /** Made items: quantity started (planned + released). Bought items: 0. */
  produce: number;
  /** Bought items: quantity ordered from the supplier (planned + released). Made items: 0. */
  purchase: number;
  /** Quantity becoming available (lots finishing, purchases arriving; stock adjustments, which may be negative). */
  receipt: number;
  /** Stock at the end of the period. */
  inventory: number;
  /** Demand not yet served at the end of the period. */
  backlog: number;
  setup: boolean;
}

export interface ItemPlan {
  item: string;
  kind: 'make' | 'buy';
  periods: ItemPeriod[];
}

/** A production lot or purchase order; `firm` ones were already released. */
export interface PlannedOrder extends ReleasedOrder {
  firm: boolean;
}

export interface ResourcePeriod {
  period: number;
  /** Hours used: run time plus setups. */
  load: number;
  setupHours: number;
  capacity: number;
  utilisation: number;
}

export interface ResourcePlan {
  resource: string;
  periods: ResourcePeriod[];
}

export interface CostSplit {
  setup: number;
  holding: number;
  backlog: number;
  purchase: number;
  total: number;
}

export interface Infeasibility {
  kind: 'demand' | 'component' | 'capacity';
  /** Item or resource id. */
  subject: string;
  periods: number[];
  /** Units short (demand, component) or hours over (capacity). */
  amount: number;
  message: string;
}

export interface ProductionPlan {
  status: PlanStatus;
  message: string;
  horizon: number;
  frozenPeriods: number;
  items: ItemPlan[];
  orders: PlannedOrder[];
  resources: ResourcePlan[];
  costs: CostSplit;
  /** Objective value HiGHS reported (costs of released orders in frozen periods excluded). */
  solverObjective?: number;
  /** Relative MIP gap at the end of the solve. */
  gap?: number;
  /** Proved lower bound on the solver objective. */
  bound?: number;
  solveSeconds?: number;
  size?: { columns: number; rows: number; binaries: number; integers: number };
  infeasibilities?: Infeasibility[];
}

const clean = (v: number) => (Math.abs(v) < 1e-6 ? 0 : Math.round(v * 1e6) / 1e6);

export function zeroCosts(): CostSplit {
  return { setup: 0, holding: 0, backlog: 0, purchase: 0, total: 0 };
}

/** A plan with no periods, for answers without a solution. */
export function emptyPlan(problem: PlanningProblem, status: PlanStatus, message: string): ProductionPlan {
  return {
    status, message, horizon: problem.horizon, frozenPeriods: problem.frozenPeriods,
    items: [], orders: [], resources: [], costs: zeroCosts(),
  };
}

/** Reads a plan from column values (a missing column is 0). */
export function readPlan(data: PlanData, values: Map<string, number>): ProductionPlan {
  const { T, items, problem } = data;
  const v = (name: string) => clean(values.get(name) ?? 0);
  const costs = zeroCosts();
  const start = items.map((_, k) => Array.from({ length: T + 1 }, (__, t) => (t === 0 ? 0 : v(xName(k, t)) + data.firmStart[k][t])));
  const setup = items.map((_, k) => Array.from({ length: T + 1 }, (__, t) => t >= 1 && (v(yName(k, t)) > 0.5 || (t <= data.F && data.firmStart[k][t] > 0 && data.hasSetup[k]))));

  const itemPlans: ItemPlan[] = items.map((item, k) => {
    const src = item.source;
    const periods: ItemPeriod[] = [];
    for (let t = 1; t <= T; t++) {
      const arrivalOf = t - data.lead[k];
      const receipt = (arrivalOf >= 1 ? v(xName(k, arrivalOf)) : 0) + data.firmReceipt[k][t];
      const dependentDemand = data.usedBy[k].reduce((s, u) => s + u.qtyPer * start[u.parent][t], 0);
      const inventory = v(iName(k, t));
      const backlog = v(bName(k, t));
      const fixedCost = src.type === 'make' ? src.setupCost : (src.orderCost ?? 0);
      costs.holding += item.holdingCost * inventory;
      costs.backlog += (item.backlogCost ?? 0) * backlog;
      if (src.type === 'buy') costs.purchase += src.unitCost * start[k][t];
      if (v(yName(k, t)) > 0.5) costs.setup += fixedCost;
      else costs.setup += frozenSetupCost(data, k, t);
      periods.push({
        period: t,
        demand: data.demand[k][t],
        dependentDemand: clean(dependentDemand),
        produce: src.type === 'make' ? clean(start[k][t]) : 0,
        purchase: src.type === 'buy' ? clean(start[k][t]) : 0,
        receipt: clean(receipt),
        inventory,
        backlog,
        setup: setup[k][t],
      });
    }
    return { item: item.id, kind: src.type, periods };
  });

  const orders: PlannedOrder[] = [];
  for (const o of problem.released) {
    if (o.due >= 1 || o.release >= 1) orders.push({ ...o, firm: true });
  }
  items.forEach((item, k) => {
    for (let t = 1; t <= T; t++) {
      const qty = v(xName(k, t));
      if (qty > 0) orders.push({ id: `${item.id}@${t}`, item: item.id, kind: item.source.type, qty, release: t, due: t + data.lead[k], firm: false });
    }
  });
  orders.sort((a, b) => a.release - b.release || a.item.localeCompare(b.item));

  const resourcePlans: ResourcePlan[] = data.resources.map((res, r) => {
    const periods: ResourcePeriod[] = [];
    for (let t = 1; t <= T; t++) {
      let load = 0;
      let setupHours = 0;
      items.forEach((item, k) => {
        const src = item.source;
        if (src.type !== 'make' || data.resourceOf[k] !== r) return;
        load += src.unitTime * start[k][t];
        setupHours += v(yName(k, t)) > 0.5 ? src.setupTime : frozenSetupHours(data, k, t);
      });
      const capacity = data.capacity[r][t];
      const total = clean(load + setupHours);
      periods.push({ period: t, load: total, setupHours: clean(setupHours), capacity, utilisation: capacity > 0 ? clean(total / capacity) : 0 });
    }
    return { resource: res.id, periods };
  });

  for (const key of ['setup', 'holding', 'backlog', 'purchase'] as const) costs[key] = clean(costs[key]);
  costs.total = clean(costs.setup + costs.holding + costs.backlog + costs.purchase);
  return {
    status: 'optimal', message: '', horizon: T, frozenPeriods: data.F,
    items: itemPlans, orders, resources: resourcePlans, costs,
  };
}
