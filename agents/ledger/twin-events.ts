import type { Envelope } from '../protocol/envelope.js';
import type { MessageType } from '../protocol/messages.js';
import type { TwinEvent } from '../ports/ledger-port.js';

/**
 * The message types that make up a machine's digital-twin history: what was
 * asked for it, what was ordered and delivered for it, what was done to it and
 * when it failed. Only these are written to the ledger; everything else on the
 * bus (bids, telemetry, state changes) is operational chatter.
 */
export const TwinEventTypes = [
  'maintenance.requested',
  'parts.cfp',
  'parts.awarded',
  /** The parts of a purchase order reached the warehouse. */
  'parts.received',
  'task.reassigned',
  'maintenance.completed',
  /** A failure: the machine asks for a repair. */
  'repair.requested',
  'repair.completed',
] as const satisfies readonly MessageType[];

export type TwinEventType = (typeof TwinEventTypes)[number];

const twinTypes: ReadonlySet<string> = new Set(TwinEventTypes);

export function isTwinEventType(type: string): type is TwinEventType {
  return twinTypes.has(type);
}

const stringField = (value: unknown, key: string): string | undefined => {
  if (!value || typeof value !== 'object') return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' ? field : undefined;
};

/**
 * The machine a twin event is about: `payload.machine`, or for negotiation
 * messages (which carry the opener's `spec`) `payload.spec.machine`, or for a
 * completion report `payload.result.machine`. Undefined when none says.
 */
export function machineOf(payload: Record<string, unknown>): string | undefined {
  return stringField(payload, 'machine') ?? stringField(payload.spec, 'machine') ?? stringField(payload.result, 'machine');
}

/** The twin event an envelope reports; the envelope id makes recording idempotent. */
export function twinEventOf(envelope: Envelope): TwinEvent {
  const payload = envelope.payload as Record<string, unknown>;
  const machine = machineOf(payload);
  return {
    id: envelope.id,
    time: envelope.time,
    type: envelope.type,
    ...(machine !== undefined ? { machine } : {}),
    payload,
  };
}
