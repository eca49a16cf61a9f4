import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { anyJson, mutatedJson, mutatedText } from '../../test/support/fuzz.js';
import { RosTypes, yawOf } from './messages.js';
import { parseClientOp, parseNavigateGoal, parseTwist, type RejectKind } from './protocol.js';
import { callRosapi, CobotGraph } from './rosapi.js';

/**
 * The rosbridge v2 ops a client sends, as properties: any text frame is a
 * well-typed op or refused with its kind and a one-line reason naming the
 * field (`subscribe.topic: …`), never a throw; valid ops of every kind
 * survive the JSON round trip; the message bodies (Twist, NavigateToPose
 * goals) come out with finite numbers only.
 */

const KINDS: RejectKind[] = ['not-json', 'not-an-op', 'unknown-op', 'bad-field'];
const OPS = ['subscribe', 'unsubscribe', 'advertise', 'unadvertise', 'publish', 'call_service', 'send_action_goal', 'cancel_action_goal', 'set_level'];

const name = fc.oneof(fc.constantFrom('/cobot-1/odom', 'cobot-1/cmd_vel', '/cobot-2/battery_state', '/cobot-1/navigate_to_pose', '/rosapi/topics', 'rosapi/topic_type'), fc.string({ minLength: 1, maxLength: 20 }));
const id = fc.string({ maxLength: 12 });
/** Finite doubles, the huge ones JSON allows often (their products overflow). */
const num = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, 1, -1, 1e200, -1e200, 1.7e308, -1.7e308));
const vec = fc.record({ x: num, y: num, z: num }, { requiredKeys: [] });
const twist = fc.record({ linear: vec, angular: vec }, { requiredKeys: [] });
const quaternion = fc.record({ x: num, y: num, z: num, w: num }, { requiredKeys: [] });
const goalArgs = fc.record(
  {
    pose: fc.record(
      {
        header: fc.record({ frame_id: fc.constantFrom('map', 'odom', '') }, { requiredKeys: [] }),
        pose: fc.record({ position: fc.record({ x: num, y: num, z: num }, { requiredKeys: ['x', 'y'] }), orientation: quaternion }, { requiredKeys: ['position'] }),
      },
      { requiredKeys: ['pose'] },
    ),
    behavior_tree: fc.string({ maxLength: 8 }),
  },
  { requiredKeys: ['pose'] },
);

/** One valid op of every kind the endpoint reads (optional fields sometimes left out). */
const validOp = fc.oneof(
  fc.record(
    { op: fc.constant('subscribe'), id, topic: name, type: fc.constantFrom(RosTypes.odometry, 'nav_msgs/Odometry', 'std_msgs/msg/String'), throttle_rate: fc.nat(), queue_length: fc.nat(), fragment_size: fc.integer({ min: 1 }), compression: fc.constantFrom('none', 'png', 'cbor') },
    { requiredKeys: ['op', 'topic'] },
  ),
  fc.record({ op: fc.constant('unsubscribe'), id, topic: name }, { requiredKeys: ['op', 'topic'] }),
  fc.record({ op: fc.constant('advertise'), id, topic: name, type: fc.constantFrom(RosTypes.twist, 'geometry_msgs/Twist', 'x/y'), latch: fc.boolean(), queue_size: fc.integer() }, { requiredKeys: ['op', 'topic', 'type'] }),
  fc.record({ op: fc.constant('unadvertise'), id, topic: name }, { requiredKeys: ['op', 'topic'] }),
  fc.record({ op: fc.constant('publish'), id, topic: name, msg: fc.oneof(twist, fc.dictionary(fc.string({ maxLength: 6 }), anyJson, { maxKeys: 3 })) }, { requiredKeys: ['op', 'topic', 'msg'] }),
  fc.record({ op: fc.constant('call_service'), id, service: name, args: anyJson, type: fc.string({ maxLength: 10 }) }, { requiredKeys: ['op', 'service'] }),
  fc.record({ op: fc.constant('send_action_goal'), id, action: name, action_type: fc.constantFrom(RosTypes.navigateToPose, 'nav2_msgs/NavigateToPose', 'a/b'), args: fc.oneof(goalArgs, anyJson), feedback: fc.boolean() }, { requiredKeys: ['op', 'id', 'action', 'action_type'] }),
  fc.record({ op: fc.constant('cancel_action_goal'), id, action: name }),
  fc.record({ op: fc.constant('set_level'), id, level: fc.constantFrom('info', 'warning', 'error', 'none') }, { requiredKeys: ['op', 'level'] }),
);

/** A refusal: a known kind, one line that names the op and field for a bad field, the op's id when it had a string one. */
function expectRefusal(parsed: Exclude<ReturnType<typeof parseClientOp>, { ok: true }>, text: string): void {
  expect(KINDS).toContain(parsed.kind);
  expect(parsed.reason.trim()).not.toBe('');
  expect(parsed.reason).not.toContain('\n');
  if (parsed.kind === 'bad-field') expect(parsed.reason).toMatch(new RegExp(`^(${OPS.join('|')})(\\.[^:]+)?: `));
  if (parsed.id !== undefined) expect(parsed.id.length).toBeLessThanOrEqual(256);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return void expect(parsed.kind).toBe('not-json');
  }
  const rid = (raw as { id?: unknown } | null)?.id;
  if (parsed.kind !== 'not-an-op' && typeof rid === 'string') expect(parsed.id).toBe(rid.slice(0, 256));
}

/** What an accepted op must be, whatever text it came from. */
function expectOp(op: Extract<ReturnType<typeof parseClientOp>, { ok: true }>['op']): void {
  expect(OPS).toContain(op.op);
  if ('topic' in op) expect(op.topic.length).toBeGreaterThan(0);
  if (op.id !== undefined) expect(typeof op.id).toBe('string');
  if (op.op === 'publish') expect(op.msg !== null && typeof op.msg === 'object' && !Array.isArray(op.msg)).toBe(true);
  for (const v of Object.values(op)) if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
}

function check(text: string): void {
  const parsed = parseClientOp(text);
  if (parsed.ok) expectOp(parsed.op);
  else expectRefusal(parsed, text);
}

describe('rosbridge ops', () => {
  test.prop([fc.oneof(fc.string({ maxLength: 100 }), fc.string({ maxLength: 30, unit: 'binary' }), anyJson.map((v) => JSON.stringify(v)))], { numRuns: 300 })(
    'arbitrary text: an op or a refusal of a known kind',
    check,
  );

  test.prop([validOp], { numRuns: 300 })('every valid op survives the JSON round trip unchanged', (op) => {
    const wire = JSON.stringify(op);
    const parsed = parseClientOp(wire);
    expect(parsed).toEqual({ ok: true, op: JSON.parse(wire) });
  });

  test.prop([mutatedJson(validOp).map((v) => JSON.stringify(v) ?? 'undefined')], { numRuns: 400 })('a mutated op: accepted well-typed, or refused naming op and field', check);

  test.prop([mutatedText(validOp.map((v) => JSON.stringify(v)), 2)], { numRuns: 300 })('a mangled frame (text edits of a valid one): an op or a refusal', check);

  test.prop([fc.constantFrom(...OPS), fc.constantFrom('1e999', '-1e999', '1e400')])('numbers JSON.parse reads as infinities are refused as bad fields, never passed on', (op, big) => {
    const text = `{"op": "${op}", "id": "i", "topic": "/t", "service": "/s", "action": "/a", "action_type": "a/b", "type": "a/b", "level": "info", "msg": {}, "throttle_rate": ${big}, "queue_size": ${big}}`;
    const parsed = parseClientOp(text);
    if (parsed.ok) expectOp(parsed.op);
    else expect(parsed.kind).toBe('bad-field');
  });
});

describe('rosbridge message bodies', () => {
  test.prop([fc.oneof(twist, mutatedJson(twist), anyJson)], { numRuns: 300 })('a cmd_vel message is a Twist of six finite numbers, or refused naming msg.<field>', (msg) => {
    const t = parseTwist(msg);
    if (!t.ok) return void expect(t.reason).toMatch(/^msg(\.\w+)*: /);
    for (const v of [t.twist.linear, t.twist.angular]) for (const k of ['x', 'y', 'z'] as const) expect(Number.isFinite(v[k])).toBe(true);
  });

  test.prop([fc.oneof(goalArgs, mutatedJson(goalArgs), anyJson)], { numRuns: 400 })(
    'a NavigateToPose goal gives a finite floor pose (x, y and the heading), or is refused naming args.<field>',
    (args) => {
      const g = parseNavigateGoal(args);
      if (!g.ok) return void expect(g.reason).toMatch(/^args(\.\w+)*: /);
      const p = g.goal.pose.pose;
      expect(Number.isFinite(p.position.x) && Number.isFinite(p.position.y)).toBe(true);
      expect(Number.isFinite(yawOf(p.orientation))).toBe(true);
    },
  );

  test.prop([fc.oneof(name, fc.string({ maxLength: 30 })), anyJson], { numRuns: 200 })('a rosapi call: no such service, or JSON values', (service, args) => {
    const graph = new CobotGraph(['cobot-1', 'cobot-2']);
    const answer = callRosapi(graph, service, args);
    if (answer) expect(JSON.parse(JSON.stringify(answer.values))).toEqual(answer.values);
  });
});
