import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/** Mean with a Student-t confidence interval, over independent replications. */
export interface Estimate {
  mean: number;
  sd: number;
  n: number;
  ci95: [number, number];
}

export function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return xs.length ? s / xs.length : NaN;
}

export function sampleSd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) ** 2;
  return Math.sqrt(s / (xs.length - 1));
}

/** Half-width of the two-sided confidence interval at `level` (e.g. 0.95). */
export function halfWidth(xs: readonly number[], level = 0.95): number {
  if (xs.length < 2) return 0;
  const t = tQuantile(1 - (1 - level) / 2, xs.length - 1);
  return (t * sampleSd(xs)) / Math.sqrt(xs.length);
}

export function estimate(xs: readonly number[], level = 0.95): Estimate {
  const m = mean(xs);
  const h = halfWidth(xs, level);
  return { mean: m, sd: sampleSd(xs), n: xs.length, ci95: [m - h, m + h] };
}

/** Percentile by linear interpolation between order statistics (p in [0, 1]). */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}
