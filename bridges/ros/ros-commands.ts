import type { RobotObservation } from '../../agents/ports/robot-port.js';
import type { RunContext } from '../../runtime/context.js';
import type { RobotFleet } from '../../world/robots/fleet.js';
import type { FleetControl } from '../../runtime/robot-control.js';
import type { CobotTelemetry } from './cobot-telemetry.js';
import { GoalStatus, poseStamped, time, type NavigateToPoseFeedback, type NavigateToPoseResult, type Twist } from './messages.js';
import type { ServerOp } from './protocol.js';

/** A rosbridge client, as the commands see it: a name (its controller id) and a way to answer it. */
export interface RosClient {
  readonly name: string;
  send(op: ServerOp): void;
}

interface Goal {
  client: RosClient;
  /** The rosbridge op id (roslib's goal id). */
  id: string;
  action: string;
  cobot: string;
  /** The goal id in the world's reports. */
  worldGoal: string;
  pose: { x: number; y: number; theta: number };
  start: number;
  feedback: boolean;
}

/** Who drives a cobot from ROS, since when, and what it is doing. */
interface Lease {
  client: RosClient;
  goal?: Goal;
  /** Wall ms of the last command (goal end, cmd_vel). */
  last: number;
  /** Stands where it stopped (a ROS robot does not wander off to park between goals). */
  standing: boolean;
}

export interface RosCommandOptions {
  /** Wall ms a cobot stays with its ROS client after its last goal ended or cmd_vel came, before it goes back to its agent. */
  leaseMs: number;
  /** Simulated seconds a twist is held: a cmd_vel moves the cobot to where the twist takes it in this time. */
  cmdVelSeconds: number;
}

/** A stand lasts at most this long (simulated seconds); then the world's idle rule parks the cobot. */
const STAND_SECONDS = 3600;

/**
 * What ROS clients make the simulated cobots do: nav2 `NavigateToPose`
 * goals, `cmd_vel` twists, cancels. A cobot a client commands is taken over
 * from its agent (`FleetControl.takeOver`), so one controller at a time
 * drives it; it goes back to its agent `leaseMs` after the client's last
 * goal ended or twist came, or at once when the client disconnects. Results
 * come from the world's reports. Every world command enters the run through
 * `inKernel`.
 */
export class RosCommands {
  private ctx: RunContext | undefined;
  private unobserve: (() => void) | undefined;
  private readonly leases = new Map<string, Lease>();
  readonly counts = { goals: 0, succeeded: 0, aborted: 0, canceled: 0, twists: 0 };

  constructor(
    private readonly options: RosCommandOptions,
    private readonly telemetry: () => CobotTelemetry | undefined,
  ) {}

  /** Follows a new run (start, reset): goals of the old one end ABORTED. */
  attach(ctx: RunContext | undefined): void {
    if (ctx === this.ctx) return;
    this.unobserve?.();
    this.unobserve = undefined;
    for (const [cobot, lease] of this.leases) if (lease.goal) this.finish(lease.goal, GoalStatus.ABORTED, 'the plant was reset', cobot);
    this.leases.clear();
    this.ctx = ctx;
    if (ctx?.robots) this.unobserve = ctx.robots.observe((robot, obs) => this.onReport(robot, obs));
  }

  /** Who may command `cobot` now: undefined when `client` may, else why not. */
  refusal(client: RosClient, cobot: string): string | undefined {
    const { control, fleet } = this.world() ?? {};
    if (!control || !fleet) return 'the plant is not running';
    const owner = control.controller(cobot);
    if (owner !== undefined && owner !== client.name) return `${cobot} is controlled by ${owner}`;
    if (fleet.isFaulted(cobot)) return `${cobot} is broken down`;
    return undefined;
  }

  /** A NavigateToPose goal for `cobot`, checked already (`refusal` undefined). */
  navigate(client: RosClient, cobot: string, op: { id: string; action: string; feedback?: boolean }, pose: Goal['pose']): void {
    const { control, fleet } = this.world()!;
    const lease = this.take(client, cobot, control);
    if (lease.goal) this.finish(lease.goal, GoalStatus.ABORTED, `preempted by goal ${op.id}`);
    const goal: Goal = { client, id: op.id, action: op.action, cobot, worldGoal: `ros:${client.name}:${op.id}`, pose, start: this.ctx!.kernel.now, feedback: op.feedback !== false };
    lease.goal = goal;
    lease.standing = false;
    this.counts.goals++;
    control.inKernel(() => fleet.navigate(cobot, { id: goal.worldGoal, pose }));
  }

  /** Cancels `client`'s goal `id`: the cobot stops where it is. False when there is no such goal. */
  cancel(client: RosClient, id: string): boolean {
    for (const [cobot, lease] of this.leases) {
      if (lease.goal?.id !== id || lease.client !== client) continue;
      this.finish(lease.goal, GoalStatus.CANCELED, 'canceled');
      this.stand(cobot, lease);
      return true;
    }
    return false;
  }

  /**
   * A twist for `cobot`, checked already. The kinematic world moves on a
   * grid through the planner, so a twist becomes a target: where the twist
   * takes the cobot in `cmdVelSeconds` (at least one cell), reached through
   * the planner (a teleop cannot drive a cobot into another). A zero twist
   * stops it; a pure rotation turns its heading where it stands.
   */
  twist(client: RosClient, cobot: string, t: Twist): void {
    const { control, fleet } = this.world()!;
    const lease = this.take(client, cobot, control);
    this.counts.twists++;
    if (lease.goal) this.finish(lease.goal, GoalStatus.ABORTED, 'preempted by cmd_vel');
    const T = this.options.cmdVelSeconds;
    const tel = this.telemetry();
    if (Math.abs(t.angular.z) > 1e-9) tel?.turn(cobot, t.angular.z * T);
    const vx = t.linear.x;
    const vy = t.linear.y;
    if (Math.hypot(vx, vy) < 1e-9) {
      if (!lease.standing) this.stand(cobot, lease);
      return;
    }
    const h = tel?.heading(cobot) ?? 0;
    let dx = (vx * Math.cos(h) - vy * Math.sin(h)) * T;
    let dy = (vx * Math.sin(h) + vy * Math.cos(h)) * T;
    const d = Math.hypot(dx, dy);
    const cell = fleet.floor.cellSize;
    if (d < cell) {
      dx *= cell / d;
      dy *= cell / d;
    }
    const here = fleet.peek(cobot).pose;
    lease.standing = false;
    control.inKernel(() => fleet.navigate(cobot, { id: this.twistGoal(client), pose: { x: here.x + dx, y: here.y + dy } }));
  }

  /** A client left: its cobots stop and go back to their agents; its goals end with nobody to tell. */
  dropClient(client: RosClient): void {
    for (const [cobot, lease] of [...this.leases]) {
      if (lease.client !== client) continue;
      lease.goal = undefined;
      this.giveBack(cobot, lease, true);
    }
  }

  /** Wall tick: feedback of the goals in flight, leases that ran out. */
  tick(wallMs: number): void {
    const tel = this.telemetry();
    const world = this.world();
    if (!world || !tel) return;
    for (const [cobot, lease] of [...this.leases]) {
      const g = lease.goal;
      if (g?.feedback) g.client.send({ op: 'action_feedback', id: g.id, action: g.action, values: this.feedback(g, world.fleet, tel) });
      if (!g && wallMs - lease.last >= this.options.leaseMs) this.giveBack(cobot, lease, false);
    }
  }

  /** Which client controls each leased cobot (tests, status). */
  controllers(): Map<string, string> {
    return new Map([...this.leases].map(([c, l]) => [c, l.client.name]));
  }

  private world(): { control: FleetControl; fleet: RobotFleet } | undefined {
    const ctx = this.ctx;
    return ctx?.robots && ctx.fleet ? { control: ctx.robots, fleet: ctx.fleet } : undefined;
  }

  private twistGoal(client: RosClient): string {
    return `ros:${client.name}:cmd_vel`;
  }

  private take(client: RosClient, cobot: string, control: FleetControl): Lease {
    let lease = this.leases.get(cobot);
    if (!lease) {
      control.takeOver(cobot, client.name);
      lease = { client, last: performance.now(), standing: false };
      this.leases.set(cobot, lease);
    }
    lease.last = performance.now();
    return lease;
  }

  /** Stops the cobot on its next cell and keeps it there (a long handling, in the world's terms). */
  private stand(cobot: string, lease: Lease): void {
    const { control, fleet } = this.world()!;
    lease.standing = true;
    lease.last = performance.now();
    control.inKernel(() => fleet.perform(cobot, { id: 'ros:stand', kind: 'place', seconds: STAND_SECONDS }));
  }

  private giveBack(cobot: string, lease: Lease, stop: boolean): void {
    this.leases.delete(cobot);
    const world = this.world();
    if (!world) return;
    const { control, fleet } = world;
    // A standing cobot is freed (its agent, or the world's idle rule, decides); a moving one stops when its client vanished.
    if (lease.standing || stop) {
      control.inKernel(() => {
        if (fleet.peek(cobot).activity !== 'charge') fleet.hold(cobot);
      });
    }
    control.release(cobot);
  }

  private onReport(robot: string, obs: RobotObservation): void {
    const lease = this.leases.get(robot);
    if (!lease) return;
    const g = lease.goal;
    if (obs.type === 'robot.arrived' && g && obs.goal === g.worldGoal) {
      this.finish(g, GoalStatus.SUCCEEDED, '');
      this.dock(robot, lease);
    } else if ((obs.type === 'robot.arrived' || obs.type === 'robot.blocked') && obs.goal === this.twistGoal(lease.client)) {
      // Where the twist took it, or where it was when the twist pointed off the floor.
      this.stand(robot, lease);
    } else if (obs.type === 'robot.blocked' && g && obs.goal === g.worldGoal) {
      this.finish(g, GoalStatus.ABORTED, obs.reason);
    } else if (obs.type === 'robot.fault' && g) {
      this.finish(g, GoalStatus.ABORTED, `robot fault: ${obs.reason}`);
    }
  }

  /** At the end of a goal: on a charger, it charges (a dock charges whatever stands on it); elsewhere it stands. */
  private dock(cobot: string, lease: Lease): void {
    const { control, fleet } = this.world()!;
    const { floor } = fleet;
    if (floor.isCharger(floor.cellOf(fleet.peek(cobot).pose))) {
      lease.standing = false;
      control.inKernel(() => fleet.perform(cobot, { id: 'ros:charge', kind: 'charge' }));
    } else this.stand(cobot, lease);
  }

  private finish(g: Goal, status: number, message: string, cobot = g.cobot): void {
    const lease = this.leases.get(cobot);
    if (lease?.goal === g) {
      lease.goal = undefined;
      lease.last = performance.now();
    }
    if (status === GoalStatus.SUCCEEDED) this.counts.succeeded++;
    else if (status === GoalStatus.CANCELED) this.counts.canceled++;
    else this.counts.aborted++;
    const values: NavigateToPoseResult = { error_code: status === GoalStatus.ABORTED ? 9000 : 0, error_msg: message };
    g.client.send({ op: 'action_result', id: g.id, action: g.action, status, result: true, values });
  }

  private feedback(g: Goal, fleet: RobotFleet, tel: CobotTelemetry): NavigateToPoseFeedback {
    const now = this.ctx!.kernel.now;
    const peek = fleet.peek(g.cobot);
    const theta = tel.heading(g.cobot);
    let left = 0;
    let at = peek.pose;
    for (const p of peek.path.length > 0 ? peek.path : [g.pose]) {
      left += Math.hypot(p.x - at.x, p.y - at.y);
      at = p;
    }
    const speed = this.ctx!.scenario.cobots?.speed ?? 1;
    return {
      current_pose: poseStamped({ ...peek.pose, theta }, now),
      navigation_time: time(Math.max(0, now - g.start)),
      estimated_time_remaining: time(left / speed),
      number_of_recoveries: 0,
      distance_remaining: left,
    };
  }
}
