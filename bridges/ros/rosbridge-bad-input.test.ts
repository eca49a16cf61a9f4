import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { LivePlant } from '../../runtime/view/live-plant.js';
import { waitUntil } from '../../test/support/wait.js';
import { connectRos, freePort, smallCobotFloor } from '../../test/support/ros.js';
import { RosTypes, type Odometry } from './messages.js';
import { startRosbridgeServer, type RosbridgeServer } from './rosbridge-server.js';
import { Topic, type Ros } from './roslib.js';

type Op = { op: string; id?: string; level?: string; msg?: string; result?: boolean; status?: number; values?: unknown };

/** A raw WebSocket client that keeps every op it is sent. */
async function rawClient(url: string): Promise<{ ws: WebSocket; got: Op[]; closed: { code?: number } }> {
  const ws = new WebSocket(url);
  const got: Op[] = [];
  const closed: { code?: number } = {};
  ws.on('message', (d) => got.push(JSON.parse(String(d)) as Op));
  ws.on('close', (code) => (closed.code = code));
  ws.on('error', () => {});
  await new Promise((resolve) => ws.once('open', resolve));
  return { ws, got, closed };
}

describe('rosbridge endpoint: bad input is refused and counted, and nothing else is lost', () => {
  let plant: LivePlant;
  let server: RosbridgeServer;
  let ros: Ros;
  const odom: Odometry[] = [];

  beforeAll(async () => {
    plant = new LivePlant(smallCobotFloor(2), { speed: 10, until: 86_400 });
    server = await startRosbridgeServer(plant, { port: await freePort(), host: '127.0.0.1', maxMessageBytes: 64 << 10, maxPayload: 1 << 20 });
    // A well-behaved client alongside, subscribed all along.
    ros = await connectRos(server.url);
    new Topic<Odometry>({ ros, name: '/cobot-1/odom', messageType: RosTypes.odometry }).subscribe((m) => odom.push(m));
  });
  afterAll(async () => {
    ros?.close();
    await server?.close();
    await plant?.close();
  });

  it('answers each malformed, unknown or ill-typed op with an error status naming what, and keeps the connection', async () => {
    const c = await rawClient(server.url);
    const errors = () => c.got.filter((o) => o.op === 'status' && o.level === 'error');
    const send = async (data: string, n: number) => {
      c.ws.send(data);
      await waitUntil(`error status #${n}`, () => errors().length >= n);
      return errors()[n - 1].msg!;
    };
    expect(await send('this is not json', 1)).toMatch(/not JSON/);
    expect(await send('[1, 2, 3]', 2)).toMatch(/"op"/);
    expect(await send(JSON.stringify({ op: 'frobnicate', id: 'f1' }), 3)).toMatch(/unknown or unsupported op "frobnicate"/);
    expect(errors()[2].id).toBe('f1');
    expect(await send(JSON.stringify({ op: 'subscribe', topic: '/cobot-99/odom' }), 4)).toMatch(/no topic \/cobot-99\/odom/);
    expect(await send(JSON.stringify({ op: 'subscribe', topic: 42 }), 5)).toMatch(/subscribe\.topic/);
    expect(await send(JSON.stringify({ op: 'subscribe', topic: '/cobot-1/odom', type: 'std_msgs/msg/String' }), 6)).toMatch(/is nav_msgs\/msg\/Odometry/);
    expect(await send(JSON.stringify({ op: 'publish', topic: '/cobot-1/odom', msg: {} }), 7)).toMatch(/only \/<cobot>\/cmd_vel/);
    expect(await send(JSON.stringify({ op: 'publish', topic: '/cobot-1/cmd_vel', msg: { linear: { x: 'fast' } } }), 8)).toMatch(/msg\.linear\.x/);
    const goal = { pose: { header: { frame_id: 'map' }, pose: { position: { x: '12', y: 3 }, orientation: { w: 1 } } } };
    expect(await send(JSON.stringify({ op: 'send_action_goal', id: 'g1', action: '/cobot-1/navigate_to_pose', action_type: RosTypes.navigateToPose, args: goal }), 9)).toMatch(
      /args\.pose\.pose\.position\.x/,
    );
    // The goal is answered too, so a client waiting for its result is not left hanging.
    expect(c.got.find((o) => o.op === 'action_result' && o.id === 'g1')).toMatchObject({ result: false, status: 6 });
    expect(await send(JSON.stringify({ op: 'send_action_goal', id: 'g2', action: '/cobot-9/navigate_to_pose', action_type: RosTypes.navigateToPose, args: {} }), 10)).toMatch(/no such action/);
    expect(await send(JSON.stringify({ op: 'cancel_action_goal', id: 'nope', action: '/cobot-1/navigate_to_pose' }), 11)).toMatch(/no goal nope/);
    expect(await send(JSON.stringify({ op: 'publish', topic: '/cobot-1/cmd_vel', msg: 'x'.repeat(200_000) }), 12)).toMatch(/exceeds 65536/);

    // An unknown service gets a failed response, as rosbridge answers it.
    c.ws.send(JSON.stringify({ op: 'call_service', id: 's1', service: '/rosapi/nodes' }));
    await waitUntil('the failed service response', () => c.got.some((o) => o.op === 'service_response' && o.id === 's1'));
    expect(c.got.find((o) => o.id === 's1')).toMatchObject({ result: false });

    // Still connected and served.
    c.ws.send(JSON.stringify({ op: 'call_service', id: 's2', service: '/rosapi/topics' }));
    await waitUntil('the topics', () => c.got.some((o) => o.op === 'service_response' && o.id === 's2'));
    expect(c.got.find((o) => o.id === 's2')).toMatchObject({ result: true });
    expect(c.ws.readyState).toBe(WebSocket.OPEN);

    const r = server.stats.rejected;
    expect(r).toMatchObject({ 'not-json': 1, 'not-an-op': 1, 'unknown-op': 1, 'unknown-topic': 1, 'wrong-type': 1, 'read-only-topic': 1, 'unknown-action': 1, 'unknown-goal': 1, 'too-large': 1, 'unknown-service': 1 });
    expect(r['bad-field']).toBe(3);
    c.ws.close();
  });

  it('closes a connection that sends a frame over maxPayload (ws does, code 1009), counts it, and serves everyone else', async () => {
    const c = await rawClient(server.url);
    const seen = odom.length;
    c.ws.send('x'.repeat(2 * 1024 * 1024));
    await waitUntil('the close', () => c.closed.code !== undefined);
    expect(c.closed.code).toBe(1009);
    await waitUntil('the count', () => server.stats.rejected.oversized === 1);
    // The other client still gets odometry, the plant still runs, new clients are served.
    await waitUntil('more odometry for the other client', () => odom.length > seen + 3);
    const again = await rawClient(server.url);
    again.ws.send(JSON.stringify({ op: 'call_service', id: 't', service: 'rosapi/topics' }));
    await waitUntil('a new client served', () => again.got.some((o) => o.id === 't' && o.result === true));
    again.ws.close();
    expect(plant.context!.kernel.now).toBeGreaterThan(0);
  });
});
