/**
 * Forecasts for intermittent demand (spare parts: many periods without any
 * demand). Exponential smoothing of such a series is biased right after a
 * demand and decays towards zero between demands; Croston (1972) instead
 * smooths the non-zero demand sizes z and the intervals p between them
 * separately and forecasts the rate z/p.
 *
 * - Croston: rate = z / p. Biased upwards, since E[z/p] ≠ E[z]/E[p]
 *   (Syntetos & Boylan 2001).
 * - SBA (Syntetos–Boylan approximation, 2005): rate = (1 − α/2)·z / p, which
 *   removes most of that bias.
 * - TSB (Teunter, Syntetos & Babai 2011): smooths the probability of a demand
 *   every period instead of the interval, so the forecast decays while no
 *   demand arrives: it notices obsolescence (a part whose machines are gone),
 *   which Croston and SBA never do (they only update on a demand).
 *
 * Initialisation: z starts at the first non-zero demand, p at its position
 * (1-based, i.e. the interval from a demand just before the series), TSB's
 * probability at 1/p. One-step errors are counted after the first demand;
 * their mean square is the per-period variance handed to the inventory side.
 */

export type IntermittentMethod = 'croston' | 'sba' | 'tsb';

export interface IntermittentOptions {
  /** Smoothing constant of demand sizes (and of intervals for Croston/SBA). Default 0.1. */
  alpha?: number;
  /** Croston/SBA: smoothing of intervals, if different from alpha. TSB: smoothing of the demand probability. Default alpha. */
  beta?: number;
}

export interface IntermittentFit {
  method: IntermittentMethod;
  alpha: number;
  beta: number;
  /** Smoothed non-zero demand size. */
  size: number;
  /** Smoothed interval between demands (Croston/SBA); 1/probability for TSB. */
  interval: number;
  /** Smoothed probability of a demand in a period (TSB); 1/interval for Croston/SBA. */
  probability: number;
  /** Forecast demand per period (the same for every horizon: these methods have no trend). */
  rate: number;
  /** One-step forecast made for each period (NaN up to the first demand). */
  fitted: number[];
  /** Mean squared one-step error: the per-period variance of demand around the forecast. */
  residualVariance: number;
  errors: number;
}

export const DEFAULT_INTERMITTENT_ALPHA = 0.1;

/** Debiasing factor of SBA: (1 − α/2), α the interval smoothing constant. */
export function sbaFactor(alpha: number): number {
  return 1 - alpha / 2;
}

export function intermittentForecast(
  history: readonly number[],
  method: IntermittentMethod,
  options: IntermittentOptions = {},
): IntermittentFit {
  const alpha = options.alpha ?? DEFAULT_INTERMITTENT_ALPHA;
  const beta = options.beta ?? alpha;
  const n = history.length;
  const fitted = new Array<number>(n).fill(Number.NaN);
  const first = history.findIndex((y) => y > 0);
  if (first < 0) {
    return { method, alpha, beta, size: 0, interval: Number.POSITIVE_INFINITY, probability: 0, rate: 0, fitted, residualVariance: 0, errors: 0 };
  }
  const factor = method === 'sba' ? sbaFactor(beta) : 1;
  let size = history[first];
  let interval = first + 1;
  let probability = 1 / interval;
  let sinceLast = 0;
  const rate = (): number => (method === 'tsb' ? probability * size : (factor * size) / interval);
  let sse = 0;
  let errors = 0;
  for (let t = first + 1; t < n; t++) {
    const f = rate();
    fitted[t] = f;
    const y = history[t];
    sse += (y - f) * (y - f);
    errors++;
    sinceLast++;
    if (method === 'tsb') {
      probability += beta * ((y > 0 ? 1 : 0) - probability);
      if (y > 0) size += alpha * (y - size);
    } else if (y > 0) {
      size += alpha * (y - size);
      interval += beta * (sinceLast - interval);
    }
    if (y > 0) sinceLast = 0;
  }
  if (method === 'tsb') interval = probability > 0 ? 1 / probability : Number.POSITIVE_INFINITY;
  else probability = 1 / interval;
  return { method, alpha, beta, size, interval, probability, rate: rate(), fitted, residualVariance: errors > 0 ? sse / errors : 0, errors };
}

/** Shorthands. */
export const croston = (history: readonly number[], options?: IntermittentOptions): IntermittentFit =>
  intermittentForecast(history, 'croston', options);
export const sba = (history: readonly number[], options?: IntermittentOptions): IntermittentFit =>
  intermittentForecast(history, 'sba', options);
export const tsb = (history: readonly number[], options?: IntermittentOptions): IntermittentFit =>
  intermittentForecast(history, 'tsb', options);

/**
 * Chooses α (and β = α, or for TSB β from the same grid) among the values
 * the literature recommends for intermittent demand (0.05–0.3) by in-sample
 * one-step MSE. Larger constants overreact to single demands, which is why
 * the grid stops at 0.3.
 */
export function fitIntermittent(history: readonly number[], method: IntermittentMethod): IntermittentFit {
  const grid = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3];
  let best = intermittentForecast(history, method, { alpha: DEFAULT_INTERMITTENT_ALPHA });
  for (const alpha of grid) {
    for (const beta of method === 'tsb' ? grid : [alpha]) {
      const fit = intermittentForecast(history, method, { alpha, beta });
      if (fit.residualVariance < best.residualVariance - 1e-12) best = fit;
    }
  }
  return best;
}
