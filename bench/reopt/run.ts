/**
 * Re-plan latency of the dynamic truck dispatcher (agents/supply/fleet) at
 * 50 trucks and 500 jobs: how long a bid round (insertion only) and an ALNS
 * re-plan (100, 500, 2000 iterations) take after each kind of event, and
 * what the plan costs then.
 *
 *   npm run build && npm run bench:reopt             # 20 repetitions (~4 min)
 *   node dist/bench/reopt/run.js --reps 5 --levels 100,500
 *
 * The instance is generated from the seed: one home at the centre of a 60 km
 * square, 50 trucks (capacity 40, 15 m/s, 1 per km, 30 per hour), 500 jobs
 * (60 % deliveries to 150 customers, 40 % pickups at 60 suppliers, qty 1–5,
 * 600 s service, windows over an 08:00–18:00 day), at 12:00 with 35 trucks
 * out on a trip with 2–5 loaded deliveries; about half of them have also
 * made 1–2 pickups on that trip (their load `onBoard`, their due times
 * `onBoardDue`: late if the parts reach home after them; drawn from a stream
 * of their own). Roads are straight lines × 1.3. A pickup is late when its
 * parts reach home (the end of its trip), a delivery at its service start.
 * The current plan is first built by reoptimise (--base-iterations), then
 * each event is applied to it and re-planned:
 *  1. urgent order: a delivery due in 2 h, priority 10;
 *  2. supplier delay: a planned pickup's ready time + 3 h (one the delay
 *     bites: planned to be served before its new ready time);
 *  3. breakdown: the truck out with the fullest trip under way (on board
 *     included) stops (repair 3 h); its loaded deliveries stay, everything
 *     else moves;
 *  4. burst: 20 new orders.
 * Insertion only: every job to place (new, delayed, or off the broken truck)
 * is quoted to every truck and goes to the cheapest, one after the other.
 * Each method runs --reps times (reoptimise with seeds 1..reps); wall ms
 * by performance.now() around the call, model building included.
 *
 * Writes bench/results/reopt-latency.json and prints a Markdown table.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, type } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  cheapestTruck,
  insertAt,
  planCost,
  reoptimise,
  scheduleTruck,
  type FleetPlan,
  type FleetProblem,
  type Stop,
  type TruckPlanState,
} from '../../agents/supply/fleet/index.js';
import { projectRoot } from '../../runtime/paths.js';
import { RandomStream } from '../../sim/random/stream.js';

const { values } = parseArgs({
  options: {
    reps: { type: 'string', default: '20' },
    levels: { type: 'string', default: '100,500,2000' },
    'base-iterations': { type: 'string', default: '5000' },
    seed: { type: 'string', default: '1' },
  },
});
const reps = Number(values.reps);
const levels = values.levels.split(',').map(Number);
const baseIterations = Number(values['base-iterations']);
const seed = Number(values.seed);
if (!(reps >= 1) || levels.some((l) => !(l >= 0)) || !(baseIterations >= 0)) throw new Error('--reps, --levels and --base-iterations must be numbers');

const HOUR = 3600;
const DAY_START = 8 * HOUR;
const DAY_END = 18 * HOUR;
const NOW = 12 * HOUR;
const SIDE = 60_000;
const ROAD_FACTOR = 1.3;

// ---- instance ----------------------------------------------------------------
const rng = new RandomStream('reopt-bench', seed);
const coords = new Map<string, [number, number]>([['HOME', [SIDE / 2, SIDE / 2]]]);
const customers = Array.from({ length: 150 }, (_, i) => `C${i}`);
const suppliers = Array.from({ length: 60 }, (_, i) => `S${i}`);
for (const p of [...customers, ...suppliers]) coords.set(p, [rng.uniform(0, SIDE), rng.uniform(0, SIDE)]);
const travel = (a: string, b: string): number => {
  const p = coords.get(a) as [number, number];
  const q = coords.get(b) as [number, number];
  return ROAD_FACTOR * Math.hypot(p[0] - q[0], p[1] - q[1]);
};
const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)];

let jobCount = 0;
/** A job with a window in [from, to), 1–3 h wide. */
function job(kind: Stop['kind'], from: number, to: number, extra: Partial<Stop> = {}): Stop {
  const ready = rng.uniform(from, to);
  return {
    job: `J${jobCount++}`,
    kind,
    place: kind === 'delivery' ? pick(customers) : pick(suppliers),
    qty: 1 + rng.int(5),
    ready,
    due: ready + rng.uniform(1 * HOUR, 3 * HOUR),
    service: 600,
    ...extra,
  };
}
const mixedJob = (from: number, to: number) => job(rng.next() < 0.6 ? 'delivery' : 'pickup', from, to);

// The jobs still to do at 12:00: windows from 10:00 (some ready, some already due) to the end of the day.
const jobs = Array.from({ length: 500 }, () => mixedJob(DAY_START + 2 * HOUR, DAY_END - 2 * HOUR));
const trucks: TruckPlanState[] = Array.from({ length: 50 }, (_, i) => ({
  id: `T${i}`,
  home: 'HOME',
  capacity: 40,
  speed: 15,
  costPerKm: 1,
  costPerHour: 30,
  available: true,
  at: 'HOME',
  freeAt: NOW,
  trips: [],
  loaded: [],
}));
const pool = jobs.slice();
for (const t of trucks.slice(0, 35)) {
  // Out on a trip: at a customer, with 2–5 deliveries still on board.
  t.at = pick(customers);
  t.freeAt = NOW + rng.uniform(0, 900);
  const trip: Stop[] = [];
  for (let n = 2 + rng.int(4), i = 0; i < pool.length && trip.length < n; ) {
    if (pool[i].kind === 'delivery') trip.push(...pool.splice(i, 1));
    else i++;
  }
  t.trips = [trip];
  t.loaded = trip.map((s) => s.job);
}
// Pickups already made on the trip under way: gone from the plan, their parts on board until home.
const boardRng = new RandomStream('reopt-bench-on-board', seed);
let trucksWithParts = 0;
for (const t of trucks.slice(0, 35)) {
  if (boardRng.next() < 0.5) continue;
  trucksWithParts++;
  t.onBoard = 0;
  t.onBoardDue = [];
  for (let n = 1 + boardRng.int(2), i = 0; i < n; i++) {
    t.onBoard += 1 + boardRng.int(5);
    t.onBoardDue.push({ due: boardRng.uniform(DAY_START + 3 * HOUR, DAY_START + 4 * HOUR) + boardRng.uniform(1 * HOUR, 3 * HOUR), priority: 1 });
  }
}
const initial: FleetProblem = { now: NOW, trucks, unassigned: pool, travel };

/** The problem with a plan's trips as the trucks' current plan. */
const withPlan = (p: FleetProblem, plan: FleetPlan): FleetProblem => ({
  ...p,
  trucks: p.trucks.map((t, i) => ({ ...t, trips: plan.trucks[i].trips })),
  unassigned: plan.unassigned,
});

// The machine's 1-minute load at the start and the end: timings are wall clock, so other work on it shows.
const loadAtStart = loadavg()[0];
let t0 = performance.now();
const basePlan = reoptimise(initial, { seed, iterations: baseIterations });
const baseMs = performance.now() - t0;
const base = withPlan(initial, basePlan);
process.stderr.write(`base plan: ${baseIterations} iterations in ${(baseMs / 1000).toFixed(1)} s, cost ${basePlan.cost.total.toFixed(1)}\n`);

// ---- events --------------------------------------------------------------------
interface Event {
  name: string;
  problem: FleetProblem;
  /** Jobs the insertion-only bid round places, and the problem it starts from (those jobs on no truck). */
  toPlace: Stop[];
  bidStart: FleetProblem;
}

/** The problem without the given jobs on any truck. */
function without(p: FleetProblem, jobIds: Set<string>): FleetProblem {
  return { ...p, trucks: p.trucks.map((t) => ({ ...t, trips: t.trips.map((trip) => trip.filter((s) => !jobIds.has(s.job))).filter((trip, k) => trip.length > 0 || (k === 0 && t.at !== t.home)) })) };
}

function urgent(): Event {
  const u = job('delivery', NOW, NOW + 1, { qty: 2, priority: 10 });
  u.due = NOW + 2 * HOUR;
  const problem = { ...base, unassigned: [...base.unassigned, u] };
  return { name: 'urgent order', problem, toPlace: [u], bidStart: base };
}

function supplierDelay(): Event {
  // Pickups served before ready + 3 h in the current plan (others would not notice the delay).
  const pickups = base.trucks.flatMap((t) => {
    const schedule = scheduleTruck(t, t.trips, base);
    return t.trips.flatMap((trip, k) => trip.filter((s, i) => s.kind === 'pickup' && schedule[k].serviceStarts[i] < s.ready + 3 * HOUR));
  });
  const old = pick(pickups);
  // The parts are ready 3 h later; the customer still wants them by the same time.
  const late: Stop = { ...old, ready: old.ready + 3 * HOUR };
  const problem = { ...base, trucks: base.trucks.map((t) => ({ ...t, trips: t.trips.map((trip) => trip.map((s) => (s.job === old.job ? late : s))) })) };
  return { name: 'supplier delay', problem, toPlace: [late], bidStart: without(base, new Set([old.job])) };
}

function breakdown(): Event {
  const load = (t: TruckPlanState) => (t.at !== t.home && t.trips[0] ? t.trips[0].reduce((a, s) => a + s.qty, t.onBoard ?? 0) : -1);
  const victim = base.trucks.reduce((best, t) => (load(t) > load(best) ? t : best));
  const problem = { ...base, trucks: base.trucks.map((t) => (t === victim ? { ...t, available: false, freeAt: NOW + 3 * HOUR } : t)) };
  const movable = victim.trips.flat().filter((s) => !victim.loaded.includes(s.job));
  return { name: `breakdown (${victim.id}, ${movable.length} stops to move)`, problem, toPlace: movable, bidStart: without(problem, new Set(movable.map((s) => s.job))) };
}

function burst(): Event {
  const orders = Array.from({ length: 20 }, () => mixedJob(NOW, NOW + 4 * HOUR));
  return { name: 'burst of 20 orders', problem: { ...base, unassigned: [...base.unassigned, ...orders] }, toPlace: orders, bidStart: base };
}

/** The bid round: each job to the truck with the cheapest quote, in turn. */
function bidRound(ev: Event): FleetProblem {
  const p: FleetProblem = { ...ev.bidStart, trucks: ev.bidStart.trucks.slice(), unassigned: ev.bidStart.unassigned.slice() };
  for (const s of ev.toPlace) {
    const best = cheapestTruck(p.trucks, s, p);
    if (!best) {
      p.unassigned.push(s);
      continue;
    }
    const t = p.trucks[best.truck];
    p.trucks[best.truck] = { ...t, trips: insertAt(t, best.quote, s) };
  }
  return p;
}

// ---- measure -------------------------------------------------------------------
const quantile = (xs: number[], q: number) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};
interface Row {
  event: string;
  method: string;
  iterations: number | null;
  medianMs: number;
  p95Ms: number;
  medianCost: number;
  bestCost: number;
  worstCost: number;
  deltaVsPreEvent: number;
  unassigned: number;
}
const preEventCost = planCost(base).total;
const rows: Row[] = [];
function record(event: string, method: string, iterations: number | null, ms: number[], costs: number[], unassigned: number) {
  const medianCost = quantile(costs, 0.5);
  const row: Row = {
    event,
    method,
    iterations,
    medianMs: quantile(ms, 0.5),
    p95Ms: quantile(ms, 0.95),
    medianCost,
    bestCost: Math.min(...costs),
    worstCost: Math.max(...costs),
    deltaVsPreEvent: medianCost - preEventCost,
    unassigned,
  };
  rows.push(row);
  process.stderr.write(`${event} / ${method}: median ${row.medianMs.toFixed(2)} ms, p95 ${row.p95Ms.toFixed(2)} ms, cost ${medianCost.toFixed(1)}\n`);
}

for (const make of [urgent, supplierDelay, breakdown, burst]) {
  const ev = make();
  const ms: number[] = [];
  let bid: FleetProblem = ev.bidStart;
  for (let r = 0; r < reps; r++) {
    t0 = performance.now();
    bid = bidRound(ev);
    ms.push(performance.now() - t0);
  }
  record(ev.name, 'insertion only', null, ms, [planCost(bid).total], bid.unassigned.length);
  for (const iterations of levels) {
    const times: number[] = [];
    const costs: number[] = [];
    let unassigned = 0;
    for (let r = 1; r <= reps; r++) {
      t0 = performance.now();
      const plan = reoptimise(ev.problem, { seed: r, iterations });
      times.push(performance.now() - t0);
      costs.push(plan.cost.total);
      unassigned = Math.max(unassigned, plan.unassigned.length);
    }
    record(ev.name, `reoptimise ${iterations} it`, iterations, times, costs, unassigned);
  }
}

// ---- report --------------------------------------------------------------------
const env = {
  cpu: `${cpus()[0].model} × ${cpus().length}`,
  os: `${type()} ${release()}`,
  node: process.versions.node,
  date: new Date().toISOString().slice(0, 10),
  seed,
  reps,
  baseIterations,
  loadAverage1m: { start: loadAtStart, end: loadavg()[0] },
};
const instance = {
  trucks: trucks.length,
  jobs: jobs.length,
  trucksOut: 35,
  trucksOutWithPartsOnBoard: trucksWithParts,
  unitsOnBoard: trucks.reduce((a, t) => a + (t.onBoard ?? 0), 0),
  now: NOW,
  basePlanCost: basePlan.cost,
  basePlanMs: baseMs,
};
const root = projectRoot();
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'reopt-latency.json'), JSON.stringify({ env, instance, preEventCost, rows }, null, 2) + '\n');

const lines = [
  `Machine: ${env.cpu}, ${env.os}; Node ${env.node}; load ${loadAtStart.toFixed(1)}–${env.loadAverage1m.end.toFixed(1)}; seed ${seed}, ${reps} repetitions; pre-event plan cost ${preEventCost.toFixed(1)}.`,
  '',
  '| event | method | median ms | p95 ms | cost (median) | Δ vs pre-event | best–worst cost | unassigned |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| ${r.event} | ${r.method} | ${r.medianMs.toFixed(2)} | ${r.p95Ms.toFixed(2)} | ${r.medianCost.toFixed(1)} | ${r.deltaVsPreEvent >= 0 ? '+' : ''}${r.deltaVsPreEvent.toFixed(1)} | ${r.bestCost.toFixed(1)}–${r.worstCost.toFixed(1)} | ${r.unassigned} |`,
  ),
];
process.stdout.write(lines.join('\n') + '\n');
