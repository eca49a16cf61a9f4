import {
  cdf,
  expectedShortage,
  isDiscrete,
  leadTimeDemand,
  pmfUpTo,
  quantile,
  type DemandDistribution,
  type LeadTime,
  type LeadTimeDemandOptions,
  type PeriodDemand,
} from './lead-time-demand.js';
import { normalCdf } from './special-functions.js';

/**
 * Inventory policies computed from a demand forecast, a lead time and a
 * service target, in integer units, with backorders (a part that is not in
 * stock is owed: the stock book's backorders).
 *
 * Timing (periodic review, R ≥ 1 periods; the simulation in simulate.ts uses
 * the same): at the end of a review period the inventory position
 * (on hand − backorders + on order) is raised to y; the order arrives L
 * periods later, at the start of a period. The units ordered then have to
 * cover demand over the protection interval L + R, so with X_T the demand
 * over T periods, per review cycle:
 *   backorders at the cycle's end  = (X_{L+R} − y)⁺,
 *   new shortage in the cycle       = (X_{L+R} − y)⁺ − (X_L − y)⁺.
 * - base stock (order-up-to S every review): y = S.
 * - (s, Q): when the position is ≤ s order the multiple of Q that lifts it
 *   above s; the position after ordering is then uniform on s+1..s+Q.
 * - (s, S): when the position is ≤ s order up to S; the position after a
 *   review follows the renewal distribution of per-review demand (it is
 *   not uniform: the undershoot below s is accounted for).
 * Continuous review (R = 0) is offered for (s, Q) with the Hadley–Whitin
 * formulas. Targets:
 * - cycle service level α = P(no backorder at the end of a cycle). For
 *   base stock that is exact; for (s, Q) and (s, S) it is the textbook
 *   P(X_{L+R} ≤ s) per replenishment cycle, which ignores undershoot.
 * - fill rate β = fraction of demand served from stock, computed exactly
 *   (given the demand model) from the formula above; the smallest
 *   s or S meeting it is found by bisection.
 */

export interface PolicyInput {
  demand: PeriodDemand;
  leadTime: LeadTime;
  /** Review period in periods. Default 1 (reviewed every period); 0 = continuous review, (s, Q) only. */
  reviewPeriod?: number;
  distribution?: Omit<LeadTimeDemandOptions, 'reviewPeriod'>;
}

/** Service targets in [0, 1); values at or above 1 − 1e-9 are treated as 1 − 1e-9 (100 % needs infinite stock). */
export type ServiceTarget = { cycleService: number } | { fillRate: number };

const MAX_TARGET = 1 - 1e-9;

function checkTarget(target: ServiceTarget): ServiceTarget {
  const v = 'cycleService' in target ? target.cycleService : target.fillRate;
  if (!Number.isFinite(v) || v < 0) throw new RangeError(`service target must be a number in [0, 1), got ${v}`);
  const c = Math.min(v, MAX_TARGET);
  return 'cycleService' in target ? { cycleService: c } : { fillRate: c };
}

export interface PolicyMetrics {
  /** Fraction of demand served from stock. */
  fillRate: number;
  /** P(no stockout per cycle): exact for base stock, textbook P(X_{L+R} ≤ s) for (s, Q)/(s, S). */
  cycleServiceLevel: number;
  /** Fraction of review periods that end without backorders (= cycleServiceLevel for base stock). */
  readyRate: number;
  /** Time-average on hand at the end of periods. */
  expectedOnHand: number;
  /** Time-average backorders at the end of periods. */
  expectedBackorders: number;
}

export interface InventoryPolicy extends PolicyMetrics {
  kind: 'base-stock' | 'sQ' | 'sS';
  /** s: order when the inventory position is at or below it (base stock: S − 1). */
  reorderPoint: number;
  /** S: the position after ordering (base stock, (s, S)); s + Q for (s, Q). */
  orderUpTo: number;
  /** Q for (s, Q), S − s for (s, S), 1 for base stock. */
  orderQuantity: number;
  /** s (or S for base stock) minus the mean demand over the protection interval. */
  safetyStock: number;
  /** Demand over lead time + review period. */
  protectionDemand: DemandDistribution;
}

/** Economic order quantity √(2Kμ/h): K per order, h per unit and period, μ per period. */
export function eoq(ratePerPeriod: number, orderingCost: number, holdingCost: number): number {
  if (ratePerPeriod <= 0 || orderingCost <= 0) return 1;
  return Math.sqrt((2 * orderingCost * ratePerPeriod) / holdingCost);
}

/** Textbook reorder point for a cycle service level: the smallest integer s with P(X ≤ s) ≥ α. */
export function reorderPointForCycleService(x: DemandDistribution, alpha: number): number {
  return quantile(x, alpha);
}

/**
 * Textbook (Silver–Pyke–Thomas) reorder point for a fill rate with order
 * quantity Q: the smallest integer s with E[(X − s)⁺] ≤ (1 − β)Q (expected
 * shortage per replenishment cycle against demand per cycle).
 */
export function reorderPointForFillRate(x: DemandDistribution, beta: number, orderQuantity: number): number {
  const allowed = (1 - beta) * orderQuantity;
  return smallestInteger(0, Math.ceil(x.mean + 40 * Math.sqrt(x.variance) + 10), (s) => expectedShortage(x, s) <= allowed);
}

/**
 * Smallest integer ≥ lo where a monotone predicate holds, searching up from
 * hi by doubling if needed (at most 8 doublings: hi is already far in the tail).
 */
function smallestInteger(lo: number, hi: number, ok: (n: number) => boolean): number {
  if (ok(lo)) return lo;
  let a = lo;
  let b = hi;
  for (let i = 0; !ok(b); i++) {
    if (i === 8) return b;
    a = b;
    b = b * 2 + 1;
  }
  while (b - a > 1) {
    const m = Math.floor((a + b) / 2);
    if (ok(m)) b = m;
    else a = m;
  }
  return b;
}

interface Tabulated {
  /** E[(X − y)⁺]. */
  loss: (y: number) => number;
  /** P(X ≤ y). */
  cdf: (y: number) => number;
}

/**
 * Loss function and CDF for many y: tables up to `hi` for discrete X
 * (L(y+1) = L(y) − P(X > y)), direct formulas otherwise or beyond the table.
 */
function tabulate(x: DemandDistribution, hi: number): Tabulated {
  if (!isDiscrete(x)) return { loss: (y) => expectedShortage(x, y), cdf: (y) => cdf(x, y) };
  const top = Math.max(0, Math.ceil(hi));
  const pmf = pmfUpTo(x, top);
  const loss = new Float64Array(top + 1);
  const F = new Float64Array(top + 1);
  loss[0] = x.mean;
  let acc = 0;
  for (let y = 0; y <= top; y++) {
    acc += pmf[y];
    F[y] = Math.min(1, acc);
    if (y < top) loss[y + 1] = Math.max(0, loss[y] - (1 - F[y]));
  }
  const inTable = (y: number): boolean => y >= 0 && y <= top && Number.isInteger(y);
  return {
    loss: (y) => (y <= 0 ? x.mean - y : inTable(y) ? loss[y] : expectedShortage(x, y)),
    cdf: (y) => (y < 0 ? 0 : inTable(y) ? F[y] : cdf(x, y)),
  };
}

/** Distribution of the inventory position after a review: [position, probability] pairs. */
type PositionLaw = Array<[number, number]>;

/**
 * Stationary position after review for (s, S), as weights of S − j for
 * j = 0..gap−1: P(Y = S − j) ∝ u(j), u(j) the expected number of reviews a
 * cycle started at S spends at S − j (renewal equation of the per-review
 * demand, zero demand included). It depends on S − s only, so it is
 * computed once per policy. Continuous per-review demand is rounded to
 * integers first.
 */
function sSWeights(demand: PeriodDemand, review: number, gap: number): number[] {
  const mu = demand.ratePerPeriod * review;
  const v = demand.variancePerPeriod * review;
  let p: number[];
  if (mu <= 50) {
    const d: DemandDistribution =
      v <= mu * (1 + 1e-9) ? { kind: 'poisson', mean: mu, variance: mu } : { kind: 'negbin', mean: mu, variance: v, r: (mu * mu) / (v - mu), p: mu / v };
    p = pmfUpTo(d, gap);
  } else {
    const sd = Math.sqrt(v);
    p = [];
    for (let k = 0; k <= gap; k++) p.push(normalCdf((k + 0.5 - mu) / sd) - (k === 0 ? 0 : normalCdf((k - 0.5 - mu) / sd)));
  }
  const p0 = p[0];
  if (p0 >= 1 - 1e-12) return [1, ...new Array<number>(gap - 1).fill(0)];
  const u = new Array<number>(gap).fill(0);
  let total = 0;
  for (let j = 0; j < gap; j++) {
    let acc = j === 0 ? 1 : 0;
    for (let k = 1; k <= j; k++) acc += p[k] * u[j - k];
    u[j] = acc / (1 - p0);
    total += u[j];
  }
  return u.map((w) => w / total);
}

function uniformPositions(s: number, q: number): PositionLaw {
  const out: PositionLaw = [];
  for (let y = s + 1; y <= s + q; y++) out.push([y, 1 / q]);
  return out;
}

/**
 * The demand distributions a policy is evaluated with, built once (a
 * sampled lead time makes them Monte Carlo mixtures: rebuilding them per
 * candidate s would cost time and consume the caller's random stream).
 */
interface Prepared {
  input: PolicyInput;
  review: number;
  /** Demand over the lead time, and over lead time + j periods for j = 1..R. */
  xL: DemandDistribution;
  xLj: DemandDistribution[];
  tL: Tabulated;
  tLj: Tabulated[];
  /** Upper end of the search for s or S. */
  searchHi: number;
}

function prepare(input: PolicyInput, q: number): Prepared {
  const review = input.reviewPeriod ?? 1;
  const opts = input.distribution ?? {};
  let leadTime = input.leadTime;
  if (leadTime.sample) {
    // Draw the lead times once and replay them, so that X_L and X_{L+j} are
    // mixtures over the same lead times (their difference is the shortage).
    const n = opts.samples ?? 2000;
    const draws = Array.from({ length: n }, leadTime.sample);
    let i = 0;
    leadTime = { ...leadTime, sample: () => draws[i++ % n] };
  }
  const xL = leadTimeDemand(input.demand, leadTime, { ...opts, reviewPeriod: 0 });
  const xLj: DemandDistribution[] = [];
  for (let j = 1; j <= review; j++) xLj.push(leadTimeDemand(input.demand, leadTime, { ...opts, reviewPeriod: j }));
  const x = xLj[review - 1] ?? xL;
  const searchHi = Math.ceil(x.mean + 40 * Math.sqrt(x.variance) + q + 10);
  const top = searchHi + q + 1;
  return { input, review, xL, xLj, tL: tabulate(xL, top), tLj: xLj.map((d) => tabulate(d, top)), searchHi };
}

/** Service and stock of a policy whose position after review follows `positions`. */
function evaluate(prep: Prepared, positions: PositionLaw, csl: number): PolicyMetrics {
  const { review: R, xL, xLj, tL, tLj } = prep;
  const lossL = tL.loss;
  const mu = prep.input.demand.ratePerPeriod;
  if (mu <= 0) return { fillRate: 1, cycleServiceLevel: 1, readyRate: 1, expectedOnHand: positions.reduce((a, [y, w]) => a + w * y, 0), expectedBackorders: 0 };
  let fillRate: number;
  let readyRate = 0;
  let onHand = 0;
  let backorders = 0;
  if (R === 0) {
    // Continuous review: net inventory = position − X_L, position uniform (Hadley–Whitin).
    for (const [y, w] of positions) {
      const b = lossL(y);
      backorders += w * b;
      onHand += w * (y - xL.mean + b);
      readyRate += w * tL.cdf(y);
    }
    const first = positions[0][0] - 1;
    const q = positions.length;
    fillRate = 1 - (lossL(first) - lossL(first + q)) / q;
  } else {
    const lossLR = tLj[R - 1].loss;
    let shortage = 0;
    for (const [y, w] of positions) shortage += w * (lossLR(y) - lossL(y));
    fillRate = 1 - shortage / (mu * R);
    for (let j = 0; j < R; j++) {
      for (const [y, w] of positions) {
        const b = tLj[j].loss(y);
        backorders += (w * b) / R;
        onHand += (w * (y - xLj[j].mean + b)) / R;
      }
    }
    for (const [y, w] of positions) readyRate += w * tLj[R - 1].cdf(y);
  }
  return { fillRate: Math.min(1, Math.max(0, fillRate)), cycleServiceLevel: csl, readyRate, expectedOnHand: onHand, expectedBackorders: backorders };
}

function protection(prep: Prepared): { x: DemandDistribution; t: Tabulated } {
  return prep.review === 0 ? { x: prep.xL, t: prep.tL } : { x: prep.xLj[prep.review - 1], t: prep.tLj[prep.review - 1] };
}

/** Periodic-review base stock: order up to S every review. */
export function baseStockPolicy(input: PolicyInput, serviceTarget: ServiceTarget): InventoryPolicy {
  const target = checkTarget(serviceTarget);
  if ((input.reviewPeriod ?? 1) < 1) throw new Error('baseStockPolicy: reviewPeriod must be ≥ 1 (use sQPolicy with Q = 1 for continuous review)');
  const prep = prepare(input, 0);
  const { x, t } = protection(prep);
  const metrics = (S: number): PolicyMetrics => evaluate(prep, [[S, 1]], t.cdf(S));
  const S = 'cycleService' in target ? quantile(x, target.cycleService) : smallestInteger(0, prep.searchHi, (n) => metrics(n).fillRate >= target.fillRate);
  return { kind: 'base-stock', reorderPoint: S - 1, orderUpTo: S, orderQuantity: 1, safetyStock: S - x.mean, protectionDemand: x, ...metrics(S) };
}

/** (s, Q): when the position is at or below s, order enough multiples of Q to lift it above s. */
export function sQPolicy(input: PolicyInput, serviceTarget: ServiceTarget, orderQuantity: number): InventoryPolicy {
  const target = checkTarget(serviceTarget);
  const q = Math.max(1, Math.round(orderQuantity));
  const prep = prepare(input, q);
  const { x, t } = protection(prep);
  const metrics = (s: number): PolicyMetrics => evaluate(prep, uniformPositions(s, q), t.cdf(s));
  const s = 'cycleService' in target ? quantile(x, target.cycleService) : smallestInteger(0, prep.searchHi, (n) => metrics(n).fillRate >= target.fillRate);
  return { kind: 'sQ', reorderPoint: s, orderUpTo: s + q, orderQuantity: q, safetyStock: s - x.mean, protectionDemand: x, ...metrics(s) };
}

export interface OrderingCosts {
  /** Fixed cost K per order. */
  orderingCost: number;
  /** Holding cost h per unit and period. */
  holdingCost: number;
  /**
   * Smallest S − s. For lumpy demand the EOQ from a tiny mean rate can be
   * smaller than one demand, and no reorder point then reaches a fill rate
   * short of absurd: order at least a typical demand.
   */
  minOrderQuantity?: number;
}

/** (s, S) with S − s = EOQ (rounded, ≥ 1 and ≥ minOrderQuantity), s for the target. Periodic review only. */
export function sSPolicy(input: PolicyInput, serviceTarget: ServiceTarget, costs: OrderingCosts): InventoryPolicy {
  const target = checkTarget(serviceTarget);
  const R = input.reviewPeriod ?? 1;
  if (R < 1) throw new Error('sSPolicy: reviewPeriod must be ≥ 1 (with continuous review (s, S) is (s, Q))');
  const q = Math.max(1, Math.round(costs.minOrderQuantity ?? 1), Math.round(eoq(input.demand.ratePerPeriod, costs.orderingCost, costs.holdingCost)));
  const prep = prepare(input, q);
  const { x, t } = protection(prep);
  const weights = sSWeights(input.demand, R, q);
  const positions = (s: number): PositionLaw => weights.map((w, j) => [s + q - j, w]);
  const metrics = (s: number): PolicyMetrics => evaluate(prep, positions(s), t.cdf(s));
  const s = 'cycleService' in target ? quantile(x, target.cycleService) : smallestInteger(0, prep.searchHi, (n) => metrics(n).fillRate >= target.fillRate);
  return { kind: 'sS', reorderPoint: s, orderUpTo: s + q, orderQuantity: q, safetyStock: s - x.mean, protectionDemand: x, ...metrics(s) };
}

/** Parameters of a policy already in use (e.g. the coordinator's current ItemPolicy). */
export type PolicyParameters =
  | { kind: 'base-stock'; orderUpTo: number }
  | { kind: 'sQ'; reorderPoint: number; orderQuantity: number }
  | { kind: 'sS'; reorderPoint: number; orderUpTo: number };

/** Expected service and stock of given policy parameters under the current forecast. */
export function evaluatePolicy(input: PolicyInput, policy: PolicyParameters): PolicyMetrics {
  const R = input.reviewPeriod ?? 1;
  if (policy.kind === 'base-stock') {
    const prep = prepare(input, 0);
    return evaluate(prep, [[policy.orderUpTo, 1]], protection(prep).t.cdf(policy.orderUpTo));
  }
  if (policy.kind === 'sQ') {
    const q = Math.max(1, Math.round(policy.orderQuantity));
    const prep = prepare(input, q);
    return evaluate(prep, uniformPositions(policy.reorderPoint, q), protection(prep).t.cdf(policy.reorderPoint));
  }
  const q = Math.max(1, policy.orderUpTo - policy.reorderPoint);
  const prep = prepare(input, q);
  const positions: PositionLaw = sSWeights(input.demand, R, q).map((w, j) => [policy.reorderPoint + q - j, w]);
  return evaluate(prep, positions, protection(prep).t.cdf(policy.reorderPoint));
}
