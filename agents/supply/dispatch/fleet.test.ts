import { describe, expect, it } from 'vitest';
import { RandomStream } from '../../../sim/random/stream.js';
import { scheduleTruck, truckCost, type Stop, type TruckPlanState } from '../fleet/index.js';
import { loadTf } from '../../maintenance/predictive/tf-backend.js';
import { advanceTruck } from './fleet-advance.js';
import {
  cheapestOption,
  cheapestPolicy,
  FLEET_DAY,
  FleetEnv,
  generateFleetDay,
  planFleetDay,
  runFleetEpisode,
  type FleetDayConfig,
  type FleetOption,
  type FleetPolicy,
} from './fleet-env.js';
import { FLEET_FEATURE_NAMES, FLEET_FEATURES, fleetFeatures } from './fleet-features.js';
import { committedFleetWeights, envFeatures, greedyFleetPolicy, initFleetWeights, loadFleetWeights, pickTruck, samplingFleetPolicy } from './fleet-policy.js';
import { trainFleet } from './fleet-train.js';
import { mlpScores } from './mlp-forward.js';
import { PolicyNet } from './reinforce.js';

/** A small world so the tests stay fast. */
const SMALL: FleetDayConfig = {
  ...FLEET_DAY,
  trucks: 4,
  routine: { ...FLEET_DAY.routine, jobs: 14 },
  urgent: { ...FLEET_DAY.urgent, perHour: 1.5 },
  planIterations: 60,
};

/** Places on a line (m), for hand-made trucks. */
const coords: Record<string, number> = { H: 0, A: 14_000, B: 28_000, C: -14_000 };
const travel = (a: string, b: string) => Math.abs(coords[a] - coords[b]);

function stop(job: string, kind: Stop['kind'], place: string, o: Partial<Stop> = {}): Stop {
  return { job, kind, place, qty: 1, ready: 0, due: 1e6, service: 300, ...o };
}

/** speed 14 m/s: 1000 s per 14 km; cost per metre 1.2/1000 + 40/3600/14. */
function truck(o: Partial<TruckPlanState> = {}): TruckPlanState {
  return { id: 't', home: 'H', capacity: 100, speed: 14, costPerKm: 1.2, costPerHour: 40, available: true, at: 'H', freeAt: 0, trips: [], loaded: [], ...o };
}

/** Picks a uniformly random truck among those with a quote: stresses plans the auction would not make. */
function randomPolicy(seed: number): FleetPolicy {
  const rng = new RandomStream('test.fleet-random', seed);
  return (_env, options) => {
    const ok = options.flatMap((o, i) => (o.quote ? [i] : []));
    return ok[rng.int(ok.length)];
  };
}

describe('fleet time advance', () => {
  it('drives a hand-made plan: commits to a stop when it sets off, loads deliveries at home, carries pickups until home', () => {
    const t = truck({ trips: [[stop('d1', 'delivery', 'A', { due: 500 }), stop('p1', 'pickup', 'B', { ready: 3000, due: 3500, priority: 10 })], [stop('p2', 'pickup', 'C')]] });
    const ctx = { now: 0, travel };
    // At 500 s: on the way to A (arrives 1000); d1 is under way, so out of the plan and of `loaded`.
    const a = advanceTruck(t, 500, ctx);
    expect(a.truck).toMatchObject({ at: 'A', freeAt: 1300, loaded: [], onBoard: 0 });
    // A trip's deliveries are loaded when it leaves home; those still ahead stay in `loaded`.
    const two = truck({ trips: [[stop('d1', 'delivery', 'A'), stop('d2', 'delivery', 'B'), stop('p9', 'pickup', 'C')]] });
    expect(advanceTruck(two, 500, ctx).truck).toMatchObject({ at: 'A', loaded: ['d2'] });
    expect(a.truck.trips.map((trip) => trip.map((s) => s.job))).toEqual([['p1'], ['p2']]);
    expect(a.departures).toEqual([{ job: 'd1', kind: 'delivery', depart: 0, serviceStart: 1000 }]);
    // d1 is 500 s late (priority 1): realised at once.
    expect(a.cost.lateSeconds).toBeCloseTo(500, 9);
    expect(a.truck.trips[0]).toHaveLength(1);
    // At 2500 s: left A at 1300 for B (arrives 2300, waits for 3000, done 3300); p1 on board.
    const b = advanceTruck(a.truck, 2500, { ...ctx, now: 500 });
    expect(b.truck).toMatchObject({ at: 'B', freeAt: 3300, loaded: [], onBoard: 1, onBoardDue: [{ due: 3500, priority: 10 }] });
    expect(b.truck.trips.map((trip) => trip.map((s) => s.job))).toEqual([[], ['p2']]);
    // At 4000 s: driving home since 3300 (at home 5300, p1 1800 s late × 10); the next trip has not left.
    const c = advanceTruck(b.truck, 4000, { ...ctx, now: 2500 });
    expect(c.truck).toMatchObject({ at: 'H', freeAt: 5300, loaded: [] });
    expect(c.truck.onBoard ?? 0).toBe(0);
    expect(c.cost.lateSeconds).toBeCloseTo(1800, 9);
    expect(c.cost.lateness).toBeCloseTo((1800 * 10) / 60, 9);
    // To the end: p2 and home.
    const d = advanceTruck(c.truck, Infinity, { ...ctx, now: 4000 });
    expect(d.truck).toMatchObject({ at: 'H', trips: [] });
    expect(d.departures.map((x) => [x.job, x.depart])).toEqual([
      ['p2', 5300],
      ['', 6600],
    ]);
    // Altogether: what the plan cost at 0.
    const total = a.cost.total + b.cost.total + c.cost.total + d.cost.total;
    expect(total).toBeCloseTo(truckCost(t, t.trips, ctx).total, 9);
    expect(a.cost.km + b.cost.km + c.cost.km + d.cost.km).toBeCloseTo(14 + 14 + 28 + 14 + 14, 9);
  });

  it('does not set off at exactly `to`, nor before the plan can start; leaves an idle truck as it is', () => {
    const t = truck({ freeAt: 100, trips: [[stop('p', 'pickup', 'A')]] });
    expect(advanceTruck(t, 100, { now: 0, travel }).truck).toEqual(t);
    // A plan cannot start in the past: from now = 200 it leaves at 200.
    expect(advanceTruck(t, 300, { now: 200, travel }).departures[0].depart).toBe(200);
    const idle = truck({ freeAt: 50 });
    expect(advanceTruck(idle, 1e6, { now: 0, travel })).toMatchObject({ truck: idle, departures: [], cost: { total: 0 } });
    expect(() => advanceTruck(t, 10, { now: 20, travel })).toThrow(RangeError);
  });

  it('keeps realised + remaining cost constant, in one step or many, and serves stops when the schedule says (random mid-day plans)', () => {
    for (let seed = 1; seed <= 4; seed++) {
      const env = new FleetEnv(SMALL, seed);
      const policy = randomPolicy(seed);
      const rng = new RandomStream('test.fleet-times', seed);
      // Play half the day, then check every truck from there.
      for (let j = 0; j < env.day.urgent.length / 2; j++) {
        const options = env.options();
        env.apply(options, policy(env, options));
      }
      const ctx0 = env.ctx;
      for (const t of env.trucks) {
        const before = truckCost(t, t.trips, ctx0).total;
        const sched = scheduleTruck(t, t.trips, ctx0);
        const starts = new Map<string, number>();
        t.trips.forEach((trip, k) => trip.forEach((s, i) => starts.set(s.job, sched[k].serviceStarts[i])));
        const times = Array.from({ length: 5 }, () => ctx0.now + rng.uniform(0, 8 * 3600)).sort((a, b) => a - b);
        let state = t;
        let now = ctx0.now;
        let realised = 0;
        for (const to of [...times, Infinity]) {
          const ctx = { ...ctx0, now };
          const a = advanceTruck(state, to, ctx);
          realised += a.cost.total;
          for (const d of a.departures) if (d.kind !== 'home') expect(d.serviceStart).toBeCloseTo(starts.get(d.job)!, 6);
          state = a.truck;
          if (Number.isFinite(to)) {
            now = to;
            expect(realised + truckCost(state, state.trips, { ...ctx0, now }).total).toBeCloseTo(before, 6);
          }
        }
        expect(realised).toBeCloseTo(before, 6);
        expect(state.at).toBe(state.home);
        expect(state.trips.flat()).toEqual([]);
        // One step to the end gives the same.
        expect(advanceTruck(t, Infinity, ctx0).cost.total).toBeCloseTo(realised, 6);
      }
    }
  });
});

describe('fleet dispatch environment', () => {
  it('generates the same day for the same seed and another for another seed', () => {
    expect(generateFleetDay(SMALL, 3)).toEqual(generateFleetDay(SMALL, 3));
    expect(generateFleetDay(SMALL, 3).urgent).not.toEqual(generateFleetDay(SMALL, 4).urgent);
    const day = generateFleetDay(FLEET_DAY, 5);
    for (const u of day.urgent) {
      expect(u.stop).toMatchObject({ kind: 'pickup', priority: 10 });
      expect(u.stop.due - u.arrival).toBeGreaterThanOrEqual(2 * 3600);
      expect(u.stop.due - u.arrival).toBeLessThanOrEqual(4 * 3600);
    }
  });

  it('realises exactly the morning plan plus the chosen quotes, serves every job once, the same for the same seed', () => {
    for (let seed = 1; seed <= 4; seed++) {
      for (const policy of [cheapestPolicy, randomPolicy(seed)]) {
        const env = new FleetEnv(SMALL, seed);
        const s = runFleetEpisode(env, policy);
        expect(s.unassigned).toBe(0);
        expect(s.totalCost).toBeCloseTo(env.totalCost(), 6);
        expect(s.totalCost).toBeCloseTo(s.driving + s.lateness, 6);
        expect(env.trucks.every((t) => t.at === t.home && t.trips.flat().length === 0)).toBe(true);
      }
      expect(runFleetEpisode(new FleetEnv(SMALL, seed), randomPolicy(1))).toEqual(runFleetEpisode(new FleetEnv(SMALL, seed), randomPolicy(1)));
    }
  });

  it('has the chosen truck serve each urgent job, and every job served once', () => {
    const env = new FleetEnv(SMALL, 2);
    const policy = randomPolicy(2);
    const chosen = new Map<string, string>();
    while (!env.done) {
      const options = env.options();
      const i = policy(env, options);
      chosen.set(env.job.job, env.trucks[options[i].truck].id);
      env.apply(options, i);
    }
    for (const [job, truckId] of chosen) expect(env.servedBy.get(job)).toBe(truckId);
    expect(env.servedBy.size).toBe(env.day.routine.length + env.day.urgent.length);
  });

  it('cheapest insertion awards like the contract net: lowest quote, ties to the earlier service start, then the lower id', () => {
    const trucks = ['t3', 't1', 't2'].map((id) => truck({ id }));
    const q = (cost: number, serviceStart: number) => ({ cost, previousCost: 0, serviceStart, trip: 0, position: 0 });
    const opts = (qs: (ReturnType<typeof q> | undefined)[]): FleetOption[] => qs.map((quote, truck) => (quote ? { truck, quote } : { truck }));
    expect(cheapestOption(trucks, opts([q(5, 0), q(4, 9), undefined]))).toBe(1);
    expect(cheapestOption(trucks, opts([q(4, 8), q(4, 9), q(4, 8)]))).toBe(2);
    expect(() => cheapestOption(trucks, opts([undefined]))).toThrow();
  });
});

describe('fleet features and policy', () => {
  it('scales features to a bounded range, marks the cheapest, and leaves rows of unquoted trucks with the common part only', () => {
    const env = new FleetEnv(FLEET_DAY, 7);
    let decisions = 0;
    while (!env.done) {
      const options = env.options();
      // A truck without a quote (as a broken one would be).
      options[0] = { truck: 0 };
      const x = envFeatures(env, options);
      expect(x).toHaveLength(options.length * FLEET_FEATURES);
      for (const v of x) expect(v >= -3 && v <= 6).toBe(true);
      const col = (name: (typeof FLEET_FEATURE_NAMES)[number], r: number) => x[r * FLEET_FEATURES + FLEET_FEATURE_NAMES.indexOf(name)];
      const costs = options.map((o) => o.quote?.cost ?? Infinity);
      const min = Math.min(...costs);
      options.forEach((o, r) => {
        if (!o.quote) {
          expect(col('delta', r)).toBe(0);
          expect(col('isCheapest', r)).toBe(0);
        } else {
          expect(col('isCheapest', r)).toBe(o.quote.cost <= min + 1e-9 ? 1 : 0);
          expect(col('regret', r)).toBeCloseTo(Math.min(6, (o.quote.cost - min) / 100), 5);
        }
        expect(col('jobToHome', r)).toBe(col('jobToHome', 0));
      });
      env.apply(options, cheapestOption(env.trucks, options));
      decisions++;
    }
    expect(decisions).toBeGreaterThan(5);
  });

  it('untrained, the learned policy takes a cheapest truck; greedy and sampling only ever take a truck with a quote', () => {
    const w = initFleetWeights(16, new RandomStream('test.init', 3));
    const rng = new RandomStream('test.w', 4);
    const noisy = { ...w, w3: w.w3.map(() => rng.uniform(-3, 3)) };
    for (let seed = 1; seed <= 3; seed++) {
      const env = new FleetEnv(SMALL, seed);
      const sampling = samplingFleetPolicy(noisy, new RandomStream('test.sample', seed));
      while (!env.done) {
        const options = env.options();
        options[1] = { truck: 1 };
        const i = greedyFleetPolicy(w)(env, options);
        const min = Math.min(...options.map((o) => o.quote?.cost ?? Infinity));
        expect(options[i].quote!.cost).toBeCloseTo(min, 9);
        expect(options[greedyFleetPolicy(noisy)(env, options)].quote).toBeDefined();
        expect(options[sampling(env, options)].quote).toBeDefined();
        // The product's entry point picks the same truck from the same input.
        expect(pickTruck(noisy, { job: env.job, trucks: env.trucks, quotes: options.map((o) => o.quote), ctx: env.ctx })).toBe(greedyFleetPolicy(noisy)(env, options));
        env.apply(options, i);
      }
    }
    expect(pickTruck(w, { job: stop('x', 'pickup', 'A'), trucks: [truck()], quotes: [undefined], ctx: { now: 0, travel } })).toBe(-1);
  });

  it('the committed weights load, fit the features and dispatch a day', () => {
    const w = loadFleetWeights();
    expect(w.features).toEqual([...FLEET_FEATURE_NAMES]);
    expect(committedFleetWeights()).toEqual(w);
    const s = runFleetEpisode(new FleetEnv(SMALL, 9), greedyFleetPolicy(w));
    expect(Number.isFinite(s.totalCost)).toBe(true);
  });

  it('the plain-TypeScript forward pass gives tfjs’s scores (random weights and inputs)', async () => {
    const tf = await loadTf();
    const rng = new RandomStream('test.forward', 1);
    for (const hidden of [8, 32]) {
      const w0 = initFleetWeights(hidden, rng);
      // Random everything (the untrained output layer is zero).
      const w = { ...w0, b1: w0.b1.map(() => rng.uniform(-0.5, 0.5)), b2: w0.b2.map(() => rng.uniform(-0.5, 0.5)), w3: w0.w3.map(() => rng.uniform(-1, 1)), b3: 0.3, skip: w0.skip.map(() => rng.uniform(-1, 1)) };
      const net = new PolicyNet(tf, w, 1e-3);
      const rows = 50;
      const x = Array.from({ length: rows * FLEET_FEATURES }, () => rng.uniform(-1, 3));
      const ref = net.scores(x, rows);
      const mine = mlpScores(w, Float32Array.from(x), rows);
      for (let r = 0; r < rows; r++) expect(mine[r]).toBeCloseTo(ref[r], 3);
      // And after a training step, from the weights read back.
      net.step({ m: 5, x: x.slice(0, 10 * FLEET_FEATURES), mask: new Array(10).fill(0), action: [1, 0, 0, 0, 0, 0, 1, 0, 0, 0], advantage: [1, -0.5] }, 0.01);
      const trained = net.read();
      const ref2 = net.scores(x, rows);
      const mine2 = mlpScores(trained, Float32Array.from(x), rows);
      for (let r = 0; r < rows; r++) expect(mine2[r]).toBeCloseTo(ref2[r], 3);
      net.dispose();
    }
  });
});

describe('fleet dispatcher training', () => {
  it('runs a few iterations, changes the weights, keeps the best on validation, and is deterministic', async () => {
    const tf = await loadTf();
    const options = { config: SMALL, iterations: 2, days: 2, rollouts: 3, learningRate: 1e-2, entropy: 0.01, hidden: 8, seed: 1, firstSeed: 1, validationSeeds: [900, 901], validateEvery: 1 };
    const start = initFleetWeights(8, new RandomStream('fleet-dispatch.init', 1));
    const r = await trainFleet(tf, options);
    expect(r.history.map((h) => h.iteration)).toEqual([0, 1, 2]);
    expect(r.final.w1).not.toEqual(start.w1);
    expect(r.bestValidationCost).toBeLessThanOrEqual(r.history[0].validationCost! + 1e-9);
    const again = await trainFleet(tf, options);
    expect(again.final).toEqual(r.final);
  });

  it('features are computed from the same input in the product and in training', () => {
    const env = new FleetEnv(SMALL, 3);
    const options = env.options();
    expect(envFeatures(env, options)).toEqual(fleetFeatures({ job: env.job, trucks: env.trucks, quotes: options.map((o) => o.quote), ctx: env.ctx }));
    expect(planFleetDay(SMALL, env.day).plannedCost).toBeCloseTo(env.plannedCost, 9);
  });
});
