import type { Pose } from '../ports/robot-port.js';

/**
 * What validation needs to know about the plant, as plain data: the runtime
 * builds it from the run (agents' snapshots, the layout, the scenario) at the
 * instant a command is submitted, and tests write it by hand.
 */
export interface CobotView {
  id: string;
  /** The station the cobot is homed at (maintenance locks suspend by home). */
  home: string;
  /** The cobot agent's state as a dotted path: `idle`, `moving.toPickup`, `charging`, `suspended`, … */
  state: string;
  pose: Pose;
  /** The place it stands at, if it stands at one. */
  place?: string;
  /** State of charge, a fraction. */
  battery: number;
  batteryWh: number;
  drainWhPerMetre: number;
  lowBattery: number;
  /** The task under way, then the queued ones. */
  tasks: string[];
  /** Set when the cobot is out of order (a fault its body reported). */
  fault?: string;
}

export interface PlaceView {
  id: string;
  kind: string;
  x: number;
  y: number;
}

export interface TaskView {
  id: string;
  /** The cobot that won it last (absent while it is auctioned or waits). */
  holder?: string;
  /** In the coordinator's backlog: no cobot took it, it waits for the next announcement. */
  waiting: boolean;
  from?: string;
  fromPose?: Pose;
}

export interface LockView {
  station: string;
  workOrder: string;
  machine?: string;
}

export interface OperatorView {
  cobots: CobotView[];
  places: PlaceView[];
  /** Machines by id and the station they stand at (names an operator may confuse with places). */
  machines: { id: string; station: string }[];
  /** Open tasks on the robotics coordinator's board. */
  tasks: TaskView[];
  /** Cobots paused by an operator. */
  paused: string[];
  /** Maintenance locks of cobot cells. */
  locks: LockView[];
  /**
   * Whether a cobot can drive from one pose to another. The kinematic world
   * has no obstacles (always true); a floor with walls plugs in its planner.
   */
  reachable?: (from: Pose, to: Pose) => boolean;
}

/** Grid distance, as the cobots plan (see agents/cobot/planning.ts). */
export const gridDistance = (a: Pose, b: Pose): number => Math.abs(a.x - b.x) + Math.abs(a.y - b.y);
