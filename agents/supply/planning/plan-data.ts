import {
  demandMatrix, effectiveCapacity, leadTimeOf, levelOrder, perPeriod,
  type PlanItem, type PlanningProblem, type PlanResource,
} from './plan-model.js';

/**
 * Everything the model builder and the plan reader both derive from a
 * problem: indices, firm (released) quantities per period, which decision
 * variables exist, and the tightened big-M of each setup. Computing it once
 * keeps the two sides in agreement about names and constants.
 *
 * Variable names use item and resource positions, never ids, so any ERP id
 * is safe in the LP text: x_k_t (start / release), y_k_t (setup or order),
 * I_k_t (stock at end of t), B_k_t (backlog at end of t), o_r_t (overtime,
 * only non-zero in the diagnostic elastic model), u_k_t (emergency supply,
 * diagnostic only).
 */

export const xName = (k: number, t: number) => `x_${k}_${t}`;
export const yName = (k: number, t: number) => `y_${k}_${t}`;
export const iName = (k: number, t: number) => `I_${k}_${t}`;
export const bName = (k: number, t: number) => `B_${k}_${t}`;
export const oName = (r: number, t: number) => `o_${r}_${t}`;
export const uName = (k: number, t: number) => `u_${k}_${t}`;

export interface ParentUse {
  /** Index of the parent item. */
  parent: number;
  qtyPer: number;
}

export interface PlanData {
  problem: PlanningProblem;
  T: number;
  F: number;
  items: PlanItem[];
  itemIndex: Map<string, number>;
  resources: PlanResource[];
  resourceIndex: Map<string, number>;
  /** Resource position of each make item (−1 for bought items). */
  resourceOf: number[];
  lead: number[];
  /** Independent demand [k][t], t = 1..T. */
  demand: number[][];
  /** Which parents consume item k, and how much per unit. */
  usedBy: ParentUse[][];
  /** Released orders starting in t (1..T): capacity and components are used then. */
  firmStart: number[][];
  /** Released orders arriving in t (1..T), plus stock adjustments in t. */
  firmReceipt: number[][];
  /** Hours available [r][t] after downtime. */
  capacity: number[][];
  /** Item k has a yes/no setup (made, or bought with an order cost or minimum lot). */
  hasSetup: boolean[];
  /** Upper bound on x_k_t (0: no decision in that period). */
  bigM: number[][];
  backlogAllowed: boolean[];
}

function matrix(rows: number, T: number): number[][] {
  return Array.from({ length: rows }, () => new Array<number>(T + 1).fill(0));
}

/** Derives indices, firm quantities and big-M values from a validated problem. */
export function preparePlanData(problem: PlanningProblem): PlanData {
  const T = problem.horizon;
  const F = problem.frozenPeriods;
  const items = problem.items;
  const n = items.length;
  const itemIndex = new Map(items.map((i, k) => [i.id, k]));
  const resourceIndex = new Map(problem.resources.map((r, k) => [r.id, k]));
  const resourceOf = items.map((i) => (i.source.type === 'make' ? (resourceIndex.get(i.source.resource) ?? -1) : -1));
  const lead = items.map(leadTimeOf);
  const dm = demandMatrix(problem);
  const demand = items.map((i) => dm.get(i.id) as number[]);

  const usedBy: ParentUse[][] = items.map(() => []);
  for (const l of problem.bom) {
    usedBy[itemIndex.get(l.child) as number].push({ parent: itemIndex.get(l.parent) as number, qtyPer: l.qtyPer });
  }

  const firmStart = matrix(n, T);
  const firmReceipt = matrix(n, T);
  for (const o of problem.released) {
    const k = itemIndex.get(o.item) as number;
    if (o.release >= 1 && o.release <= T) firmStart[k][o.release] += o.qty;
    if (o.due >= 1 && o.due <= T) firmReceipt[k][o.due] += o.qty;
  }
  // Stock corrections enter the balance like receipts (negative ones take stock away).
  for (const a of problem.adjustments ?? []) firmReceipt[itemIndex.get(a.item) as number][a.period] += a.qty;

  const capacity = problem.resources.map((r) => {
    const row = new Array<number>(T + 1).fill(0);
    for (let t = 1; t <= T; t++) row[t] = effectiveCapacity(r, t);
    return row;
  });

  const hasSetup = items.map((i) => i.source.type === 'make' || (i.source.orderCost ?? 0) > 0 || (i.minLot ?? 0) > 0);
  const backlogAllowed = items.map((i) => i.backlogCost !== undefined);

  // Largest total quantity any optimal plan can need of each item: its own
  // demand plus what its parents can need, plus one spare lot if lots have a minimum.
  const maxTotal = new Array<number>(n).fill(0);
  for (const id of levelOrder(problem)) {
    const k = itemIndex.get(id) as number;
    const own = demand[k].reduce((s, d) => s + d, 0);
    const dependent = usedBy[k].reduce((s, u) => s + u.qtyPer * maxTotal[u.parent], 0);
    maxTotal[k] = own + dependent + (items[k].minLot ?? 0);
  }

  const bigM = matrix(n, T);
  for (let k = 0; k < n; k++) {
    const item = items[k];
    const minLot = item.minLot ?? 0;
    for (let t = F + 1; t <= T; t++) {
      if (t + lead[k] > T) continue; // would arrive after the horizon
      // Demand bound: an end item that cannot backlog only needs production for demand from its arrival on.
      let need = maxTotal[k];
      if (usedBy[k].length === 0 && !backlogAllowed[k]) {
        need = demand[k].slice(t + lead[k]).reduce((s, d) => s + d, 0);
      }
      need = Math.max(need, minLot);
      let cap = Infinity;
      const src = item.source;
      if (src.type === 'make') {
        const r = resourceOf[k];
        cap = src.unitTime > 0 ? Math.max(0, (capacity[r][t] - src.setupTime) / src.unitTime) : Infinity;
      } else if (src.capacity !== undefined) {
        cap = perPeriod(src.capacity, t);
      }
      const m = Math.min(cap, need);
      bigM[k][t] = m < minLot || m <= 1e-9 ? 0 : m;
    }
  }

  return {
    problem, T, F, items, itemIndex, resources: problem.resources, resourceIndex, resourceOf, lead,
    demand, usedBy, firmStart, firmReceipt, capacity, hasSetup, bigM, backlogAllowed,
  };
}

/** Setup hours a released order forces in a frozen period (where no setup variable exists). */
export function frozenSetupHours(data: PlanData, k: number, t: number): number {
  const src = data.items[k].source;
  return src.type === 'make' && t <= data.F && data.firmStart[k][t] > 0 ? src.setupTime : 0;
}

/** Fixed cost a released order forces in a frozen period. */
export function frozenSetupCost(data: PlanData, k: number, t: number): number {
  const src = data.items[k].source;
  if (t > data.F || data.firmStart[k][t] <= 0) return 0;
  return src.type === 'make' ? src.setupCost : (src.orderCost ?? 0);
}
