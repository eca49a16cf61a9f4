import { describe, expect, it } from 'vitest';
import { RandomStream } from '../../../sim/random/stream.js';
import {
  fitHolt,
  fitSes,
  goldenSection,
  runSmoothing,
  smoothingForecast,
  smoothingCumulativeVariance,
  smoothingForecastVariance,
  type SmoothingFit,
} from './exponential-smoothing.js';
import { croston, fitIntermittent, sba, sbaFactor, tsb } from './croston.js';
import { ADI_CUTOFF, CV2_CUTOFF, classify, classifyDemand } from './demand-class.js';
import { forecastItem } from './forecaster.js';

describe('simple exponential smoothing', () => {
  it('reproduces a hand-computed series (α = 0.5, level starts at y0)', () => {
    // l0 = 3; f1 = 3, e = 2 → l = 4; f2 = 4, e = 0 → l = 4; f3 = 4, e = 2 → l = 5.
    const fit = runSmoothing([3, 5, 4, 6], 'ses', { alpha: 0.5, beta: 0, phi: 1 });
    expect(fit.fitted.slice(1)).toEqual([3, 4, 4]);
    expect(fit.level).toBe(5);
    expect(fit.residualVariance).toBeCloseTo(8 / 3, 12);
    expect(smoothingForecast(fit, 3)).toEqual([5, 5, 5]);
  });

  it('h-step variance of SES is σ²(1 + (h−1)α²)', () => {
    const fit = runSmoothing([3, 5, 4, 6], 'ses', { alpha: 0.5, beta: 0, phi: 1 });
    const v = smoothingForecastVariance(fit, 3);
    expect(v[0]).toBeCloseTo(8 / 3, 12);
    expect(v[2]).toBeCloseTo((8 / 3) * (1 + 2 * 0.25), 12);
  });

  it('cumulative error variance over k periods: σ²·Σ (1 + mα)² for SES', () => {
    const fit = runSmoothing([3, 5, 4, 6], 'ses', { alpha: 0.5, beta: 0, phi: 1 });
    const s2 = 8 / 3;
    expect(smoothingCumulativeVariance(fit, 3)).toEqual([s2, s2 * (1 + 1.5 ** 2), s2 * (1 + 1.5 ** 2 + 4)].map((v) => expect.closeTo(v, 12)));
  });

  it('the cumulative variance matches a simulated local-level process', () => {
    const rng = new RandomStream('ann', 9);
    const normal = (): number => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    const alpha = 0.3;
    const y: number[] = [];
    let level = 100;
    for (let t = 0; t < 40_000; t++) {
      const e = normal();
      y.push(level + e);
      level += alpha * e;
    }
    const fit = runSmoothing(y, 'ses', { alpha, beta: 0, phi: 1 });
    const L = 5;
    const levels = y.map((_, t) => (t + 1 < y.length ? fit.fitted[t + 1] : fit.level));
    let sum = 0;
    let sumSq = 0;
    let n = 0;
    for (let t = 100; t + L < y.length; t += L) {
      let err = 0;
      for (let k = 1; k <= L; k++) err += y[t + k] - levels[t];
      sum += err;
      sumSq += err * err;
      n++;
    }
    const empirical = sumSq / n - (sum / n) ** 2;
    const model = smoothingCumulativeVariance(fit, L)[L - 1];
    expect(model).toBeCloseTo(fit.residualVariance * (1 + 1.3 ** 2 + 1.6 ** 2 + 1.9 ** 2 + 2.2 ** 2), 9);
    expect(Math.abs(empirical / model - 1)).toBeLessThan(0.08);
  });

  it('the fitted α is at least as good as any grid point', () => {
    const rng = new RandomStream('ses', 7);
    const y: number[] = [];
    let level = 50;
    for (let t = 0; t < 120; t++) {
      level += 2 * (rng.next() - 0.5);
      y.push(level + 6 * (rng.next() - 0.5));
    }
    const fit = fitSes(y);
    for (const a of [0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1]) {
      expect(fit.residualVariance).toBeLessThanOrEqual(runSmoothing(y, 'ses', { alpha: a, beta: 0, phi: 1 }).residualVariance + 1e-9);
    }
  });

  it('golden-section search finds the minimum of a parabola', () => {
    expect(goldenSection((x) => (x - 0.37) ** 2, 0, 1, 1e-8)).toBeCloseTo(0.37, 6);
  });
});

describe("Holt's linear trend", () => {
  it('forecasts a straight line exactly', () => {
    const y = Array.from({ length: 12 }, (_, t) => 2 + 3 * t);
    const fit = fitHolt(y);
    expect(fit.residualVariance).toBeCloseTo(0, 12);
    expect(smoothingForecast(fit, 2)[1]).toBeCloseTo(2 + 3 * 13, 9);
  });

  it('damped trend adds φ + φ² + … of the trend', () => {
    const fit: SmoothingFit = { method: 'damped', alpha: 0.5, beta: 0.1, phi: 0.5, level: 10, trend: 2, fitted: [], residualVariance: 1, errors: 10 };
    expect(smoothingForecast(fit, 3)).toEqual([11, 11.5, 11.75]);
    // c1 = α(1 + βφ) = 0.5 · 1.05
    expect(smoothingForecastVariance(fit, 2)[1]).toBeCloseTo(1 + 0.525 ** 2, 12);
  });
});

describe('Croston, SBA and TSB', () => {
  const y = [0, 0, 3, 0, 2, 0, 0, 4];

  it('Croston by hand (α = 0.5)', () => {
    // z0 = 3, p0 = 3; at t=4: z = 2.5, p = 2.5; at t=7 (interval 3): z = 3.25, p = 2.75.
    const fit = croston(y, { alpha: 0.5 });
    expect(fit.size).toBeCloseTo(3.25, 12);
    expect(fit.interval).toBeCloseTo(2.75, 12);
    expect(fit.rate).toBeCloseTo(3.25 / 2.75, 12);
    expect(fit.fitted.slice(3)).toEqual([1, 1, 1, 1, 1]);
    expect(fit.residualVariance).toBeCloseTo((1 + 1 + 1 + 1 + 9) / 5, 12);
  });

  it('SBA is Croston times (1 − α/2)', () => {
    expect(sbaFactor(0.5)).toBe(0.75);
    expect(sba(y, { alpha: 0.5 }).rate).toBeCloseTo(0.75 * (3.25 / 2.75), 12);
    expect(sba(y, { alpha: 0.1 }).rate).toBeCloseTo(0.95 * croston(y, { alpha: 0.1 }).rate, 12);
  });

  it('TSB by hand (α = β = 0.5)', () => {
    // p: 1/3 → 1/6 → 7/12 → 7/24 → 7/48 → 55/96; z: 3 → 2.5 → 3.25.
    const fit = tsb(y, { alpha: 0.5, beta: 0.5 });
    expect(fit.probability).toBeCloseTo(55 / 96, 12);
    expect(fit.rate).toBeCloseTo((55 / 96) * 3.25, 12);
  });

  it('TSB decays after demand stops; Croston and SBA do not', () => {
    const dead = [...y, ...y, ...new Array<number>(40).fill(0)];
    expect(tsb(dead).rate).toBeLessThan(0.1 * tsb([...y, ...y]).rate);
    expect(croston(dead).rate).toBe(croston([...y, ...y]).rate);
  });

  it('no demand: zero rate', () => {
    expect(croston([0, 0, 0]).rate).toBe(0);
    expect(fitIntermittent([0, 0], 'tsb').rate).toBe(0);
  });

  it('on simulated intermittent demand SBA is less biased than Croston', () => {
    const rng = new RandomStream('intermittent', 42);
    const alpha = 0.2;
    const trueRate = 0.25 * 5; // P(demand) · mean size (uniform 1..9)
    let errC = 0;
    let errS = 0;
    let n = 0;
    for (let series = 0; series < 200; series++) {
      const h = Array.from({ length: 400 }, () => (rng.next() < 0.25 ? 1 + rng.int(9) : 0));
      const c = croston(h, { alpha }).fitted;
      const s = sba(h, { alpha }).fitted;
      for (let t = 50; t < h.length; t++) {
        errC += c[t] - trueRate;
        errS += s[t] - trueRate;
        n++;
      }
    }
    const biasC = errC / n;
    const biasS = errS / n;
    expect(biasC).toBeGreaterThan(0.02);
    expect(Math.abs(biasS)).toBeLessThan(Math.abs(biasC) / 2);
  });
});

describe('Syntetos–Boylan–Croston classification', () => {
  it('cut-offs 1.32 and 0.49 (the high side includes the cut-off)', () => {
    expect(classify(ADI_CUTOFF - 1e-9, CV2_CUTOFF - 1e-9).class).toBe('smooth');
    expect(classify(ADI_CUTOFF - 1e-9, CV2_CUTOFF).class).toBe('erratic');
    expect(classify(ADI_CUTOFF, CV2_CUTOFF - 1e-9).class).toBe('intermittent');
    expect(classify(ADI_CUTOFF, CV2_CUTOFF).class).toBe('lumpy');
    expect(classify(1, 0).recommended).toBe('ses');
    expect(classify(2, 1).recommended).toBe('sba');
  });

  it('ADI and CV² of series', () => {
    expect(classifyDemand([4, 4, 4, 4])).toMatchObject({ class: 'smooth', adi: 1, cv2: 0 });
    expect(classifyDemand([0, 5, 0, 5, 0, 5])).toMatchObject({ class: 'intermittent', adi: 2, cv2: 0 });
    // sizes 1 and 9: mean 5, variance 16 → CV² 0.64
    expect(classifyDemand([0, 1, 0, 9])).toMatchObject({ class: 'lumpy', adi: 2, cv2: 0.64 });
    expect(classifyDemand([1, 9, 1, 9])).toMatchObject({ class: 'erratic', adi: 1 });
    expect(classifyDemand([0, 0]).class).toBe('none');
    // The silence since the last demand counts: one spike then nothing is intermittent, not smooth.
    expect(classifyDemand([35, 0, 0, 0, 0, 0, 0, 0])).toMatchObject({ class: 'intermittent', adi: 8 });
  });
});

describe('forecastItem', () => {
  it('no demand → zero forecast', () => {
    expect(forecastItem([0, 0, 0], { horizon: 2 })).toMatchObject({ method: 'zero', ratePerPeriod: 0, forecast: [0, 0] });
  });

  it('short series take the class default', () => {
    expect(forecastItem([5, 6, 5, 7, 6], { horizon: 3 })).toMatchObject({ method: 'ses', selectedBy: 'class' });
    const f = forecastItem([0, 0, 3, 0, 0, 2, 0, 0, 0, 4], { horizon: 3 });
    expect(f).toMatchObject({ method: 'sba', selectedBy: 'class' });
    expect(f.forecast).toHaveLength(3);
    expect(f.variancePerPeriod).toBeGreaterThan(0);
  });

  it('a trending series selects a trend method on the holdout', () => {
    const rng = new RandomStream('trend', 3);
    const y = Array.from({ length: 60 }, (_, t) => 20 + 1.5 * t + 4 * (rng.next() - 0.5));
    const f = forecastItem(y, { horizon: 4 });
    expect(f.selectedBy).toBe('holdout');
    expect(['holt', 'damped']).toContain(f.method);
    expect(f.forecast[0]).toBeGreaterThan(105);
    expect(f.forecastVariance[3]).toBeGreaterThan(f.forecastVariance[0]);
  });

  it('an intermittent series picks among Croston, SBA and TSB', () => {
    const rng = new RandomStream('int', 5);
    const y = Array.from({ length: 80 }, () => (rng.next() < 0.2 ? 1 + rng.int(4) : 0));
    const f = forecastItem(y, { horizon: 6 });
    expect(f.class.class === 'intermittent' || f.class.class === 'lumpy').toBe(true);
    expect(['croston', 'sba', 'tsb']).toContain(f.method);
    expect(f.ratePerPeriod).toBeGreaterThan(0.2);
    expect(f.ratePerPeriod).toBeLessThan(1);
  });

  it('a dying part is recognised by TSB on the holdout', () => {
    const rng = new RandomStream('obsolete', 11);
    const y = [...Array.from({ length: 60 }, () => (rng.next() < 0.3 ? 2 : 0)), ...new Array<number>(30).fill(0)];
    const f = forecastItem(y, { horizon: 1 });
    expect(f.method).toBe('tsb');
    expect(f.ratePerPeriod).toBeLessThan(0.2);
  });

  it('rejects non-finite history', () => {
    expect(() => forecastItem([1, Number.NaN, 2], { horizon: 1 })).toThrow(RangeError);
  });

  it('Holt on three points falls back to SES and says so', () => {
    expect(forecastItem([1, 2, 3], { horizon: 1, method: 'holt' }).method).toBe('ses');
  });

  it('a fixed method is honoured and the result is deterministic', () => {
    const y = [3, 0, 4, 0, 0, 5, 2, 0, 3, 0];
    const a = forecastItem(y, { horizon: 2, method: 'croston' });
    expect(a.method).toBe('croston');
    expect(a.selectedBy).toBe('fixed');
    expect(forecastItem(y, { horizon: 2, method: 'croston' })).toEqual(a);
  });
});
