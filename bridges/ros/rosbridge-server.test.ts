import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LivePlant } from '../../runtime/view/live-plant.js';
import { waitUntil } from '../../test/support/wait.js';
import { connectRos, freePort, smallCobotFloor } from '../../test/support/ros.js';
import { GoalStatus, PowerSupplyStatus, RosTypes, yawOf, type BatteryState, type NavigateToPoseFeedback, type NavigateToPoseGoal, type NavigateToPoseResult, type Odometry, type Twist } from './messages.js';
import { startRosbridgeServer, type RosbridgeServer } from './rosbridge-server.js';
import { Action, Topic, type Ros } from './roslib.js';

const scenario = smallCobotFloor(4);

const goalTo = (x: number, y: number): NavigateToPoseGoal => ({
  pose: { header: { stamp: { sec: 0, nanosec: 0 }, frame_id: 'map' }, pose: { position: { x, y, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } } },
});

describe('rosbridge endpoint on a live plant (roslib 2 over a real WebSocket)', () => {
  let plant: LivePlant;
  let server: RosbridgeServer;
  let ros: Ros;

  beforeAll(async () => {
    plant = new LivePlant(scenario, { speed: 10, until: 86_400 });
    server = await startRosbridgeServer(plant, { port: await freePort(), host: '127.0.0.1', leaseMs: 500 });
    ros = await connectRos(server.url);
  });
  afterAll(async () => {
    ros?.close();
    await server?.close();
    await plant?.close();
  });

  const agentState = (id: string) => plant.context!.host.get(id)!.state();
  const odomOf = (id: string) => {
    const last: { m?: Odometry } = {};
    const t = new Topic<Odometry>({ ros, name: `/${id}/odom`, messageType: RosTypes.odometry });
    t.subscribe((m) => (last.m = m));
    return { last, stop: () => t.unsubscribe() };
  };

  it('lists every cobot’s topics through /rosapi/topics (getTopics), and publishes odometry and battery state', async () => {
    const listed = await new Promise<{ topics: string[]; types: string[] }>((resolve, reject) => ros.getTopics(resolve, reject));
    const types = Object.fromEntries(listed.topics.map((t, i) => [t, listed.types[i]]));
    for (let n = 1; n <= 4; n++) {
      expect(types[`/cobot-${n}/odom`]).toBe('nav_msgs/msg/Odometry');
      expect(types[`/cobot-${n}/battery_state`]).toBe('sensor_msgs/msg/BatteryState');
      expect(types[`/cobot-${n}/cmd_vel`]).toBe('geometry_msgs/msg/Twist');
    }
    const type = await new Promise<string>((resolve, reject) => ros.getTopicType('/cobot-2/odom', resolve, reject));
    expect(type).toBe('nav_msgs/msg/Odometry');

    const odom = odomOf('cobot-1');
    const battery: BatteryState[] = [];
    const bt = new Topic<BatteryState>({ ros, name: '/cobot-1/battery_state', messageType: 'sensor_msgs/BatteryState' });
    bt.subscribe((m) => battery.push(m));
    await waitUntil('odometry and battery state', () => odom.last.m !== undefined && battery.length > 0);
    const m = odom.last.m!;
    expect(m.header.frame_id).toBe('odom');
    expect(m.child_frame_id).toBe('cobot-1/base_link');
    expect(Number.isFinite(m.pose.pose.position.x)).toBe(true);
    const b = battery[0];
    expect(b.percentage).toBeGreaterThan(0);
    expect(b.percentage).toBeLessThanOrEqual(1);
    expect(Object.values(PowerSupplyStatus)).toContain(b.power_supply_status);
    odom.stop();
    bt.unsubscribe();
  });

  it('drives a cobot with a NavigateToPose goal: feedback, SUCCEEDED at the goal, its agent taken over and given back', async () => {
    const id = 'cobot-2';
    const nav = new Action<NavigateToPoseGoal, NavigateToPoseFeedback, NavigateToPoseResult>({ ros, name: `/${id}/navigate_to_pose`, actionType: RosTypes.navigateToPose });
    const feedback: NavigateToPoseFeedback[] = [];
    let result: NavigateToPoseResult | undefined;
    let failed: string | undefined;
    nav.sendGoal(goalTo(30, 20), (r) => (result = r), (f) => feedback.push(f), (e) => (failed = e));
    await waitUntil('the take-over', () => agentState(id) === 'faulted');
    expect(plant.context!.robots!.controller(id)).toMatch(/^ros:client-/);
    await waitUntil('the goal’s result', () => result !== undefined || failed !== undefined, 30_000);
    expect(failed).toBeUndefined();
    expect(result).toEqual({ error_code: 0, error_msg: '' });
    expect(feedback.length).toBeGreaterThan(0);
    expect(feedback[0].distance_remaining).toBeGreaterThan(0);
    expect(feedback[0].current_pose.header.frame_id).toBe('map');
    const at = plant.context!.fleet!.peek(id).pose;
    expect(Math.hypot(at.x - 30, at.y - 20)).toBeLessThan(0.01);
    // Released once the lease runs out: its agent works again.
    await waitUntil('the release', () => plant.context!.robots!.controller(id) === undefined && agentState(id) !== 'faulted');
    expect(server.stats.goals.succeeded).toBe(1);
  });

  it('cancels a goal in flight: CANCELED, and the cobot stops', async () => {
    const id = 'cobot-3';
    const nav = new Action<NavigateToPoseGoal, NavigateToPoseFeedback, NavigateToPoseResult>({ ros, name: `/${id}/navigate_to_pose`, actionType: RosTypes.navigateToPose });
    let feedback = 0;
    let failed: string | undefined;
    const goal = nav.sendGoal(goalTo(55, 35), () => (failed = 'succeeded?'), () => feedback++, (e) => (failed = e));
    await waitUntil('feedback', () => feedback > 0);
    nav.cancelGoal(goal!);
    await waitUntil('the cancel', () => failed !== undefined);
    expect(failed).toMatch(/canceled/i);
    expect(server.stats.goals.canceled).toBe(1);
    // It stands where it stopped while the client holds it.
    await waitUntil('the stop', () => plant.context!.fleet!.peek(id).activity === 'action');
  });

  it('moves a cobot with cmd_vel twists, through the planner; a zero twist stops it', async () => {
    const id = 'cobot-2';
    const odom = odomOf(id);
    await waitUntil('odometry', () => odom.last.m !== undefined);
    const cmd = new Topic<Twist>({ ros, name: `/${id}/cmd_vel`, messageType: RosTypes.twist });
    const stop = () => cmd.publish({ linear: { x: 0, y: 0, z: 0 }, angular: { x: 0, y: 0, z: 0 } });
    // A zero twist takes the cobot over from its agent and stops it where it is.
    stop();
    await waitUntil('the take-over', () => plant.context!.robots!.controller(id) !== undefined && plant.context!.fleet!.peek(id).activity === 'action');
    expect(plant.context!.robots!.controller(id)).toMatch(/^ros:client-/);
    await new Promise((r) => setTimeout(r, 300));
    const start = { ...odom.last.m!.pose.pose.position };
    // Toward free floor (three free cells ahead), whatever the cobot's heading: the twist is in its own frame.
    const floor = plant.context!.fleet!.floor;
    const free = (x: number, y: number) => {
      const c = floor.cellOf({ x, y });
      return c >= 0 && floor.grid.freeIndex(c);
    };
    const [dx, dy] = [[1, 0], [-1, 0], [0, 1], [0, -1]].find(([ux, uy]) => [1, 2, 3].every((k) => free(start.x + k * ux, start.y + k * uy)))!;
    const ahead = () => {
      const yaw = yawOf(odom.last.m!.pose.pose.orientation);
      const c = Math.cos(yaw);
      const sn = Math.sin(yaw);
      cmd.publish({ linear: { x: dx * c + dy * sn, y: -dx * sn + dy * c, z: 0 }, angular: { x: 0, y: 0, z: 0 } });
    };
    const away = () => Math.hypot(odom.last.m!.pose.pose.position.x - start.x, odom.last.m!.pose.pose.position.y - start.y);
    const timer = setInterval(ahead, 200);
    try {
      await waitUntil('the cobot moving on cmd_vel', () => away() > 2);
    } finally {
      clearInterval(timer);
    }
    expect(plant.context!.robots!.controller(id)).toMatch(/^ros:client-/);
    stop();
    await waitUntil('the stop', () => plant.context!.fleet!.peek(id).activity === 'action');
    expect(server.stats.twists).toBeGreaterThan(1);
    odom.stop();
  });

  it('refuses a goal for a cobot another ROS client controls', async () => {
    const id = 'cobot-4';
    const mine = new Action<NavigateToPoseGoal, NavigateToPoseFeedback, NavigateToPoseResult>({ ros, name: `/${id}/navigate_to_pose`, actionType: RosTypes.navigateToPose });
    let feedback = 0;
    mine.sendGoal(goalTo(29, 30), () => {}, () => feedback++, () => {});
    await waitUntil('feedback', () => feedback > 0);
    const other = await connectRos(server.url);
    try {
      const theirs = new Action<NavigateToPoseGoal, NavigateToPoseFeedback, NavigateToPoseResult>({ ros: other, name: `/${id}/navigate_to_pose`, actionType: RosTypes.navigateToPose });
      let failed: string | undefined;
      theirs.sendGoal(goalTo(5, 35), () => {}, undefined, (e) => (failed = e));
      await waitUntil('the refusal', () => failed !== undefined);
      expect(failed).toMatch(/aborted.*controlled by ros:client-/i);
      expect(server.stats.rejected['not-controller']).toBe(1);
    } finally {
      other.close();
    }
    expect(GoalStatus.ABORTED).toBe(6);
  });

  it('follows a plant reset: goals in flight end ABORTED, the new run’s cobots are served', async () => {
    const id = 'cobot-1';
    const nav = new Action<NavigateToPoseGoal, NavigateToPoseFeedback, NavigateToPoseResult>({ ros, name: `/${id}/navigate_to_pose`, actionType: RosTypes.navigateToPose });
    let feedback = 0;
    let failed: string | undefined;
    nav.sendGoal(goalTo(55, 35), () => {}, () => feedback++, (e) => (failed = e));
    await waitUntil('feedback', () => feedback > 0);
    const before = plant.context;
    await plant.control({ action: 'reset' });
    expect(plant.context).not.toBe(before);
    await waitUntil('the abort', () => failed !== undefined);
    expect(failed).toMatch(/aborted.*reset/i);
    const odom = odomOf(id);
    await waitUntil('odometry of the new run', () => odom.last.m !== undefined);
    odom.stop();
    const listed = await new Promise<{ topics: string[] }>((resolve, reject) => ros.getTopics(resolve, reject));
    expect(listed.topics).toContain('/cobot-4/battery_state');
  });
});
