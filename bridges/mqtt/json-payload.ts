import { oneLine } from '../../agents/protocol/one-line.js';

/** An MQTT payload read as JSON, or why it cannot be: larger than `maxBytes`, not UTF-8, not JSON (one line). */
export function readJsonPayload(bytes: Uint8Array, maxBytes: number): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (bytes.byteLength > maxBytes) return { ok: false, reason: `payload of ${bytes.byteLength} bytes exceeds ${maxBytes}` };
  try {
    return { ok: true, value: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) };
  } catch (e) {
    // V8's message quotes the payload, raw: its control characters (a CR, a NUL) would break the one line.
    return { ok: false, reason: `not JSON: ${oneLine((e as Error).message)}` };
  }
}
