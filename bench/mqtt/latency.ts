/**
 * Telemetry-to-alert latency through a real Mosquitto: sensor samples go in
 * on MQTT (`telemetryTopic`), the live plant ingests them, the maintenance
 * coordinator (condition-based: a vibration over its threshold) opens a work
 * order, and the bridge publishes `maintenance.requested` on the plant's
 * `work-orders` topic. Latency = that message's arrival − the trigger
 * sample's publication, both on this machine's clock. Background samples
 * (below the threshold) load the path at 1k, 2k, 5k, 10k and 50k messages
 * per second; a trigger goes to a fresh machine every 50 ms. Loss = samples
 * published − samples the plant accepted (Mosquitto drops QoS 1 messages
 * beyond its queue for a subscriber that cannot keep up). The publisher runs
 * in this process, on the plant's thread: at high rates it competes with the
 * plant, so the figures are a lower bound of what separate machines give.
 *
 *   npm run bench:mqtt [-- --quick]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import { projectRoot } from '../../runtime/paths.js';
import { parseScenario } from '../../scenarios/load.js';
import { expandMachines } from '../../runtime/machines.js';
import { LivePlant } from '../../runtime/view/live-plant.js';
import { MqttPort } from '../../bridges/mqtt/mqtt-port.js';
import { startPlantMqtt } from '../../bridges/mqtt/plant-bridge.js';
import { plantTopics } from '../../bridges/mqtt/plant-topics.js';
import { TelemetryIngest } from '../../bridges/mqtt/telemetry-ingest.js';
import { startMosquitto } from '../../test/support/mosquitto.js';

const quick = process.argv.includes('--quick');
const seconds = quick ? 2 : 5;
const rates = [1000, 2000, 5000, 10_000, 50_000];
const TRIGGER_EVERY_MS = 50;
const triggersPerRate = Math.ceil((seconds * 1000) / TRIGGER_EVERY_MS);
const machines = rates.length * triggersPerRate + 50;

const scenario = parseScenario(
  stringify({
    name: 'latency',
    seed: 1,
    horizon: '30d',
    machineTypes: {
      pump: {
        processTime: { dist: 'exponential', mean: '10m' },
        timeToFailure: { dist: 'weibull', shape: 3, scale: '300d' },
        repairTime: { dist: 'constant', value: '8h' },
        signal: { name: 'vibration', unit: 'mm/s', baseline: 2, rise: 8, exponent: 2, noiseSd: 0.1 },
      },
    },
    machines: [{ id: 'pump', type: 'pump', count: machines, telemetryTopic: 'bench/sensors/{id}' }],
    technicians: { count: 2 },
    maintenance: { policy: 'condition-based', threshold: { signal: 'vibration', value: 7.1 }, telemetryInterval: '1h' },
    ledger: { enabled: false },
  }),
  'bench/mqtt/latency.yaml',
);

const mosquitto = await startMosquitto();
// Real time: a sample published now enters the plant at the kernel time the wall clock says.
const live = new LivePlant(scenario, { speed: 1, externalTelemetry: true });
const mqtt = await startPlantMqtt(live, { plant: 'latency', url: mosquitto.url, commands: false });
const ingest = await TelemetryIngest.start(live, mqtt.port, expandMachines(scenario));
const sensor = await MqttPort.connect({ url: mosquitto.url, clientId: 'bench-sensors' });
const watcher = await MqttPort.connect({ url: mosquitto.url, clientId: 'bench-watcher' });
const sentAt = new Map<string, number>();
const latencies = new Map<string, number>();
await watcher.subscribe(plantTopics('latency').workOrders, (_topic, bytes) => {
  const now = performance.now();
  const p = JSON.parse(new TextDecoder().decode(bytes)) as { type: string; machine: string };
  const t0 = sentAt.get(p.machine);
  if (p.type === 'maintenance.requested' && t0 !== undefined && !latencies.has(p.machine)) latencies.set(p.machine, now - t0);
});

const encoder = new TextEncoder();
const normal = encoder.encode(JSON.stringify({ signals: { vibration: 2.0 } }));
const alarm = encoder.encode(JSON.stringify({ signals: { vibration: 9.5 } }));
interface Row { rate: number; published: number; accepted: number; lost: number; heldPerSecond: number; triggers: number; alerts: number; p50Ms?: number; p99Ms?: number }
const rows: Row[] = [];
let nextTrigger = 1;

for (const rate of rates) {
  const before = ingest.stats.accepted + ingest.stats.rejected;
  const triggered: string[] = [];
  let published = 0;
  const start = performance.now();
  let lastTrigger = start;
  // Publish in 10 ms batches at the target rate; QoS 1, pipelined (not awaited one by one).
  while (performance.now() - start < seconds * 1000) {
    // At most a tenth of a second's worth per step: a publisher that fell behind does not burst.
    const due = Math.min(Math.ceil(rate / 10), Math.floor(((performance.now() - start) / 1000) * rate) - published);
    const batch: Promise<void>[] = [];
    for (let i = 0; i < due; i++) {
      const m = `pump-${(published % 50) + 1 + rates.length * triggersPerRate}`;
      batch.push(sensor.publish(`bench/sensors/${m}`, normal));
      published++;
    }
    if (performance.now() - lastTrigger >= TRIGGER_EVERY_MS && nextTrigger <= rates.length * triggersPerRate) {
      const m = `pump-${nextTrigger++}`;
      sentAt.set(m, performance.now());
      triggered.push(m);
      batch.push(sensor.publish(`bench/sensors/${m}`, alarm));
      published++;
      lastTrigger = performance.now();
    }
    // The broker's acknowledgements, but never stuck on them: a saturated broker must not hang the benchmark.
    await Promise.race([Promise.all(batch), new Promise((r) => setTimeout(r, 1000))]);
    await new Promise((r) => setTimeout(r, 10));
  }
  const elapsed = (performance.now() - start) / 1000;
  // Drain: wait until the plant has taken everything (or two quiet seconds).
  let seen = -1;
  for (let quiet = 0; quiet < 20; ) {
    await new Promise((r) => setTimeout(r, 100));
    const now = ingest.stats.accepted + ingest.stats.rejected;
    quiet = now === seen ? quiet + 1 : 0;
    seen = now;
    if (now - before >= published) break;
  }
  await new Promise((r) => setTimeout(r, 500));
  const accepted = ingest.stats.accepted + ingest.stats.rejected - before;
  const l = triggered.map((m) => latencies.get(m)).filter((x): x is number => x !== undefined).sort((a, b) => a - b);
  rows.push({
    rate,
    published,
    accepted,
    lost: published - accepted,
    heldPerSecond: Math.round(accepted / elapsed),
    triggers: triggered.length,
    alerts: l.length,
    ...(l.length > 0 ? { p50Ms: l[Math.floor(l.length * 0.5)], p99Ms: l[Math.min(l.length - 1, Math.floor(l.length * 0.99))] } : {}),
  });
  process.stderr.write(`${rate}/s: published ${published}, accepted ${accepted}, alerts ${l.length}/${triggered.length}\n`);
}

// Closing waits for in-flight acknowledgements; a saturated broker gets five seconds.
await Promise.race([Promise.all([sensor.close(), watcher.close(), ingest.close(), mqtt.close(), live.close()]), new Promise((r) => setTimeout(r, 5000))]);
await mosquitto.stop();
const root = projectRoot();
const out = { benchmark: 'mqtt-telemetry-to-alert', broker: 'mosquitto (Debian)', seconds, machine: { cpus: cpus().length, cpu: cpus()[0]?.model, kernel: release(), node: process.version }, rows };
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'mqtt-latency.json'), JSON.stringify(out, null, 2) + '\n');
process.stdout.write(
  [
    '| offered msg/s | published | accepted | lost | held msg/s | alerts / triggers | p50 ms | p99 ms |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.rate} | ${r.published} | ${r.accepted} | ${r.lost} | ${r.heldPerSecond} | ${r.alerts} / ${r.triggers} | ${r.p50Ms?.toFixed(1) ?? '—'} | ${r.p99Ms?.toFixed(1) ?? '—'} |`),
  ].join('\n') + '\n',
);
