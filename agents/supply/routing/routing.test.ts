import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  bestInsertion,
  checkSolution,
  createInstance,
  parseSolomon,
  SolomonFormatError,
  solveVrptw,
  totalDistance,
  type VrptwInstance,
} from './index.js';

const data = fileURLToPath(new URL('../../../../shared/data/solomon/', import.meta.url));
const load = (name: string) => parseSolomon(readFileSync(`${data}${name}.txt`, 'utf8'), `${name}.txt`);

/** Depot at the origin, customers on a line; windows wide unless given. */
function tiny(windows: [number, number][] = [], capacity = 10, maxVehicles = 5): VrptwInstance {
  const nodes = [{ x: 0, y: 0, demand: 0, ready: 0, due: 1000, service: 0 }];
  for (let i = 1; i <= 4; i++) {
    const [ready, due] = windows[i - 1] ?? [0, 1000];
    nodes.push({ x: i * 10, y: 0, demand: 4, ready, due, service: 5 });
  }
  return createInstance('tiny', nodes, capacity, maxVehicles);
}

describe('parseSolomon', () => {
  it('reads C101: 100 customers, 25 vehicles of capacity 200', () => {
    const inst = load('C101');
    expect(inst).toMatchObject({ name: 'C101', n: 100, capacity: 200, maxVehicles: 25 });
    expect([inst.x[1], inst.y[1], inst.demand[1], inst.ready[1], inst.due[1], inst.service[1]]).toEqual([45, 68, 10, 912, 967, 90]);
    expect(inst.dist[1 * 101 + 0]).toBeCloseTo(Math.hypot(5, 18), 12);
  });

  it('names file and line for bad input', () => {
    const text = readFileSync(`${data}C101.txt`, 'utf8').replace('   45         68         10', '   45         6x8        10');
    expect(() => parseSolomon(text, 'bad.txt')).toThrow(SolomonFormatError);
    expect(() => parseSolomon(text, 'bad.txt')).toThrow(/^bad\.txt:11: column 3 is not a number: "6x8"$/);
    expect(() => parseSolomon('', 'empty.txt')).toThrow(/empty\.txt:1: empty file/);
    expect(() => parseSolomon('X\r\n\r\nVEHICLE\r\nNUMBER CAPACITY\r\n 2 x\r\n', 'v.txt')).toThrow(/v\.txt:5: expected two positive integers/);
  });
});

describe('checkSolution', () => {
  const inst = tiny([[0, 1000], [0, 1000], [0, 1000], [0, 42]]);
  it('accepts a feasible solution, waiting allowed', () => {
    const early = tiny([[100, 120], [0, 1000], [0, 1000], [0, 1000]]);
    expect(checkSolution(early, [[1, 2], [3, 4]])).toEqual({ ok: true });
    expect(checkSolution(inst, [[4], [1, 2], [3]])).toEqual({ ok: true });
  });
  it('catches each kind of violation', () => {
    expect(checkSolution(inst, [[1, 2, 3], [4]])).toMatchObject({ ok: false, reason: expect.stringMatching(/load 12 exceeds the capacity 10/) });
    expect(checkSolution(inst, [[1, 4], [2, 3]])).toMatchObject({ ok: false, reason: expect.stringMatching(/service at customer 4 starts at 45.00, after its due date 42/) });
    expect(checkSolution(inst, [[1, 2], [2, 4], [3]])).toMatchObject({ ok: false, reason: 'customer 2 is visited more than once' });
    expect(checkSolution(inst, [[1, 2], [4]])).toMatchObject({ ok: false, reason: 'customer 3 is not served' });
    expect(checkSolution(inst, [[1, 2], [3], [4, 9]])).toMatchObject({ ok: false, reason: 'route 2: unknown customer 9' });
    const late = tiny([], 10, 5);
    const shortDay = createInstance('short', [{ ...nodeOf(late, 0), due: 50 }, ...[1, 2, 3, 4].map((i) => nodeOf(late, i))], 10, 5);
    expect(checkSolution(shortDay, [[1], [2], [4], [3]])).toMatchObject({ ok: false, reason: expect.stringMatching(/route 2: returns to the depot at 85.00, after 50/) });
    expect(checkSolution(tiny([], 10, 1), [[1, 2], [3, 4]])).toMatchObject({ ok: false, reason: '2 routes exceed the fleet of 1 vehicles' });
  });
});

function nodeOf(inst: VrptwInstance, i: number) {
  return { x: inst.x[i], y: inst.y[i], demand: inst.demand[i], ready: inst.ready[i], due: inst.due[i], service: inst.service[i] };
}

describe('bestInsertion', () => {
  it('finds the cheapest feasible position and respects windows and capacity', () => {
    const inst = tiny([[0, 1000], [0, 1000], [0, 1000], [0, 1000]], 12);
    expect(bestInsertion(inst, [[1, 3]], 2)).toEqual({ route: 0, position: 1, delta: 0 });
    expect(bestInsertion(inst, [[1, 2, 3]], 4)).toEqual({ route: 1, position: 0, delta: 80 });
    const tight = tiny([[0, 1000], [0, 1000], [0, 1000], [0, 42]], 20);
    // After 3 it would start at 55 > 42: only first in the route (40) fits.
    expect(bestInsertion(tight, [[1, 2, 3]], 4)).toEqual({ route: 0, position: 0, delta: 60 });
    expect(bestInsertion(tiny([], 12, 1), [[1, 2, 3]], 4)).toBeNull();
  });
});

describe('solveVrptw', () => {
  it('C101 reaches 10 vehicles and ≤ 829.0 quickly', () => {
    const s = solveVrptw(load('C101'), { iterations: 250, seed: 1 });
    expect(s.feasible).toBe(true);
    expect(s.vehicles).toBe(10);
    expect(s.distance).toBeLessThanOrEqual(829.0);
  }, 60_000);

  it.each(['C201', 'R101', 'R201', 'RC101', 'RC201'])('%s: small budgets give feasible solutions', (name) => {
    const inst = load(name);
    const s = solveVrptw(inst, { iterations: 60, seed: 3 });
    expect(checkSolution(inst, s.routes)).toEqual({ ok: true });
    expect(s.feasible).toBe(true);
    expect(s.distance).toBeCloseTo(totalDistance(inst, s.routes), 9);
    expect(s.vehicles).toBe(s.routes.length);
  }, 60_000);

  it('is deterministic for a seed and an iteration count', () => {
    const inst = load('RC101');
    const a = solveVrptw(inst, { iterations: 80, seed: 7 });
    const b = solveVrptw(inst, { iterations: 80, seed: 7 });
    expect(b.routes).toEqual(a.routes);
    expect(b.distance).toBe(a.distance);
  }, 60_000);

  it('starts from and never worsens a given initial solution', () => {
    const inst = load('C101');
    const first = solveVrptw(inst, { iterations: 60, seed: 2 });
    const again = solveVrptw(inst, { iterations: 10, seed: 5, initial: first.routes });
    expect(again.feasible).toBe(true);
    expect(again.vehicles * 1e6 + again.distance).toBeLessThanOrEqual(first.vehicles * 1e6 + first.distance + 1e-6);
  }, 60_000);
});
