import { Priority, type Kernel } from '../../sim/clock/kernel.js';
import type { Sampler } from '../../sim/random/distributions.js';
import type { RandomStreams } from '../../sim/random/streams.js';
import type { Layout } from '../layout/layout.js';

/** A truck as the world sees it: how fast it drives, what driving costs, how often it breaks down. */
export interface TruckVehicle {
  id: string;
  /** m/s */
  speed: number;
  costPerKm: number;
  costPerHour: number;
  /** Breakdowns per hour of driving (a Poisson rate); 0 or absent: never. */
  breakdownRate?: number;
  /** How long a broken-down truck stands, seconds; needed when `breakdownRate` > 0. */
  repairTime?: Sampler;
}

/** The truck is at `place` at kernel time `time` (so the agent need not ask the clock). */
export type Arrived = { type: 'world.arrived'; place: string; leg: string; time: number };
/** The truck broke down on the leg that just ended; it stands at `place` until `until`. */
export type BrokenDown = { type: 'world.brokenDown'; place: string; time: number; until: number };
/** The truck is repaired and may drive again. */
export type Repaired = { type: 'world.repaired'; place: string; time: number };
/** What the world tells a truck's agent. */
export type TruckObservation = Arrived | BrokenDown | Repaired;

export type FleetListener = (truck: string, observation: TruckObservation) => void;

interface Leg {
  truck: TruckVehicle;
  to: string;
  leg: string;
  metres: number;
  start: number;
  end: number;
  /** Drawn when the leg starts: the truck breaks down on it. */
  breaks: boolean;
}

export interface FleetTotals {
  km: number;
  hours: number;
  /** Σ km · costPerKm + hours · costPerHour, over every truck. */
  cost: number;
}

/**
 * Trucks on the road: a leg takes layout distance / speed, and the truck's
 * agent is told when it arrives. The fleet counts kilometres and hours driven
 * (legs still under way count pro rata, so the KPIs at the horizon are
 * time-truncated like the crew's busy time).
 *
 * Breakdowns: with `breakdownRate` λ per driving hour, a leg of h hours breaks
 * the truck with probability 1 − exp(−λh), drawn once when the leg starts
 * (stream `trucks/<id>/breakdown`, and only for trucks with λ > 0, so
 * scenarios without breakdowns keep their streams untouched). Simplification:
 * the truck still completes the leg and breaks down at the place it drives to,
 * so a leg is never cut short and its km/hours/cost stay as planned. It is told
 * `world.brokenDown`, then at the same instant `world.arrived`, and
 * `world.repaired` after a repair time (stream `trucks/<id>/repair`). It is
 * broken from the arrival instant on: `drive` refuses it until it is repaired,
 * including a drive started in reaction to that `world.arrived`.
 */
export class TruckFleet {
  public listener: FleetListener;
  private readonly trucks = new Map<string, TruckVehicle>();
  private readonly onRoad = new Map<string, Leg>();
  /** Broken-down trucks and when they are repaired. */
  private readonly broken = new Map<string, number>();
  private readonly streams: RandomStreams | undefined;
  private done: FleetTotals = { km: 0, hours: 0, cost: 0 };
  private _breakdowns = 0;

  /** Without random streams the fleet never breaks down (the signature before breakdowns). */
  constructor(kernel: Kernel, layout: Layout, trucks: readonly TruckVehicle[], listener?: FleetListener);
  /** With the run's random streams, trucks break down at their `breakdownRate`. */
  constructor(kernel: Kernel, layout: Layout, streams: RandomStreams | undefined, trucks: readonly TruckVehicle[], listener?: FleetListener);
  constructor(
    private readonly kernel: Kernel,
    private readonly layout: Layout,
    ...rest: [readonly TruckVehicle[], FleetListener?] | [RandomStreams | undefined, readonly TruckVehicle[], FleetListener?]
  ) {
    const [streams, trucks, listener] = isTruckList(rest[0])
      ? [undefined, rest[0], rest[1] as FleetListener | undefined]
      : [rest[0], rest[1] as readonly TruckVehicle[], rest[2]];
    this.streams = streams;
    this.listener = listener ?? (() => {});
    for (const t of trucks) {
      if (streams && (t.breakdownRate ?? 0) > 0 && !t.repairTime) throw new Error(`truck ${t.id} breaks down but has no repair time`);
      this.trucks.set(t.id, t);
    }
  }

  /** Breakdowns so far. */
  get breakdowns(): number {
    return this._breakdowns;
  }

  /** Whether a truck is broken down (it may not drive). */
  isBroken(truckId: string): boolean {
    return this.broken.has(truckId);
  }

  /** Sends a truck from one place to another; returns the travel time, seconds. */
  drive(truckId: string, from: string, to: string, leg: string): number {
    const truck = this.trucks.get(truckId);
    if (!truck) throw new Error(`no truck "${truckId}"`);
    if (this.onRoad.has(truckId)) throw new Error(`truck ${truckId} is already on the road`);
    const until = this.broken.get(truckId);
    if (until !== undefined) throw new Error(`truck ${truckId} is broken down until ${until} s: it cannot drive (leg ${leg} to ${to})`);
    const metres = this.layout.distance(from, to);
    const seconds = metres / truck.speed;
    const now = this.kernel.now;
    const l: Leg = { truck, to, leg, metres, start: now, end: now + seconds, breaks: this.drawBreakdown(truck, seconds) };
    this.onRoad.set(truckId, l);
    this.kernel.at(l.end, this.arrive, l, Priority.world);
    return seconds;
  }

  /** One draw per leg, only for trucks that can break down. */
  private drawBreakdown(truck: TruckVehicle, seconds: number): boolean {
    const rate = truck.breakdownRate ?? 0;
    if (!this.streams || !(rate > 0)) return false;
    const p = 1 - Math.exp((-rate * seconds) / 3600);
    return this.streams.stream(`trucks/${truck.id}/breakdown`).next() < p;
  }

  private arrive = (l: Leg): void => {
    const id = l.truck.id;
    const now = this.kernel.now;
    this.onRoad.delete(id);
    this.done = add(this.done, l.truck, l.metres, l.end - l.start);
    let until: number | undefined;
    if (l.breaks) {
      // Broken before the agent hears of its arrival, so it cannot drive on at this instant.
      until = now + Math.max(0, l.truck.repairTime!(this.streams!.stream(`trucks/${id}/repair`)));
      this.broken.set(id, until);
      this._breakdowns++;
      this.kernel.at(until, this.repair, { id, place: l.to }, Priority.world);
    }
    // A broken truck hears of it first, so it does not plan its next leg on the arrival.
    if (until !== undefined) this.listener(id, { type: 'world.brokenDown', place: l.to, time: now, until });
    this.listener(id, { type: 'world.arrived', place: l.to, leg: l.leg, time: now });
  };

  private repair = ({ id, place }: { id: string; place: string }): void => {
    this.broken.delete(id);
    this.listener(id, { type: 'world.repaired', place, time: this.kernel.now });
  };

  /** Kilometres, hours and cost driven up to `now`. */
  totals(now: number): FleetTotals {
    let t = this.done;
    for (const l of this.onRoad.values()) {
      const seconds = Math.min(now, l.end) - l.start;
      const fraction = l.end > l.start ? seconds / (l.end - l.start) : 1;
      t = add(t, l.truck, l.metres * fraction, seconds);
    }
    return t;
  }
}

function isTruckList(x: unknown): x is readonly TruckVehicle[] {
  return Array.isArray(x);
}

function add(t: FleetTotals, truck: TruckVehicle, metres: number, seconds: number): FleetTotals {
  const km = metres / 1000;
  const hours = seconds / 3600;
  return { km: t.km + km, hours: t.hours + hours, cost: t.cost + km * truck.costPerKm + hours * truck.costPerHour };
}
