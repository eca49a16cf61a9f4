import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../scenarios/load.js';
import { projectRoot } from '../../runtime/paths.js';
import { LivePlant } from '../../runtime/view/live-plant.js';
import { EmbeddedBroker } from './embedded-broker.js';
import { MqttPort } from './mqtt-port.js';
import { startPlantMqtt } from './plant-bridge.js';
import { plantTopics, MAX_COMMAND_BYTES } from './plant-topics.js';
import { startMosquitto } from '../../test/support/mosquitto.js';
import { waitUntil } from '../../test/support/wait.js';

const scenario = loadScenario(join(projectRoot(), 'scenarios/turbine-failure.yaml'));
const topics = plantTopics('turbine-failure');
const decoder = new TextDecoder();

/** A client that records everything under the plant's root, as JSON where it is JSON. */
async function watcher(url: string, id: string) {
  const port = await MqttPort.connect({ url, clientId: id });
  const seen: { topic: string; body: unknown }[] = [];
  await port.subscribe(`${topics.root}/#`, (topic, bytes) => {
    const text = decoder.decode(bytes);
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // status is plain text
    }
    seen.push({ topic, body });
  });
  const until = waitUntil;
  const results = () => seen.filter((m) => m.topic === topics.commandResults).map((m) => m.body as { id?: string; ok: boolean; reason?: string });
  return { port, seen, until, results };
}

async function bridgeRun(url: string, commands = true) {
  // Ten simulated hours per wall second: hourly telemetry of six machines arrives at ~60 samples a second.
  const live = new LivePlant(scenario, { speed: 36_000, until: 5 * 86400 });
  const problems: string[] = [];
  const mqtt = await startPlantMqtt(live, { plant: 'turbine-failure', url, commands, onProblem: (line) => problems.push(line) });
  return { live, mqtt, problems, close: async () => Promise.all([mqtt.close(), live.close()]) };
}

describe('the live plant on MQTT (topic layout v1)', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('publishes telemetry, states and status, answers commands, and refuses bad ones with a reason without stopping (embedded broker)', async () => {
    const broker = await EmbeddedBroker.start();
    cleanups.push(() => broker.stop());
    const w = await watcher(broker.url, 'test-watcher');
    cleanups.push(() => w.port.close());
    const run = await bridgeRun(broker.url);
    cleanups.push(run.close);

    const machines = ['turbine-1', 'press-1', 'press-2', 'cnc-1', 'cnc-2', 'cnc-3'];
    await w.until('telemetry of every machine', () => machines.every((m) => w.seen.some((s) => s.topic === topics.telemetry(m))));
    const sample = w.seen.find((s) => s.topic === topics.telemetry('turbine-1'))!.body as { t: number; signals: Record<string, number> };
    expect(sample.t).toBeGreaterThan(0);
    expect(sample.signals.vibRms).toBeGreaterThan(0);
    await w.until('agents’ states', () => w.seen.some((s) => s.topic === topics.state('cobot-1')));
    expect(w.seen.some((s) => s.topic.includes('/agents/') && s.topic.split('/').length !== 6)).toBe(false);

    // A late subscriber learns the bridge is online (retained).
    const late = await watcher(broker.url, 'test-late');
    cleanups.push(() => late.port.close());
    await late.until('retained status', () => late.seen.some((s) => s.topic === topics.status));
    expect(late.seen.find((s) => s.topic === topics.status)!.body).toBe('online');

    const send = (payload: string | Uint8Array) => w.port.publish(topics.commands, typeof payload === 'string' ? new TextEncoder().encode(payload) : payload);
    await send(JSON.stringify({ id: 'c1', text: 'pause cobot 2' }));
    await w.until('the answer to c1', () => w.results().some((r) => r.id === 'c1'));
    expect(w.results().find((r) => r.id === 'c1')).toEqual({ id: 'c1', ok: true });

    await send('not json at all');
    await send(JSON.stringify({ id: 'c2', text: 5 }));
    await send(JSON.stringify({ id: 'c3', text: 'pause cobot 1', extra: true }));
    await send(JSON.stringify({ id: 'c4', text: 'pause cobot 1', command: { verb: 'pause', cobot: 'cobot-1' } }));
    await send(JSON.stringify({ id: 'c5', text: 'send cobot 99 to the moon' }));
    await send(new Uint8Array(MAX_COMMAND_BYTES + 1).fill(32));
    await w.until('six refusals', () => w.results().filter((r) => !r.ok).length === 6);
    const refused = w.results().filter((r) => !r.ok);
    // The plant's own refusal (c5) comes after its turn; the bridge's are immediate.
    expect(refused.map((r) => r.reason)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^not JSON/),
        expect.stringMatching(/^text: /),
        'unknown field "extra"',
        'give exactly one of text and command',
        'unknown cobot "cobot-99"; did you mean "cobot-1" or "cobot-2" or "cobot-3"?',
        `payload of ${MAX_COMMAND_BYTES + 1} bytes exceeds ${MAX_COMMAND_BYTES}`,
      ]),
    );
    expect(refused.map((r) => r.id).filter(Boolean).sort()).toEqual(['c2', 'c3', 'c4', 'c5']);
    // Still serving: another good command is accepted and telemetry keeps flowing.
    const before = w.seen.length;
    await send(JSON.stringify({ id: 'c6', command: { verb: 'pause', cobot: 'cobot-1' } }));
    await w.until('the answer to c6', () => w.results().some((r) => r.id === 'c6'));
    expect(w.results().find((r) => r.id === 'c6')).toEqual({ id: 'c6', ok: true });
    await w.until('more messages', () => w.seen.length > before + 10);
    expect(run.mqtt.bridge.stats).toMatchObject({ commandsAccepted: 2, commandsRejected: 6, publishErrors: 0 });

    await run.mqtt.bridge.close();
    await w.until('offline status', () => w.seen.some((s) => s.topic === topics.status && s.body === 'offline'));
  }, 60_000);

  it('a read-only plant refuses every command over MQTT', async () => {
    const broker = await EmbeddedBroker.start();
    cleanups.push(() => broker.stop());
    const w = await watcher(broker.url, 'test-ro');
    cleanups.push(() => w.port.close());
    const run = await bridgeRun(broker.url, false);
    cleanups.push(run.close);
    await w.port.publish(topics.commands, new TextEncoder().encode(JSON.stringify({ id: 'r1', text: 'pause cobot 1' })));
    await w.until('the refusal', () => w.results().length > 0);
    expect(w.results()).toEqual([{ id: 'r1', ok: false, reason: 'this plant is read-only: no commands' }]);
    // The sender's id is echoed as sent, and logged quoted on one line (was raw: an id with a line break forged a log line).
    await w.port.publish(topics.commands, new TextEncoder().encode(JSON.stringify({ id: 'r2\nmqtt: command r3 refused', text: 'x' })));
    await w.until('the second refusal', () => w.results().length > 1);
    expect(w.results()[1].id).toBe('r2\nmqtt: command r3 refused');
    expect(run.problems).toEqual(['mqtt: command "r1" refused: this plant is read-only: no commands', 'mqtt: command "r2\\u000amqtt: command r3 refused" refused: this plant is read-only: no commands']);
  }, 30_000);

  it('a command sent while the bridge’s connection is down waits at the broker and is answered after the reconnect (persistent session)', async () => {
    const mosquitto = await startMosquitto();
    cleanups.push(() => mosquitto.stop());
    const w = await watcher(mosquitto.url, 'test-resume');
    cleanups.push(() => w.port.close());
    const run = await bridgeRun(mosquitto.url);
    cleanups.push(run.close);
    await w.until('telemetry', () => w.seen.some((s) => s.topic.endsWith('/telemetry')));
    run.mqtt.bridge.dropConnection();
    await w.until('the will', () => w.seen.some((s) => s.topic === topics.status && s.body === 'offline'));
    // The bridge is away (it retries after a second): the broker queues the command for its session.
    await w.port.publish(topics.commands, new TextEncoder().encode(JSON.stringify({ id: 'away', text: 'pause cobot 4' })));
    // Generous: under a full parallel test run the reconnect and the queued delivery have taken over 30 s once
    // (the waits' own 20 s default made the test's budget moot: it failed in CI at 25 s).
    await w.until('the answer after the reconnect', () => w.results().some((r) => r.id === 'away'), 75_000);
    expect(w.results().find((r) => r.id === 'away')).toEqual({ id: 'away', ok: true });
    await w.until('online again', () => w.seen.filter((s) => s.topic === topics.status).at(-1)?.body === 'online', 75_000);
  }, 120_000);

  it('works the same through a real Mosquitto (MQTT 5)', async () => {
    const mosquitto = await startMosquitto();
    cleanups.push(() => mosquitto.stop());
    const w = await watcher(mosquitto.url, 'test-mosq');
    cleanups.push(() => w.port.close());
    const run = await bridgeRun(mosquitto.url);
    cleanups.push(run.close);
    await w.until('telemetry', () => w.seen.some((s) => s.topic === topics.telemetry('cnc-3')));
    await w.port.publish(topics.commands, new TextEncoder().encode(JSON.stringify({ id: 'm1', text: 'pause cobot 3' })));
    await w.until('the answer', () => w.results().some((r) => r.id === 'm1'));
    expect(w.results().find((r) => r.id === 'm1')).toEqual({ id: 'm1', ok: true });
  }, 30_000);
});
