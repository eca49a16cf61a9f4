import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cli } from '../../test/support/cli.js';
import { projectRoot } from '../../runtime/paths.js';
import { EmbeddedBroker } from '../../bridges/mqtt/embedded-broker.js';
import { startMosquitto } from '../../test/support/mosquitto.js';
import { RulModel } from '../../agents/maintenance/predictive/rul-model.js';
import { SENSOR_CHANNELS } from '../../world/degradation/sensor-model.js';

afterEach(() => vi.restoreAllMocks());

/** A tiny federation of the shipped plant's turbines: three sites, small network, every 8th window. */
function federationFile(dir: string): string {
  const file = join(dir, 'tiny-federation.yaml');
  writeFileSync(
    file,
    `name: tiny
plant: ${join(projectRoot(), 'scenarios', 'turbine-failure.yaml')}
machineType: turbine
seed: 2
model: { channels: 4 }
training: { rounds: 3, machines: 8, windowStride: 8 }
transport: { roundTimeout: 2m }
sites:
  - id: north
    load: { min: 0.9, max: 1.0, segment: 8h }
  - id: east
    load: { min: 0.5, max: 0.8, segment: 8h, stopProbability: 0.15 }
  - id: south
    load: { min: 0.6, max: 1.0, segment: 4h }
    variant: { ambientC: 40, ratedPowerKw: 300 }
`,
  );
  return file;
}

describe('hyperfactory pdm federated --federation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hf-fed-cli-'));
  const file = federationFile(dir);

  it('runs FedAvg over the embedded MQTT broker, compares with centralised and local-only training, and writes a model ONNX Runtime serves', async () => {
    const out = join(dir, 'fed.onnx');
    const r = await cli('pdm', 'federated', '--federation', file, '--rounds', '2', '--machines', '8', '--centralised', '--json', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/federation tiny: 3 sites over mqtt:\/\/127\.0\.0\.1:\d+ \(embedded broker\)/);
    expect(r.stderr).toMatch(/round 2\/2: validation RMSE \d+\.\d h \(north \d+\.\d, east \d+\.\d, south \d+\.\d\); \d+\.\d KB per site/);
    const report = JSON.parse(r.stdout);
    expect(report.model).toBe(out);
    expect(report.broker).toBe('embedded');
    expect(report.sites.map((s: { id: string }) => s.id)).toEqual(['north', 'east', 'south']);
    for (const s of report.sites) {
      expect(s.trainMachines + s.validationMachines).toBe(s.machines);
      expect(s.validationMachines).toBeGreaterThanOrEqual(1);
      expect(s.examples).toBeGreaterThan(0);
    }
    // Non-identical sites: part load with stops makes the east turbines live longer than the base-load north ones.
    const life = Object.fromEntries(report.sites.map((s: { id: string; meanLifeHours: number }) => [s.id, s.meanLifeHours]));
    expect(life.east).toBeGreaterThan(life.north);
    expect(report.history.map((h: { round: number }) => h.round)).toEqual([1, 2]);
    for (const h of report.history) {
      expect(Object.keys(h.bytesPerSite)).toEqual(['east', 'north', 'south']);
      // A 4-channel network (522 weights) both ways, plus the headers.
      for (const b of Object.values(h.bytesPerSite) as number[]) expect(b).toBeGreaterThan(2 * 4 * 500);
    }
    expect(report.bytesPerSiteRound).toBeGreaterThan(4000);
    for (const scores of [report.federated, report.centralised, ...Object.values(report.localOnly)] as { pooled: number; sites: Record<string, number> }[]) {
      expect(scores.pooled).toBeGreaterThan(0);
      expect(Object.keys(scores.sites).sort()).toEqual(['east', 'north', 'south']);
    }
    expect(report.gapPercent).toBeCloseTo(((report.federated.pooled - report.centralised.pooled) / report.centralised.pooled) * 100, 6);
    expect(report.rejected).toEqual([]);
    expect(existsSync(out) && !existsSync(`${out}.partial`)).toBe(true);

    const model = await RulModel.load(out);
    try {
      expect(model.info.config.channels).toBe(4);
      expect(model.info.channels).toEqual([...SENSOR_CHANNELS]);
      expect(model.info.training.federated).toMatchObject({ federation: 'tiny', sites: ['north', 'east', 'south'], rounds: 2 });
      expect((model.info.training.validation as { rmseHours: number }).rmseHours).toBeCloseTo(report.federated.pooled, 6);
      const x = new Float32Array(2 * model.info.config.window * model.info.config.inputs).fill(0.5);
      const y = await model.predict(x, 2);
      expect(y.rul).toHaveLength(2);
      expect(Number.isFinite(y.rul[0])).toBe(true);
    } finally {
      await model.close();
    }
  });

  it('prints a per-round table and the bytes per site; the same seed gives the same figures over Mosquitto', async () => {
    const a = await cli('pdm', 'federated', '--federation', file, '--rounds', '1', '--out', join(dir, 'a.onnx'));
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toMatch(/^.*a\.onnx\ntiny: 3 sites training turbine \(turbine-failure\), 1 rounds × 1 local epoch, seed 2\n/);
    expect(a.stdout).toMatch(/\n {2}round {2}pooled {5}north {4}east {3}south {2}KB\/site\n {6}1 +\d+\.\d +\d+\.\d +\d+\.\d +\d+\.\d +\d+\.\d\n/);
    expect(a.stdout).toMatch(/\nfederated: {3}pooled \d+\.\d \(north \d+\.\d, east \d+\.\d, south \d+\.\d\)\n/);
    expect(a.stdout).toMatch(/\n\d+\.\d KB per site and round \(global weights in, update out\); 0 messages rejected\n/);
    // A running broker (--broker): a real Mosquitto. The transport does not change a figure.
    const mosquitto = await startMosquitto();
    try {
      const b = await cli('pdm', 'federated', '--federation', file, '--rounds', '1', '--out', join(dir, 'b.onnx'), '--broker', mosquitto.url);
      expect(b.code, b.stderr).toBe(0);
      expect(b.stderr).toMatch(new RegExp(`federation tiny: 3 sites over ${mosquitto.url.replace(/\./g, '\\.')}\n`));
      const table = (s: string) => s.split('\n').slice(1).join('\n').replace(/wall time.*\n/, '');
      expect(table(b.stdout)).toBe(table(a.stdout));
    } finally {
      await mosquitto.stop();
    }
  });

  it('bad input: one line naming what is wrong, exit code 2', async () => {
    const closed = await EmbeddedBroker.start();
    const url = closed.url;
    await closed.stop();
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: bad\nplant: turbine-failure.yaml\nmachineType: turbine\nsites:\n  - id: north\n');
    for (const [args, message] of [
      [['--broker', 'localhost:1883'], /^hyperfactory: --broker: "localhost:" is not an MQTT scheme \(mqtt, mqtts, ws, wss\), in "localhost:1883"\n$/],
      [['--broker', 'not a url'], /^hyperfactory: --broker must be an MQTT URL such as mqtt:\/\/127\.0\.0\.1:1883, got "not a url"\n$/],
      [['--broker', url], new RegExp(`^hyperfactory: --broker: cannot connect to the MQTT broker ${url.replace(/\./g, '\\.')}: .+\\n$`)],
      [['--rounds', '0'], /^hyperfactory: --rounds must be an integer ≥ 1, got "0"\n$/],
      [['--out', join(dir, 'missing', 'm.onnx')], /^hyperfactory: --out: folder .*missing does not exist\n$/],
    ] as const) {
      const r = await cli('pdm', 'federated', '--federation', file, '--rounds', '1', ...args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.replace(/^federation tiny: .*\n/, '')).toMatch(message);
    }
    const r = await cli('pdm', 'federated', '--federation', bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^hyperfactory: .*bad\.yaml:5:3: sites: a federation needs at least two sites\n$/);
    const missing = await cli('pdm', 'federated', '--federation', join(dir, 'nope.yaml'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.yaml: no such file\n$/);
  });
});
