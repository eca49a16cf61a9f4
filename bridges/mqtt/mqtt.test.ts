import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMosquitto, type Mosquitto } from '../../test/support/mosquitto.js';
import { EmbeddedBroker } from './embedded-broker.js';
import { MqttConnectError, MqttPort } from './mqtt-port.js';
import { topicMatches } from './topic-filter.js';

/** Collects messages until `n` have arrived. */
function inbox(n: number) {
  const got: [string, number[]][] = [];
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  return {
    got,
    all,
    handler: (topic: string, payload: Uint8Array) => {
      got.push([topic, [...payload]]);
      if (got.length === n) done();
    },
  };
}

/**
 * Two subscriptions that overlap (`plant/+/bytes` within `plant/#`), on one
 * connection or on two: each handler must see each message once.
 */
async function roundTrip(url: string, protocolVersion: 4 | 5, oneConnection: boolean) {
  const a = await MqttPort.connect({ url, clientId: `a-${protocolVersion}`, protocolVersion });
  const b = await MqttPort.connect({ url, clientId: `b-${protocolVersion}`, protocolVersion });
  const c = oneConnection ? b : await MqttPort.connect({ url, clientId: `c-${protocolVersion}`, protocolVersion });
  try {
    const one = inbox(2);
    const all = inbox(4);
    await b.subscribe('plant/+/bytes', one.handler);
    await c.subscribe('plant/#', all.handler);
    await a.publish('plant/north/bytes', Uint8Array.of(0, 1, 255));
    await a.publish('plant/east/bytes', new Uint8Array(70_000).fill(7));
    await a.publish('plant/east/other/deeper', Uint8Array.of());
    await a.publish('plant/sync', Uint8Array.of());
    await Promise.all([one.all, all.all]);
    // A duplicate copy would have arrived by now: brokers send them back to back.
    await new Promise((r) => setTimeout(r, 100));
    expect(one.got.map(([t, p]) => [t, p.length])).toEqual([
      ['plant/north/bytes', 3],
      ['plant/east/bytes', 70_000],
    ]);
    expect(one.got[0][1]).toEqual([0, 1, 255]);
    expect(one.got[1][1].every((v) => v === 7)).toBe(true);
    expect(all.got.map(([t]) => t)).toEqual(['plant/north/bytes', 'plant/east/bytes', 'plant/east/other/deeper', 'plant/sync']);
  } finally {
    await a.close();
    await b.close();
    await c.close();
  }
}

describe('MQTT bridge', () => {
  it('topic filters: + is one level, # the rest, $ topics are not matched by leading wildcards', () => {
    expect(topicMatches('a/+/c', 'a/b/c')).toBe(true);
    expect(topicMatches('a/+/c', 'a/b/d/c')).toBe(false);
    expect(topicMatches('a/#', 'a')).toBe(true);
    expect(topicMatches('a/#', 'a/b/c')).toBe(true);
    expect(topicMatches('#', '$SYS/x')).toBe(false);
    expect(topicMatches('a/b', 'a/b/c')).toBe(false);
  });

  describe('embedded broker (aedes)', () => {
    let broker: EmbeddedBroker;
    beforeAll(async () => {
      broker = await EmbeddedBroker.start();
    });
    afterAll(() => broker.stop());

    it('listens on a free loopback port and carries bytes between clients by topic filter', async () => {
      expect(broker.url).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
      expect(broker.port).toBeGreaterThan(0);
      await roundTrip(broker.url, broker.protocolVersion, true);
    });

    it('a handler that throws is reported, and the client keeps delivering', async () => {
      const errors: string[] = [];
      const a = await MqttPort.connect({ url: broker.url, clientId: 'thrower', protocolVersion: 4, onError: (e) => errors.push(e.message) });
      const box = inbox(2);
      await a.subscribe('t/#', (topic, payload) => {
        box.handler(topic, payload);
        if (box.got.length === 1) throw new Error('handler bug');
      });
      await a.publish('t/1', Uint8Array.of(1));
      await a.publish('t/2', Uint8Array.of(2));
      await box.all;
      expect(errors).toEqual(['handler bug']);
      await a.close();
      await expect(a.publish('t/3', Uint8Array.of())).rejects.toThrow(/closed/);
      await expect(a.subscribe('t/#', () => {})).rejects.toThrow(/closed/);
    });

    it('protocol "auto" (the default) asks for MQTT 5 and falls back to 3.1.1, which aedes speaks', async () => {
      const a = await MqttPort.connect({ url: broker.url, clientId: 'auto' });
      const box = inbox(1);
      await a.subscribe('auto/x', box.handler);
      await a.publish('auto/x', Uint8Array.of(42));
      await box.all;
      expect(box.got).toEqual([['auto/x', [42]]]);
      await a.close();
      await expect(MqttPort.connect({ url: broker.url, clientId: 'v5', protocolVersion: 5 })).rejects.toThrow(/protocol version/i);
    });

    it('bad topics are refused before anything is sent', async () => {
      const a = await MqttPort.connect({ url: broker.url, clientId: 'topics', protocolVersion: 4 });
      await expect(a.publish('a/+/b', Uint8Array.of())).rejects.toThrow(/wildcards/);
      await expect(a.subscribe('a/#/b', () => {})).rejects.toThrow(/"#" must be a whole last level/);
      await a.close();
    });

    it('an unreachable broker is one clear error naming it', async () => {
      const other = await EmbeddedBroker.start();
      const url = other.url;
      await other.stop();
      await expect(MqttPort.connect({ url, clientId: 'nobody', protocolVersion: 4, connectTimeoutMs: 3000 })).rejects.toThrow(
        new RegExp(`^cannot connect to the MQTT broker ${url.replace(/[.]/g, '\\.')}: `),
      );
      await expect(MqttPort.connect({ url, clientId: 'nobody', protocolVersion: 4, connectTimeoutMs: 3000 })).rejects.toBeInstanceOf(MqttConnectError);
    });
  });

  describe('Mosquitto', () => {
    let mosquitto: Mosquitto;
    beforeAll(async () => {
      mosquitto = await startMosquitto();
    });
    afterAll(() => mosquitto?.stop());

    it('the same port adapter over a real Mosquitto: MQTT 5 routes overlapping subscriptions by identifier', async () => {
      await roundTrip(mosquitto.url, 5, true);
      // MQTT 3.1.1 has no subscription identifiers: Mosquitto sends one copy per subscription, so overlap only across connections.
      await roundTrip(mosquitto.url, 4, false);
    });
  });
});
