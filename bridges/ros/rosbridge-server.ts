import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData } from 'ws';
import type { RunContext } from '../../runtime/context.js';
import { cobotHomes } from '../../runtime/wire-robotics.js';
import { CobotTelemetry } from './cobot-telemetry.js';
import { GoalStatus, RosTypes, sameRosType, yawOf } from './messages.js';
import { parseClientOp, parseNavigateGoal, parseTwist, type ClientOpOf, type RejectKind } from './protocol.js';
import { RosCommands } from './ros-commands.js';
import { Connection, emptyRejects } from './rosbridge-connection.js';
import { callRosapi, CobotGraph } from './rosapi.js';

/** What the endpoint needs of a live plant: its running context, and word when a reset replaces it. */
export interface RosPlant {
  readonly context: RunContext | undefined;
  onRestart(listener: () => void): void;
}

export interface RosbridgeOptions {
  port: number;
  /** Interface to listen on; every interface when omitted. */
  host?: string;
  /** Largest frame read, bytes; ws closes a connection that sends a larger one (code 1009). Default 1 MiB. */
  maxPayload?: number;
  /** Largest op handled, bytes; a larger frame (up to `maxPayload`) is refused with a status and the connection stays. Default 64 KiB. */
  maxMessageBytes?: number;
  /** Odometry rate, Hz (wall). Default 10. */
  odomHz?: number;
  /** Battery state rate, Hz (wall). Default 1. */
  batteryHz?: number;
  /** See RosCommandOptions. Defaults 3000 ms and 1 s. */
  leaseMs?: number;
  cmdVelSeconds?: number;
  /** Each refused frame, as one line (serve logs them). */
  onProblem?: (line: string) => void;
}

export interface RosbridgeStats {
  /** Connections accepted since the start, and open now. */
  connections: number;
  open: number;
  received: number;
  published: number;
  /** Refused frames by kind: answered with a `status` (or a failed result), the connection kept (but for `oversized`). */
  rejected: Record<RejectKind, number>;
  goals: { accepted: number; succeeded: number; aborted: number; canceled: number };
  twists: number;
}

export interface RosbridgeServer {
  url: string;
  readonly stats: RosbridgeStats;
  /** Which ROS client controls each cobot it leases now. */
  controllers(): Map<string, string>;
  close(): Promise<void>;
}

/**
 * A rosbridge v2 WebSocket endpoint on a live plant (rosbridge_suite with
 * rosapi, as ROS 2 tools and roslib expect it): every simulated cobot is a
 * nav2 robot in its namespace, `/<cobot>/odom`, `/<cobot>/battery_state`,
 * `/<cobot>/cmd_vel` and the `/<cobot>/navigate_to_pose` action. Commands
 * take the cobot over from its agent for as long as the client drives it
 * (`ros-commands.ts`). Every bad frame is refused with a `status` to its
 * sender and counted; nothing else is affected. Reading the fleet never
 * changes the run (`peek`).
 */
export async function startRosbridgeServer(plant: RosPlant, options: RosbridgeOptions): Promise<RosbridgeServer> {
  const o = { maxPayload: 1 << 20, maxMessageBytes: 64 << 10, odomHz: 10, batteryHz: 1, leaseMs: 3000, cmdVelSeconds: 1, ...options };
  const wss = new WebSocketServer({ port: o.port, host: o.host, maxPayload: o.maxPayload });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const rejected = emptyRejects();
  const counters = { connections: 0, received: 0, published: 0 };
  const conns = new Set<Connection>();
  let ctx: RunContext | undefined;
  let telemetry: CobotTelemetry | undefined;
  let graph = new CobotGraph([]);
  const commands = new RosCommands({ leaseMs: o.leaseMs, cmdVelSeconds: o.cmdVelSeconds }, () => telemetry);
  let closed = false;

  /** Follows the plant's current run (a reset replaces it). */
  const sync = () => {
    const now = plant.context;
    if (now === ctx || closed) return;
    ctx = now;
    telemetry = ctx?.fleet && ctx.scenario.cobots ? new CobotTelemetry(ctx.fleet, ctx.kernel, ctx.scenario.cobots) : undefined;
    if (ctx?.scenario.cobots) graph = new CobotGraph(cobotHomes(ctx).map((c) => c.id));
    commands.attach(ctx);
  };
  sync();
  plant.onRestart(sync);

  const reject = (c: Connection, kind: RejectKind, reason: string, id?: string) => {
    rejected[kind]++;
    c.status('error', reason, id);
    o.onProblem?.(`rosbridge: ${c.name}: ${reason}`);
  };

  const onSubscribe = (c: Connection, op: ClientOpOf<'subscribe'>) => {
    const name = CobotGraph.absolute(op.topic);
    const t = graph.topics.get(name);
    if (!t) return reject(c, 'unknown-topic', `subscribe: no topic ${name}`, op.id);
    if (op.type && !sameRosType(op.type, t.type)) return reject(c, 'wrong-type', `subscribe: ${name} is ${t.type}, not ${op.type}`, op.id);
    if (op.compression && op.compression !== 'none') c.status('warning', `subscribe: compression "${op.compression}" is not supported; sending JSON`, op.id);
    c.subs.set(name, { throttleMs: op.throttle_rate ?? 0, last: -Infinity });
  };

  const onPublish = (c: Connection, op: ClientOpOf<'publish'> | ClientOpOf<'advertise'>) => {
    const name = CobotGraph.absolute(op.topic);
    const t = graph.topics.get(name);
    if (!t) return reject(c, 'unknown-topic', `${op.op}: no topic ${name}`, op.id);
    if (t.kind !== 'cmd_vel') return reject(c, 'read-only-topic', `${op.op}: ${name} is published by the robot; only /<cobot>/cmd_vel takes messages`, op.id);
    if (op.op === 'advertise') {
      if (!sameRosType(op.type, t.type)) reject(c, 'wrong-type', `advertise: ${name} is ${t.type}, not ${op.type}`, op.id);
      return;
    }
    const twist = parseTwist(op.msg);
    if (!twist.ok) return reject(c, 'bad-field', `publish ${name}: ${twist.reason}`, op.id);
    if (!ctx) return reject(c, 'not-running', 'the plant is not running', op.id);
    const refusal = commands.refusal(c, t.cobot);
    if (refusal) return reject(c, refusal.includes('controlled by') ? 'not-controller' : 'not-running', `publish ${name}: ${refusal}`, op.id);
    commands.twist(c, t.cobot, twist.twist);
    // Other subscribers of the cmd_vel topic see what was commanded.
    for (const other of conns) if (other.subs.has(name)) other.send({ op: 'publish', topic: name, msg: twist.twist });
  };

  const onGoal = (c: Connection, op: ClientOpOf<'send_action_goal'>) => {
    const name = CobotGraph.absolute(op.action);
    const fail = (kind: RejectKind, reason: string) => {
      reject(c, kind, `send_action_goal ${name}: ${reason}`, op.id);
      c.send({ op: 'action_result', id: op.id, action: op.action, status: GoalStatus.ABORTED, result: false, values: reason });
    };
    const cobot = graph.actions.get(name);
    if (!cobot) return fail('unknown-action', 'no such action (the cobots serve /<cobot>/navigate_to_pose)');
    if (!sameRosType(op.action_type, RosTypes.navigateToPose)) return fail('wrong-type', `the action is ${RosTypes.navigateToPose}, not ${op.action_type}`);
    const goal = parseNavigateGoal(op.args);
    if (!goal.ok) return fail('bad-field', goal.reason);
    const refusal = commands.refusal(c, cobot);
    if (refusal) return fail(refusal.includes('controlled by') ? 'not-controller' : 'not-running', refusal);
    const p = goal.goal.pose.pose;
    commands.navigate(c, cobot, { id: op.id, action: op.action, feedback: op.feedback }, { x: p.position.x, y: p.position.y, theta: yawOf(p.orientation) });
  };

  const handle = (c: Connection, data: RawData) => {
    counters.received++;
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (bytes.byteLength > o.maxMessageBytes) return reject(c, 'too-large', `frame of ${bytes.byteLength} bytes exceeds ${o.maxMessageBytes}`);
    const parsed = parseClientOp(bytes.toString('utf8'));
    if (!parsed.ok) return reject(c, parsed.kind, parsed.reason, parsed.id);
    const op = parsed.op;
    switch (op.op) {
      case 'subscribe':
        return onSubscribe(c, op);
      case 'unsubscribe':
        c.subs.delete(CobotGraph.absolute(op.topic));
        return;
      case 'advertise':
      case 'publish':
        return onPublish(c, op);
      case 'unadvertise':
        return;
      case 'call_service': {
        const answer = callRosapi(graph, op.service, op.args);
        if (answer) return c.send({ op: 'service_response', id: op.id, service: op.service, result: true, values: answer.values });
        rejected['unknown-service']++;
        return c.send({ op: 'service_response', id: op.id, service: op.service, result: false, values: `no service ${op.service} (this endpoint answers /rosapi/topics, topic_type, topics_for_type, action_servers, services)` });
      }
      case 'send_action_goal':
        return onGoal(c, op);
      case 'cancel_action_goal':
        if (!commands.cancel(c, op.id)) reject(c, 'unknown-goal', `cancel_action_goal: no goal ${op.id} of yours in flight`, op.id);
        return;
      case 'set_level':
        c.level = op.level;
        return;
    }
  };

  wss.on('connection', (ws) => {
    const c = new Connection(`ros:client-${++counters.connections}`, ws, () => counters.published++);
    conns.add(c);
    ws.on('message', (data) => {
      try {
        handle(c, data);
      } catch (e) {
        // A bug must not take the endpoint down: the sender hears of it.
        reject(c, 'bad-field', `internal error: ${(e as Error).message.split('\n')[0]}`);
      }
    });
    ws.on('error', (e: Error & { code?: string }) => {
      // ws closes the connection itself (1009 for an oversized frame, 1002 for a protocol error).
      if (e.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') rejected.oversized++;
      o.onProblem?.(`rosbridge: ${c.name}: ${e.message}`);
    });
    ws.on('close', () => {
      conns.delete(c);
      commands.dropClient(c);
    });
  });

  // Telemetry and feedback on a wall clock: what ROS drivers do, whatever the simulation's speed.
  const tickMs = 1000 / o.odomHz;
  const batteryEvery = Math.max(1, Math.round(o.odomHz / o.batteryHz));
  let ticks = 0;
  const timer = setInterval(() => {
    sync();
    const now = performance.now();
    commands.tick(now);
    const tel = telemetry;
    if (!tel) return;
    const battery = ticks++ % batteryEvery === 0;
    const cache = new Map<string, unknown>();
    for (const c of conns) {
      if (c.congested) continue;
      for (const [name, sub] of c.subs) {
        const t = graph.topics.get(name);
        if (!t || t.kind === 'cmd_vel' || (t.kind === 'battery_state' && !battery)) continue;
        if (now - sub.last < sub.throttleMs) continue;
        sub.last = now;
        let msg = cache.get(name);
        if (msg === undefined) cache.set(name, (msg = t.kind === 'odom' ? tel.odometry(t.cobot) : tel.battery(t.cobot)));
        c.send({ op: 'publish', topic: name, msg });
      }
    }
  }, tickMs);

  const address = wss.address() as AddressInfo;
  const host = o.host && o.host !== '0.0.0.0' && o.host !== '::' ? o.host : 'localhost';
  return {
    url: `ws://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    get stats(): RosbridgeStats {
      const k = commands.counts;
      return {
        ...counters,
        open: conns.size,
        rejected: { ...rejected },
        goals: { accepted: k.goals, succeeded: k.succeeded, aborted: k.aborted, canceled: k.canceled },
        twists: k.twists,
      };
    },
    controllers: () => commands.controllers(),
    close: async () => {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      for (const c of conns) commands.dropClient(c);
      commands.attach(undefined);
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
