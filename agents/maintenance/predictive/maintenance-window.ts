import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
/**
 * When to service a machine, given a prediction of its remaining life: the
 * age-replacement trade-off (Barlow & Proschan) on the predicted
 * distribution. Servicing at time s (from now) costs the planned price if
 * the machine is still running then, the unplanned price if it fails first;
 * what it buys is the production until then. The best start minimises the
 * expected cost per hour of production secured:
 *
 *     rate(s) = [F(s)·Cu + (1 − F(s))·Cp] / E[min(T, s)]
 *
 * with T the remaining life, F its distribution function, Cu and Cp the
 * unplanned and planned costs (repair or service, parts, and the production
 * lost while down). T is taken as normal around the predicted RUL with the
 * model's validation error as its spread, truncated at zero.
 */
export interface WindowCosts {
  /** Cost of a planned service: labour, parts, production lost during it. */
  planned: number;
  /** Cost of a failure: repair, parts, production lost during the longer stop, damage. */
  unplanned: number;
}

export interface WindowChoice {
  /** Hours from now to start the service. */
  startHours: number;
  /** Probability the machine fails before that start. */
  failureProbability: number;
  /** Expected cost per hour of production secured at that start. */
  costRate: number;
}

/**
 * The spread of the remaining life that agrees with both heads of the model:
 * a normal around the predicted RUL whose probability of failing within the
 * horizon is the predicted P. The classifier head is the sharper one near the
 * end of life, where a single validation RMSE overstates the doubt and would
 * make every service look premature. When P says little (near 0 or 1 on the
 * same side as the RUL, or RUL at the horizon), the validation RMSE stands.
 * Clamped to [fallback / 20, 2 · fallback].
 */
export function impliedSpread(rulHours: number, failureProbability: number, horizonHours: number, fallbackHours: number): number {
  const p = Math.min(1 - 1e-4, Math.max(1e-4, failureProbability));
  const z = normalQuantile(p, 0, 1);
  const gap = horizonHours - rulHours;
  // Same sign needed: a RUL inside the horizon goes with P > 1/2, outside with P < 1/2.
  if (Math.abs(z) < 0.25 || Math.abs(gap) < 1 || Math.sign(z) !== Math.sign(gap)) return fallbackHours;
  return Math.min(2 * fallbackHours, Math.max(fallbackHours / 20, gap / z));
}

/** Standard normal distribution function (Zelen & Severo 26.2.17, error < 7.5e-8). */
export function normalCdf(z: number): number {
  const t = 1 / (1 + 0.2316419 * Math.abs(z));
  const d = 0.3989422804014327 * Math.exp((-z * z) / 2);
  const p = d * t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  return z >= 0 ? 1 - p : p;
}

/**
 * The best service start among `candidates` hours from now (e.g. the next
 * shift changes), given the predicted RUL (hours) and its spread.
 */
export function chooseWindow(rulHours: number, sigmaHours: number, costs: WindowCosts, candidates: readonly number[]): WindowChoice {
  if (!(sigmaHours > 0)) throw new RangeError(`the RUL's spread must be positive, got ${sigmaHours}`);
  if (candidates.length === 0) throw new RangeError('no candidate start times');
  if (!(costs.unplanned >= costs.planned && costs.planned >= 0)) throw new RangeError('costs must satisfy 0 ≤ planned ≤ unplanned');
  // F truncated at 0: a prediction cannot put the failure in the past.
  const f0 = normalCdf(-rulHours / sigmaHours);
  const F = (s: number) => (normalCdf((s - rulHours) / sigmaHours) - f0) / (1 - f0);
  // E[min(T, s)] = ∫₀ˢ (1 − F(u)) du, by the trapezoid rule, carried from one candidate to the next.
  const step = Math.min(1, sigmaHours / 8);
  const order = [...candidates].sort((a, b) => a - b);
  let best: WindowChoice | undefined;
  let at = 0;
  let secured = 0;
  for (const s of order) {
    // A start at 0 would secure no production: the earliest start is the next slot.
    if (!(s > 0)) throw new RangeError(`candidate starts must be after now, got ${s}`);
    const n = Math.max(1, Math.ceil((s - at) / step));
    const h = (s - at) / n;
    for (let i = 0; i < n; i++) secured += (h * (2 - F(at + i * h) - F(at + (i + 1) * h))) / 2;
    at = s;
    const p = F(s);
    const rate = (p * costs.unplanned + (1 - p) * costs.planned) / secured;
    if (!best || rate < best.costRate) best = { startHours: s, failureProbability: p, costRate: rate };
  }
  return best!;
}
