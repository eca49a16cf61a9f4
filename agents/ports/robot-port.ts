/** A pose on the floor plan, metres and radians. */
export interface Pose {
  x: number;
  y: number;
  theta?: number;
}

/**
 * What a robot reports about itself. `time` is the simulated time of the
 * report (a ROS header stamp, in a live run): agents have no clock, and a
 * cobot needs "now" to promise finish times in its bids.
 */
export type RobotObservation =
  | { type: 'robot.arrived'; goal: string; time: number }
  | { type: 'robot.blocked'; goal: string; reason: string; time: number }
  | { type: 'robot.actionDone'; action: string; time: number }
  /** Battery state of charge, a fraction in [0, 1]. */
  | { type: 'robot.battery'; level: number; time: number }
  | { type: 'robot.charged'; time: number }
  | { type: 'robot.fault'; reason: string; time: number }
  /**
   * The robot stopped answering (no report past its deadline, its link
   * still up): where it is and what it does are unknown, so its work goes
   * back to auction. `robot.recovered` when it is heard again.
   */
  | { type: 'robot.lost'; reason: string; time: number }
  /** The robot works again after a fault (repaired, or the fault cleared). */
  | { type: 'robot.recovered'; time: number };

/** Where a robot's reports go (the wiring hands them to the robot's agent). */
export type RobotListener = (robot: string, observation: RobotObservation) => void;

/**
 * How a cobot's agent moves its body: a simulated cobot in the kinematic or
 * physics world, a ROS 2 robot through nav2, or a VDA 5050 vehicle.
 */
export interface RobotPort {
  navigate(robot: string, goal: { id: string; pose: Pose }): void;
  /**
   * Starts an action where the robot stands. `seconds` is the action's
   * duration when the caller knows it (a simulated pick); without it the body
   * decides (charging lasts until the battery is full).
   */
  perform(robot: string, action: { id: string; kind: 'pick' | 'place' | 'charge'; seconds?: number }): void;
  /** Stops whatever the robot is doing, where it is. */
  hold(robot: string): void;
}
