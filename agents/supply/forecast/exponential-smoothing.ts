/**
 * Exponential smoothing for smooth demand: simple exponential smoothing (SES)
 * and Holt's linear trend, optionally damped (Gardner–McKenzie). The
 * smoothing constants are fitted by minimising the in-sample one-step mean
 * squared error, so the same number doubles as the variance of the one-step
 * forecast error that the inventory policies need.
 *
 * Everything here is pure and synchronous: the supply coordinator calls it
 * inside XState actions.
 *
 * Initialisation is the textbook one (no optimised initial state, which
 * would make short series overfit): SES starts its level at the first
 * observation, Holt at the first observation with the first difference as
 * trend. Errors are counted from the first period the start values did not
 * see (t = 1 for SES, t = 2 for Holt).
 */

export type SmoothingMethod = 'ses' | 'holt' | 'damped';

export interface SmoothingParams {
  /** Level smoothing constant, 0 < α ≤ 1. */
  alpha: number;
  /** Trend smoothing constant (Holt's β*), 0 ≤ β ≤ 1; 0 for SES. */
  beta: number;
  /** Trend damping, 0 < φ ≤ 1; 1 is Holt's undamped trend (and unused by SES). */
  phi: number;
}

export interface SmoothingFit extends SmoothingParams {
  method: SmoothingMethod;
  /** Level after the last observation. */
  level: number;
  /** Trend after the last observation (0 for SES). */
  trend: number;
  /** One-step-ahead forecast made for each period (NaN where none was made: the start periods). */
  fitted: number[];
  /** In-sample one-step mean squared error: the variance of the one-step forecast error. */
  residualVariance: number;
  /** Number of one-step errors behind residualVariance. */
  errors: number;
}

/** Damping factors Holt's fit is searched over (φ = 1 is Holt itself). */
const DAMPING_GRID = [0.8, 0.85, 0.9, 0.95, 0.98];

/** Runs the recursions with given constants (no fitting). */
export function runSmoothing(history: readonly number[], method: SmoothingMethod, params: SmoothingParams): SmoothingFit {
  const n = history.length;
  const fitted = new Array<number>(n).fill(Number.NaN);
  const { alpha } = params;
  const beta = method === 'ses' ? 0 : params.beta;
  const phi = method === 'damped' ? params.phi : 1;
  if (n === 0) {
    return { method, alpha, beta, phi, level: 0, trend: 0, fitted, residualVariance: 0, errors: 0 };
  }
  let level = history[0];
  let trend = method === 'ses' || n < 2 ? 0 : history[1] - history[0];
  let sse = 0;
  let errors = 0;
  const start = method === 'ses' ? 1 : 2;
  if (method !== 'ses' && n >= 2) level = history[1]; // l1 = y1, b1 = y1 − y0
  for (let t = start; t < n; t++) {
    const f = level + phi * trend;
    fitted[t] = f;
    const e = history[t] - f;
    sse += e * e;
    errors++;
    const prevLevel = level;
    level = f + alpha * e;
    if (method !== 'ses') trend = phi * trend + beta * (level - prevLevel - phi * trend);
  }
  return { method, alpha, beta, phi, level, trend, fitted, residualVariance: errors > 0 ? sse / errors : 0, errors };
}

/** The one-step MSE alone: the fitting loops call this hundreds of times, so it allocates nothing. */
function mse(history: readonly number[], method: SmoothingMethod, p: SmoothingParams): number {
  const n = history.length;
  if (n < 2 || (method !== 'ses' && n < 3)) return 0;
  const { alpha } = p;
  const beta = method === 'ses' ? 0 : p.beta;
  const phi = method === 'damped' ? p.phi : 1;
  let level = method === 'ses' ? history[0] : history[1];
  let trend = method === 'ses' ? 0 : history[1] - history[0];
  let sse = 0;
  const start = method === 'ses' ? 1 : 2;
  for (let t = start; t < n; t++) {
    const f = level + phi * trend;
    const e = history[t] - f;
    sse += e * e;
    const prevLevel = level;
    level = f + alpha * e;
    trend = phi * trend + beta * (level - prevLevel - phi * trend);
  }
  return sse / (n - start);
}

/**
 * Golden-section search for a minimum of f on [lo, hi]. Used after a coarse
 * grid has bracketed the best region, since the MSE surface of short series
 * is not always unimodal over the whole (0, 1).
 */
export function goldenSection(f: (x: number) => number, lo: number, hi: number, tol = 1e-4): number {
  const g = (Math.sqrt(5) - 1) / 2;
  let a = lo;
  let b = hi;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(c);
  let fd = f(d);
  while (b - a > tol) {
    if (fc <= fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  return (a + b) / 2;
}

/** SES with α fitted on a 0.02 grid over [0.01, 0.99], refined by golden-section search. */
export function fitSes(history: readonly number[]): SmoothingFit {
  const f = (alpha: number): number => mse(history, 'ses', { alpha, beta: 0, phi: 1 });
  let best = 0.01;
  let bestMse = Number.POSITIVE_INFINITY;
  for (let a = 0.01; a <= 0.99 + 1e-9; a += 0.02) {
    const m = f(a);
    if (m < bestMse - 1e-12) {
      bestMse = m;
      best = a;
    }
  }
  const lo = Math.max(0.01, best - 0.02);
  const hi = Math.min(1, best + 0.02);
  const refined = goldenSection(f, lo, hi);
  const alpha = f(refined) <= bestMse ? refined : best;
  return runSmoothing(history, 'ses', { alpha, beta: 0, phi: 1 });
}

/**
 * Holt (φ = 1) or damped Holt (φ searched over a small grid): α and β on a
 * 0.1 grid, then a 0.02 grid ±0.1 around the best point (≈ 0.7k runs of the
 * recursion for damped Holt: a few milliseconds for 200 periods). Series shorter than 4
 * fall back to SES (one trend error cannot fit two constants).
 */
export function fitHolt(history: readonly number[], damped = false): SmoothingFit {
  if (history.length < 4) return fitSes(history);
  const method: SmoothingMethod = damped ? 'damped' : 'holt';
  const phis = damped ? DAMPING_GRID : [1];
  let best: SmoothingParams = { alpha: 0.5, beta: 0.1, phi: phis[0] };
  let bestMse = Number.POSITIVE_INFINITY;
  const consider = (p: SmoothingParams): void => {
    const m = mse(history, method, p);
    if (m < bestMse - 1e-12) {
      bestMse = m;
      best = p;
    }
  };
  for (const phi of phis) {
    for (let ai = 1; ai <= 9; ai++) for (let bi = 1; bi <= 9; bi++) consider({ alpha: ai * 0.1, beta: bi * 0.1, phi });
  }
  const coarse = best;
  for (let da = -5; da <= 5; da++) {
    for (let db = -5; db <= 5; db++) {
      const alpha = coarse.alpha + da * 0.02;
      const beta = coarse.beta + db * 0.02;
      if (alpha > 0 && alpha <= 1 && beta >= 0 && beta <= 1) consider({ alpha, beta, phi: coarse.phi });
    }
  }
  return runSmoothing(history, method, best);
}

/** Point forecasts for 1..h periods ahead: l + (φ + … + φ^k)·b. */
export function smoothingForecast(fit: SmoothingFit, horizon: number): number[] {
  const out: number[] = [];
  let damp = 0;
  let pow = 1;
  for (let k = 1; k <= horizon; k++) {
    pow *= fit.phi;
    damp += pow;
    out.push(fit.level + damp * fit.trend);
  }
  return out;
}

/**
 * Variance of the k-step forecast error for k = 1..h under the matching
 * state-space model (ETS(A,N,N), ETS(A,A,N), ETS(A,Ad,N)):
 * σ²·(1 + Σ_{j<k} c_j²) with c_j = α(1 + β·(φ + … + φ^j)).
 */
export function smoothingForecastVariance(fit: SmoothingFit, horizon: number): number[] {
  const out: number[] = [];
  let acc = 1;
  let damp = 0;
  let pow = 1;
  for (let k = 1; k <= horizon; k++) {
    out.push(fit.residualVariance * acc);
    pow *= fit.phi;
    damp += pow;
    const c = fit.alpha * (1 + fit.beta * damp);
    acc += c * c;
  }
  return out;
}

/**
 * Variance of the error of the summed forecast over periods 1..k, for
 * k = 1..h. Smoothing errors are correlated across the horizon (one surprise
 * moves every later forecast), so the lead-time error variance exceeds
 * k·σ²: Var = σ²·Σ_{m=0}^{k−1} (1 + c_1 + … + c_m)². Pass
 * `cumulative[L − 1] / L` as the per-period variance of lead-time demand to
 * account for it.
 */
export function smoothingCumulativeVariance(fit: SmoothingFit, horizon: number): number[] {
  const out: number[] = [];
  let sumSq = 0;
  let C = 0;
  let damp = 0;
  let pow = 1;
  for (let k = 1; k <= horizon; k++) {
    sumSq += (1 + C) ** 2;
    out.push(fit.residualVariance * sumSq);
    pow *= fit.phi;
    damp += pow;
    C += fit.alpha * (1 + fit.beta * damp);
  }
  return out;
}
