import { classifyDemand, type DemandClassification } from './demand-class.js';
import {
  fitHolt,
  fitSes,
  runSmoothing,
  smoothingCumulativeVariance,
  smoothingForecast,
  smoothingForecastVariance,
  type SmoothingFit,
  type SmoothingMethod,
} from './exponential-smoothing.js';
import { fitIntermittent, intermittentForecast, type IntermittentFit, type IntermittentMethod } from './croston.js';

/**
 * One entry point for the supply coordinator: the demand forecast of one
 * item from its per-period history (oldest first). With `method: 'auto'` the
 * series is classified (see demand-class.ts); with enough history the
 * candidate methods of its class compete on a holdout (rolling one-step
 * forecasts over the last periods, constants fitted on the rest), otherwise
 * the class's default is taken.
 *
 * Ranking: MASE (mean absolute error scaled by the in-sample naive error)
 * for smooth and erratic series. For intermittent and lumpy series absolute
 * errors reward forecasting zero (the median of such a series is 0), so
 * there the candidates are ranked by RMSSE (the squared-error analogue),
 * which rewards getting the mean rate right — what inventory needs.
 */

export type ForecastMethod = SmoothingMethod | IntermittentMethod | 'zero';

export interface ForecastOptions {
  /** Number of future periods to forecast. */
  horizon: number;
  method?: 'auto' | Exclude<ForecastMethod, 'zero'>;
  /** Holdout length for auto selection; default max(6, ⌊n/4⌋). */
  holdout?: number;
  /** Shortest history for holdout selection; default 24 periods. */
  minHistoryForHoldout?: number;
}

export interface ItemForecast {
  method: ForecastMethod;
  /** Expected demand in the next period. */
  ratePerPeriod: number;
  /** Variance of one period's demand around the forecast (in-sample one-step MSE). */
  variancePerPeriod: number;
  /** Point forecasts for periods 1..horizon (never negative). */
  forecast: number[];
  /** Forecast error variance for periods 1..horizon (grows with k for smoothing methods). */
  forecastVariance: number[];
  /**
   * Error variance of the total over periods 1..k, k = 1..horizon. For
   * smoothing methods this includes the correlation of errors across the
   * horizon; Croston-type forecasts are flat, so it is k·σ².
   */
  cumulativeVariance: number[];
  class: DemandClassification;
  selectedBy: 'fixed' | 'class' | 'holdout';
  /** Holdout score of the chosen method (MASE or RMSSE, see above), when selected by holdout. */
  holdoutScore?: number;
}

type Fit = { kind: 'smoothing'; fit: SmoothingFit } | { kind: 'intermittent'; fit: IntermittentFit };

function fitMethod(history: readonly number[], method: Exclude<ForecastMethod, 'zero'>): Fit {
  switch (method) {
    case 'ses':
      return { kind: 'smoothing', fit: fitSes(history) };
    case 'holt':
      return { kind: 'smoothing', fit: fitHolt(history, false) };
    case 'damped':
      return { kind: 'smoothing', fit: fitHolt(history, true) };
    default:
      return { kind: 'intermittent', fit: fitIntermittent(history, method) };
  }
}

/** Re-runs a fitted method's recursions over a longer series with its constants frozen. */
function rerun(history: readonly number[], fit: Fit): number[] {
  if (fit.kind === 'smoothing') return runSmoothing(history, fit.fit.method, fit.fit).fitted;
  return intermittentForecast(history, fit.fit.method, { alpha: fit.fit.alpha, beta: fit.fit.beta }).fitted;
}

const CANDIDATES: Record<Exclude<DemandClassification['class'], 'none'>, Exclude<ForecastMethod, 'zero'>[]> = {
  smooth: ['ses', 'holt', 'damped'],
  erratic: ['ses', 'damped'],
  intermittent: ['croston', 'sba', 'tsb'],
  lumpy: ['croston', 'sba', 'tsb'],
};

/** Holdout score of one method: MASE, or RMSSE when `squared`. Lower is better. */
export function holdoutScore(history: readonly number[], method: Exclude<ForecastMethod, 'zero'>, holdout: number, squared: boolean): number {
  const n = history.length;
  const train = history.slice(0, n - holdout);
  const fitted = rerun(history, fitMethod(train, method));
  let err = 0;
  let count = 0;
  for (let t = n - holdout; t < n; t++) {
    const f = Number.isNaN(fitted[t]) ? 0 : Math.max(0, fitted[t]);
    const e = history[t] - f;
    err += squared ? e * e : Math.abs(e);
    count++;
  }
  let scale = 0;
  for (let t = 1; t < train.length; t++) {
    const d = train[t] - train[t - 1];
    scale += squared ? d * d : Math.abs(d);
  }
  scale = train.length > 1 ? scale / (train.length - 1) : 0;
  const mean = count > 0 ? err / count : 0;
  // A constant training series has no naive error to scale by; the ranking is unaffected.
  const scaled = scale > 0 ? mean / scale : mean;
  return squared ? Math.sqrt(scaled) : scaled;
}

/** Throws a RangeError if the history holds a non-finite value (a NaN would poison every fit). */
export function forecastItem(history: readonly number[], options: ForecastOptions): ItemForecast {
  const bad = history.findIndex((y) => !Number.isFinite(y));
  if (bad >= 0) throw new RangeError(`forecastItem: history[${bad}] is ${history[bad]}`);
  const horizon = Math.max(0, Math.floor(options.horizon));
  const cls = classifyDemand(history);
  const requested = options.method ?? 'auto';
  if (requested === 'auto' && cls.class === 'none') {
    return {
      method: 'zero',
      ratePerPeriod: 0,
      variancePerPeriod: 0,
      forecast: new Array<number>(horizon).fill(0),
      forecastVariance: new Array<number>(horizon).fill(0),
      cumulativeVariance: new Array<number>(horizon).fill(0),
      class: cls,
      selectedBy: 'class',
    };
  }
  let method: Exclude<ForecastMethod, 'zero'>;
  let selectedBy: ItemForecast['selectedBy'];
  let score: number | undefined;
  if (requested !== 'auto') {
    method = requested;
    selectedBy = 'fixed';
  } else {
    method = cls.recommended === 'ses' ? 'ses' : 'sba';
    selectedBy = 'class';
    const n = history.length;
    const holdout = options.holdout ?? Math.max(6, Math.floor(n / 4));
    if (n >= (options.minHistoryForHoldout ?? 24) && n - holdout >= 8) {
      const squared = cls.class === 'intermittent' || cls.class === 'lumpy';
      let best = Number.POSITIVE_INFINITY;
      for (const candidate of CANDIDATES[cls.class as Exclude<DemandClassification['class'], 'none'>]) {
        const s = holdoutScore(history, candidate, holdout, squared);
        // Ties go to the earlier (simpler) candidate.
        if (s < best - 1e-12) {
          best = s;
          method = candidate;
        }
      }
      selectedBy = 'holdout';
      score = best;
    }
  }
  const fit = fitMethod(history, method);
  let forecast: number[];
  let forecastVariance: number[];
  let cumulativeVariance: number[];
  let variance: number;
  if (fit.kind === 'smoothing') {
    forecast = smoothingForecast(fit.fit, horizon).map((f) => Math.max(0, f));
    forecastVariance = smoothingForecastVariance(fit.fit, horizon);
    cumulativeVariance = smoothingCumulativeVariance(fit.fit, horizon);
    variance = fit.fit.residualVariance;
  } else {
    forecast = new Array<number>(horizon).fill(fit.fit.rate);
    variance = fit.fit.residualVariance;
    forecastVariance = new Array<number>(horizon).fill(variance);
    cumulativeVariance = forecastVariance.map((v, k) => v * (k + 1));
  }
  const rate = fit.kind === 'smoothing' ? Math.max(0, smoothingForecast(fit.fit, 1)[0] ?? 0) : fit.fit.rate;
  const result: ItemForecast = {
    // Holt falls back to SES on very short series: report what was fitted.
    method: fit.fit.method,
    ratePerPeriod: rate,
    variancePerPeriod: variance,
    forecast,
    forecastVariance,
    cumulativeVariance,
    class: cls,
    selectedBy,
  };
  if (score !== undefined) result.holdoutScore = score;
  return result;
}
