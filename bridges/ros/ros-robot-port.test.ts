import { afterAll, describe, expect, it } from 'vitest';
import { LivePlant } from '../../runtime/view/live-plant.js';
import { waitUntil } from '../../test/support/wait.js';
import { freePort, smallCobotFloor } from '../../test/support/ros.js';
import { startRosbridgeServer, type RosbridgeServer } from './rosbridge-server.js';
import { rosRobotPort } from './ros-robot-port.js';

/**
 * The same scenario, its cobot fleet reached through ROS 2: the cobots'
 * agents drive their robots through the client port (roslib, nav2's
 * NavigateToPose), and the robots are the plant's own simulated cobots
 * behind its rosbridge endpoint. No agent drives the world directly.
 *
 * No ROS 2 (rosbridge_suite, nav2) can be installed here (Debian has no ROS
 * packages and there is no network beyond npm and Debian), so the far side
 * is this project's own rosbridge v2 endpoint over a real WebSocket, not a
 * real robot: what this shows is the client against the protocol as the
 * endpoint speaks it (its ops follow rosbridge_suite's, checked with roslib).
 */
describe('cobots’ agents driving robots through rosbridge (client port → endpoint → simulated fleet)', () => {
  const scenario = smallCobotFloor(4);
  const ids = ['cobot-1', 'cobot-2', 'cobot-3', 'cobot-4'];
  let plant: LivePlant | undefined;
  let server: RosbridgeServer | undefined;
  afterAll(async () => {
    await server?.close();
    await plant?.close();
  });

  it('auctions, awards and delivers tasks with every body command going over ROS 2, and reconnects after the endpoint restarts', async () => {
    const port = await freePort();
    const url = `ws://127.0.0.1:${port}`;
    const ports = rosRobotPort(url, { robots: ids, minBackoffMs: 50, maxBackoffMs: 400, faultGraceMs: 10_000 });
    // The plant first, its endpoint after: the port connects once it is up.
    plant = new LivePlant(scenario, { speed: 60, until: 86_400, robotPort: ports });
    const ctx = plant.context!;
    expect(ctx.robotPort).toBe(ports);
    server = await startRosbridgeServer(plant, { port, host: '127.0.0.1' });
    await waitUntil('the port’s connection', () => ports.current?.connected === true);

    const completed = () => plant!.frame().kpis.tasksCompleted;
    await waitUntil('a task delivered through ROS 2', () => completed() > 0, 60_000);
    const first = server.stats;
    expect(first.goals.succeeded).toBeGreaterThan(0);
    expect(ports.current!.counts.arrived).toBeGreaterThan(0);
    // The simulated bodies answered the ROS client only.
    for (const [, by] of server.controllers()) expect(by).toBe('ros:client-1');
    expect(ports.current!.pose('cobot-1')).toBeDefined();
    expect(ports.current!.level('cobot-1')).toBeGreaterThan(0);
    expect(Object.values(first.rejected).reduce((a, b) => a + b, 0)).toBe(0);

    // The endpoint goes away and comes back on the same port: the port reconnects and goals work again.
    await server.close();
    await waitUntil('the link down', () => ports.current!.connected === false);
    const before = completed();
    server = await startRosbridgeServer(plant, { port, host: '127.0.0.1' });
    await waitUntil('the reconnection', () => ports.current!.connected === true, 30_000);
    await waitUntil('goals through the new endpoint', () => server!.stats.goals.succeeded > 0, 60_000);
    await waitUntil('more tasks delivered', () => completed() > before, 60_000);
    expect(ports.current!.counts.connections).toBeGreaterThanOrEqual(2);
  });

  it('charges through ROS: a cobot whose goal ends on a charger charges there, and its agent hears it charged from battery_state', async () => {
    await server?.close();
    await plant?.close();
    // A small battery, so that cobots need charging within seconds of wall time.
    const base = smallCobotFloor(2);
    const small = { ...base, cobots: { ...base.cobots!, batteryWh: 5 } };
    const port = await freePort();
    const ports = rosRobotPort(`ws://127.0.0.1:${port}`, { robots: ['cobot-1', 'cobot-2'], minBackoffMs: 50, maxBackoffMs: 400 });
    plant = new LivePlant(small, { speed: 60, until: 86_400, robotPort: ports });
    server = await startRosbridgeServer(plant, { port, host: '127.0.0.1' });
    await waitUntil('a charge ended through ROS', () => (ports.current?.counts.charged ?? 0) > 0, 60_000);
    await waitUntil('its charging time counted', () => plant!.frame().kpis.cobotChargingHours > 0, 30_000);
  });

  it('reports its robots faulted when the link stays down past the grace period, and recovered when it is back', async () => {
    await server?.close();
    await plant?.close();
    const port = await freePort();
    const ports = rosRobotPort(`ws://127.0.0.1:${port}`, { robots: ids, minBackoffMs: 50, maxBackoffMs: 200, faultGraceMs: 300 });
    plant = new LivePlant(scenario, { speed: 60, until: 86_400, robotPort: ports });
    const state = (id: string) => plant!.context!.host.get(id)!.state();
    // No endpoint yet: after the grace period the agents hear their bodies are down.
    await waitUntil('the agents told of the link down', () => ids.every((id) => state(id) === 'faulted'));
    server = await startRosbridgeServer(plant, { port, host: '127.0.0.1' });
    await waitUntil('the agents told of the recovery', () => ids.every((id) => state(id) !== 'faulted'));
    await waitUntil('work again', () => server!.stats.goals.succeeded > 0, 60_000);
  });
});
