import { describe, expect, it } from 'vitest';
import { chooseWindow, normalCdf } from './maintenance-window.js';

const hours = Array.from({ length: 15 * 24 / 8 }, (_, i) => 8 * (i + 1)); // every shift change, 15 days

describe('maintenance window by expected cost rate', () => {
  it('normal distribution function', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.158655, 6);
  });

  it('services soon when failure is near, later when it is far', () => {
    const costs = { planned: 10_000, unplanned: 60_000 };
    const near = chooseWindow(20, 8, costs, hours);
    const far = chooseWindow(300, 20, costs, hours);
    expect(near.startHours).toBeLessThanOrEqual(16);
    expect(far.startHours).toBeGreaterThan(200);
    // Far from failure, the chosen start still keeps the risk small.
    expect(far.failureProbability).toBeLessThan(0.1);
  });

  it('starts earlier when failures cost more against a service, and when the prediction is less sure', () => {
    const cheap = chooseWindow(200, 30, { planned: 10_000, unplanned: 15_000 }, hours);
    const dear = chooseWindow(200, 30, { planned: 10_000, unplanned: 200_000 }, hours);
    expect(dear.startHours).toBeLessThan(cheap.startHours);
    const sure = chooseWindow(200, 10, { planned: 10_000, unplanned: 60_000 }, hours);
    const unsure = chooseWindow(200, 60, { planned: 10_000, unplanned: 60_000 }, hours);
    expect(unsure.startHours).toBeLessThan(sure.startHours);
  });

  it('refuses nonsense', () => {
    expect(() => chooseWindow(10, 0, { planned: 1, unplanned: 2 }, [1])).toThrow(/spread must be positive/);
    expect(() => chooseWindow(10, 1, { planned: 3, unplanned: 2 }, [1])).toThrow(/planned ≤ unplanned/);
    expect(() => chooseWindow(10, 1, { planned: 1, unplanned: 2 }, [])).toThrow(/no candidate/);
    expect(() => chooseWindow(10, 1, { planned: 1, unplanned: 2 }, [0, 8])).toThrow(/after now/);
  });
});
