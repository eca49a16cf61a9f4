import type { Pose } from '../../agents/ports/robot-port.js';

/** A named place on the floor: a station, a dock, a charger, a depot. */
export interface Place {
  id: string;
  kind: 'station' | 'dock' | 'charger' | 'depot' | 'storage' | 'base';
  x: number;
  y: number;
}

/**
 * The floor plan as the agents and world processes see it: named places with
 * coordinates (metres). Distances are Euclidean along the aisles' directions
 * (Manhattan), the usual approximation for a plant laid out on a grid.
 */
export class Layout {
  private places = new Map<string, Place>();

  constructor(places: readonly Place[] = []) {
    for (const p of places) this.add(p);
  }

  add(place: Place): void {
    if (this.places.has(place.id)) throw new Error(`place "${place.id}" is defined twice`);
    this.places.set(place.id, place);
  }

  has(id: string): boolean {
    return this.places.has(id);
  }

  get(id: string): Place {
    const p = this.places.get(id);
    if (!p) throw new Error(`no place "${id}" on the floor`);
    return p;
  }

  all(): Place[] {
    return [...this.places.values()];
  }

  pose(id: string): Pose {
    const p = this.get(id);
    return { x: p.x, y: p.y };
  }

  /** Walking/driving distance between two places, metres (0 if either is unknown: a plant without a plan). */
  distance(a: string, b: string): number {
    const pa = this.places.get(a);
    const pb = this.places.get(b);
    if (!pa || !pb) return 0;
    return Math.abs(pa.x - pb.x) + Math.abs(pa.y - pb.y);
  }
}
