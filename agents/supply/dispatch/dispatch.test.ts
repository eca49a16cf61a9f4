import { describe, expect, it } from 'vitest';
import { RandomStream } from '../../../sim/random/stream.js';
import { DEFAULT_CONFIG, distance, generateDay, type DispatchConfig } from './day.js';
import { DispatchEnv, runEpisode, type Policy } from './dispatch-env.js';
import { cheapestOption, heuristicPolicy } from './heuristic.js';
import { DEFAULT_DISPATCHER, dispatcher } from './dispatcher.js';
import { greedyPolicy, initWeights, loadWeights, probabilities, samplingPolicy } from './policy.js';
import { anchorAt, legCosts, operatingCost, timetable } from './route.js';

/** A small world so the tests stay fast. */
const SMALL: DispatchConfig = { ...DEFAULT_CONFIG, trucks: 3, planned: 15, urgentRate: 10 / 420 };

/** Picks a uniformly random feasible option: stresses insertion in places the heuristic would not go. */
function randomPolicy(seed: number): Policy {
  const rng = new RandomStream('test.random-policy', seed);
  return (_env, options) => {
    const ok = options.flatMap((o, i) => (o.feasible ? [i] : []));
    return ok[rng.int(ok.length)];
  };
}

function checkRoutes(env: DispatchEnv): void {
  const c = env.config;
  for (const t of env.trucks) {
    const tt = timetable(t.route, c.truck);
    expect(tt.infeasible).toBeUndefined();
    expect(tt.maxLoad).toBeLessThanOrEqual(c.truck.capacity + 1e-9);
    t.route.forEach((s, i) => {
      if (s.kind === 'planned') expect(tt.arrive[i]).toBeLessThanOrEqual(s.close + 1e-9);
    });
    expect(tt.arrive[tt.arrive.length - 1]).toBeLessThanOrEqual(c.horizon + 1e-9);
    // The route's cost is the sum of its legs, and its distance the sum of the leg lengths.
    const legs = legCosts(t.route, tt, c.truck);
    expect(legs.reduce((a, b) => a + b, 0)).toBeCloseTo(operatingCost(tt, c.truck), 6);
    let km = 0;
    for (let i = 1; i < t.route.length; i++) km += distance(t.route[i - 1], t.route[i]);
    expect(tt.km).toBeCloseTo(km, 9);
    expect(t.route[0].kind).toBe('depot');
    expect(t.route[t.route.length - 1].kind).toBe('depot');
  }
}

describe('dispatch environment', () => {
  it('generates the same day for the same seed and another for another seed', () => {
    expect(generateDay(SMALL, 3)).toEqual(generateDay(SMALL, 3));
    expect(generateDay(SMALL, 3).urgent).not.toEqual(generateDay(SMALL, 4).urgent);
  });

  it('plans and dispatches without breaking a planned window, the capacity or the depot hours; costs add up', () => {
    for (let seed = 1; seed <= 6; seed++) {
      for (const policy of [heuristicPolicy, randomPolicy(seed)]) {
        const env = new DispatchEnv(SMALL, seed);
        checkRoutes(env);
        const served = env.trucks.flatMap((t) => t.route.filter((s) => s.kind === 'planned')).length;
        expect(served + env.unplanned).toBe(SMALL.planned);
        runEpisode(env, policy);
        checkRoutes(env);
        // The sum of the decisions' increments is the cost recomputed from the final routes.
        expect(env.totalCost()).toBeCloseTo(env.recomputedCost(), 6);
        const urgentOnTrucks = env.trucks.flatMap((t) => t.route.filter((s) => s.kind === 'urgent')).length;
        expect(urgentOnTrucks + env.couriers).toBe(env.day.urgent.length);
      }
    }
  });

  it('never changes the part of a route already driven', () => {
    const env = new DispatchEnv(SMALL, 11);
    const rand = randomPolicy(11);
    while (!env.done) {
      const before = env.trucks.map((t) => ({ ...t }));
      const now = env.now;
      const options = env.options();
      const choice = options[rand(env, options)];
      env.apply(choice);
      if (choice.kind !== 'truck') continue;
      const old = before[choice.truck];
      const anchor = anchorAt(old.timetable, now);
      const fresh = env.trucks[choice.truck];
      expect(fresh.route.slice(0, anchor + 1)).toEqual(old.route.slice(0, anchor + 1));
      expect(fresh.timetable.arrive.slice(0, anchor + 1)).toEqual(old.timetable.arrive.slice(0, anchor + 1));
      expect(fresh.timetable.depart.slice(0, anchor)).toEqual(old.timetable.depart.slice(0, anchor));
      // The truck never leaves its anchor before the job is known.
      expect(fresh.timetable.depart[anchor]).toBeGreaterThanOrEqual(Math.min(old.timetable.depart[anchor], now) - 1e-9);
    }
  });

  it('plays the same episode for the same seed', () => {
    const a = runEpisode(new DispatchEnv(SMALL, 5), heuristicPolicy);
    const b = runEpisode(new DispatchEnv(SMALL, 5), heuristicPolicy);
    expect(a).toEqual(b);
    const w = initWeights(8, new RandomStream('test.w', 1));
    const s1 = runEpisode(new DispatchEnv(SMALL, 5), samplingPolicy(w, new RandomStream('test.s', 2)));
    const s2 = runEpisode(new DispatchEnv(SMALL, 5), samplingPolicy(w, new RandomStream('test.s', 2)));
    expect(s1).toEqual(s2);
  });

  it('the heuristic takes the cheapest feasible option, the courier when it is cheapest', () => {
    const env = new DispatchEnv(SMALL, 2);
    while (!env.done) {
      const options = env.options();
      const i = cheapestOption(options);
      for (const o of options) if (o.feasible) expect(options[i].feasible && options[i].delta <= o.delta + 1e-9).toBe(true);
      env.apply(options[i]);
    }
  });
});

describe('learned dispatcher', () => {
  it('gives infeasible options no probability, whatever their score', () => {
    const p = probabilities(Float64Array.from([100, 1, 2]), [false, true, true]);
    expect(p[0]).toBe(0);
    expect(p[1] + p[2]).toBeCloseTo(1, 12);
  });

  it('only ever picks feasible options (greedy and sampling, random weights)', () => {
    const rng = new RandomStream('test.weights', 7);
    const w = initWeights(16, rng);
    w.w3 = w.w3.map(() => rng.uniform(-3, 3));
    for (const policy of [greedyPolicy(w), samplingPolicy(w, new RandomStream('test.sample', 7))]) {
      for (let seed = 1; seed <= 4; seed++) {
        const env = new DispatchEnv(SMALL, seed);
        while (!env.done) {
          const options = env.options();
          const i = policy(env, options);
          expect(options[i].feasible).toBe(true);
          env.apply(options[i]);
        }
      }
    }
  });

  it('untrained, it dispatches like the heuristic', () => {
    const w = initWeights(16, new RandomStream('test.init', 3));
    for (let seed = 1; seed <= 4; seed++) {
      const a = runEpisode(new DispatchEnv(SMALL, seed), heuristicPolicy);
      const b = runEpisode(new DispatchEnv(SMALL, seed), greedyPolicy(w));
      expect(b.totalCost).toBeCloseTo(a.totalCost, 3);
    }
  });

  it('the committed weights load and dispatch', () => {
    const w = loadWeights();
    const s = runEpisode(new DispatchEnv(SMALL, 9), greedyPolicy(w));
    expect(Number.isFinite(s.totalCost)).toBe(true);
  });
});

describe('default dispatcher', () => {
  it('is the learned policy and falls back to the heuristic on request', () => {
    expect(dispatcher().kind).toBe(DEFAULT_DISPATCHER);
    expect(dispatcher('heuristic').policy).toBe(heuristicPolicy);
  });
});
