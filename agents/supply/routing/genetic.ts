/**
 * Hybrid Genetic Search for the VRPTW (Vidal et al. 2013; HGS-CVRP, PyVRP):
 * giant-tour individuals, order crossover (OX) and penalised Split, the
 * granular local search as education, repair of half of the infeasible
 * offspring with ×10 penalties, a feasible and an infeasible subpopulation
 * with biased fitness, and penalties adapted every 100 iterations towards 20 %
 * feasible offspring. The fleet is an upper bound on the number of routes
 * (Split and the local search never exceed it).
 */
import { Individual } from './individual.js';
import type { VrptwInstance } from './instance.js';
import { LocalSearch, type Penalties } from './local-search.js';
import { defaultPopulationParams, Population } from './population.js';
import type { Rng } from './rng.js';
import { Splitter } from './split.js';

const TARGET_FEASIBLE = 0.2;
const PENALTY_PERIOD = 100;
const RESTART_AFTER = 20000;

export class GeneticSearch {
  readonly pen: Penalties;
  readonly pop: Population;
  /** Best feasible individual found (fewest vehicles, then distance). */
  best: Individual | null = null;
  /** Best infeasible-or-not individual by penalised cost (for reporting when nothing is feasible). */
  bestAny: Individual | null = null;
  fleet: number;
  /** Local-search runs so far (initial individuals and offspring, not repairs). */
  iterations = 0;
  private readonly ls: LocalSearch;
  private readonly splitter: Splitter;
  private loadOk = 0;
  private twOk = 0;
  private sinceAdjust = 0;
  private noImprovement = 0;
  private readonly freq: Uint8Array;

  constructor(
    private readonly inst: VrptwInstance,
    neighbours: readonly Int32Array[],
    private readonly rng: Rng,
  ) {
    let maxDist = 0;
    let maxDemand = 1e-9;
    for (let i = 0; i < inst.dist.length; i++) maxDist = Math.max(maxDist, inst.dist[i]);
    for (let i = 1; i <= inst.n; i++) maxDemand = Math.max(maxDemand, inst.demand[i]);
    this.pen = { capacity: Math.max(0.1, Math.min(1000, maxDist / maxDemand)), timeWarp: 1 };
    this.pop = new Population(defaultPopulationParams, rng);
    this.ls = new LocalSearch(inst, neighbours, rng);
    this.splitter = new Splitter(inst);
    this.fleet = Math.min(inst.maxVehicles, inst.n);
    this.freq = new Uint8Array(inst.n + 1);
  }

  /** Empties the population and sets the fleet; the next steps educate and add the seeds first. */
  reset(fleet: number, seeds: readonly (readonly (readonly number[])[])[] = []): void {
    this.pop.clear();
    this.fleet = fleet;
    this.noImprovement = 0;
    this.pending = seeds.map((s) => s.map((r) => [...r]));
    for (const s of this.pending) this.consider(new Individual(this.inst, s));
  }

  private pending: number[][][] = [];

  /** Considers a given solution as it is (as best if feasible), then educates and adds it. */
  addSeed(routes: readonly (readonly number[])[]): void {
    this.consider(new Individual(this.inst, routes.map((r) => [...r])));
    this.educateAndAdd(this.ls.run(routes, this.fleet, this.pen));
  }

  /** Whether the population still needs initial individuals. */
  get initialising(): boolean {
    return this.iterations < this.initialTarget;
  }

  private initialTarget = 0;

  /** Starts (or restarts) the initial phase: `count` random giant tours (default 4μ). */
  beginInitial(count = 4 * defaultPopulationParams.mu): void {
    this.initialTarget = this.iterations + count;
  }

  /** One iteration: a pending seed, a random individual while initialising, else one offspring. */
  step(): void {
    const seed = this.pending.shift();
    if (seed) {
      this.educateAndAdd(this.ls.run(seed, this.fleet, this.pen));
      return;
    }
    let tour: Int32Array;
    if (this.initialising || this.pop.size < 2) {
      tour = Int32Array.from({ length: this.inst.n }, (_, i) => i + 1);
      this.rng.shuffle(tour);
    } else {
      tour = this.crossover(this.pop.tournament().tour, this.pop.tournament().tour);
    }
    const routes = this.splitter.split(tour, this.fleet, this.pen);
    this.educateAndAdd(this.ls.run(routes, this.fleet, this.pen));
    this.noImprovement++;
    if (this.noImprovement > RESTART_AFTER) {
      this.reset(this.fleet);
      this.beginInitial();
    }
  }

  private educateAndAdd(routes: number[][]): void {
    this.iterations++;
    const ind = new Individual(this.inst, routes);
    this.record(ind);
    this.consider(ind);
    this.pop.add(ind, this.pen);
    if (!ind.feasible && this.rng.float() < 0.5) {
      const strong = { capacity: this.pen.capacity * 10, timeWarp: this.pen.timeWarp * 10 };
      const repaired = new Individual(this.inst, this.ls.run(ind.routes, this.fleet, strong));
      if (repaired.feasible) {
        this.consider(repaired);
        this.pop.add(repaired, this.pen);
      }
    }
  }

  private consider(ind: Individual): void {
    if (!this.bestAny || ind.cost(this.pen) < this.bestAny.cost(this.pen)) this.bestAny = ind;
    if (!ind.feasible || ind.vehicles > this.inst.maxVehicles) return;
    const b = this.best;
    if (!b || ind.vehicles < b.vehicles || (ind.vehicles === b.vehicles && ind.distance < b.distance - 1e-9)) {
      this.best = ind;
      this.noImprovement = 0;
    }
  }

  /** Tracks feasibility of offspring and adapts the penalties every PENALTY_PERIOD iterations. */
  private record(ind: Individual): void {
    if (ind.excess < 1e-9) this.loadOk++;
    if (ind.timeWarp < 1e-9) this.twOk++;
    if (++this.sinceAdjust < PENALTY_PERIOD) return;
    const adapt = (p: number, ok: number) => {
      const frac = ok / PENALTY_PERIOD;
      if (frac < TARGET_FEASIBLE - 0.05) return Math.min(100000, p * 1.2);
      if (frac > TARGET_FEASIBLE + 0.05) return Math.max(0.1, p * 0.85);
      return p;
    };
    this.pen.capacity = adapt(this.pen.capacity, this.loadOk);
    this.pen.timeWarp = adapt(this.pen.timeWarp, this.twOk);
    this.loadOk = 0;
    this.twOk = 0;
    this.sinceAdjust = 0;
    this.pop.resort(this.pen);
  }

  /** Order crossover (OX) of two giant tours. */
  private crossover(a: Int32Array, b: Int32Array): Int32Array {
    const n = a.length;
    const out = new Int32Array(n);
    const freq = this.freq;
    freq.fill(0);
    const start = this.rng.int(n);
    let end = this.rng.int(n);
    while (n > 1 && end === start) end = this.rng.int(n);
    let j = start;
    while (j % n !== (end + 1) % n) {
      out[j % n] = a[j % n];
      freq[out[j % n]] = 1;
      j++;
    }
    for (let i = 1; i <= n; i++) {
      const c = b[(end + i) % n];
      if (!freq[c]) {
        out[j % n] = c;
        j++;
      }
    }
    return out;
  }
}
