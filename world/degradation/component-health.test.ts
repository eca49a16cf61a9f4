import { describe, expect, it } from 'vitest';
import { RandomStream } from '../../sim/random/stream.js';
import { ageToReach, ComponentHealth, wearAfter } from './component-health.js';
import { ComponentSpecSchema, type ProgressionSpec } from './degradation-spec.js';

const DAY = 86400;

function component(progression: Record<string, unknown>, onset: unknown = { dist: 'constant', value: '3d' }, failAt = 1) {
  const spec = ComponentSpecSchema.parse({ id: 'bearing', onset, progression, failAt });
  return new ComponentHealth(spec, new RandomStream('m/onset/bearing', 11));
}

/** RK4 on dw/dt = rate · load^k · (1 + w/w0)^n from onset until w reaches `target`, over a load schedule. */
function integrateCrossing(p: ProgressionSpec, onsetAge: number, loads: { from: number; load: number }[], target: number, dt = 60): number {
  const loadAt = (t: number) => loads.filter((l) => l.from <= t).at(-1)!.load;
  let t = 0;
  let age = 0;
  let w = 0;
  const f = (wv: number, load: number) => p.rate * load ** p.loadExponent * (1 + wv / p.initial) ** p.exponent;
  for (;;) {
    const load = loadAt(t);
    if (age < onsetAge) {
      // Healthy: age in equivalent full-load time until onset.
      const speed = load ** p.loadExponent;
      if (speed > 0 && age + speed * dt > onsetAge) {
        const step = (onsetAge - age) / speed;
        age = onsetAge;
        t += step;
        continue;
      }
      age += speed * dt;
      t += dt;
      continue;
    }
    const k1 = f(w, load);
    const k2 = f(w + (dt / 2) * k1, load);
    const k3 = f(w + (dt / 2) * k2, load);
    const k4 = f(w + dt * k3, load);
    const next = w + (dt / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
    if (next >= target) return t + (dt * (target - w)) / (next - w);
    w = next;
    t += dt;
  }
}

describe('closed-form wear growth', () => {
  it.each([0, 0.5, 1, 1 + 1e-13, 1.8, 3])('inverts and starts at the given rate (exponent %s)', (exponent) => {
    const p = { rate: 0.05 / DAY, exponent, initial: 0.2, loadExponent: 1 };
    for (const w of [0.01, 0.3, 0.8, 1]) expect(wearAfter(p, ageToReach(p, w))).toBeCloseTo(w, 10);
    expect(wearAfter(p, 1) / p.rate).toBeCloseTo(1, 5); // dw/ds = rate at onset
    expect(wearAfter(p, 0)).toBe(0);
  });

  it('runs away in finite time for exponents above 1', () => {
    const p = { rate: 0.05 / DAY, exponent: 2, initial: 0.2, loadExponent: 1 };
    expect(wearAfter(p, 1000 * DAY)).toBe(Infinity);
  });
});

describe('component health', () => {
  it('stays new until onset, then wears monotonically and faster and faster', () => {
    const c = component({ rate: '0.05/d', exponent: 1.8 });
    c.setLoad(0, 1);
    expect(c.onsetAge).toBe(3 * DAY);
    expect(c.wear(3 * DAY)).toBe(0);
    const ts = Array.from({ length: 40 }, (_, i) => 3 * DAY + i * 0.25 * DAY);
    const w = ts.map((t) => c.wear(t));
    const steps = w.slice(1).map((x, i) => x - w[i]);
    const cut = steps.findIndex((_, i) => w[i + 1] >= 1);
    for (let i = 1; i < cut; i++) {
      expect(steps[i]).toBeGreaterThan(0);
      expect(steps[i]).toBeGreaterThan(steps[i - 1]);
    }
    expect(c.health(ts[5])).toBeCloseTo(1 - w[5], 15);
    expect(Math.max(...w)).toBe(1);
  });

  it('does not wear or age while stopped', () => {
    const c = component({ rate: '0.05/d' });
    c.setLoad(0, 1);
    c.setLoad(5 * DAY, 0);
    const w = c.wear(5 * DAY);
    expect(w).toBeGreaterThan(0);
    expect(c.wear(50 * DAY)).toBe(w);
    expect(c.failureTime(50 * DAY)).toBe(Infinity);
    expect(c.timeToFailure(50 * DAY, 0)).toBe(Infinity);
  });

  it('ages at load^k: half load with k = 3 lasts eight times longer', () => {
    const full = component({ rate: '0.05/d', loadExponent: 3 });
    const half = component({ rate: '0.05/d', loadExponent: 3 });
    full.setLoad(0, 1);
    half.setLoad(0, 0.5);
    expect(half.failureTime(0)).toBeCloseTo(8 * full.failureTime(0), 6);
    expect(() => half.setLoad(1, 1.2)).toThrow(RangeError);
  });

  it('fails exactly where the integrated wear crosses failAt, across load changes', () => {
    const c = component({ rate: '0.04/d', exponent: 1.8, initial: 0.15, loadExponent: 2 }, { dist: 'constant', value: '2d' }, 0.9);
    const loads = [
      { from: 0, load: 1 },
      { from: 3 * DAY, load: 0.5 },
      { from: 4 * DAY, load: 0 },
      { from: 5 * DAY, load: 0.8 },
    ];
    for (const l of loads) c.setLoad(l.from, l.load);
    const predicted = c.failureTime(5 * DAY);
    const integrated = integrateCrossing(c.spec.progression, c.onsetAge, loads, 0.9);
    expect(Math.abs(predicted - integrated)).toBeLessThan(120); // seconds, over days
    expect(c.wear(predicted)).toBeCloseTo(0.9, 9);
    expect(c.failed(predicted - 1)).toBe(false);
    expect(c.failed(predicted)).toBe(true);
    expect(c.failureTime(predicted + 10)).toBe(predicted + 10);
    expect(c.timeToFailure(5 * DAY, 0.8)).toBeCloseTo(predicted - 5 * DAY, 6);
  });

  it('renews as new with a fresh onset draw from its own stream', () => {
    const c = component({ rate: '0.05/d' }, { dist: 'weibull', shape: 2, scale: '10d' });
    const again = component({ rate: '0.05/d' }, { dist: 'weibull', shape: 2, scale: '10d' });
    expect(again.onsetAge).toBe(c.onsetAge);
    c.setLoad(0, 1);
    const first = c.onsetAge;
    const t = c.failureTime(0) + DAY;
    expect(c.wear(t)).toBe(1);
    c.renew(t);
    expect(c.wear(t)).toBe(0);
    expect(c.age(t)).toBe(0);
    expect(c.onsetAge).not.toBe(first);
    expect(c.failureTime(t)).toBeCloseTo(t + c.failAge, 6); // the load (1) stays
  });
});
