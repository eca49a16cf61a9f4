import { Action, Topic } from './roslib.js';
import type { Pose, RobotListener, RobotPort } from '../../agents/ports/robot-port.js';
import type { Kernel, Timer } from '../../sim/clock/kernel.js';
import type { RobotPortFactory } from '../../runtime/robot-control.js';
import {
  floorPose,
  poseStamped,
  PowerSupplyStatus,
  RosTypes,
  zeroTwist,
  type BatteryState,
  type NavigateToPoseFeedback,
  type NavigateToPoseGoal,
  type NavigateToPoseResult,
  type Odometry,
  type Twist,
} from './messages.js';
import { RosbridgeLink } from './rosbridge-link.js';

export interface RosRobotPortOptions {
  /** Robots to follow from the start (odometry, battery); others are followed from their first command. */
  robots?: readonly string[];
  /** Wall ms the link may be down before its robots are reported faulted. Default 3000. */
  faultGraceMs?: number;
  /** Reconnection backoff, ms. Defaults 200 and 5000. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** A charge ends at this battery fraction, or when the battery says FULL. Default 0.99. */
  chargedLevel?: number;
  /** Battery reports to the agent at least this far apart (fraction). Default 0.01. */
  batteryStep?: number;
  /** Frame of the goals. Default `map`. */
  frameId?: string;
  onProblem?: (line: string) => void;
}

interface Goal {
  id: string;
  pose: Pose;
  /** The rosbridge goal id, once sent. */
  rosId?: string;
}

/** One robot's ROS side: its namespace's topics and action, what it last said, what it was asked. */
interface Robot {
  id: string;
  odom: Topic<Odometry>;
  battery: Topic<BatteryState>;
  cmdVel: Topic<Twist>;
  action: Action<NavigateToPoseGoal, NavigateToPoseFeedback, NavigateToPoseResult>;
  pose?: { x: number; y: number; theta: number };
  level?: number;
  status?: number;
  reported?: number;
  goal?: Goal;
  handling?: Timer<undefined>;
  charging?: string;
  /** Told its agent the link is down. */
  faulted: boolean;
}

/**
 * Cobots' agents driving real ROS 2 robots through rosbridge (roslib 2):
 * each robot is a nav2 robot in its namespace `/<robot>/`. `navigate` sends
 * a `NavigateToPose` goal (SUCCEEDED → `robot.arrived`, ABORTED or CANCELED
 * → `robot.blocked`); `hold` cancels it and publishes a zero `cmd_vel`.
 * nav2 has no manipulation, so a pick or a place is timed here on the
 * kernel; a charge lasts until `battery_state` says FULL (or
 * `chargedLevel`). Battery levels go to the agent as they change. The link
 * reconnects by itself: a goal in flight is sent again when it is back;
 * down longer than `faultGraceMs`, its robots report `robot.fault` (their
 * tasks go back to auction) and `robot.recovered` once it is up again.
 */
export class RosRobotPort implements RobotPort {
  private readonly link: RosbridgeLink;
  private readonly robots = new Map<string, Robot>();
  private grace: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly o: Required<Omit<RosRobotPortOptions, 'robots' | 'onProblem'>> & Pick<RosRobotPortOptions, 'onProblem'>;
  readonly counts = { goalsSent: 0, arrived: 0, blocked: 0, charged: 0, connections: 0 };

  constructor(
    url: string,
    private readonly report: RobotListener,
    private readonly kernel: Kernel,
    options: RosRobotPortOptions = {},
  ) {
    this.o = { faultGraceMs: 3000, minBackoffMs: 200, maxBackoffMs: 5000, chargedLevel: 0.99, batteryStep: 0.01, frameId: 'map', ...options };
    this.link = new RosbridgeLink(url, { ...this.o, onUp: () => this.up(), onDown: () => this.down() });
    for (const r of options.robots ?? []) this.robot(r);
    // Down from the start until the first connection: the same grace applies.
    this.down();
  }

  get connected(): boolean {
    return this.link.up;
  }

  /** The robot's last odometry pose, if any came (viewers, tests). */
  pose(robot: string): { x: number; y: number; theta: number } | undefined {
    return this.robots.get(robot)?.pose;
  }

  /** The robot's last battery fraction, if any came. */
  level(robot: string): number | undefined {
    return this.robots.get(robot)?.level;
  }

  navigate(robot: string, goal: { id: string; pose: Pose }): void {
    const r = this.robot(robot);
    this.stopActivity(r);
    r.goal = { id: goal.id, pose: goal.pose };
    // Sent when the link is up (now, or on reconnection): a stale goal never queues inside roslib.
    if (this.link.up) this.send(r);
  }

  perform(robot: string, action: { id: string; kind: 'pick' | 'place' | 'charge'; seconds?: number }): void {
    const r = this.robot(robot);
    this.stopActivity(r);
    this.forgetGoal(r);
    if (action.kind === 'charge') {
      r.charging = action.id;
      this.checkCharged(r);
      return;
    }
    // Handling is not nav2's: the port times it, as the robot's manipulator would take it.
    const end = this.kernel.now + Math.max(0, action.seconds ?? 0);
    r.handling = this.kernel.at(end, () => {
      r.handling = undefined;
      this.report(r.id, { type: 'robot.actionDone', action: action.id, time: this.kernel.now });
    }, undefined);
  }

  hold(robot: string): void {
    const r = this.robot(robot);
    this.stopActivity(r);
    this.forgetGoal(r);
    if (this.link.up) r.cmdVel.publish(zeroTwist());
  }

  /** Direct control: publishes a twist on the robot's `cmd_vel` (dropped while the link is down: a stale velocity must not replay). */
  drive(robot: string, twist: Twist): void {
    const r = this.robot(robot);
    this.forgetGoal(r);
    if (this.link.up) r.cmdVel.publish(twist);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.grace);
    for (const r of this.robots.values()) this.kernel.cancel(r.handling);
    this.link.close();
  }

  private robot(id: string): Robot {
    let r = this.robots.get(id);
    if (r) return r;
    const ros = this.link.ros;
    const ns = `/${id}`;
    r = {
      id,
      odom: new Topic<Odometry>({ ros, name: `${ns}/odom`, messageType: RosTypes.odometry }),
      battery: new Topic<BatteryState>({ ros, name: `${ns}/battery_state`, messageType: RosTypes.batteryState }),
      cmdVel: new Topic<Twist>({ ros, name: `${ns}/cmd_vel`, messageType: RosTypes.twist }),
      action: new Action({ ros, name: `${ns}/navigate_to_pose`, actionType: RosTypes.navigateToPose }),
      faulted: false,
    };
    const robot = r;
    r.odom.subscribe((m) => {
      if (m?.pose?.pose?.position && m.pose.pose.orientation) robot.pose = floorPose(m.pose.pose);
    });
    r.battery.subscribe((m) => this.onBattery(robot, m));
    this.robots.set(id, r);
    return r;
  }

  private send(r: Robot): void {
    const g = r.goal!;
    const goal: NavigateToPoseGoal = { pose: poseStamped(g.pose, this.kernel.now, this.o.frameId), behavior_tree: '' };
    const ros = this.link.ros;
    const sent: { id?: string } = {};
    const done = (ok: boolean, why: string) => {
      if (sent.id) ros.removeAllListeners(sent.id);
      if (this.closed || r.goal !== g || g.rosId !== sent.id) return;
      r.goal = undefined;
      if (ok) {
        this.counts.arrived++;
        // The level first, as the simulated world reports it: the agent decides its next move on arrival.
        if (r.level !== undefined && r.level !== r.reported) this.reportLevel(r);
        this.report(r.id, { type: 'robot.arrived', goal: g.id, time: this.kernel.now });
      } else {
        this.counts.blocked++;
        this.report(r.id, { type: 'robot.blocked', goal: g.id, reason: why, time: this.kernel.now });
      }
    };
    sent.id = r.action.sendGoal(
      goal,
      () => done(true, ''),
      undefined,
      (error) => done(false, error),
    );
    g.rosId = sent.id;
    this.counts.goalsSent++;
  }

  private onBattery(r: Robot, m: BatteryState): void {
    if (typeof m?.percentage !== 'number' || !Number.isFinite(m.percentage)) return;
    // Some drivers publish per cent despite sensor_msgs: read those as such.
    r.level = Math.min(1, Math.max(0, m.percentage > 1 ? m.percentage / 100 : m.percentage));
    r.status = m.power_supply_status;
    if (r.reported === undefined || Math.abs(r.level - r.reported) >= this.o.batteryStep) this.reportLevel(r);
    this.checkCharged(r);
  }

  private checkCharged(r: Robot): void {
    if (r.charging === undefined || r.level === undefined) return;
    if (r.status !== PowerSupplyStatus.FULL && r.level < this.o.chargedLevel) return;
    r.charging = undefined;
    this.counts.charged++;
    this.reportLevel(r);
    this.report(r.id, { type: 'robot.charged', time: this.kernel.now });
  }

  private reportLevel(r: Robot): void {
    r.reported = r.level!;
    this.report(r.id, { type: 'robot.battery', level: r.level!, time: this.kernel.now });
  }

  private stopActivity(r: Robot): void {
    this.kernel.cancel(r.handling);
    r.handling = undefined;
    r.charging = undefined;
  }

  /** Drops the goal in flight; the robot stops. */
  private forgetGoal(r: Robot): void {
    const g = r.goal;
    r.goal = undefined;
    if (g?.rosId && this.link.up) r.action.cancelGoal(g.rosId);
  }

  private up(): void {
    if (this.closed) return;
    clearTimeout(this.grace);
    this.grace = undefined;
    this.counts.connections++;
    for (const r of this.robots.values()) {
      if (r.faulted) {
        r.faulted = false;
        this.report(r.id, { type: 'robot.recovered', time: this.kernel.now });
      }
      // The server stopped the robot when the link dropped: the goal goes again (its old id is dead).
      if (r.goal) {
        if (r.goal.rosId) this.link.ros.removeAllListeners(r.goal.rosId);
        this.send(r);
      }
    }
  }

  private down(): void {
    if (this.closed || this.grace) return;
    this.o.onProblem?.(`rosbridge ${this.link.url}: link down`);
    this.grace = setTimeout(() => {
      this.grace = undefined;
      if (this.closed || this.link.up) return;
      for (const r of this.robots.values()) {
        if (r.faulted) continue;
        r.faulted = true;
        if (r.goal?.rosId) this.link.ros.removeAllListeners(r.goal.rosId);
        r.goal = undefined;
        this.report(r.id, { type: 'robot.fault', reason: 'rosbridge link down', time: this.kernel.now });
      }
    }, this.o.faultGraceMs);
  }
}

/** A `RobotPortFactory` (RunOptions.robotPort) that drives the cobots' agents' robots over rosbridge at `url`; `current` is the port of the latest run. */
export type RosRobotPortFactory = RobotPortFactory & { readonly current: RosRobotPort | undefined };

/** Cobots' agents drive ROS 2 robots (nav2) through the rosbridge at `url`; one connection per run, reconnecting until closed. */
export function rosRobotPort(url: string, options: RosRobotPortOptions = {}): RosRobotPortFactory {
  let current: RosRobotPort | undefined;
  const factory: RobotPortFactory = (report, kernel) => (current = new RosRobotPort(url, report, kernel, options));
  return Object.defineProperty(factory, 'current', { get: () => current }) as RosRobotPortFactory;
}
