import { RandomStream } from '../../../sim/random/stream.js';

/**
 * The routing solver's randomness: the project's seeded stream (xoshiro128**,
 * `sim/random`) under the name `vrptw`. The solver never uses Math.random,
 * so a seed and an iteration budget fix its output.
 */
export class Rng {
  private readonly stream: RandomStream;

  constructor(seed: number) {
    this.stream = new RandomStream('vrptw', seed);
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return this.stream.int(n);
  }

  /** A uniform float in [0, 1). */
  float(): number {
    return this.stream.next();
  }

  /** Shuffles `xs[from..to)` in place (Fisher–Yates). */
  shuffle<T extends { length: number; [i: number]: number }>(xs: T, from = 0, to = xs.length): T {
    for (let i = to - 1; i > from; i--) {
      const j = from + this.int(i - from + 1);
      const t = xs[i];
      xs[i] = xs[j];
      xs[j] = t;
    }
    return xs;
  }
}
