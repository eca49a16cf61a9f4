import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { parseScenario } from '../../scenarios/load.js';
import { projectRoot } from '../../runtime/paths.js';
import { expandMachines } from '../../runtime/machines.js';
import { LivePlant } from '../../runtime/view/live-plant.js';
import { runPlant } from '../../runtime/plant.js';
import type { LogRecord } from '../../sim/log/event-log.js';
import { EmbeddedBroker } from './embedded-broker.js';
import { MqttPort } from './mqtt-port.js';
import { MAX_SAMPLE_BYTES, TelemetryIngest } from './telemetry-ingest.js';
import { waitUntil } from '../../test/support/wait.js';

// The flagship, with the turbine's sensors read from MQTT (as if a real turbine stood in the cell).
const raw = parse(readFileSync(join(projectRoot(), 'scenarios/turbine-failure.yaml'), 'utf8')) as Record<string, any>;
raw.machines[0].telemetryTopic = 'site/sensors/{id}';
const scenario = parseScenario(stringify(raw), join(projectRoot(), 'scenarios/turbine-live.yaml'));

describe('real sensors into a live plant over MQTT', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('a machine with a telemetryTopic takes its samples from MQTT, checked, instead of its sensor model', async () => {
    const broker = await EmbeddedBroker.start();
    cleanups.push(() => broker.stop());
    // An hour of plant time per wall second: the other machines sample once a second.
    const live = new LivePlant(scenario, { speed: 3600, until: 2 * 86400, externalTelemetry: true });
    cleanups.push(() => live.close());
    const records: LogRecord[] = [];
    live.onRecord((r) => records.push(r));
    const plantPort = await MqttPort.connect({ url: broker.url, clientId: 'plant' });
    cleanups.push(() => plantPort.close());
    const problems: string[] = [];
    const ingest = await TelemetryIngest.start(live, plantPort, expandMachines(scenario), (line) => problems.push(line));
    cleanups.push(() => ingest.close());
    const sensor = await MqttPort.connect({ url: broker.url, clientId: 'turbine-sensor' });
    cleanups.push(() => sensor.close());
    const publish = (body: string | Uint8Array) => sensor.publish('site/sensors/turbine-1', typeof body === 'string' ? new TextEncoder().encode(body) : body);
    const samplesOf = (m: string) => records.filter((r) => r.type === 'telemetry.sample' && (r.payload as { machine: string }).machine === m);
    const until = waitUntil;

    await until('the simulated machines’ telemetry', () => samplesOf('press-1').length >= 2);
    expect(samplesOf('turbine-1')).toEqual([]);

    await publish(JSON.stringify({ signals: { vibRms: 9.99, temperature: 71.5 } }));
    await until('the ingested sample', () => samplesOf('turbine-1').length === 1);
    expect(samplesOf('turbine-1')[0]).toMatchObject({ from: 'turbine-1', to: '#telemetry', payload: { machine: 'turbine-1', signals: { vibRms: 9.99, temperature: 71.5 } } });

    await publish('garbage');
    await publish('[1, 2]');
    await publish(JSON.stringify({ signals: { vibRms: 'high' } }));
    await publish(JSON.stringify({ rpm: 1500 }));
    await publish(new Uint8Array(MAX_SAMPLE_BYTES + 1).fill(32));
    await publish(JSON.stringify({ vibRms: 3.3 }));
    await until('the second good sample', () => samplesOf('turbine-1').length === 2);
    expect(samplesOf('turbine-1')[1].payload).toEqual({ machine: 'turbine-1', signals: { vibRms: 3.3 } });
    expect(ingest.stats).toEqual({ accepted: 2, rejected: 5 });
    expect(problems.map((p) => p.replace(/^mqtt: sample on site\/sensors\/turbine-1 for turbine-1 refused: /, ''))).toEqual([
      expect.stringMatching(/^not JSON/),
      'a sample is a JSON object of channels, or {"signals": {…}}',
      'vibRms must be a finite number, got "high"',
      expect.stringMatching(/^"rpm" is not a channel of turbine-1 \(channels: vibRms, /),
      `payload of ${MAX_SAMPLE_BYTES + 1} bytes exceeds ${MAX_SAMPLE_BYTES}`,
    ]);
    // Still no simulated samples for the turbine, and the others keep theirs.
    expect(samplesOf('turbine-1')).toHaveLength(2);
    expect(samplesOf('cnc-3').length).toBeGreaterThan(0);
  }, 60_000);

  it('a simulated run of the same scenario keeps the sensor model for that machine', () => {
    const records: LogRecord[] = [];
    runPlant(scenario, { until: 3 * 3600, observe: (r) => records.push(r) });
    expect(records.filter((r) => r.type === 'telemetry.sample' && (r.payload as { machine: string }).machine === 'turbine-1')).toHaveLength(2);
  });
});
