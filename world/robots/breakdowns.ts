import { Priority, type Kernel } from '../../sim/clock/kernel.js';
import { sampler, type Distribution, type Sampler } from '../../sim/random/distributions.js';
import type { RandomStream } from '../../sim/random/stream.js';
import type { RandomStreams } from '../../sim/random/streams.js';

/** What breaks down and gets repaired: a cobot world. */
export interface Breakable {
  fault(robot: string, reason: string): void;
  repair(robot: string): void;
}

interface Unit {
  robot: string;
  failures: RandomStream;
  repairs: RandomStream;
}

/**
 * Random breakdowns of the cobots: each fails after an exponential time of
 * mean 1 / rate (stream `cobots/<id>/breakdown`), stands broken for a repair
 * time drawn from the scenario's distribution (stream `cobots/<id>/repair`),
 * then works again and its next failure is drawn. A failure time counts
 * calendar time, working or not: a simple model of wear-independent faults
 * (a bumper triggered, a drive error, a lost localisation).
 */
export class Breakdowns {
  private readonly repair: Sampler;
  private readonly units: Unit[];

  constructor(
    private readonly kernel: Kernel,
    streams: RandomStreams,
    private readonly world: Breakable,
    robots: readonly string[],
    private readonly ratePerHour: number,
    repairTime: Distribution,
  ) {
    this.repair = sampler(repairTime);
    this.units = robots.map((robot) => ({ robot, failures: streams.stream(`cobots/${robot}/breakdown`), repairs: streams.stream(`cobots/${robot}/repair`) }));
  }

  /** Draws every robot's first failure. */
  start(): void {
    if (this.ratePerHour <= 0) return;
    for (const u of this.units) this.schedule(u);
  }

  private schedule(u: Unit): void {
    const mean = 3600 / this.ratePerHour;
    this.kernel.after(-mean * Math.log(1 - u.failures.next()), this.fail, u, Priority.world);
  }

  private fail = (u: Unit): void => {
    this.world.fault(u.robot, 'breakdown');
    this.kernel.after(Math.max(0, this.repair(u.repairs)), this.fixed, u, Priority.world);
  };

  private fixed = (u: Unit): void => {
    this.world.repair(u.robot);
    this.schedule(u);
  };
}
