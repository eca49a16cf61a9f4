import { sampler, type Distribution } from '../../../sim/random/distributions.js';
import type { RandomStream } from '../../../sim/random/stream.js';
import { gammaP, logGamma, normalCdf, normalLoss } from './special-functions.js';

/**
 * Demand over the protection interval — the lead time L plus the review
 * period R — from the per-period forecast (rate μ, variance σ²) and the
 * lead-time distribution (mean and variance in periods):
 *
 *   E[X] = μ·(E[L] + R),   Var[X] = (E[L] + R)·σ² + μ²·Var[L].
 *
 * Which distribution carries these moments (the choice matters in the tail,
 * which is where the reorder point lives):
 * - few units over the interval (mean ≤ 50 by default): discrete. Poisson if
 *   the per-period demand is not overdispersed (σ² ≤ μ), otherwise negative
 *   binomial (a Poisson–gamma mixture, the standard model for spare parts:
 *   Poisson arrivals of varying size/rate). If a lead-time sampler is given
 *   and the lead time varies, the exact mixture over sampled lead times is
 *   built instead (Poisson/NB per sampled L, averaged): it keeps the shape a
 *   long-tailed lead time gives, which two moments lose.
 * - many units: normal while the coefficient of variation is ≤ 0.5, gamma
 *   above (a normal with CV > 0.5 puts visible mass below zero and
 *   understates the right tail).
 * Demand is backordered and periods are independent; the forecast error
 * of smoothing methods is autocorrelated over several periods, which this
 * ignores (as Silver–Pyke–Thomas do): for trending items the variance is low.
 */

export interface PeriodDemand {
  ratePerPeriod: number;
  variancePerPeriod: number;
}

/** A lead time in periods: its moments, and optionally a (seeded) sampler for the exact discrete mixture. */
export interface LeadTime {
  mean: number;
  variance: number;
  sample?: () => number;
}

export type DemandDistribution =
  | { kind: 'normal'; mean: number; variance: number }
  | { kind: 'gamma'; mean: number; variance: number; shape: number; scale: number }
  | { kind: 'poisson'; mean: number; variance: number }
  /** Failures before the r-th success, success probability p: mean r(1−p)/p. */
  | { kind: 'negbin'; mean: number; variance: number; r: number; p: number }
  | { kind: 'empirical'; mean: number; variance: number; pmf: number[] };

export interface LeadTimeDemandOptions {
  /** Review period R in periods (0: continuous review). Default 0. */
  reviewPeriod?: number;
  /** Force a family; 'auto' chooses as described above. */
  family?: 'auto' | 'normal' | 'gamma' | 'discrete';
  /** Largest mean lead-time demand modelled as discrete. Default 50. */
  discreteBelow?: number;
  /** Lead-time samples for the discrete mixture. Default 2000. */
  samples?: number;
}

export function isDiscrete(d: DemandDistribution): boolean {
  return d.kind === 'poisson' || d.kind === 'negbin' || d.kind === 'empirical';
}

/** Discrete demand over t periods with per-period moments (μ, σ²): Poisson(μt) or NB(r·t, p). */
function discreteOver(demand: PeriodDemand, t: number): DemandDistribution {
  const mu = demand.ratePerPeriod * t;
  const s2 = demand.variancePerPeriod;
  if (s2 <= demand.ratePerPeriod * (1 + 1e-9) || mu === 0) return { kind: 'poisson', mean: mu, variance: mu };
  const p = demand.ratePerPeriod / s2;
  const r = (demand.ratePerPeriod * p) / (1 - p) * t;
  return { kind: 'negbin', mean: mu, variance: s2 * t, r, p };
}

/**
 * The distribution of demand over lead time + review period. Throws a
 * RangeError on non-finite or negative inputs (a broken forecast should
 * not silently become a zero stock target).
 */
export function leadTimeDemand(demand: PeriodDemand, leadTime: LeadTime, options: LeadTimeDemandOptions = {}): DemandDistribution {
  for (const [name, v] of [
    ['ratePerPeriod', demand.ratePerPeriod],
    ['variancePerPeriod', demand.variancePerPeriod],
    ['leadTime.mean', leadTime.mean],
    ['leadTime.variance', leadTime.variance],
    ['reviewPeriod', options.reviewPeriod ?? 0],
  ] as const) {
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`leadTimeDemand: ${name} must be a finite number ≥ 0, got ${v}`);
  }
  const review = options.reviewPeriod ?? 0;
  const t = Math.max(0, leadTime.mean) + review;
  const mean = demand.ratePerPeriod * t;
  const variance = t * demand.variancePerPeriod + demand.ratePerPeriod ** 2 * Math.max(0, leadTime.variance);
  const family = options.family ?? 'auto';
  if (mean <= 0) return { kind: 'poisson', mean: 0, variance: 0 };
  const discrete = family === 'discrete' || (family === 'auto' && mean <= (options.discreteBelow ?? 50));
  if (discrete) {
    if (leadTime.sample && leadTime.variance > 0) return mixture(demand, leadTime.sample, review, mean, variance, options.samples ?? 2000);
    if (variance <= mean * (1 + 1e-9)) return { kind: 'poisson', mean, variance: mean };
    const p = mean / variance;
    return { kind: 'negbin', mean, variance, r: (mean * mean) / (variance - mean), p };
  }
  const cv = Math.sqrt(variance) / mean;
  if (family === 'normal' || (family === 'auto' && cv <= 0.5)) return { kind: 'normal', mean, variance };
  const shape = (mean * mean) / variance;
  return { kind: 'gamma', mean, variance, shape, scale: variance / mean };
}

function mixture(demand: PeriodDemand, sample: () => number, review: number, mean: number, variance: number, samples: number): DemandDistribution {
  const kmax = Math.ceil(mean + 12 * Math.sqrt(variance) + 20);
  const acc = new Float64Array(kmax + 1);
  // Integer (or repeating) lead times are common: count them and build each component once.
  // Continuous ones are rounded to 1/100 period first (a negligible change that bounds the work).
  const counts = new Map<number, number>();
  for (let i = 0; i < samples; i++) {
    const t = Math.round(Math.max(0, sample()) * 100) / 100 + review;
    counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  for (const [t, c] of counts) {
    const pmf = pmfUpTo(discreteOver(demand, t), kmax);
    for (let k = 0; k <= kmax; k++) acc[k] += c * pmf[k];
  }
  const pmf = Array.from(acc, (v) => v / samples);
  let m = 0;
  let m2 = 0;
  pmf.forEach((p, k) => {
    m += p * k;
    m2 += p * k * k;
  });
  return { kind: 'empirical', mean: m, variance: Math.max(0, m2 - m * m), pmf };
}

/** Probabilities P(X = 0..m) of a discrete distribution (computed in log space: no underflow for large means). */
export function pmfUpTo(d: DemandDistribution, m: number): number[] {
  const out = new Array<number>(m + 1).fill(0);
  if (d.kind === 'empirical') {
    for (let k = 0; k <= m && k < d.pmf.length; k++) out[k] = d.pmf[k];
    return out;
  }
  if (d.kind === 'poisson') {
    if (d.mean === 0) {
      out[0] = 1;
      return out;
    }
    let lp = -d.mean;
    const lm = Math.log(d.mean);
    for (let k = 0; k <= m; k++) {
      if (k > 0) lp += lm - Math.log(k);
      out[k] = Math.exp(lp);
    }
    return out;
  }
  if (d.kind === 'negbin') {
    let lp = d.r * Math.log(d.p);
    const lq = Math.log(1 - d.p);
    for (let k = 0; k <= m; k++) {
      if (k > 0) lp += Math.log((k - 1 + d.r) / k) + lq;
      out[k] = Math.exp(lp);
    }
    return out;
  }
  throw new Error(`pmfUpTo: ${d.kind} is continuous`);
}

/** P(X ≤ x). */
export function cdf(d: DemandDistribution, x: number): number {
  switch (d.kind) {
    case 'normal': {
      const sd = Math.sqrt(d.variance);
      if (sd === 0) return x >= d.mean ? 1 : 0;
      return normalCdf((x - d.mean) / sd);
    }
    case 'gamma':
      return gammaP(d.shape, Math.max(0, x) / d.scale);
    default: {
      if (x < 0) return 0;
      const pmf = pmfUpTo(d, Math.floor(x));
      let s = 0;
      for (const p of pmf) s += p;
      return Math.min(1, s);
    }
  }
}

/** Expected shortage E[(X − x)⁺] (the first-order loss function). */
export function expectedShortage(d: DemandDistribution, x: number): number {
  if (x <= 0 && d.kind !== 'normal') return d.mean - x;
  switch (d.kind) {
    case 'normal': {
      const sd = Math.sqrt(d.variance);
      if (sd === 0) return Math.max(0, d.mean - x);
      return sd * normalLoss((x - d.mean) / sd);
    }
    case 'gamma': {
      const y = x / d.scale;
      return Math.max(0, d.mean * (1 - gammaP(d.shape + 1, y)) - x * (1 - gammaP(d.shape, y)));
    }
    default: {
      // E[(X − x)⁺] = E[X] − x + E[(x − X)⁺]: a finite sum below x.
      const top = Math.ceil(x) - 1;
      const pmf = pmfUpTo(d, top);
      let below = 0;
      for (let k = 0; k <= top; k++) below += (x - k) * pmf[k];
      return Math.max(0, d.mean - x + below);
    }
  }
}

/** Smallest integer s ≥ 0 with P(X ≤ s) ≥ p. */
export function quantile(d: DemandDistribution, p: number): number {
  if (p <= 0) return 0;
  if (isDiscrete(d)) {
    let s = 0;
    let acc = 0;
    let step = 64;
    // Grow the pmf window geometrically rather than recomputing it per unit.
    for (;;) {
      const pmf = pmfUpTo(d, step);
      acc = 0;
      for (s = 0; s <= step; s++) {
        acc += pmf[s];
        if (acc >= p - 1e-12) return s;
      }
      if (step > 1e7) return step;
      step *= 4;
    }
  }
  const sd = Math.sqrt(d.variance);
  let lo = 0;
  let hi = Math.max(1, Math.ceil(d.mean + 40 * sd + 1));
  if (cdf(d, 0) >= p) return 0;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (cdf(d, mid) >= p) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Mean and variance of a scenario distribution (seconds), in periods of `periodSeconds`. */
export function distributionMoments(d: Distribution, periodSeconds = 1): { mean: number; variance: number } {
  let mean: number;
  let variance: number;
  switch (d.dist) {
    case 'constant':
      [mean, variance] = [d.value, 0];
      break;
    case 'exponential':
      [mean, variance] = [d.mean, d.mean * d.mean];
      break;
    case 'uniform':
      [mean, variance] = [(d.min + d.max) / 2, (d.max - d.min) ** 2 / 12];
      break;
    case 'triangular': {
      const { min: a, mode: c, max: b } = d;
      [mean, variance] = [(a + b + c) / 3, (a * a + b * b + c * c - a * b - a * c - b * c) / 18];
      break;
    }
    case 'normal':
    case 'lognormal':
      // Normal lead times are truncated at 0 when sampled; ignored here (sd ≪ mean in practice).
      [mean, variance] = [d.mean, d.sd * d.sd];
      break;
    case 'weibull': {
      const g1 = Math.exp(logGamma(1 + 1 / d.shape));
      const g2 = Math.exp(logGamma(1 + 2 / d.shape));
      [mean, variance] = [d.scale * g1, d.scale * d.scale * (g2 - g1 * g1)];
      break;
    }
  }
  return { mean: mean / periodSeconds, variance: variance / (periodSeconds * periodSeconds) };
}

/**
 * A lead time from a scenario's duration distribution, in periods. With a
 * seeded uniform generator on [0, 1) it carries a sampler (the kernel's
 * inversion samplers, so the draws match the simulation's).
 */
export function leadTimeFromDistribution(d: Distribution, periodSeconds: number, uniform?: () => number): LeadTime {
  const m = distributionMoments(d, periodSeconds);
  if (!uniform) return m;
  const draw = sampler(d);
  // The kernel's samplers only call next(); adapt the plain generator to that shape.
  const rng = { next: uniform } as unknown as RandomStream;
  return { ...m, sample: () => Math.max(0, draw(rng)) / periodSeconds };
}
