import type { Pose } from '../../agents/ports/robot-port.js';
import { buildRoadGraph, disconnectedPairs, shortestRoutes, type RoadGraph, type RoadLink, type RoadNode } from './road-graph.js';

/** A named place on the floor: a station, a dock, a charger, a depot. */
export interface Place {
  id: string;
  kind: 'station' | 'dock' | 'charger' | 'depot' | 'storage' | 'base';
  x: number;
  y: number;
}

/** A road of the layout: between two places or junctions, both ways. */
export type LayoutRoad = Pick<RoadLink, 'from' | 'to' | 'length'>;

/** A road crossing: a node of the road network that is not a place (nobody works or stops there). */
export type Junction = RoadNode;

/** The roads trucks drive on, beyond the plant's floor. */
export interface RoadNetwork {
  roads?: readonly LayoutRoad[];
  junctions?: readonly Junction[];
}

/**
 * The floor plan as the agents and world processes see it: named places with
 * coordinates (metres). Distances are Euclidean along the aisles' directions
 * (Manhattan), the usual approximation for a plant laid out on a grid; places
 * that roads join (a regional supply network) are the shortest road path
 * apart instead, because there the straight line can be far off.
 */
export class Layout {
  private places = new Map<string, Place>();
  private readonly junctions = new Map<string, Junction>();
  private readonly roads: readonly LayoutRoad[];
  /** Nodes that are an end of some road: their distances go by road. */
  private readonly onRoads = new Set<string>();
  private graph: RoadGraph | undefined;
  /** Road lengths from each source asked for so far (Dijkstra once per source). */
  private readonly routes = new Map<string, Map<string, number>>();

  /**
   * Throws when a road names an unknown place or junction, or when two
   * places on the road network are not joined by any chain of roads (the
   * scenario check reports both first, with their paths).
   */
  constructor(places: readonly Place[] = [], network: RoadNetwork = {}) {
    for (const p of places) this.add(p);
    for (const j of network.junctions ?? []) {
      if (this.places.has(j.id) || this.junctions.has(j.id)) throw new Error(`junction "${j.id}" is defined twice (or is also a place)`);
      this.junctions.set(j.id, j);
    }
    this.roads = network.roads ?? [];
    for (const r of this.roads) {
      for (const end of [r.from, r.to]) {
        if (!this.places.has(end) && !this.junctions.has(end)) throw new Error(`a road ends at "${end}", which is no place or junction`);
        this.onRoads.add(end);
      }
    }
    const [pair] = this.unreachable();
    if (pair) throw new Error(`no road joins "${pair[0]}" and "${pair[1]}"`);
  }

  add(place: Place): void {
    if (this.places.has(place.id) || this.junctions.has(place.id)) throw new Error(`place "${place.id}" is defined twice`);
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

  /** Whether a place is an end of some road (its distances to other such places go by road). */
  onRoad(id: string): boolean {
    return this.onRoads.has(id) && this.places.has(id);
  }

  /** Pairs of places on the road network that no chain of roads joins (one pair per extra part). */
  unreachable(): [string, string][] {
    return disconnectedPairs(this.roadGraph(), [...this.places.keys()].filter((id) => this.onRoads.has(id)));
  }

  /**
   * Walking/driving distance between two places, metres (0 if either is
   * unknown: a plant without a plan). By road when both are on the road
   * network, else Manhattan.
   */
  distance(a: string, b: string): number {
    const pa = this.places.get(a);
    const pb = this.places.get(b);
    if (!pa || !pb) return 0;
    if (a !== b && this.onRoads.has(a) && this.onRoads.has(b)) {
      let from = this.routes.get(a);
      if (!from) {
        from = new Map([...shortestRoutes(this.roadGraph(), a)].map(([id, r]) => [id, r.length]));
        this.routes.set(a, from);
      }
      const d = from.get(b);
      // The constructor refuses networks in parts, so this is a bug, not a user's mistake.
      if (d === undefined) throw new Error(`no road joins "${a}" and "${b}"`);
      return d;
    }
    return Math.abs(pa.x - pb.x) + Math.abs(pa.y - pb.y);
  }

  private roadGraph(): RoadGraph {
    this.graph ??= buildRoadGraph([...this.places.values(), ...this.junctions.values()], this.roads);
    return this.graph;
  }
}
