/** Root mean squared error. */
export function rmse(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += (predicted[i] - actual[i]) ** 2;
  return Math.sqrt(s / actual.length);
}

/**
 * The PHM08 challenge score (Saxena et al. 2008): exp(−d/13) − 1 for early
 * predictions (d < 0), exp(d/10) − 1 for late ones, summed; late is
 * punished harder because a late prediction lets the engine fail.
 */
export function phm08Score(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = predicted[i] - actual[i];
    s += d < 0 ? Math.exp(-d / 13) - 1 : Math.exp(d / 10) - 1;
  }
  return s;
}

/** Brier score of probabilities against 0/1 outcomes. */
export function brier(p: ArrayLike<number>, outcome: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += (p[i] - outcome[i]) ** 2;
  return s / p.length;
}

/** Reliability table: predictions binned by probability, mean predicted against observed frequency. */
export function reliability(p: ArrayLike<number>, outcome: ArrayLike<number>, bins = 10): { from: number; to: number; n: number; predicted: number; observed: number }[] {
  const acc = Array.from({ length: bins }, (_, b) => ({ from: b / bins, to: (b + 1) / bins, n: 0, predicted: 0, observed: 0 }));
  for (let i = 0; i < p.length; i++) {
    const b = acc[Math.min(bins - 1, Math.floor(p[i] * bins))];
    b.n++;
    b.predicted += p[i];
    b.observed += outcome[i];
  }
  return acc.filter((b) => b.n > 0).map((b) => ({ ...b, predicted: b.predicted / b.n, observed: b.observed / b.n }));
}
