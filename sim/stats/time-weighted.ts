/**
 * Integral of a piecewise-constant signal over simulated time (stock on hand,
 * machines down, busy technicians): the basis of time-averaged KPIs.
 */
export class TimeWeighted {
  private value: number;
  private since: number;
  private area = 0;

  constructor(initial = 0, start = 0) {
    this.value = initial;
    this.since = start;
  }

  get current(): number {
    return this.value;
  }

  set(value: number, now: number): void {
    this.area += this.value * (now - this.since);
    this.value = value;
    this.since = now;
  }

  add(delta: number, now: number): void {
    this.set(this.value + delta, now);
  }

  /** Integral from the start up to `now`. */
  integral(now: number): number {
    return this.area + this.value * (now - this.since);
  }
}
