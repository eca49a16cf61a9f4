import { Priority, type Kernel } from '../../sim/clock/kernel.js';
import type { Layout } from '../layout/layout.js';

/** A truck as the world sees it: how fast it drives and what driving costs. */
export interface TruckVehicle {
  id: string;
  /** m/s */
  speed: number;
  costPerKm: number;
  costPerHour: number;
}

export type Arrived = { type: 'world.arrived'; place: string; leg: string };

interface Leg {
  truck: TruckVehicle;
  to: string;
  leg: string;
  metres: number;
  start: number;
  end: number;
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
 */
export class TruckFleet {
  private readonly trucks = new Map<string, TruckVehicle>();
  private readonly onRoad = new Map<string, Leg>();
  private done: FleetTotals = { km: 0, hours: 0, cost: 0 };

  constructor(
    private readonly kernel: Kernel,
    private readonly layout: Layout,
    trucks: readonly TruckVehicle[],
    public listener: (truck: string, observation: Arrived) => void = () => {},
  ) {
    for (const t of trucks) this.trucks.set(t.id, t);
  }

  /** Sends a truck from one place to another; returns the travel time, seconds. */
  drive(truckId: string, from: string, to: string, leg: string): number {
    const truck = this.trucks.get(truckId);
    if (!truck) throw new Error(`no truck "${truckId}"`);
    if (this.onRoad.has(truckId)) throw new Error(`truck ${truckId} is already on the road`);
    const metres = this.layout.distance(from, to);
    const seconds = metres / truck.speed;
    const now = this.kernel.now;
    const l: Leg = { truck, to, leg, metres, start: now, end: now + seconds };
    this.onRoad.set(truckId, l);
    this.kernel.at(l.end, this.arrive, l, Priority.world);
    return seconds;
  }

  private arrive = (l: Leg): void => {
    this.onRoad.delete(l.truck.id);
    this.done = add(this.done, l.truck, l.metres, l.end - l.start);
    this.listener(l.truck.id, { type: 'world.arrived', place: l.to, leg: l.leg });
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

function add(t: FleetTotals, truck: TruckVehicle, metres: number, seconds: number): FleetTotals {
  const km = metres / 1000;
  const hours = seconds / 3600;
  return { km: t.km + km, hours: t.hours + hours, cost: t.cost + km * truck.costPerKm + hours * truck.costPerHour };
}
