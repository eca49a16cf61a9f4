import type { Timer } from '../../sim/clock/kernel.js';

/** The cobots' bodies, as the scenario's `cobots` section describes them. */
export interface BodyParams {
  /** Nominal driving speed, m/s: plans move one cell per `cellSize / speed` seconds. */
  speed: number;
  batteryWh: number;
  drainWhPerMetre: number;
  /** Drain while carrying a load (after a pick, until the place); `drainWhPerMetre` when omitted. */
  loadedDrainWhPerMetre?: number;
  /** Drain of electronics and drives standing by, W (not while charging). */
  idleDrainW: number;
  chargeW: number;
  /** Fraction at which the battery monitor warns an idle robot. */
  lowBattery: number;
}

/**
 * What the agent asked the body to do. A move the planner could not route
 * yet waits (`routed` false); a move to a charger may end at another one
 * (`charger`: the fleet picks a free charger).
 */
export type Activity =
  | { kind: 'move'; goal: string; cell: number; routed: boolean; charger: boolean }
  | { kind: 'action'; id: string; action: 'pick' | 'place'; end: number; timer: Timer<string> }
  | { kind: 'charge'; id: string; start: number; end: number; timer: Timer<string> };

export interface Body {
  id: string;
  /** The robot's number in the planner. */
  index: number;
  energyWh: number;
  /** Time up to which `energyWh` is accounted. */
  since: number;
  /** Carrying a load: between a pick and the place. */
  loaded: boolean;
  activity?: Activity;
  /** Driving to a parking cell on its own (idle, or waiting for its goal): no report when there. */
  parking: boolean;
  /** Since when its move has waited for a route. */
  waitingSince?: number;
  /** The goal cell it waits near (staged), if any: a few robots per goal wait near it, the others park. */
  staged?: number;
  /** Broken down: it stands where it stopped until repaired and ignores commands. */
  faulted: boolean;
  /** Battery monitor of an idle robot: fires when it reaches the low threshold. */
  monitor?: Timer<Body>;
  /** Next attempt to route a waiting move, or to park. */
  retry?: Timer<Body>;
}

/** What the cobot worlds count, read by the KPIs. */
export interface BodyCounters {
  distanceMetres: number;
  /** Seconds spent driving between cells (not waiting on the way). */
  movingSeconds: number;
  handlingSeconds: number;
  chargingSeconds: number;
  /** Times a battery ran flat (the simulated robot goes on). */
  depletions: number;
  /**
   * Contacts between two cobots: collision starts in the physics world;
   * conflicts found by auditing each committed plan in the kinematic world.
   */
  collisions: number;
  /** Navigation requests that found no route at once and waited. */
  waits: number;
  /** Seconds moves waited for a route (their goal held, or the way jammed). */
  waitingSeconds: number;
  breakdowns: number;
}

export const emptyCounters = (): BodyCounters => ({
  distanceMetres: 0,
  movingSeconds: 0,
  handlingSeconds: 0,
  chargingSeconds: 0,
  depletions: 0,
  collisions: 0,
  waits: 0,
  waitingSeconds: 0,
  breakdowns: 0,
});
