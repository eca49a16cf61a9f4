/**
 * The planner's only wall-clock read. A MAPF time limit is a budget of real
 * compute time (the benchmark protocol: "solved within 10 s"), not simulated
 * time, so it cannot come from the kernel clock. Nothing else in the planner
 * looks at the clock. Consequence: when the limit cuts LaCAM*'s refinement
 * short, the returned solution depends on machine speed; reproducible runs
 * use an iteration budget or stop at the first solution (see `solveMapf`).
 */
export class Deadline {
  private readonly start = performance.now();
  private readonly end: number;

  constructor(limitSeconds: number) {
    this.end = this.start + Math.max(0, limitSeconds) * 1000;
  }

  /** A deadline `share` (0…1) of the way from now to this one: a phase's slice of the remaining time. */
  slice(share: number): Deadline {
    return new Deadline((share * Math.max(0, this.end - performance.now())) / 1000);
  }

  expired(): boolean {
    return performance.now() >= this.end;
  }

  elapsedSeconds(): number {
    return (performance.now() - this.start) / 1000;
  }
}
