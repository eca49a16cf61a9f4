import normalCdfStd from '@stdlib/stats-base-dists-normal-cdf';
import normalPdfStd from '@stdlib/stats-base-dists-normal-pdf';
import normalQuantileStd from '@stdlib/stats-base-dists-normal-quantile';
import gammaln from '@stdlib/math-base-special-gammaln';
import gammainc from '@stdlib/math-base-special-gammainc';

/**
 * The special functions the inventory formulas need, from stdlib (double
 * precision, maintained and tested there): the standard normal's density,
 * CDF, quantile and loss function, log-gamma, and the regularised lower
 * incomplete gamma function (gamma-distributed lead-time demand).
 */

export const normalPdf = (z: number): number => normalPdfStd(z, 0, 1);

export const normalCdf = (z: number): number => normalCdfStd(z, 0, 1);

export const normalQuantile = (p: number): number => normalQuantileStd(p, 0, 1);

/** Standard normal loss function G(z) = E[(Z − z)⁺] = φ(z) − z(1 − Φ(z)). */
export function normalLoss(z: number): number {
  return normalPdf(z) - z * (1 - normalCdf(z));
}

/** ln Γ(x) for x > 0. */
export const logGamma = (x: number): number => gammaln(x);

/** Regularised lower incomplete gamma P(a, x) = γ(a, x)/Γ(a); 0 for x ≤ 0. */
export const gammaP = (a: number, x: number): number => (x <= 0 ? 0 : gammainc(x, a, true, false));
