import { z } from 'zod';
import { readJsonPayload } from '../json-payload.js';
import { PLANT_TOPIC_ROOT } from '../plant-topics.js';

/**
 * A live run spread over processes (docs/live-runs.md): one plant process
 * holds the world and the coordinators; agent hosts run the agents the
 * plant places on them. Everything goes through the plant process (a star),
 * as JSON on QoS 1 under `hyperfactory/v1/<plant>/live/`.
 */
export const liveTopics = (plant: string) => {
  const root = `${PLANT_TOPIC_ROOT}/${plant}/live`;
  return {
    root,
    /** Plant → hosts, retained: where the plant's clock is (`Clock`). */
    clock: `${root}/clock`,
    /** Host → all, retained: `HostStatus`; the broker publishes `offline` as the host's last will. */
    status: (host: string) => `${root}/hosts/${host}/status`,
    statusFilter: `${root}/hosts/+/status`,
    /** Plant → host: the agents it runs (`Assignment`); each assignment replaces the one before. */
    assign: (host: string) => `${root}/hosts/${host}/assign`,
    /** Plant → host: a message for one of its agents, or an observation from its ports (`ToAgent`). */
    toHost: (host: string) => `${root}/hosts/${host}/in`,
    /** Host → plant: its agents' messages, port effects and state changes (`FromHost`). */
    toPlant: `${root}/plant/in`,
    /** Plant → host: the backlog records it has logged (`BacklogAck`); the host does not send them again. */
    backlogAck: (host: string) => `${root}/hosts/${host}/backlog-ack`,
  };
};

/**
 * How long the broker keeps a live-link client's session (its subscriptions
 * and the QoS 1 messages queued for it) while the client is away, seconds:
 * the plant and the hosts reconnect with the same client id and get what was
 * sent meanwhile (a Mosquitto with persistence keeps it across its restart).
 */
export const LINK_SESSION_SECONDS = 120;

/** Largest live message accepted: an envelope or an agent's snapshot. */
export const MAX_LIVE_BYTES = 256 * 1024;

const id = z.string().min(1).max(200);

export const ClockSchema = z.object({
  /** Which run of the plant (a reset starts a new one): hosts start their agents afresh. */
  run: z.number().int().nonnegative(),
  /** Simulated seconds at `wallMs`. */
  t: z.number().nonnegative().finite(),
  wallMs: z.number().finite(),
  speed: z.number().positive().finite(),
  paused: z.boolean(),
  /** The run reached its horizon or the plant stopped: hosts stop too. */
  finished: z.boolean(),
});
export type Clock = z.infer<typeof ClockSchema>;

export const HostStatusSchema = z.discriminatedUnion('state', [
  // `session`: the connection whose will this host registered; an offline of another session is stale (a replay).
  z.object({ state: z.literal('online'), agents: z.string().min(1).max(500), pid: z.number().int().optional(), session: z.string().min(1).max(64).optional() }),
  z.object({ state: z.literal('offline'), session: z.string().min(1).max(64).optional() }),
]);
export type HostStatus = z.infer<typeof HostStatusSchema>;

export const AgentPlacementSchema = z.object({
  id,
  kind: id,
  groups: z.array(id).max(20),
  input: z.record(z.string(), z.unknown()),
  /**
   * How many times the plant has given this agent out again after losing it
   * (0 or absent: never lost). A host running an older incarnation starts it
   * afresh: the plant re-auctioned what the old one held.
   */
  incarnation: z.number().int().nonnegative().optional(),
});
export type AgentPlacement = z.infer<typeof AgentPlacementSchema>;

export const AssignmentSchema = z.object({ run: z.number().int().nonnegative(), agents: z.array(AgentPlacementSchema).max(10_000) });
export type Assignment = z.infer<typeof AssignmentSchema>;

const event = z.object({ type: z.string().min(1).max(100) }).catchall(z.unknown());

export const ToAgentSchema = z.discriminatedUnion('kind', [
  /** A bus message (checked again as an envelope by the host). */
  z.object({ kind: z.literal('message'), agent: id, envelope: z.unknown() }),
  /** From the agent's ports in the plant's world (its robot, its work). */
  z.object({ kind: z.literal('observation'), agent: id, event }),
]);
export type ToAgent = z.infer<typeof ToAgentSchema>;

/** One thing an agent host did while cut off from the plant, from its journal (`edge/edge-journal.ts`). */
export const BacklogRecordSchema = z
  .object({ id, seq: z.number().int().nonnegative(), wallMs: z.number().finite(), t: z.number().finite(), type: z.string().min(1).max(100) })
  .catchall(z.unknown());

/** Most backlog records in one message (a long backlog goes in several, in order). */
export const MAX_BACKLOG_RECORDS = 200;

export const BacklogAckSchema = z.object({ journal: id, upTo: z.number().int().nonnegative() });
export type BacklogAck = z.infer<typeof BacklogAckSchema>;

/** The incarnation of the agent that spoke (see `AgentPlacementSchema`): the plant drops what an older one still says. */
const incarnation = z.number().int().nonnegative().optional();

export const FromHostSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('message'), host: id, envelope: z.unknown(), incarnation }),
  /** A port effect of the agent, carried out by its wiring in the plant (`robot.navigate`, …). */
  z.object({ kind: z.literal('effect'), host: id, agent: id, effect: event, incarnation }),
  /** The agent's state changed; its context rides along for the plant's operator views. */
  z.object({ kind: z.literal('state'), host: id, agent: id, state: z.string().max(500), context: z.unknown().optional(), incarnation }),
  /** What the host kept in its journal while cut off, in order, sent when the link is back; the plant logs each record once. */
  z.object({ kind: z.literal('backlog'), host: id, journal: id, records: z.array(BacklogRecordSchema).min(1).max(MAX_BACKLOG_RECORDS) }),
]);
export type FromHost = z.infer<typeof FromHostSchema>;

/** Bytes → a live message of `schema`, or why not (one line naming the field). */
export function readLive<T>(schema: z.ZodType<T>, bytes: Uint8Array): { ok: true; value: T } | { ok: false; reason: string } {
  const read = readJsonPayload(bytes, MAX_LIVE_BYTES);
  if (!read.ok) return read;
  const parsed = schema.safeParse(read.value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, reason: `${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}` };
}

const encoder = new TextEncoder();
export const encodeLive = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value));
