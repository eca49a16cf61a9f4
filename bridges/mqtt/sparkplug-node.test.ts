import { get as getSparkplug } from 'sparkplug-payload';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../scenarios/load.js';
import { projectRoot } from '../../runtime/paths.js';
import { LivePlant } from '../../runtime/view/live-plant.js';
import { EmbeddedBroker } from './embedded-broker.js';
import { MqttPort } from './mqtt-port.js';
import { REBIRTH_METRIC, SparkplugNode, sparkplugTopic } from './sparkplug-node.js';
import { startMosquitto } from '../../test/support/mosquitto.js';
import { waitUntil } from '../../test/support/wait.js';

// The test decodes with the same library a SCADA host would use.
const sparkplug = getSparkplug('spBv1.0')!;
const scenario = loadScenario(join(projectRoot(), 'scenarios/turbine-failure.yaml'));

interface Seen {
  type: string;
  device?: string;
  seq?: number;
  metrics: Record<string, unknown>;
}

async function host(url: string, id: string) {
  const port = await MqttPort.connect({ url, clientId: id });
  const seen: Seen[] = [];
  await port.subscribe('spBv1.0/plants/#', (topic, bytes) => {
    const [, , type, , device] = topic.split('/');
    const p = sparkplug.decodePayload(bytes);
    const seq = p.seq === undefined || p.seq === null ? undefined : Number(p.seq);
    seen.push({ type, device, seq, metrics: Object.fromEntries((p.metrics ?? []).map((m) => [m.name, typeof m.value === 'object' && m.value !== null ? Number(m.value) : m.value])) });
  });
  const until = waitUntil;
  return { port, seen, until };
}

describe('the live plant as a Sparkplug B edge node', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  async function run(url: string) {
    const h = await host(url, 'scada');
    cleanups.push(() => h.port.close());
    const live = new LivePlant(scenario, { speed: 36_000, until: 5 * 86400 });
    cleanups.push(() => live.close());
    const node = await SparkplugNode.start(live, { url, group: 'plants', node: 'turbine-failure', bdSeq: 3 });
    cleanups.push(() => node.close());
    return { h, node };
  }

  it('births the node and each device before its data, numbers every message 0…255, and is reborn on request (embedded broker)', async () => {
    const broker = await EmbeddedBroker.start();
    cleanups.push(() => broker.stop());
    const { h, node } = await run(broker.url);
    await h.until('data from every machine', () => ['turbine-1', 'press-1', 'press-2', 'cnc-1', 'cnc-2', 'cnc-3'].every((m) => h.seen.some((s) => s.type === 'DDATA' && s.device === m)));
    expect(h.seen[0]).toMatchObject({ type: 'NBIRTH', seq: 0, metrics: { bdSeq: 3, [REBIRTH_METRIC]: false } });
    for (const m of ['turbine-1', 'cnc-3']) {
      const birth = h.seen.findIndex((s) => s.type === 'DBIRTH' && s.device === m);
      const data = h.seen.findIndex((s) => s.type === 'DDATA' && s.device === m);
      expect(birth).toBeGreaterThan(0);
      expect(birth).toBeLessThan(data);
      expect(Object.keys(h.seen[birth].metrics)).toContain('vibRms');
    }
    // seq goes up by one per node message, wrapping after 255.
    await h.until('more than 256 messages', () => h.seen.length > 300);
    h.seen.forEach((s, i) => expect(s.seq).toBe(i % 256));

    // A SCADA host asks for a rebirth; a garbage NCMD is counted and ignored.
    const ncmd = sparkplugTopic('plants', 'NCMD', 'turbine-failure');
    await h.port.publish(ncmd, new Uint8Array([0xff, 0xff, 0xff]));
    await h.port.publish(ncmd, sparkplug.encodePayload({ timestamp: Date.now(), metrics: [{ name: REBIRTH_METRIC, type: 'Boolean', value: true }] }));
    const before = h.seen.length;
    await h.until('a new NBIRTH', () => h.seen.slice(before).some((s) => s.type === 'NBIRTH'));
    const reborn = h.seen.findIndex((s, i) => i >= before && s.type === 'NBIRTH');
    expect(h.seen[reborn]).toMatchObject({ seq: 0, metrics: { bdSeq: 3 } });
    await h.until('the devices reborn', () => h.seen.slice(reborn).filter((s) => s.type === 'DBIRTH').length >= 6);
    expect(h.seen.slice(reborn + 1, reborn + 7).map((s) => [s.type, s.seq])).toEqual([1, 2, 3, 4, 5, 6].map((n) => ['DBIRTH', n]));
    expect(node.stats).toMatchObject({ rebirths: 1, rejectedCommands: 1 });

    await node.close();
    await h.until('NDEATH', () => h.seen.some((s) => s.type === 'NDEATH'));
    expect(h.seen.find((s) => s.type === 'NDEATH')).toMatchObject({ metrics: { bdSeq: 3 } });
  }, 60_000);

  it('speaks the same through a real Mosquitto (MQTT 5)', async () => {
    const mosquitto = await startMosquitto();
    cleanups.push(() => mosquitto.stop());
    const { h } = await run(mosquitto.url);
    await h.until('data from the turbine', () => h.seen.some((s) => s.type === 'DDATA' && s.device === 'turbine-1'));
    expect(h.seen[0]).toMatchObject({ type: 'NBIRTH', seq: 0, metrics: { bdSeq: 3 } });
    expect(h.seen.findIndex((s) => s.type === 'DBIRTH' && s.device === 'turbine-1')).toBeLessThan(h.seen.findIndex((s) => s.type === 'DDATA' && s.device === 'turbine-1'));
    h.seen.forEach((s, i) => expect(s.seq).toBe(i % 256));
  }, 30_000);

  it('a lost connection: Mosquitto publishes the will (NDEATH), the node reconnects and is born again with the next bdSeq', async () => {
    const mosquitto = await startMosquitto();
    cleanups.push(() => mosquitto.stop());
    const { h, node } = await run(mosquitto.url);
    await h.until('data', () => h.seen.some((s) => s.type === 'DDATA'));
    node.dropConnection();
    await h.until('the will', () => h.seen.some((s) => s.type === 'NDEATH'));
    expect(h.seen.find((s) => s.type === 'NDEATH')).toMatchObject({ metrics: { bdSeq: 3 } });
    await h.until('a new birth', () => h.seen.filter((s) => s.type === 'NBIRTH').length === 2);
    const reborn = h.seen.findLastIndex((s) => s.type === 'NBIRTH');
    expect(h.seen[reborn]).toMatchObject({ seq: 0, metrics: { bdSeq: 4 } });
    await h.until('the devices reborn', () => h.seen.slice(reborn).filter((s) => s.type === 'DBIRTH').length >= 6);
  }, 30_000);
});
