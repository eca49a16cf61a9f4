import { z } from 'zod';
import { PayloadSchemas, type MessageType, type Payload } from './messages.js';
import { oneLine } from './one-line.js';

/** Message types are dotted lower-case names: `<topic>.<verb>`, e.g. `parts.cfp`. */
const MessageTypeName = z.string().regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/, 'a dotted lower-case name such as parts.cfp');

/**
 * The one envelope every message travels in, inside a process and across
 * processes alike. `time` is simulated time (seconds); `wallTime` is set only
 * in live runs and is never written to the event log, which must not depend on
 * the wall clock.
 */
export const EnvelopeSchema = z
  .object({
    id: z.string().min(1).max(200),
    time: z.number().nonnegative().finite(),
    wallTime: z.string().max(64).optional(),
    from: z.string().min(1).max(200),
    to: z.string().min(1).max(200),
    conversation: z.string().min(1).max(200),
    type: MessageTypeName,
    payload: z.record(z.string(), z.unknown()),
    signature: z.string().max(1024).optional(),
  })
  .strict();

export type Envelope<T extends MessageType = MessageType> = Omit<z.infer<typeof EnvelopeSchema>, 'type' | 'payload'> & {
  type: T;
  payload: Payload<T>;
};

export type DecodeResult = { ok: true; envelope: Envelope } | { ok: false; reason: string };

/**
 * A field's path as `trips[0][1].job`. Record keys come from the sender and
 * may be anything: one that is not a plain name is quoted (`components[""]`,
 * `signals["a.b"]`), or a reason joined with dots would not say which field.
 */
function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((k, i) => {
      if (typeof k === 'number') return `[${k}]`;
      if (typeof k === 'string' && /^[A-Za-z_$][\w$-]*$/.test(k)) return i === 0 ? k : `.${k}`;
      return `[${quote(String(k))}]`;
    })
    .join('');
}

/** A name from the sender, quoted and kept to one line. */
function quote(name: string): string {
  return oneLine(JSON.stringify(name));
}

function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => {
      // zod's own message puts unknown keys in raw: a key with a line break would break the reason's line.
      const message = i.code === 'unrecognized_keys' ? `unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.map(quote).join(', ')}` : i.message;
      return `${i.path.length ? formatPath(i.path) : '(envelope)'}: ${message}`;
    })
    .join('; ');
}

/**
 * Checks an envelope that arrives from outside the process (JSON already
 * parsed): the envelope's shape, then the payload against its message type.
 * Never throws: a bad message is a reason, not a crash.
 */
export function decodeEnvelope(raw: unknown): DecodeResult {
  const env = EnvelopeSchema.safeParse(raw);
  if (!env.success) return { ok: false, reason: describe(env.error) };
  const schema = PayloadSchemas[env.data.type as MessageType];
  if (!schema) return { ok: false, reason: `type: unknown message type "${env.data.type}"` };
  const payload = schema.safeParse(env.data.payload);
  if (!payload.success) {
    return { ok: false, reason: `payload of ${env.data.type}: ${describe(payload.error)}` };
  }
  return { ok: true, envelope: { ...env.data, payload: payload.data } as Envelope };
}

/** Type guard for code that already holds a decoded envelope of one type. */
export function isMessage<T extends MessageType>(env: Envelope, type: T): env is Envelope<T> {
  return env.type === type;
}
