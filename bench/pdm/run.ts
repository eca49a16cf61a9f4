/**
 * Predictive-maintenance inference benchmark: windows per second and latency
 * of the committed models in ONNX Runtime — the C-MAPSS ensemble of three
 * TCNs, and the flagship turbine's RUL (with its component head) and
 * autoencoder models —
 * as the agents call it: asynchronously (`RulModel.predict`) and
 * synchronously through the worker (`SyncOnnxSession.run`, what a
 * discrete-event run uses). One call per machine (batch 1: the latency a
 * single machine sees) and one call for a whole plant (batch 32 and 500:
 * every machine's window at a telemetry tick).
 *
 *   npm run bench:pdm [-- --quick]
 */
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { projectRoot } from '../../runtime/paths.js';
import { RulModel } from '../../agents/maintenance/predictive/rul-model.js';
import { SyncOnnxSession } from '../../agents/maintenance/predictive/sync-session.js';

const quick = process.argv.includes('--quick');
const seconds = quick ? 2 : 8;
const root = projectRoot();

interface Row { model: string; mode: string; batch: number; windowsPerSecond: number; p50Ms: number; p99Ms: number; calls: number }
const rows: Row[] = [];

/** Calls `call(batch)` for `seconds` after a warm-up; windows per second and latency percentiles. */
async function measure(model: string, mode: string, batch: number, call: (batch: number) => unknown): Promise<void> {
  const latencies: number[] = [];
  for (let i = 0; i < 20; i++) await call(batch);
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const t0 = performance.now();
    await call(batch);
    latencies.push(performance.now() - t0);
  }
  latencies.sort((a, b) => a - b);
  const total = latencies.reduce((a, b) => a + b, 0) / 1000;
  rows.push({ model, mode, batch, windowsPerSecond: (latencies.length * batch) / total, p50Ms: latencies[Math.floor(latencies.length * 0.5)], p99Ms: latencies[Math.floor(latencies.length * 0.99)], calls: latencies.length });
}

const input = (n: number) => Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 1000) / 1000);

// The C-MAPSS ensemble, asynchronously (RulModel) and synchronously (what a discrete-event run uses).
{
  const bytes = readFileSync(join(root, 'models', 'cmapss-fd001.onnx'));
  const model = await RulModel.fromBytes(bytes, 'cmapss-fd001.onnx');
  const { window, inputs } = model.info.config;
  const sync = SyncOnnxSession.open(bytes, { input: 'x', inputTail: [window, inputs], outputs: [{ name: 'rul', perExample: 1 }, { name: 'p_fail', perExample: 1 }], maxBatch: 500 });
  const x = input(500 * window * inputs);
  for (const batch of [1, 32, 500]) {
    await measure('cmapss-fd001 (3 TCNs)', 'async', batch, (b) => model.predict(x.subarray(0, b * window * inputs), b));
    await measure('cmapss-fd001 (3 TCNs)', 'sync', batch, (b) => sync.run(x, b));
  }
  await model.close();
  await sync.close();
}

// The flagship's turbine models as the plant's predictor serves them: synchronously, one machine or a 500-machine plant per call.
for (const [name, file, outputs] of [
  ['turbine RUL + component head', 'turbine-rul.onnx', [{ name: 'rul', perExample: 1 }, { name: 'p_fail', perExample: 1 }, { name: 'p_component', perExample: 3 }]],
  ['turbine autoencoder', 'turbine-anomaly.onnx', [{ name: 'score', perExample: 1 }]],
] as const) {
  const bytes = readFileSync(join(root, 'models', 'turbine-failure', file));
  const tail = [24, 9];
  const sync = SyncOnnxSession.open(bytes, { input: 'x', inputTail: tail, outputs: [...outputs], maxBatch: 500 });
  const x = input(500 * 24 * 9);
  for (const batch of [1, 6, 500]) await measure(name, 'sync', batch, (b) => sync.run(x, b));
  await sync.close();
}

const out = { benchmark: 'pdm-inference', machine: { cpus: cpus().length, cpu: cpus()[0]?.model, kernel: release(), node: process.version }, rows };
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'pdm.json'), JSON.stringify(out, null, 2) + '\n');
process.stdout.write(
  ['| model | call | batch | windows/s | p50 ms | p99 ms |', '| --- | --- | ---: | ---: | ---: | ---: |', ...rows.map((r) => `| ${r.model} | ${r.mode} | ${r.batch} | ${Math.round(r.windowsPerSecond)} | ${r.p50Ms.toFixed(3)} | ${r.p99Ms.toFixed(3)} |`)].join('\n') + '\n',
);
