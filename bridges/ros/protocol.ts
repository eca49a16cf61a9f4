import { z } from 'zod';
import type { Twist } from './messages.js';

/**
 * The rosbridge v2 protocol (rosbridge_suite's ROSBRIDGE_PROTOCOL.md, ROS 2
 * branch) as far as this bridge speaks it: JSON text frames, one op each.
 * Incoming ops are parsed here with zod, so a malformed one is refused
 * naming the field, before anything acts on it. Unknown fields are ignored,
 * as rosbridge does.
 */

const Id = z.string().max(256);
const Name = z.string().min(1).max(256);

const ops = {
  subscribe: z.object({
    op: z.literal('subscribe'),
    id: Id.optional(),
    topic: Name,
    type: z.string().optional(),
    /** Least milliseconds between two messages to this client. */
    throttle_rate: z.number().int().nonnegative().optional(),
    queue_length: z.number().int().nonnegative().optional(),
    fragment_size: z.number().int().positive().optional(),
    compression: z.string().optional(),
  }),
  unsubscribe: z.object({ op: z.literal('unsubscribe'), id: Id.optional(), topic: Name }),
  advertise: z.object({ op: z.literal('advertise'), id: Id.optional(), topic: Name, type: Name, latch: z.boolean().optional(), queue_size: z.number().int().optional() }),
  unadvertise: z.object({ op: z.literal('unadvertise'), id: Id.optional(), topic: Name }),
  publish: z.object({ op: z.literal('publish'), id: Id.optional(), topic: Name, msg: z.record(z.string(), z.unknown()) }),
  call_service: z.object({ op: z.literal('call_service'), id: Id.optional(), service: Name, args: z.unknown().optional(), type: z.string().optional() }),
  send_action_goal: z.object({
    op: z.literal('send_action_goal'),
    id: Id,
    action: Name,
    action_type: Name,
    args: z.unknown().optional(),
    feedback: z.boolean().optional(),
  }),
  cancel_action_goal: z.object({ op: z.literal('cancel_action_goal'), id: Id, action: Name }),
  set_level: z.object({ op: z.literal('set_level'), id: Id.optional(), level: z.enum(['info', 'warning', 'error', 'none']) }),
};

export type ClientOp = { [K in keyof typeof ops]: z.infer<(typeof ops)[K]> }[keyof typeof ops];
export type ClientOpOf<K extends ClientOp['op']> = Extract<ClientOp, { op: K }>;

/** Why a frame was refused; the server counts refusals by kind. */
export type RejectKind =
  | 'not-json'
  | 'not-an-op'
  | 'unknown-op'
  | 'bad-field'
  | 'too-large'
  | 'oversized'
  | 'unknown-topic'
  | 'wrong-type'
  | 'read-only-topic'
  | 'unknown-action'
  | 'unknown-service'
  | 'unknown-goal'
  | 'not-controller'
  | 'not-running';

export type Parsed = { ok: true; op: ClientOp } | { ok: false; kind: RejectKind; reason: string; id?: string };

/** The first issue of a zod error as one line: `where: what`. */
export function issueLine(error: z.ZodError, prefix: string): string {
  const issue = error.issues[0];
  const path = [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.');
  return `${path}: ${issue.message}`;
}

/** A text frame → a known op with well-typed fields, or why not (one line, with the op's id when it had one). */
export function parseClientOp(text: string): Parsed {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, kind: 'not-json', reason: `not JSON: ${(e as Error).message.split('\n')[0]}` };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || typeof (raw as { op?: unknown }).op !== 'string') {
    return { ok: false, kind: 'not-an-op', reason: 'a rosbridge message is a JSON object with a string "op"' };
  }
  const r = raw as { op: string; id?: unknown };
  const id = typeof r.id === 'string' ? r.id.slice(0, 256) : undefined;
  const schema = (ops as Record<string, z.ZodType<ClientOp>>)[r.op];
  if (!schema || !Object.hasOwn(ops, r.op)) return { ok: false, kind: 'unknown-op', reason: `unknown or unsupported op "${r.op.slice(0, 64)}"`, id };
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return { ok: false, kind: 'bad-field', reason: issueLine(parsed.error, r.op), id };
  return { ok: true, op: parsed.data };
}

const Num = z.number();
const Vec = z.object({ x: Num.default(0), y: Num.default(0), z: Num.default(0) });

/** geometry_msgs/Twist; missing fields are zeros, as rosbridge fills them. */
export const TwistSchema = z.object({ linear: Vec.default({ x: 0, y: 0, z: 0 }), angular: Vec.default({ x: 0, y: 0, z: 0 }) });

export function parseTwist(msg: unknown): { ok: true; twist: Twist } | { ok: false; reason: string } {
  const p = TwistSchema.safeParse(msg);
  return p.success ? { ok: true, twist: p.data } : { ok: false, reason: issueLine(p.error, 'msg') };
}

/** nav2_msgs/action/NavigateToPose goal: a pose in `map` with finite x and y; the orientation gives the heading. */
export const NavigateGoalSchema = z.object({
  pose: z.object({
    header: z.object({ frame_id: z.string().optional() }).optional(),
    pose: z.object({
      position: z.object({ x: Num, y: Num, z: Num.optional() }),
      orientation: z.object({ x: Num.default(0), y: Num.default(0), z: Num.default(0), w: Num.default(1) }).default({ x: 0, y: 0, z: 0, w: 1 }),
    }),
  }),
  behavior_tree: z.string().optional(),
});

export type NavigateGoalArgs = z.infer<typeof NavigateGoalSchema>;

export function parseNavigateGoal(args: unknown): { ok: true; goal: NavigateGoalArgs } | { ok: false; reason: string } {
  const p = NavigateGoalSchema.safeParse(args);
  if (!p.success) return { ok: false, reason: issueLine(p.error, 'args') };
  const frame = p.data.pose.header?.frame_id;
  if (frame && frame !== 'map' && frame !== 'odom') return { ok: false, reason: `args.pose.header.frame_id: "${frame}" is not "map" (the floor's frame)` };
  return { ok: true, goal: p.data };
}

/** What the server sends. */
export type ServerOp =
  | { op: 'status'; id?: string; level: 'error' | 'warning' | 'info'; msg: string }
  | { op: 'publish'; topic: string; msg: unknown }
  | { op: 'service_response'; id?: string; service: string; result: true; values: unknown }
  | { op: 'service_response'; id?: string; service: string; result: false; values: string }
  | { op: 'action_feedback'; id: string; action: string; values: unknown }
  | { op: 'action_result'; id: string; action: string; status: number; result: boolean; values: unknown };
