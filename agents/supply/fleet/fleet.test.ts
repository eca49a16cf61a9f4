import { describe, expect, it } from 'vitest';
import { RandomStream } from '../../../sim/random/stream.js';
import {
  checkPlan,
  insertAt,
  planCost,
  quoteInsertion,
  reoptimise,
  scheduleTruck,
  truckCost,
  type FleetPlan,
  type FleetProblem,
  type Stop,
  type TruckPlanState,
} from './index.js';
import { startState } from './start.js';

/** Places on a plane, metres; travel is the straight line. */
function plane(coords: Record<string, [number, number]>) {
  return (a: string, b: string) => {
    const [x1, y1] = coords[a];
    const [x2, y2] = coords[b];
    return Math.hypot(x1 - x2, y1 - y2);
  };
}

function stop(job: string, kind: Stop['kind'], place: string, o: Partial<Stop> = {}): Stop {
  return { job, kind, place, qty: 1, ready: 0, due: 1e6, service: 0, ...o };
}

function truck(id: string, o: Partial<TruckPlanState> = {}): TruckPlanState {
  return {
    id,
    home: 'H',
    capacity: 10,
    speed: 10,
    costPerKm: 1,
    costPerHour: 36,
    available: true,
    at: 'H',
    freeAt: 0,
    trips: [],
    loaded: [],
    ...o,
  };
}

/** Every job of a plan: trips then unassigned. */
const jobsOf = (plan: FleetPlan) => [...plan.trucks.flatMap((t) => t.trips.flat()), ...plan.unassigned].map((s) => s.job);

/** What trip k of a truck carries before its stops: onBoard for the trip under way of a truck out. */
const carried = (t: TruckPlanState, k: number) => (k === 0 && t.at !== t.home ? (t.onBoard ?? 0) : 0);

/**
 * A random mid-day problem: two homes, trucks out (with loaded deliveries
 * and pickups on the trip under way, and parts already picked up on board,
 * some wanted at home already) and at home, later trips, unassigned jobs,
 * optionally a broken truck, and one job too big for any truck.
 */
function randomProblem(seed: number, nTrucks = 4, nJobs = 30, broken = true): FleetProblem {
  const rng = new RandomStream('fleet-test', seed);
  const coords: Record<string, [number, number]> = { H: [0, 0], G: [6000, -4000] };
  for (let i = 0; i < 15; i++) coords[`P${i}`] = [rng.uniform(-10000, 10000), rng.uniform(-10000, 10000)];
  const place = () => `P${rng.int(15)}`;
  const jobs: Stop[] = [];
  for (let i = 0; i < nJobs; i++) {
    const ready = rng.uniform(0, 20000);
    jobs.push({
      job: `J${i}`,
      kind: rng.next() < 0.6 ? 'delivery' : 'pickup',
      place: place(),
      qty: 1 + rng.int(5),
      ready,
      due: ready + rng.uniform(1800, 7200),
      service: 300,
      ...(rng.next() < 0.2 ? { priority: 3 } : {}),
    });
  }
  const trucks: TruckPlanState[] = [];
  for (let t = 0; t < nTrucks; t++) {
    const home = t % 2 === 0 ? 'H' : 'G';
    const out = t % 3 !== 2;
    trucks.push(truck(`T${t}`, { home, capacity: 12, speed: 12, costPerHour: 30, at: out ? place() : home, freeAt: rng.uniform(0, 600) }));
  }
  // Parts on board (from their own stream, so the rest of the instance is as before); a truck at home ignores them.
  const board = new RandomStream('fleet-test-on-board', seed);
  for (const tr of trucks) {
    if (board.next() < 0.25) continue;
    tr.onBoard = board.int(8);
    tr.onBoardDue = Array.from({ length: 1 + board.int(3) }, () => ({ due: board.uniform(-2000, 12000), priority: board.next() < 0.3 ? 3 : 1 }));
  }
  const unassigned: Stop[] = [];
  for (const s of jobs) {
    const tr = trucks[rng.int(nTrucks)];
    const out = tr.at !== tr.home;
    if (rng.next() < 0.2) {
      unassigned.push(s);
      continue;
    }
    if (tr.trips.length === 0) tr.trips.push([]);
    const last = tr.trips[tr.trips.length - 1];
    const load = last.reduce((a, x) => a + x.qty, carried(tr, tr.trips.length - 1));
    const underWay = out && tr.trips.length === 1;
    if (load + s.qty <= tr.capacity && !(underWay && s.kind === 'delivery' && last.length >= 3)) {
      last.push(s);
      if (underWay && s.kind === 'delivery') tr.loaded.push(s.job);
    } else if (s.qty <= tr.capacity) tr.trips.push([s]);
    else unassigned.push(s);
  }
  if (broken) trucks[1].available = false;
  unassigned.push(stop('BIG', 'delivery', 'P0', { qty: 99 }));
  return { now: 100, trucks, unassigned, travel: plane(coords) };
}

describe('planCost', () => {
  const travel = plane({ H: [0, 0], A: [1000, 0], B: [3000, 0], C: [0, 2000] });
  // 1 per km + 36 per hour at 10 m/s = 0.002 per metre.
  const A = stop('a', 'delivery', 'A', { due: 150, service: 100, priority: 2 });
  const B = stop('b', 'pickup', 'B', { ready: 700, due: 1000, service: 50 });
  const C = stop('c', 'delivery', 'C', { due: 1100 });

  it('prices a two-trip plan by hand', () => {
    // Start at freeAt 100. Trip 1: A at 200 (50 s late × priority 2), leave 300; B at 500, waits to 700, leave 750;
    // home 1050: pickup B's parts are home 50 s after its due 1000 (on time at the supplier, late where they are needed).
    // Trip 2: C at 1250 (150 s late), home 1450. Metres 1000 + 2000 + 3000 + 2000 + 2000.
    const t = truck('T', { freeAt: 100, trips: [[A, B], [C]] });
    const cost = planCost({ now: 0, travel, trucks: [t] });
    expect(cost.km).toBeCloseTo(10, 12);
    expect(cost.driving).toBeCloseTo(20, 12);
    expect(cost.lateSeconds).toBeCloseTo(250, 9);
    expect(cost.lateness).toBeCloseTo((50 * 2 + 50 + 150) / 60, 9);
    expect(cost.total).toBeCloseTo(20 + 300 / 60, 9);
  });

  it('continues a truck out from where it is, at max(freeAt, now), and always drives it home', () => {
    const out = truck('T', { at: 'A', freeAt: 50, trips: [[B]], loaded: [] });
    // A→B 2000 m, arrive 250, wait to 700, leave 750; B→H 3000 m, home 1050: B is 50 s late at home.
    expect(truckCost(out, out.trips, { now: 0, travel })).toMatchObject({ km: 5, lateSeconds: 50 });
    expect(truckCost(out, [], { now: 0, travel }).km).toBeCloseTo(1, 12);
    // now after freeAt: B reached at 800 + 200 = 1000, home at 1050 + 300 = 1350 (350 s late); C's trip then
    // starts at 1350, C reached at 1550 (450 s late).
    const late = truckCost(out, [[B], [C]], { now: 800, travel });
    expect(late.lateSeconds).toBeCloseTo(350 + 450, 9);
    // The same plan, found by the re-optimiser's own bookkeeping (no iterations: the start plan).
    const problem: FleetProblem = { now: 800, travel, trucks: [{ ...out, trips: [[B], [C]] }], unassigned: [] };
    expect(reoptimise(problem, { seed: 1, iterations: 0 }).cost.total).toBeCloseTo(late.total, 9);
  });
});

/** Brute force: every trip and position, and every new trip, priced by the reference evaluator. */
function bruteForce(t: TruckPlanState, s: Stop, now: number, travel: FleetProblem['travel']): number {
  const ctx = { now, travel };
  const trips = t.trips.length === 0 && t.at !== t.home ? [[]] : t.trips;
  const anchored = t.at !== t.home || t.loaded.length > 0;
  const before = truckCost(t, trips, ctx).total;
  let best = Infinity;
  const tryTrips = (cand: Stop[][]) => (best = Math.min(best, truckCost(t, cand, ctx).total - before));
  trips.forEach((trip, k) => {
    if (k === 0 && t.at !== t.home && s.kind === 'delivery') return;
    if (trip.reduce((a, x) => a + x.qty, carried(t, k)) + s.qty > t.capacity) return;
    for (let p = 0; p <= trip.length; p++) {
      const cand = trips.map((x) => x.slice());
      cand[k].splice(p, 0, s);
      tryTrips(cand);
    }
  });
  for (let k = anchored ? 1 : 0; k <= trips.length; k++) {
    const cand = trips.map((x) => x.slice());
    cand.splice(k, 0, [s]);
    tryTrips(cand);
  }
  return best;
}

describe('quoteInsertion', () => {
  it('equals brute force over all positions on random small plans', () => {
    let quotes = 0;
    // What the instances must exercise: pickups on time at the supplier but late home, late parts on
    // board, and trips under way too full for a pickup only because of what is on board.
    let lateOnlyAtHome = 0;
    let boardLate = 0;
    let boardFull = 0;
    for (let seed = 0; seed < 25; seed++) {
      const p = randomProblem(seed, 4, 24, false);
      const rng = new RandomStream('fleet-test-new', seed);
      for (const t of p.trucks) {
        const out = t.at !== t.home;
        const sched = scheduleTruck(t, t.trips, p);
        if (out && (t.onBoardDue ?? []).some((b) => b.due < sched[0].end)) boardLate++;
        sched.forEach((trip, k) =>
          (t.trips[k] ?? []).forEach((x, i) => {
            if (x.kind === 'pickup' && trip.serviceStarts[i] <= x.due && trip.end > x.due) lateOnlyAtHome++;
          }),
        );
        for (const kind of ['delivery', 'pickup'] as const) {
          const ready = rng.uniform(0, 15000);
          const s = stop('NEW', kind, `P${rng.int(15)}`, { qty: 1 + rng.int(4), ready, due: ready + 3600, service: 300, priority: 2 });
          const q = quoteInsertion(t, s, p);
          const brute = bruteForce(t, s, p.now, p.travel);
          expect(q).toBeDefined();
          expect(q!.cost).toBeCloseTo(brute, 6);
          expect(q!.previousCost).toBeCloseTo(truckCost(t, t.trips, p).total, 6);
          // Applying the quote costs what it said, and the job is served when it said.
          const trips = insertAt(t, q!, s);
          expect(truckCost(t, trips, p).total - q!.previousCost).toBeCloseTo(q!.cost, 6);
          expect(scheduleTruck(t, trips, p)[q!.trip].serviceStarts[q!.newTrip ? 0 : q!.position]).toBeCloseTo(q!.serviceStart, 6);
          const load0 = (t.trips[0] ?? []).reduce((a, x) => a + x.qty, s.qty);
          if (out && kind === 'pickup' && load0 <= t.capacity && load0 + carried(t, 0) > t.capacity) boardFull++;
          quotes++;
        }
      }
    }
    expect(quotes).toBe(200);
    expect(lateOnlyAtHome).toBeGreaterThan(5);
    expect(boardLate).toBeGreaterThan(5);
    expect(boardFull).toBeGreaterThan(2);
  });

  it('keeps deliveries off the trip under way, and opens a trip between two when the next one is full', () => {
    const travel = plane({ H: [0, 0], A: [5000, 0], B: [0, 5000], U: [100, 0] });
    const loadedJob = stop('l', 'delivery', 'A');
    const full = Array.from({ length: 10 }, (_, i) => stop(`f${i}`, 'delivery', 'B', { ready: 20000 }));
    const t = truck('T', { at: 'A', trips: [[loadedJob], full], loaded: ['l'] });
    const urgent = stop('u', 'delivery', 'U', { due: 1000, priority: 10 });
    const q = quoteInsertion(t, urgent, { now: 0, travel })!;
    expect(q).toMatchObject({ trip: 1, position: 0, newTrip: true });
    expect(insertAt(t, q, urgent).map((trip) => trip.map((s) => s.job))).toEqual([['l'], ['u'], full.map((s) => s.job)]);
    // A pickup may ride on the trip under way.
    expect(quoteInsertion(t, stop('p', 'pickup', 'U', { due: 1000 }), { now: 0, travel })).toMatchObject({ trip: 0 });
  });

  it('gives no quote from a broken truck or for a job bigger than the truck', () => {
    const travel = plane({ H: [0, 0], A: [5000, 0] });
    expect(quoteInsertion(truck('T', { available: false }), stop('x', 'pickup', 'A'), { now: 0, travel })).toBeUndefined();
    expect(quoteInsertion(truck('T'), stop('x', 'pickup', 'A', { qty: 11 }), { now: 0, travel })).toBeUndefined();
    expect(quoteInsertion(truck('T'), stop('x', 'pickup', 'A', { qty: 10 }), { now: 0, travel })).toMatchObject({ trip: 0, newTrip: true });
  });
});

describe('trips under way come home', () => {
  // 1 per km + 36 per hour at 10 m/s: 0.002 per metre.
  const travel = plane({ H: [0, 0], A: [1000, 0], P: [1000, 500], B: [3000, 0] });

  it('counts the load already on board in the trip under way, and only there', () => {
    const out = truck('T', { at: 'A', onBoard: 9 });
    expect(quoteInsertion(out, stop('p1', 'pickup', 'P', { qty: 1 }), { now: 0, travel })).toMatchObject({ trip: 0, position: 0 });
    // Two more units do not fit beside the nine on board: the pickup waits for a trip of its own.
    expect(quoteInsertion(out, stop('p2', 'pickup', 'P', { qty: 2 }), { now: 0, travel })).toMatchObject({ trip: 1, newTrip: true });
    // At home nothing is on board: onBoard is ignored.
    const home = truck('T', { onBoard: 9, trips: [[stop('x', 'pickup', 'B')]] });
    const atHome = quoteInsertion(home, stop('p2', 'pickup', 'P', { qty: 2 }), { now: 0, travel });
    expect(atHome).toMatchObject({ trip: 0 });
    expect(atHome).not.toHaveProperty('newTrip');
  });

  it('moves the stops past capacity off the trip under way, and checkPlan counts onBoard', () => {
    const x = stop('x', 'pickup', 'P', { qty: 2 });
    const y = stop('y', 'pickup', 'B', { qty: 1 });
    const p: FleetProblem = { now: 0, travel, unassigned: [], trucks: [truck('T', { at: 'A', onBoard: 8, trips: [[x, y]] })] };
    const plan = reoptimise(p, { seed: 1, iterations: 0 });
    expect(checkPlan(p, plan)).toEqual({ ok: true });
    expect(plan.trucks[0].trips.map((trip) => trip.map((s) => s.job))).toEqual([['x'], ['y']]);
    const overfull = [{ id: 'T', trips: [[x, y]] }];
    expect(checkPlan(p, { trucks: overfull, unassigned: [], cost: planCost(p, overfull) })).toMatchObject({
      reason: expect.stringMatching(/trip 0: load 11 exceeds the capacity 10/),
    });
  });

  it('charges the delay an extra stop gives the parts on board, which are late at home', () => {
    // Out at A, home at 100 s (1000 m); the parts on board were due at 0.
    const out = (priority: number) => truck('T', { at: 'A', onBoard: 1, onBoardDue: [{ due: 0, priority }] });
    expect(truckCost(out(2), [], { now: 0, travel })).toMatchObject({ lateSeconds: 100 });
    expect(truckCost(out(2), [], { now: 0, travel }).total).toBeCloseTo(2 + (100 * 2) / 60, 9);
    // A pickup at P on the way: A→P 500 m, P→H 1118.03 m, so home 61.80 s later.
    const viaP = 500 + Math.hypot(1000, 500);
    const p = stop('p', 'pickup', 'P');
    const q = quoteInsertion(out(2), p, { now: 0, travel })!;
    expect(q).toMatchObject({ trip: 0, position: 0, serviceStart: 50 });
    expect(q.cost).toBeCloseTo((viaP - 1000) * 0.002 + ((viaP - 1000) / 10) * (2 / 60), 9);
    // Urgent parts on board: the pickup goes on a trip of its own after the truck is home (H→P→H).
    const urgent = quoteInsertion(out(10), p, { now: 0, travel })!;
    expect(urgent).toMatchObject({ trip: 1, newTrip: true });
    expect(urgent.cost).toBeCloseTo(2 * Math.hypot(1000, 500) * 0.002, 9);
    // At home there is nothing on board: onBoardDue is ignored.
    expect(truckCost(truck('T', { onBoardDue: [{ due: 0, priority: 2 }] }), [], { now: 0, travel }).total).toBe(0);
  });

  it('prices a pickup late when its parts reach home, not at the supplier', () => {
    // Pickup b at B: there at 300 s, home at 600 s, due 600: just on time.
    const b = stop('b', 'pickup', 'B', { due: 600 });
    const t = truck('T', { trips: [[b]] });
    expect(truckCost(t, t.trips, { now: 0, travel }).total).toBeCloseTo(12, 9);
    // A delivery at A on the road (no detour, going out or coming back) with 100 s of service delays
    // b's parts home by 100 s: no longer free, as it was when b was late at the supplier.
    const a = stop('a', 'delivery', 'A', { service: 100 });
    const q = quoteInsertion(t, a, { now: 0, travel })!;
    expect(q).toMatchObject({ trip: 0 });
    expect(q.cost).toBeCloseTo(100 / 60, 9);
    expect(truckCost(t, insertAt(t, q, a), { now: 0, travel }).lateSeconds).toBeCloseTo(100, 9);
    // A pickup is served at the supplier but late when home: b due 400 is 200 s late though served at 300.
    expect(truckCost(truck('T'), [[{ ...b, due: 400 }]], { now: 0, travel })).toMatchObject({ lateSeconds: 200 });
  });
});

describe('reoptimise', () => {
  it('keeps every job exactly once, capacity and the loaded rule on random instances', () => {
    for (let seed = 0; seed < 12; seed++) {
      const p = randomProblem(seed, 5, 40);
      const start = reoptimise(p, { seed, iterations: 0 });
      const plan = reoptimise(p, { seed, iterations: 150 });
      expect(checkPlan(p, start)).toEqual({ ok: true });
      expect(checkPlan(p, plan)).toEqual({ ok: true });
      expect(jobsOf(plan).sort()).toEqual([...p.trucks.flatMap((t) => t.trips.flat()), ...p.unassigned].map((s) => s.job).sort());
      expect(plan.cost.total).toBeLessThanOrEqual(start.cost.total + 1e-9);
      // The loaded rule, stated directly.
      p.trucks.forEach((t, i) => {
        for (const job of t.loaded) expect(plan.trucks[i].trips[0].map((s) => s.job)).toContain(job);
      });
      expect(plan.unassigned.map((s) => s.job)).toEqual(['BIG']);
    }
  });

  it('moves a broken truck’s movable stops to other trucks and keeps its loaded ones', () => {
    const p = randomProblem(3, 4, 30);
    const broken = p.trucks[1];
    expect(broken.available).toBe(false);
    const movable = broken.trips.flat().filter((s) => !broken.loaded.includes(s.job));
    expect(movable.length).toBeGreaterThan(0);
    const plan = reoptimise(p, { seed: 7, iterations: 200 });
    expect(checkPlan(p, plan)).toEqual({ ok: true });
    expect(plan.trucks[1].trips.flat().map((s) => s.job).sort()).toEqual([...broken.loaded].sort());
    const elsewhere = new Set(plan.trucks.filter((_, i) => i !== 1).flatMap((t) => t.trips.flat().map((s) => s.job)));
    for (const s of movable) expect(elsewhere.has(s.job)).toBe(true);
  });

  it('uncrosses a deliberately bad plan', () => {
    const coords: Record<string, [number, number]> = { H: [0, 0] };
    const east: Stop[] = [];
    const west: Stop[] = [];
    for (let i = 0; i < 4; i++) {
      coords[`E${i}`] = [10000, i * 500];
      coords[`W${i}`] = [-10000, i * 500];
      east.push(stop(`e${i}`, 'delivery', `E${i}`));
      west.push(stop(`w${i}`, 'delivery', `W${i}`));
    }
    const p: FleetProblem = {
      now: 0,
      travel: plane(coords),
      unassigned: [],
      trucks: [
        truck('A', { capacity: 4, trips: [[east[0], west[0], east[1], west[1]]] }),
        truck('B', { capacity: 4, trips: [[west[2], east[2], west[3], east[3]]] }),
      ],
    };
    const start = reoptimise(p, { seed: 1, iterations: 0 });
    const plan = reoptimise(p, { seed: 1, iterations: 300 });
    expect(checkPlan(p, plan)).toEqual({ ok: true });
    // Zigzags of just over 80 km each against two runs of about 21.5 km.
    expect(start.cost.km).toBeGreaterThan(160);
    expect(plan.cost.km).toBeLessThan(45);
    // Two trips of four, each on one side (one truck may drive both: windows are wide open).
    for (const trip of plan.trucks.flatMap((t) => t.trips)) expect(new Set(trip.map((s) => s.place[0])).size).toBe(1);
  });

  it('is deterministic: same problem, seed and iterations give the same plan', () => {
    const a = reoptimise(randomProblem(5, 5, 40), { seed: 42, iterations: 200 });
    const b = reoptimise(randomProblem(5, 5, 40), { seed: 42, iterations: 200 });
    expect(a).toEqual(b);
  });

  it('leaves in unassigned what no truck can carry or when every truck is broken', () => {
    const travel = plane({ H: [0, 0], A: [5000, 0], B: [0, 5000] });
    const small = stop('s', 'pickup', 'A', { qty: 5 });
    const big = stop('b', 'delivery', 'B', { qty: 11 });
    const p: FleetProblem = { now: 0, travel, trucks: [truck('T1'), truck('T2')], unassigned: [small, big] };
    const plan = reoptimise(p, { seed: 1, iterations: 50 });
    expect(checkPlan(p, plan)).toEqual({ ok: true });
    expect(plan.unassigned.map((s) => s.job)).toEqual(['b']);
    const loadedJob = stop('l', 'delivery', 'B');
    const stuck: FleetProblem = {
      now: 0,
      travel,
      unassigned: [],
      trucks: [truck('T1', { available: false, at: 'A', trips: [[loadedJob, small]], loaded: ['l'] }), truck('T2', { available: false, trips: [[big]] })],
    };
    const none = reoptimise(stuck, { seed: 1, iterations: 50 });
    expect(checkPlan(stuck, none)).toEqual({ ok: true });
    expect(none.trucks.map((t) => t.trips.map((trip) => trip.map((s) => s.job)))).toEqual([[['l']], []]);
    expect(none.unassigned.map((s) => s.job).sort()).toEqual(['b', 's']);
    const empty: FleetProblem = { now: 0, travel, trucks: [], unassigned: [small] };
    expect(reoptimise(empty, { seed: 1, iterations: 10 })).toMatchObject({ trucks: [], unassigned: [small], cost: { total: 0 } });
  });

  it('rejects inconsistent input', () => {
    const travel = plane({ H: [0, 0], A: [5000, 0] });
    const a = stop('a', 'delivery', 'A');
    const dup: FleetProblem = { now: 0, travel, trucks: [truck('T', { trips: [[a]] })], unassigned: [a] };
    expect(() => reoptimise(dup, { seed: 1, iterations: 1 })).toThrow(/job a appears twice/);
    const misplaced: FleetProblem = { now: 0, travel, trucks: [truck('T', { trips: [[], [a]], loaded: ['a'] })], unassigned: [] };
    expect(() => reoptimise(misplaced, { seed: 1, iterations: 1 })).toThrow(/loaded job a of truck T is in trip 1/);
  });
});

describe('checkPlan', () => {
  const p = randomProblem(2, 4, 30);
  const good = reoptimise(p, { seed: 2, iterations: 20 });
  const edit = (f: (plan: FleetPlan) => void): FleetPlan => {
    const plan = structuredClone(good);
    f(plan);
    plan.cost = planCost(p, plan.trucks);
    return plan;
  };
  const busy = good.trucks.findIndex((t) => t.trips.length > 1);

  it('accepts the optimiser’s plan and catches each kind of violation', () => {
    expect(checkPlan(p, good)).toEqual({ ok: true });
    expect(checkPlan(p, edit((x) => x.unassigned.push(x.trucks[busy].trips[1][0])))).toMatchObject({ reason: expect.stringMatching(/appears more than once/) });
    expect(checkPlan(p, edit((x) => x.trucks[busy].trips[1].pop()))).toMatchObject({ reason: expect.stringMatching(/is missing from the plan/) });
    expect(checkPlan(p, edit((x) => x.trucks[busy].trips[1].push(stop('ZZ', 'pickup', 'P1'))))).toMatchObject({ reason: expect.stringMatching(/not in the problem/) });
    expect(checkPlan(p, edit((x) => x.trucks[busy].trips[1].push(...x.unassigned.splice(0, 1))))).toMatchObject({ reason: expect.stringMatching(/exceeds the capacity/) });
    const withLoaded = p.trucks.findIndex((t) => t.available && t.loaded.length > 0);
    expect(
      checkPlan(
        p,
        edit((x) => {
          const trips = x.trucks[withLoaded].trips;
          trips.push(trips[0].splice(trips[0].findIndex((s) => s.job === p.trucks[withLoaded].loaded[0]), 1));
        }),
      ),
    ).toMatchObject({ reason: expect.stringMatching(/not in trips\[0\]/) });
    expect(checkPlan(p, { ...good, cost: { ...good.cost, total: good.cost.total + 1 } })).toMatchObject({ reason: expect.stringMatching(/it costs/) });
  });
});

describe('search bookkeeping', () => {
  it('prices removals exactly and agrees with the reference evaluator', () => {
    let removals = 0;
    for (let seed = 0; seed < 6; seed++) {
      const p = randomProblem(seed, 4, 30);
      const state = startState(p, 1e6);
      const asStops = state.routes.map((r) => ({ id: r.info.id, trips: r.trips.map((trip) => trip.map((j) => state.m.jobs[j])) }));
      expect(state.planCost()).toBeCloseTo(planCost(p, asStops).total, 6);
      for (const r of state.routes) {
        for (const j of r.trips.flat()) {
          const before = r.cost;
          const predicted = r.removalDelta(j);
          state.begin();
          state.remove(j);
          expect(r.cost - before).toBeCloseTo(predicted, 6);
          state.rollback();
          expect(r.cost).toBeCloseTo(before, 9);
          removals++;
        }
      }
    }
    expect(removals).toBeGreaterThan(100);
  });
});
