import { sampler, type Sampler } from '../../sim/random/distributions.js';
import type { RandomStream } from '../../sim/random/stream.js';
import type { ComponentSpec, ProgressionSpec } from './degradation-spec.js';

/**
 * Hidden health of one component. It ages in equivalent full-load time
 * (age' = load^k, so nothing happens while stopped); after a random fault
 * onset its wear w grows like a fatigue crack (Paris law):
 *
 *   dw/dage = rate · (1 + w/w0)^n
 *
 * which integrates in closed form, so wear at any time and the exact time the
 * component reaches `failAt` are answered lazily, without ticks. Load is
 * piecewise constant: the owner calls `setLoad` when it changes, and ages are
 * linear in time in between.
 */

/** Wear after `s` seconds of equivalent full-load time past onset (∞ once the growth runs away). */
export function wearAfter(p: ProgressionSpec, s: number): number {
  if (s <= 0) return 0;
  const a = 1 - p.exponent;
  const c = p.rate / p.initial;
  // u = w0 + w: u(s) = w0 · (1 + a·c·s)^(1/a), the exponential u = w0 · e^(c·s) when a = 0.
  if (Math.abs(a) < 1e-12) return p.initial * Math.expm1(c * s);
  const base = a * c * s;
  if (base <= -1) return Infinity; // n > 1: the crack runs away in finite time
  return p.initial * Math.expm1(Math.log1p(base) / a);
}

/** Equivalent full-load time from onset until the wear reaches `w` (inverse of `wearAfter`). */
export function ageToReach(p: ProgressionSpec, w: number): number {
  if (w <= 0) return 0;
  const a = 1 - p.exponent;
  const c = p.rate / p.initial;
  const l = Math.log1p(w / p.initial);
  if (Math.abs(a) < 1e-12) return l / c;
  return Math.expm1(a * l) / (a * c);
}

/** Ageing speed at a load: equivalent full-load seconds per second. */
export function ageingSpeed(load: number, loadExponent: number): number {
  if (!(load >= 0 && load <= 1)) throw new RangeError(`load must be in [0, 1], got ${load}`);
  return load === 0 ? 0 : load ** loadExponent;
}

export class ComponentHealth {
  /** Equivalent full-load age at which the fault starts (drawn at renewal). */
  onsetAge = 0;
  /** Equivalent full-load age at which the wear reaches `failAt`. */
  failAge = 0;
  private readonly drawOnset: Sampler;
  /** Age at `t0`, and its growth per second since then. */
  private age0 = 0;
  private t0: number;
  private speed = 0;

  constructor(
    readonly spec: ComponentSpec,
    private readonly rng: RandomStream,
    t = 0,
  ) {
    this.drawOnset = sampler(spec.onset);
    this.t0 = t;
    this.renew(t);
  }

  get id(): string {
    return this.spec.id;
  }

  /** Equivalent full-load age at time t (t not before the last `setLoad`/`renew`). */
  age(t: number): number {
    return this.age0 + this.speed * (t - this.t0);
  }

  /** The load from time t on. */
  setLoad(t: number, load: number): void {
    const speed = ageingSpeed(load, this.spec.progression.loadExponent);
    this.age0 = this.age(t);
    this.t0 = t;
    this.speed = speed;
  }

  /** Wear in [0, 1] at time t: 0 before onset, then the Paris-law growth (capped at 1). */
  wear(t: number): number {
    return this.wearAtAge(this.age(t));
  }

  wearAtAge(age: number): number {
    return Math.min(1, wearAfter(this.spec.progression, age - this.onsetAge));
  }

  /** 1 − wear: the hidden truth an estimator is scored against. */
  health(t: number): number {
    return 1 - this.wear(t);
  }

  failed(t: number): boolean {
    return this.age(t) >= this.failAge;
  }

  /** Absolute time the wear reaches `failAt` under the current load (t if already there; ∞ when stopped). */
  failureTime(t: number): number {
    const left = this.failAge - this.age(t);
    if (left <= 0) return t;
    return this.speed > 0 ? t + left / this.speed : Infinity;
  }

  /** Time from t to failure if the load from t on were `load` (the true RUL at constant load). */
  timeToFailure(t: number, load: number): number {
    const left = this.failAge - this.age(t);
    if (left <= 0) return 0;
    const speed = ageingSpeed(load, this.spec.progression.loadExponent);
    return speed > 0 ? left / speed : Infinity;
  }

  /** As new at time t (after maintenance): age 0 and a fresh onset draw; the load stays. */
  renew(t: number): void {
    this.age0 = 0;
    this.t0 = t;
    this.onsetAge = Math.max(0, this.drawOnset(this.rng));
    this.failAge = this.onsetAge + ageToReach(this.spec.progression, this.spec.failAt);
  }
}
