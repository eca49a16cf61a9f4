import type { Pose } from '../../agents/ports/robot-port.js';
import type { Floor } from '../../world/floor/floor.js';
import { buildFloor } from '../../world/floor/build-floor.js';
import { cobotPlaces, floorSpec, type Scenario } from '../../scenarios/schema.js';

/** One node of a route: where the vehicle passes, and a stable id for it. */
export interface Waypoint {
  id: string;
  pose: Pose;
}

/**
 * Plans the nodes of an order from the vehicle's position to a goal: the
 * first is where the vehicle stands, the last the goal. Undefined when there
 * is no way (the order then holds the two ends only, and the vehicle says
 * whether it can drive there).
 */
export type RoutePlanner = (from: Pose, to: Pose) => Waypoint[] | undefined;

export interface FloorRouteOptions {
  /** Most cells between two nodes on a straight stretch (more nodes: finer base and horizon). Default 4. */
  spacing?: number;
}

/**
 * Routes on the cobots' occupancy grid: a shortest 4-connected path from the
 * grid's breadth-first distances to the goal (`Grid.distancesTo`, cached per
 * goal), reduced to its corners plus a node every `spacing` cells. Nodes
 * avoid the cells other robots may hold for long (places, chargers,
 * parking): a vehicle stopping there at the end of its base would wait for
 * their holder. Other robots are not planned around: the vehicle's own
 * planner (the fleet's lifelong planner, for the simulated ones) does that
 * between nodes, as a real AGV's local planner would.
 */
export function floorRoute(floor: Floor, options: FloorRouteOptions = {}): RoutePlanner {
  const spacing = Math.max(1, Math.floor(options.spacing ?? 4));
  const grid = floor.grid;
  const distances = new Map<number, Int32Array>();
  const held = (cell: number) => floor.isPlace(cell) || floor.isCharger(cell) || floor.isParking(cell);
  const node = (cell: number): Waypoint => {
    const { x, y } = grid.cell(cell);
    return { id: `cell-${x}-${y}`, pose: floor.centre(cell) };
  };
  return (from, to) => {
    const start = floor.cellOf(from);
    const goal = floor.cellOf(to);
    if (start < 0 || goal < 0 || !grid.freeIndex(goal)) return undefined;
    let dist = distances.get(goal);
    if (!dist) {
      if (distances.size > 256) distances.clear();
      distances.set(goal, (dist = grid.distancesTo(goal)));
    }
    if (dist[start] < 0) return undefined;
    // Downhill to the goal, keeping the direction while it stays downhill (fewer corners).
    const path = [start];
    const nb: number[] = [];
    let step = 0;
    for (let c = start; c !== goal; ) {
      const next = grid.neighbours(c, nb).filter((n) => dist[n] === dist[c] - 1);
      const straight = next.find((n) => n - c === step);
      const n = straight ?? next[0];
      step = n - c;
      path.push((c = n));
    }
    const keep = new Set<number>([0, path.length - 1]);
    let since = 0;
    for (let i = 1; i < path.length - 1; i++) {
      since++;
      const corner = path[i] - path[i - 1] !== path[i + 1] - path[i];
      if ((corner || since >= spacing) && !held(path[i])) {
        keep.add(i);
        since = 0;
      }
    }
    return [...keep].sort((a, b) => a - b).map((i) => node(path[i]));
  };
}

/**
 * No map: a straight line cut into nodes at most `spacing` metres apart
 * (for vehicles that plan their own paths between nodes).
 */
export function straightRoute(spacing = 4): (from: Pose, to: Pose) => Waypoint[] {
  return (from, to) => {
    const d = Math.hypot(to.x - from.x, to.y - from.y);
    const n = Math.max(1, Math.ceil(d / spacing));
    return Array.from({ length: n + 1 }, (_, i) => {
      const pose = { x: round(from.x + ((to.x - from.x) * i) / n), y: round(from.y + ((to.y - from.y) * i) / n) };
      return { id: `xy-${pose.x}-${pose.y}`, pose };
    });
  };
}

const round = (v: number) => Math.round(v * 1000) / 1000;

/** The cobots' floor of a scenario, as the run builds it (the grid a master plans orders on). */
export function scenarioFloor(scenario: Scenario): Floor {
  return buildFloor(floorSpec(scenario), cobotPlaces(scenario), scenario.cobots?.count ?? 0);
}
