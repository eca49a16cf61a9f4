/**
 * Adaptive operator weights (Ropke & Pisinger 2006): operators are drawn by
 * roulette on their weights; each use earns a score (new best, better than
 * the current plan, accepted though worse), and at the end of every segment
 * each weight moves towards its operator's mean score. Operators that keep
 * helping on this instance get used more, the others are still tried.
 */
import type { RandomStream } from '../../../sim/random/stream.js';

export const SCORE_BEST = 33;
export const SCORE_BETTER = 9;
export const SCORE_ACCEPTED = 13;
/** Iterations per segment, and how far a weight moves towards the segment's mean score. */
export const SEGMENT = 50;
const REACTION = 0.1;
/** No operator's weight drops below this: each keeps a chance to be tried. */
const FLOOR = 0.1;

export class AdaptiveWeights {
  readonly weights: number[];
  private readonly scores: number[];
  private readonly uses: number[];

  constructor(n: number) {
    this.weights = new Array<number>(n).fill(1);
    this.scores = new Array<number>(n).fill(0);
    this.uses = new Array<number>(n).fill(0);
  }

  pick(rng: RandomStream): number {
    let total = 0;
    for (const w of this.weights) total += w;
    let x = rng.next() * total;
    for (let i = 0; i < this.weights.length - 1; i++) {
      x -= this.weights[i];
      if (x < 0) return i;
    }
    return this.weights.length - 1;
  }

  credit(i: number, score: number): void {
    this.scores[i] += score;
    this.uses[i]++;
  }

  /** Ends a segment. */
  update(): void {
    for (let i = 0; i < this.weights.length; i++) {
      if (this.uses[i] > 0) {
        const w = this.weights[i] * (1 - REACTION) + (REACTION * this.scores[i]) / this.uses[i];
        this.weights[i] = Math.max(FLOOR, w);
      }
      this.scores[i] = 0;
      this.uses[i] = 0;
    }
  }
}
