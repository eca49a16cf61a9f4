import { z } from 'zod';
import { decodeParams, encodeParams } from '../federated.js';
import type { Params } from '../tcn.js';
import type { Scaling } from '../windows.js';

/**
 * What travels in a federation, and nothing else: the aggregator's call for
 * statistics, a site's per-channel min and max (to agree on one scaling),
 * the global weights (from the aggregator, every round) and a site's
 * trained weights with its example count (every round). Never a sensor
 * reading, a window or a label.
 *
 * A message is a frame: the magic `HFFL`, a format byte, a little-endian
 * u32 header length, a JSON header (validated with zod: strict, so no extra
 * field rides along), then the body, which is `encodeParams` bytes for
 * weights and empty otherwise.
 */

export const TOPIC_ROOT = 'hyperfactory/federation';
const MAGIC = [0x48, 0x46, 0x46, 0x4c]; // "HFFL"
const FORMAT = 1;

/** Ids used in topics: no `/`, `+`, `#` or spaces, so they cannot escape their level. */
export const IdSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/i, 'an id of 1-64 letters, digits, - and _ (it becomes an MQTT topic level)');

export const topics = {
  /** Aggregator → sites: the call for statistics, then the global weights of each round (with the agreed scaling). */
  global: (federation: string) => `${TOPIC_ROOT}/${federation}/global`,
  /** Site → aggregator: its per-channel min and max, before round 1. */
  stats: (federation: string, site: string) => `${TOPIC_ROOT}/${federation}/stats/${site}`,
  /** Site → aggregator: its trained weights for a round. */
  update: (federation: string, site: string) => `${TOPIC_ROOT}/${federation}/update/${site}`,
  /** Everything of one federation (an observer's filter). */
  all: (federation: string) => `${TOPIC_ROOT}/${federation}/#`,
};

const Finite = z.number().refine(Number.isFinite, 'a finite number');
const ScalingSchema = z.object({ min: z.array(Finite).min(1), max: z.array(Finite).min(1) }).strict();

/**
 * Aggregator → sites, before round 1: "send your statistics". Without
 * retained messages a site's statistics published before the aggregator
 * subscribed are lost; sites publish them when they start and again when
 * called, so either may start first.
 */
export const CallHeader = z.object({ type: z.literal('call'), federation: IdSchema, rounds: z.number().int().min(1) }).strict();
export const StatsHeader = z.object({ type: z.literal('stats'), federation: IdSchema, site: IdSchema, min: z.array(Finite).min(1), max: z.array(Finite).min(1) }).strict();
export const GlobalHeader = z
  .object({
    type: z.literal('global'),
    federation: IdSchema,
    round: z.number().int().min(1),
    rounds: z.number().int().min(1),
    /** The last message: the federated model, no more training. */
    final: z.boolean(),
    scaling: ScalingSchema,
  })
  .strict();
export const UpdateHeader = z.object({ type: z.literal('update'), federation: IdSchema, site: IdSchema, round: z.number().int().min(1), examples: z.number().int().min(1) }).strict();
const Header = z.discriminatedUnion('type', [CallHeader, StatsHeader, GlobalHeader, UpdateHeader]);

export type CallHeader = z.infer<typeof CallHeader>;
export type StatsHeader = z.infer<typeof StatsHeader>;
export type GlobalHeader = z.infer<typeof GlobalHeader>;
export type UpdateHeader = z.infer<typeof UpdateHeader>;
export type Message = { header: CallHeader } | { header: StatsHeader } | { header: GlobalHeader; params: Params } | { header: UpdateHeader; params: Params };

/** A message that does not decode, with the reason. */
export class MessageError extends Error {
  override name = 'MessageError';
}

export function encodeCall(federation: string, rounds: number): Uint8Array {
  return frame({ type: 'call', federation, rounds });
}

export function encodeStats(federation: string, site: string, scaling: Scaling): Uint8Array {
  return frame({ type: 'stats', federation, site, min: scaling.min, max: scaling.max });
}

export function encodeGlobal(header: Omit<GlobalHeader, 'type'>, params: Params): Uint8Array {
  return frame({ type: 'global', ...header }, encodeParams(params));
}

export function encodeUpdate(header: Omit<UpdateHeader, 'type'>, params: Params): Uint8Array {
  return frame({ type: 'update', ...header }, encodeParams(params));
}

function frame(header: z.infer<typeof Header>, body: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(9 + json.length + body.length);
  out.set(MAGIC, 0);
  out[4] = FORMAT;
  new DataView(out.buffer).setUint32(5, json.length, true);
  out.set(json, 9);
  out.set(body, 9 + json.length);
  return out;
}

/** Decodes and validates a frame; throws a MessageError saying what is wrong. */
export function decodeMessage(bytes: Uint8Array): Message {
  if (bytes.length < 9 || MAGIC.some((b, i) => bytes[i] !== b)) throw new MessageError('not a federation message (no HFFL frame)');
  if (bytes[4] !== FORMAT) throw new MessageError(`frame format ${bytes[4]}, this code reads ${FORMAT}`);
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(5, true);
  if (9 + length > bytes.length) throw new MessageError('header runs past the end of the message');
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(9, 9 + length)));
  } catch {
    throw new MessageError('header is not JSON');
  }
  const parsed = Header.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MessageError(`bad header${issue.path.length ? ` at ${issue.path.join('.')}` : ''}: ${issue.message}`);
  }
  const header = parsed.data;
  const body = bytes.subarray(9 + length);
  if (header.type === 'call') {
    if (body.length > 0) throw new MessageError('a call message has no body');
    return { header };
  }
  if (header.type === 'stats') {
    if (body.length > 0) throw new MessageError('a stats message has no body');
    if (header.min.length !== header.max.length) throw new MessageError(`stats have ${header.min.length} minima and ${header.max.length} maxima`);
    if (header.min.some((m, c) => m > header.max[c])) throw new MessageError('stats have a minimum above its maximum');
    return { header };
  }
  let params: Params;
  try {
    params = decodeParams(body);
  } catch (e) {
    throw new MessageError(`weights do not decode: ${(e as Error).message}`);
  }
  for (const [name, t] of Object.entries(params)) {
    for (const v of t.data) if (!Number.isFinite(v)) throw new MessageError(`weights at ${name} are not finite`);
  }
  if (header.type === 'global') {
    if (header.scaling.min.length !== header.scaling.max.length) throw new MessageError(`the scaling has ${header.scaling.min.length} minima and ${header.scaling.max.length} maxima`);
    return { header, params };
  }
  return { header, params };
}

/** Why `params` does not have exactly the names and shapes of `shapes` (in order), or undefined. */
/** A received message of this federation, or why it is not one (the caller rejects it with that reason). */
export function receive(federation: string, bytes: Uint8Array): { message: Message } | { reason: string } {
  let message: Message;
  try {
    message = decodeMessage(bytes);
  } catch (e) {
    if (!(e instanceof MessageError)) throw e;
    return { reason: e.message };
  }
  const h = message.header;
  return h.federation === federation ? { message } : { reason: `federation "${h.federation}", this is "${federation}"` };
}

export function shapeProblem(params: Params, shapes: readonly (readonly [string, readonly number[]])[]): string | undefined {
  const names = Object.keys(params);
  if (names.length !== shapes.length) return `${names.length} weight tensors, expected ${shapes.length}`;
  for (const [i, [name, shape]] of shapes.entries()) {
    if (names[i] !== name) return `tensor ${i} is "${names[i]}", expected "${name}"`;
    const got = params[name].shape;
    if (got.length !== shape.length || got.some((d, k) => d !== shape[k])) return `${name} has shape [${got.join(', ')}], expected [${shape.join(', ')}]`;
  }
  return undefined;
}

/** The envelope of the sites' ranges: one scaling that covers every site's data. */
export function envelope(stats: readonly Scaling[]): Scaling {
  return {
    min: stats[0].min.map((_, c) => Math.min(...stats.map((s) => s.min[c]))),
    max: stats[0].max.map((_, c) => Math.max(...stats.map((s) => s.max[c]))),
  };
}
