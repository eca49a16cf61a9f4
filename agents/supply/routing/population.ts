/**
 * HGS population management (Vidal et al. 2012, 2013; HGS-CVRP): a feasible
 * and an infeasible subpopulation, each kept sorted by penalised cost and
 * trimmed from μ+λ back to μ by removing the worst biased fitness (cost rank
 * plus diversity rank from broken-pairs distances; clones first).
 */
import type { Individual } from './individual.js';
import type { Penalties } from './local-search.js';
import type { Rng } from './rng.js';

export interface PopulationParams {
  mu: number;
  lambda: number;
  nbElite: number;
  nbClose: number;
}

export const defaultPopulationParams: PopulationParams = { mu: 25, lambda: 40, nbElite: 4, nbClose: 5 };

export class Population {
  readonly feasible: Individual[] = [];
  readonly infeasible: Individual[] = [];

  constructor(
    private readonly params: PopulationParams,
    private readonly rng: Rng,
  ) {}

  get size(): number {
    return this.feasible.length + this.infeasible.length;
  }

  add(ind: Individual, pen: Penalties): void {
    const sub = ind.feasible ? this.feasible : this.infeasible;
    for (const o of sub) {
      const d = ind.brokenPairs(o);
      insertClose(o, d, ind);
      insertClose(ind, d, o);
    }
    const cost = ind.cost(pen);
    let at = sub.length;
    while (at > 0 && sub[at - 1].cost(pen) > cost) at--;
    sub.splice(at, 0, ind);
    if (sub.length > this.params.mu + this.params.lambda) {
      while (sub.length > this.params.mu) this.removeWorst(sub, pen);
    }
  }

  /** Re-sorts the infeasible subpopulation after the penalties changed. */
  resort(pen: Penalties): void {
    this.infeasible.sort((a, b) => a.cost(pen) - b.cost(pen));
  }

  clear(): void {
    this.feasible.length = 0;
    this.infeasible.length = 0;
  }

  /** Binary tournament on biased fitness over both subpopulations. */
  tournament(): Individual {
    this.updateFitness(this.feasible);
    this.updateFitness(this.infeasible);
    const pick = () => {
      const i = this.rng.int(this.size);
      return i < this.feasible.length ? this.feasible[i] : this.infeasible[i - this.feasible.length];
    };
    const a = pick();
    const b = pick();
    return a.fitness <= b.fitness ? a : b;
  }

  private updateFitness(sub: Individual[]): void {
    const size = sub.length;
    if (size === 0) return;
    if (size === 1) {
      sub[0].fitness = 0;
      return;
    }
    const div = sub.map((ind, i) => ({ i, d: ind.avgClose(this.params.nbClose) })).sort((a, b) => b.d - a.d);
    for (let r = 0; r < size; r++) {
      const ind = sub[div[r].i];
      const costRank = div[r].i / (size - 1);
      const divRank = r / (size - 1);
      ind.fitness = size <= this.params.nbElite ? costRank : costRank + (1 - this.params.nbElite / size) * divRank;
    }
  }

  private removeWorst(sub: Individual[], _pen: Penalties): void {
    this.updateFitness(sub);
    let worst = 1;
    let worstClone = false;
    let worstFit = -Infinity;
    for (let i = 1; i < sub.length; i++) {
      const clone = sub[i].avgClose(1) < 1e-9;
      if ((clone && !worstClone) || (clone === worstClone && sub[i].fitness > worstFit)) {
        worst = i;
        worstClone = clone;
        worstFit = sub[i].fitness;
      }
    }
    const [gone] = sub.splice(worst, 1);
    for (const o of sub) {
      const k = o.close.findIndex((c) => c.ind === gone);
      if (k >= 0) o.close.splice(k, 1);
    }
  }
}

function insertClose(ind: Individual, d: number, other: Individual): void {
  let at = ind.close.length;
  while (at > 0 && ind.close[at - 1].d > d) at--;
  ind.close.splice(at, 0, { d, ind: other });
}
