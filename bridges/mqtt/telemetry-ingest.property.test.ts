import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { anyJson, mutatedBytes, mutatedJson } from '../../test/support/fuzz.js';
import { expectOneLine } from '../../test/support/one-line.js';
import type { MqttPort } from './mqtt-port.js';
import { MAX_SAMPLE_BYTES, parseSample, TelemetryIngest, type TelemetrySink } from './telemetry-ingest.js';

/**
 * Hardened inputs: a machine's telemetry topic takes bytes from any sensor
 * (or anyone who can publish there). `parseSample` returns the object of
 * channels or a one-line reason; the ingest counts every sample once,
 * accepted or refused, and reports a refusal on one line naming the topic
 * and the machine.
 */

const utf8 = new TextEncoder();
const encode = (v: unknown) => utf8.encode(JSON.stringify(v));
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

const channels = fc.dictionary(fc.constantFrom('vibRms', 'temperature', 'power', 'acoustic', 'kurtosis'), fc.double({ noNaN: true, noDefaultInfinity: true }), { minKeys: 1 });
/** Names as a sender may make them: line breaks, NULs, quotes, any code point. */
const oddName = fc.string({ unit: fc.oneof(fc.constantFrom('\n', '\r', '\u0000', '\u2028', '"', 'vibRms'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 6 });
const validSample = fc.oneof(channels.map((signals) => ({ signals })), channels);

function check(bytes: Uint8Array): ReturnType<typeof parseSample> {
  const r = parseSample(bytes);
  if (typeof r === 'string') {
    expect(r).toMatch(/\S/);
    expectOneLine(r);
  } else expect(isObject(r)).toBe(true);
  return r;
}

/** A port with one subscription, fed by the test; and a sink that checks as the live plant does, echoing channel names. */
async function rig() {
  let deliver: ((topic: string, bytes: Uint8Array) => void) | undefined;
  const port = { subscribe: async (_filter: string, h: (topic: string, bytes: Uint8Array) => void) => ((deliver = h), async () => {}) } as unknown as MqttPort;
  const seen: Record<string, unknown>[] = [];
  const sink: TelemetrySink = {
    ingest(_machine, signals) {
      seen.push({ ...signals });
      for (const [name, value] of Object.entries(signals)) {
        if (!['vibRms', 'temperature', 'power', 'acoustic', 'kurtosis'].includes(name)) return { ok: false, reason: `"${name}" is not a channel` };
        if (typeof value !== 'number' || !Number.isFinite(value)) return { ok: false, reason: `${name} must be a finite number` };
      }
      return { ok: true, value: undefined };
    },
  };
  const problems: string[] = [];
  const ingest = await TelemetryIngest.start(sink, port, [{ id: 'turbine-1', telemetryTopic: 'site/sensors/turbine-1' }], (line) => problems.push(line));
  return { ingest, seen, problems, publish: (bytes: Uint8Array) => deliver!('site/sensors/turbine-1', bytes) };
}

describe('telemetry samples from MQTT, hardened', () => {
  test.prop([validSample], { numRuns: 300 })('round trip: a sample encoded as JSON reads back as its channels', (sample) => {
    const wire = JSON.parse(JSON.stringify(sample)) as Record<string, unknown>;
    expect(check(encode(sample))).toEqual('signals' in wire ? wire.signals : wire);
  });

  test.prop([mutatedJson(validSample, 3)], { numRuns: 300 })('a sample with fields deleted, replaced, added or retyped: channels, or a reason', (raw) => {
    check(encode(raw));
  });

  test.prop([fc.oneof(fc.uint8Array({ maxLength: 200 }), mutatedBytes(validSample.map(encode), 3), anyJson.map(encode))], { numRuns: 300 })('any bytes: channels, or a reason; never a throw', (bytes) => {
    check(bytes);
  });

  it('refuses a sample over the limit', () => {
    expect(check(new Uint8Array(MAX_SAMPLE_BYTES + 1).fill(0x20))).toBe(`payload of ${MAX_SAMPLE_BYTES + 1} bytes exceeds ${MAX_SAMPLE_BYTES}`);
  });

  test.prop([fc.array(fc.oneof(validSample.map(encode), mutatedJson(validSample, 2).map(encode), mutatedBytes(validSample.map(encode), 2), fc.dictionary(oddName, anyJson).map(encode)), { maxLength: 20 })], { numRuns: 100 })(
    'the ingest counts every sample once and reports each refusal on one line, naming topic and machine',
    async (samples) => {
      const { ingest, seen, problems, publish } = await rig();
      for (const s of samples) publish(s);
      expect(ingest.stats.accepted + ingest.stats.rejected).toBe(samples.length);
      expect(problems).toHaveLength(ingest.stats.rejected);
      for (const p of problems) {
        expect(p.startsWith('mqtt: sample on site/sensors/turbine-1 for turbine-1 refused: ')).toBe(true);
        expectOneLine(p);
      }
      for (const s of seen) expect(isObject(s)).toBe(true);
      await ingest.close();
    },
  );

  it('keeps the report one line when the sink echoes a channel name with a line break (was two lines)', async () => {
    const { ingest, problems, publish } = await rig();
    publish(encode({ 'vibRms\nmqtt: forged': 1 }));
    expect(problems).toEqual(['mqtt: sample on site/sensors/turbine-1 for turbine-1 refused: "vibRms\\u000amqtt: forged" is not a channel']);
    await ingest.close();
  });
});
