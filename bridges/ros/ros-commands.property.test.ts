import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import type { Pose, RobotListener, RobotObservation } from '../../agents/ports/robot-port.js';
import type { RunContext } from '../../runtime/context.js';
import { anyJson, mutatedJson } from '../../test/support/fuzz.js';
import { CobotTelemetry } from './cobot-telemetry.js';
import { yawOf } from './messages.js';
import { parseNavigateGoal, parseTwist, type ServerOp } from './protocol.js';
import { RosCommands, type RosClient } from './ros-commands.js';

/**
 * What ROS clients make the cobots do (`RosCommands`), driven the way the
 * rosbridge endpoint drives it (parse, check who may command, then act)
 * with any sequence of goals, twists, cancels, disconnects, world reports
 * and ticks, over a fake world. Properties: nothing throws, nothing NaN
 * reaches the world, and everything sent to a client is JSON with finite
 * numbers (JSON.stringify would turn NaN and ±∞ into null).
 */

const COBOTS = ['cobot-1', 'cobot-2'];
const SIZE = 50;

interface Body {
  pose: Pose;
  activity?: string;
  goal?: string;
  faulted: boolean;
}

/** A floor of SIZE × SIZE one-metre cells, a charger at (0, 0), and cobots that do what they are told when the kernel runs. */
function world(cmdVelSeconds: number) {
  const bodies = new Map<string, Body>(COBOTS.map((c, i) => [c, { pose: { x: 10 + i, y: 10 }, faulted: false }]));
  const kernel = { now: 0 };
  const queue: (() => void)[] = [];
  const listeners: RobotListener[] = [];
  const takenBy = new Map<string, string>();
  const commanded: Pose[] = [];
  const report = (robot: string, obs: RobotObservation) => queue.push(() => listeners.forEach((l) => l(robot, obs)));
  const cellOf = (p: Pose) => (p.x >= 0 && p.x < SIZE && p.y >= 0 && p.y < SIZE ? Math.floor(p.y) * SIZE + Math.floor(p.x) : -1);
  const fleet = {
    floor: { cellSize: 1, cellOf, isCharger: (cell: number) => cell === 0 },
    isFaulted: (c: string) => bodies.get(c)!.faulted,
    navigate(c: string, goal: { id: string; pose: Pose }) {
      commanded.push(goal.pose);
      const b = bodies.get(c)!;
      // The kinematic world: a goal off the floor is reported blocked (fleet.ts), never driven to.
      if (cellOf(goal.pose) < 0) return report(c, { type: 'robot.blocked', goal: goal.id, reason: `(${goal.pose.x}, ${goal.pose.y}) is off the floor`, time: kernel.now });
      b.activity = 'move';
      b.goal = goal.id;
      b.pose = { ...goal.pose };
      report(c, { type: 'robot.arrived', goal: goal.id, time: kernel.now });
    },
    perform(c: string, a: { kind: string }) {
      bodies.get(c)!.activity = a.kind;
    },
    hold(c: string) {
      bodies.get(c)!.activity = undefined;
    },
    peek(c: string) {
      const b = bodies.get(c)!;
      return { pose: { x: b.pose.x, y: b.pose.y }, level: 0.5, activity: b.activity, path: [] as Pose[] };
    },
  };
  const robots = {
    observe(l: RobotListener) {
      listeners.push(l);
      return () => listeners.splice(listeners.indexOf(l), 1);
    },
    controller: (c: string) => takenBy.get(c),
    takeOver: (c: string, by: string) => void (takenBy.has(c) || takenBy.set(c, by)),
    release: (c: string) => void takenBy.delete(c),
    inKernel: (fn: () => void) => void queue.push(fn),
  };
  const params = { speed: 1, batteryWh: 500, drainWhPerMetre: 0.01, idleDrainW: 5, chargeW: 200, lowBattery: 0.2 };
  const ctx = { kernel, fleet, robots, scenario: { cobots: params } } as unknown as RunContext;
  const telemetry = new CobotTelemetry(fleet as never, kernel as never, params);
  const commands = new RosCommands({ leaseMs: 100, cmdVelSeconds }, () => telemetry);
  commands.attach(ctx);
  const runKernel = () => {
    for (let n = 0; n < 200 && queue.length > 0; n++) queue.shift()!();
  };
  return { bodies, kernel, commands, telemetry, commanded, runKernel, report, takenBy };
}

/** Every number in `v` is finite (what survives JSON unchanged). */
function expectFiniteDeep(v: unknown, at = 'value'): void {
  if (typeof v === 'number') return void expect(Number.isFinite(v), `${at} is ${v}`).toBe(true);
  if (Array.isArray(v)) return v.forEach((x, i) => expectFiniteDeep(x, `${at}[${i}]`));
  if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) expectFiniteDeep(x, `${at}.${k}`);
}

const num = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.double({ min: -20, max: 60, noNaN: true }), fc.constantFrom(0, 1e200, -1e200, 1.7e308, -1.7e308));
const vec = fc.record({ x: num, y: num, z: num }, { requiredKeys: [] });
const twist = fc.record({ linear: vec, angular: vec }, { requiredKeys: [] });
const goal = fc.record({
  pose: fc.record({
    header: fc.constant({ frame_id: 'map' }),
    pose: fc.record({ position: fc.record({ x: num, y: num }), orientation: fc.record({ x: num, y: num, z: num, w: num }, { requiredKeys: [] }) }, { requiredKeys: ['position'] }),
  }),
});

type Step =
  | { kind: 'twist'; client: number; cobot: number; msg: unknown }
  | { kind: 'goal'; client: number; cobot: number; id: string; args: unknown; feedback: boolean }
  | { kind: 'cancel'; client: number; id: string }
  | { kind: 'drop'; client: number }
  | { kind: 'report'; cobot: number; which: 'fault' | 'recovered' | 'blocked' | 'charged' }
  | { kind: 'tick'; ms: number };

const client = fc.nat({ max: 1 });
const cobot = fc.nat({ max: COBOTS.length - 1 });
const goalId = fc.constantFrom('g1', 'g2', 'g3');
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('twist' as const), client, cobot, msg: fc.oneof(twist, mutatedJson(twist, 1), anyJson) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('goal' as const), client, cobot, id: goalId, args: fc.oneof(goal, mutatedJson(goal, 1)), feedback: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), client, id: goalId }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), client }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('report' as const), cobot, which: fc.constantFrom('fault', 'recovered', 'blocked', 'charged' as const) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 300 }) }) },
);

function drive(steps: readonly Step[], cmdVelSeconds: number): void {
  const w = world(cmdVelSeconds);
  const sent: ServerOp[][] = [[], []];
  const clients: RosClient[] = [0, 1].map((i) => ({ name: `ros:client-${i + 1}`, send: (op: ServerOp) => void sent[i].push(op) }));
  let wall = 1000;
  for (const s of steps) {
    if (s.kind === 'twist') {
      // rosbridge-server.ts onPublish.
      const t = parseTwist(s.msg);
      if (t.ok && !w.commands.refusal(clients[s.client], COBOTS[s.cobot])) w.commands.twist(clients[s.client], COBOTS[s.cobot], t.twist);
    } else if (s.kind === 'goal') {
      // rosbridge-server.ts onGoal.
      const g = parseNavigateGoal(s.args);
      if (g.ok && !w.commands.refusal(clients[s.client], COBOTS[s.cobot])) {
        const p = g.goal.pose.pose;
        w.commands.navigate(clients[s.client], COBOTS[s.cobot], { id: s.id, action: `/${COBOTS[s.cobot]}/navigate_to_pose`, feedback: s.feedback }, { x: p.position.x, y: p.position.y, theta: yawOf(p.orientation) });
      }
    } else if (s.kind === 'cancel') w.commands.cancel(clients[s.client], s.id);
    else if (s.kind === 'drop') w.commands.dropClient(clients[s.client]);
    else if (s.kind === 'report') {
      const c = COBOTS[s.cobot];
      const b = w.bodies.get(c)!;
      if (s.which === 'fault') b.faulted = true;
      if (s.which === 'recovered') b.faulted = false;
      w.report(c, s.which === 'blocked' ? { type: 'robot.blocked', goal: b.goal ?? 'x', reason: 'in the way', time: w.kernel.now } : s.which === 'fault' ? { type: 'robot.fault', reason: 'broke', time: w.kernel.now } : { type: `robot.${s.which}`, time: w.kernel.now });
    } else {
      wall += s.ms;
      w.kernel.now += s.ms / 100;
      w.commands.tick(wall);
    }
    w.runKernel();
    for (const p of w.commanded) {
      expect(Number.isNaN(p.x) || Number.isNaN(p.y), `navigate to (${p.x}, ${p.y})`).toBe(false);
      if (p.theta !== undefined) expect(Number.isFinite(p.theta)).toBe(true);
    }
    for (const c of COBOTS) {
      expect(Number.isFinite(w.telemetry.heading(c)), `heading of ${c}`).toBe(true);
      expectFiniteDeep(w.telemetry.odometry(c), `odometry of ${c}`);
    }
    for (const ops of sent) for (const op of ops) expectFiniteDeep(op, op.op);
    // One controller per cobot, and only a client that commanded it.
    for (const [c, by] of w.takenBy) {
      expect(COBOTS).toContain(c);
      expect(clients.map((k) => k.name)).toContain(by);
    }
  }
}

describe('ROS commands on the simulated cobots', () => {
  test.prop([fc.array(step, { minLength: 1, maxLength: 30 }), fc.constantFrom(0.5, 1, 2, 5)], { numRuns: 200 })(
    'any sequence of goals, twists, cancels, disconnects, reports and ticks: no throw, no NaN into the world, finite numbers out',
    drive,
  );

  it('a cmd_vel turn that overflows (angular.z × cmdVelSeconds = ∞) leaves the heading finite (found by the property: it became NaN for good)', () => {
    drive(
      [
        { kind: 'twist', client: 0, cobot: 0, msg: { angular: { z: 1.7e308 } } },
        { kind: 'twist', client: 0, cobot: 0, msg: { linear: { x: 1 } } },
        { kind: 'tick', ms: 10 },
      ],
      2,
    );
  });
});
