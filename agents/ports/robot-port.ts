/** A pose on the floor plan, metres and radians. */
export interface Pose {
  x: number;
  y: number;
  theta?: number;
}

/** What a robot reports about itself. */
export type RobotObservation =
  | { type: 'robot.arrived'; goal: string }
  | { type: 'robot.blocked'; goal: string; reason: string }
  | { type: 'robot.actionDone'; action: string }
  | { type: 'robot.battery'; level: number }
  | { type: 'robot.charged' }
  | { type: 'robot.fault'; reason: string };

/**
 * How a cobot's agent moves its body: a simulated cobot in the kinematic or
 * physics world, a ROS 2 robot through nav2, or a VDA 5050 vehicle.
 */
export interface RobotPort {
  navigate(robot: string, goal: { id: string; pose: Pose }): void;
  perform(robot: string, action: { id: string; kind: 'pick' | 'place' | 'charge'; seconds: number }): void;
  hold(robot: string): void;
}
