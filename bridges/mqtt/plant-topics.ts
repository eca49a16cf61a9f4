import { z } from 'zod';
import { oneLine } from '../../agents/protocol/one-line.js';
import { readJsonPayload } from './json-payload.js';

/**
 * The plant's MQTT topic layout, version 1 (docs/mqtt.md). Everything a
 * live plant tells the outside world is JSON under
 * `hyperfactory/v1/<plant>/`; commands come in on one topic and every one
 * is answered on another, accepted or refused with its reason.
 */
export const PLANT_TOPIC_ROOT = 'hyperfactory/v1';

export const plantTopics = (plant: string) => {
  const root = `${PLANT_TOPIC_ROOT}/${plant}`;
  return {
    root,
    /** Every sensor sample of a machine: `{t, signals}`. */
    telemetry: (machine: string) => `${root}/machines/${machine}/telemetry`,
    /** A model's reading of a machine: the `maintenance.prediction` payload and `t`. */
    prediction: (machine: string) => `${root}/machines/${machine}/prediction`,
    /** An agent's state when it changes, retained: `{t, state}`. */
    state: (agent: string) => `${root}/agents/${agent}/state`,
    /** Maintenance alerts raised and cleared: the `maintenance.alert` payload and `t`. */
    alerts: `${root}/alerts`,
    /** Work orders: `maintenance.requested`, `repair.requested`, `maintenance.completed`, `repair.completed` with `t` and `type`. */
    workOrders: `${root}/work-orders`,
    /** In: an operator command, `{id?, text}` or `{id?, command}`. */
    commands: `${root}/commands`,
    /** Out: the answer to each command, `{id, ok, reason?}`. */
    commandResults: `${root}/commands/results`,
    /** Retained `online` while the bridge runs; the broker sets `offline` (last will) if it dies. */
    status: `${root}/bridge/status`,
  };
};

/** Largest command payload accepted: an operator command is a sentence or a small object. */
export const MAX_COMMAND_BYTES = 16 * 1024;

export const CommandMessageSchema = z
  .object({
    id: z.string().min(1).max(64).optional().describe('Echoed in the answer, to match it to the command.'),
    text: z.string().min(1).max(500).optional().describe('An operator command in words ("send cobot-2 to charge").'),
    command: z.unknown().optional().describe('A typed operator command (see docs/robotics.md); validated by the plant.'),
  })
  .strict()
  .refine((m) => (m.text === undefined) !== (m.command === undefined), { message: 'give exactly one of text and command' });

export type CommandMessage = z.infer<typeof CommandMessageSchema>;

/** A command payload as bytes → the command, or why it is refused (one line). */
export function parseCommandMessage(bytes: Uint8Array): { ok: true; message: CommandMessage } | { ok: false; reason: string; id?: string } {
  const read = readJsonPayload(bytes, MAX_COMMAND_BYTES);
  if (!read.ok) return read;
  const raw = read.value;
  const id = raw && typeof raw === 'object' && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id.slice(0, 64) : undefined;
  const result = CommandMessageSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    // Unknown field names are the sender's: quoted and escaped, so the reason stays one line.
    const message = issue.code === 'unrecognized_keys' ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => oneLine(JSON.stringify(k))).join(', ')}` : issue.message;
    return { ok: false, reason: `${where}${message}`, ...(id ? { id } : {}) };
  }
  return { ok: true, message: result.data };
}
