import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type MqttClient } from 'mqtt';
import { projectRoot } from '../../runtime/paths.js';
import { parseVdaTopic } from '../../bridges/vda5050/topics.js';
import { Vda5050Validator } from '../../bridges/vda5050/validator.js';

/** The official VDA 5050 2.1.0 schemas beside the project (the conformance reference, not the bundled copies). */
export const OFFICIAL_SCHEMAS = join(projectRoot(), '../shared/specs/vda5050-2.1.0');
export const haveOfficialSchemas = existsSync(join(OFFICIAL_SCHEMAS, 'order.schema.json'));

export interface Seen {
  topic: string;
  serial: string;
  kind: string;
  retained: boolean;
  /** The payload as JSON, or undefined when it is not JSON. */
  msg: any;
  raw: string;
}

/**
 * Subscribes `uagv/v2/#` and checks EVERY message seen against the official
 * schemas: `valid` holds those that pass, `invalid` the others with the
 * reason (tests that inject bad input assert those are exactly theirs).
 */
export async function vdaRecorder(url: string, id: string, filter = 'uagv/v2/#') {
  const validator = new Vda5050Validator(OFFICIAL_SCHEMAS);
  const valid: Seen[] = [];
  const invalid: (Seen & { reason: string })[] = [];
  const client: MqttClient = connect(url, { clientId: id, protocolVersion: 4, reconnectPeriod: 500 });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  client.on('message', (topic, payload, packet) => {
    const raw = payload.toString('utf8');
    const parsed = parseVdaTopic(topic);
    const seen: Seen = { topic, serial: parsed.ok ? parsed.value.serialNumber : '', kind: parsed.ok ? parsed.value.topic : '', retained: packet.retain, msg: undefined, raw };
    try {
      seen.msg = JSON.parse(raw);
    } catch {
      invalid.push({ ...seen, reason: 'not JSON' });
      return;
    }
    if (!parsed.ok) return void invalid.push({ ...seen, reason: parsed.reason });
    const v = validator.validate(parsed.value.topic, seen.msg);
    if (v.ok) valid.push(seen);
    else invalid.push({ ...seen, reason: v.reason });
  });
  await client.subscribeAsync(filter, { qos: 1 });
  return {
    valid,
    invalid,
    /** Valid messages of one kind (`order`, `state` …), optionally of one vehicle. */
    of: (kind: string, serial?: string) => valid.filter((s) => s.kind === kind && (serial === undefined || s.serial === serial)),
    close: () => client.endAsync(),
  };
}

export type VdaRecorder = Awaited<ReturnType<typeof vdaRecorder>>;
