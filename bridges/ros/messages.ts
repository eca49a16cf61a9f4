/**
 * The ROS 2 messages the rosbridge side speaks, as JSON (rosbridge encodes a
 * message as an object of its fields). Only what a mobile base needs:
 * geometry_msgs Twist/Pose/PoseStamped, nav_msgs/Odometry,
 * sensor_msgs/BatteryState and nav2's NavigateToPose action. Builders stamp
 * with simulated time (the plant's clock is the ROS clock, as with
 * `use_sim_time`).
 */

export const RosTypes = {
  odometry: 'nav_msgs/msg/Odometry',
  batteryState: 'sensor_msgs/msg/BatteryState',
  twist: 'geometry_msgs/msg/Twist',
  navigateToPose: 'nav2_msgs/action/NavigateToPose',
} as const;

/** `pkg/msg/Name` and `pkg/Name` (ROS 1 style, which roslib users still write) name the same type. */
export function sameRosType(a: string, b: string): boolean {
  const norm = (t: string) => t.replace(/\/(msg|action|srv)\//, '/');
  return norm(a) === norm(b);
}

/** action_msgs/GoalStatus codes. */
export const GoalStatus = { UNKNOWN: 0, ACCEPTED: 1, EXECUTING: 2, CANCELING: 3, SUCCEEDED: 4, CANCELED: 5, ABORTED: 6 } as const;

/** sensor_msgs/BatteryState power_supply_status constants. */
export const PowerSupplyStatus = { UNKNOWN: 0, CHARGING: 1, DISCHARGING: 2, NOT_CHARGING: 3, FULL: 4 } as const;
/** sensor_msgs/BatteryState power_supply_health constants (the ones used). */
export const PowerSupplyHealth = { UNKNOWN: 0, GOOD: 1, DEAD: 3 } as const;
/** sensor_msgs/BatteryState power_supply_technology constants (the one used). */
export const PowerSupplyTechnology = { UNKNOWN: 0, LION: 2 } as const;

export interface Time {
  sec: number;
  nanosec: number;
}
export interface Header {
  stamp: Time;
  frame_id: string;
}
export interface Vector3 {
  x: number;
  y: number;
  z: number;
}
export interface Quaternion {
  x: number;
  y: number;
  z: number;
  w: number;
}
export interface RosPose {
  position: Vector3;
  orientation: Quaternion;
}
export interface PoseStamped {
  header: Header;
  pose: RosPose;
}
export interface Twist {
  linear: Vector3;
  angular: Vector3;
}
export interface Odometry {
  header: Header;
  child_frame_id: string;
  pose: { pose: RosPose; covariance: number[] };
  twist: { twist: Twist; covariance: number[] };
}
export interface BatteryState {
  header: Header;
  voltage: number;
  temperature: number;
  current: number;
  charge: number;
  capacity: number;
  design_capacity: number;
  /** Fraction in [0, 1], as sensor_msgs says (not per cent). */
  percentage: number;
  power_supply_status: number;
  power_supply_health: number;
  power_supply_technology: number;
  present: boolean;
  cell_voltage: number[];
  cell_temperature: number[];
  location: string;
  serial_number: string;
}
export interface Duration {
  sec: number;
  nanosec: number;
}
export interface NavigateToPoseGoal {
  pose: PoseStamped;
  behavior_tree?: string;
}
export interface NavigateToPoseFeedback {
  current_pose: PoseStamped;
  navigation_time: Duration;
  estimated_time_remaining: Duration;
  number_of_recoveries: number;
  distance_remaining: number;
}
/** Jazzy's result (Humble's is empty: a client reading neither field sees no difference). */
export interface NavigateToPoseResult {
  error_code: number;
  error_msg: string;
}

export const time = (seconds: number): Time => {
  const sec = Math.floor(seconds);
  return { sec, nanosec: Math.min(999_999_999, Math.round((seconds - sec) * 1e9)) };
};
export const seconds = (t: Time | Duration): number => t.sec + t.nanosec / 1e9;
export const header = (t: number, frame: string): Header => ({ stamp: time(t), frame_id: frame });

/** A yaw (radians about z) as a quaternion. */
export const quaternionOfYaw = (yaw: number): Quaternion => ({ x: 0, y: 0, z: Math.sin(yaw / 2), w: Math.cos(yaw / 2) });
/**
 * The yaw of a quaternion (roll and pitch ignored: the floor is flat). A
 * client's quaternion need not be normalised: it is scaled by its largest
 * component first and the scale-free form of the formula is used, so huge
 * components (finite, as JSON allows) do not overflow into a NaN heading.
 */
export const yawOf = (q: Quaternion): number => {
  const m = Math.max(Math.abs(q.x), Math.abs(q.y), Math.abs(q.z), Math.abs(q.w));
  if (!(m > 0) || !Number.isFinite(m)) return m === 0 ? 0 : NaN;
  const [x, y, z, w] = [q.x / m, q.y / m, q.z / m, q.w / m];
  return Math.atan2(2 * (w * z + x * y), w * w + x * x - y * y - z * z);
};

export const zeroVector = (): Vector3 => ({ x: 0, y: 0, z: 0 });
export const zeroTwist = (): Twist => ({ linear: zeroVector(), angular: zeroVector() });

export function rosPose(p: { x: number; y: number; theta?: number }): RosPose {
  return { position: { x: p.x, y: p.y, z: 0 }, orientation: quaternionOfYaw(p.theta ?? 0) };
}

export function poseStamped(p: { x: number; y: number; theta?: number }, t: number, frame = 'map'): PoseStamped {
  return { header: header(t, frame), pose: rosPose(p) };
}

/** The floor pose of a ROS pose: x, y and yaw. */
export function floorPose(p: RosPose): { x: number; y: number; theta: number } {
  return { x: p.position.x, y: p.position.y, theta: yawOf(p.orientation) };
}
