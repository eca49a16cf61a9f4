import { pmfUpTo, type DemandDistribution, type PeriodDemand } from './lead-time-demand.js';

/**
 * A small discrete-time inventory simulation with backorders, used to check
 * the policy formulas (and usable to compare policies on a recorded demand
 * stream). It follows the timing of policies.ts: arrivals at the start of a
 * period, then demand, then — at the end of each review period — a review
 * that orders on the inventory position; an order placed at the end of
 * period t with lead time L arrives at the start of period t + 1 + L.
 * Randomness comes only from the samplers passed in (seeded by the caller).
 */

export type SimulatedPolicy =
  | { kind: 'base-stock'; orderUpTo: number }
  | { kind: 'sQ'; reorderPoint: number; orderQuantity: number }
  | { kind: 'sS'; reorderPoint: number; orderUpTo: number };

export interface SimulationOptions {
  periods: number;
  /** Periods simulated before statistics start. Default 1000. */
  warmup?: number;
  /** Default 1. */
  reviewPeriod?: number;
  /** Demand of one period (a non-negative integer). */
  demand: () => number;
  /** Lead time of one order, in periods (rounded to an integer ≥ 0). */
  leadTime: () => number;
}

export interface SimulationResult {
  fillRate: number;
  /**
   * Fraction of reviews whose protection interval (the L + R periods the
   * review's order has to cover) ends without backorders: the base-stock
   * cycle service level, policies.ts's readyRate.
   */
  readyRate: number;
  /** Fraction of intervals between order arrivals without a new shortage. */
  replenishmentCycleService: number;
  averageOnHand: number;
  averageBackorders: number;
  orders: number;
}

export function simulatePolicy(policy: SimulatedPolicy, options: SimulationOptions): SimulationResult {
  const R = Math.max(1, options.reviewPeriod ?? 1);
  const warmup = options.warmup ?? 1000;
  const end = warmup + options.periods;
  let net = policy.kind === 'sQ' ? policy.reorderPoint + policy.orderQuantity : policy.orderUpTo;
  let onOrder = 0;
  const due = new Map<number, number>();
  /** Periods at whose end a review's protection interval closes (count per period). */
  const checks = new Map<number, number>();
  let demanded = 0;
  let served = 0;
  let reviews = 0;
  let readyReviews = 0;
  let cycles = 0;
  let cleanCycles = 0;
  let shortSinceArrival = false;
  let onHandSum = 0;
  let backorderSum = 0;
  let orders = 0;
  for (let t = 0; t < end; t++) {
    const measuring = t >= warmup;
    const arriving = due.get(t);
    if (arriving !== undefined) {
      due.delete(t);
      net += arriving;
      onOrder -= arriving;
      if (measuring) {
        cycles++;
        if (!shortSinceArrival) cleanCycles++;
      }
      shortSinceArrival = false;
    }
    const d = options.demand();
    const fromStock = Math.min(d, Math.max(0, net));
    net -= d;
    if (fromStock < d) shortSinceArrival = true;
    if (measuring) {
      demanded += d;
      served += fromStock;
      onHandSum += Math.max(0, net);
      backorderSum += Math.max(0, -net);
    }
    const closing = checks.get(t);
    if (closing !== undefined) {
      checks.delete(t);
      if (measuring) {
        reviews += closing;
        if (net >= 0) readyReviews += closing;
      }
    }
    if ((t + 1) % R !== 0) continue;
    // One lead-time draw per review (used if an order is placed) keeps the streams aligned across policies.
    const lead = Math.max(0, Math.round(options.leadTime()));
    checks.set(t + lead + R, (checks.get(t + lead + R) ?? 0) + 1);
    const position = net + onOrder;
    let qty = 0;
    if (policy.kind === 'base-stock') qty = Math.max(0, policy.orderUpTo - position);
    else if (policy.kind === 'sS') qty = position <= policy.reorderPoint ? policy.orderUpTo - position : 0;
    else if (position <= policy.reorderPoint) qty = (Math.floor((policy.reorderPoint - position) / policy.orderQuantity) + 1) * policy.orderQuantity;
    if (qty > 0) {
      const at = t + 1 + lead;
      due.set(at, (due.get(at) ?? 0) + qty);
      onOrder += qty;
      if (measuring) orders++;
    }
  }
  const n = options.periods;
  return {
    fillRate: demanded > 0 ? served / demanded : 1,
    readyRate: reviews > 0 ? readyReviews / reviews : 1,
    replenishmentCycleService: cycles > 0 ? cleanCycles / cycles : 1,
    averageOnHand: onHandSum / n,
    averageBackorders: backorderSum / n,
    orders,
  };
}

/**
 * A sampler of integer per-period demand with the given moments, by
 * inversion (one uniform per draw): Poisson if σ² ≤ μ, negative binomial
 * otherwise. Meant for tests and what-if runs of slow and medium movers.
 */
export function demandSampler(demand: PeriodDemand, uniform: () => number): () => number {
  const mu = demand.ratePerPeriod;
  const v = demand.variancePerPeriod;
  const d: DemandDistribution =
    v <= mu * (1 + 1e-9) ? { kind: 'poisson', mean: mu, variance: mu } : { kind: 'negbin', mean: mu, variance: v, r: (mu * mu) / (v - mu), p: mu / v };
  const top = Math.ceil(mu + 30 * Math.sqrt(Math.max(v, mu)) + 20);
  const pmf = pmfUpTo(d, top);
  const cum = new Float64Array(top + 1);
  let acc = 0;
  for (let k = 0; k <= top; k++) {
    acc += pmf[k];
    cum[k] = acc;
  }
  return () => {
    const u = uniform() * acc;
    let lo = 0;
    let hi = top;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (cum[m] >= u) hi = m;
      else lo = m + 1;
    }
    return lo;
  };
}
