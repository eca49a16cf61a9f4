/**
 * Predictive-maintenance inference benchmark: windows per second and latency
 * of the committed C-MAPSS model (an ensemble of three TCNs) in ONNX Runtime,
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
const bytes = readFileSync(join(root, 'models', 'cmapss-fd001.onnx'));
const model = await RulModel.fromBytes(bytes, 'cmapss-fd001.onnx');
const { window, inputs } = model.info.config;
const per = window * inputs;
const sync = SyncOnnxSession.open(bytes, { input: 'x', inputTail: [window, inputs], outputs: [{ name: 'rul', perExample: 1 }, { name: 'p_fail', perExample: 1 }], maxBatch: 500 });

interface Row { mode: string; batch: number; windowsPerSecond: number; p50Ms: number; p99Ms: number; calls: number }
const rows: Row[] = [];
for (const batch of [1, 32, 500]) {
  const x = Float32Array.from({ length: batch * per }, (_, i) => ((i * 7919) % 1000) / 1000);
  for (const mode of ['async', 'sync'] as const) {
    const latencies: number[] = [];
    // Warm-up, then as many calls as fit in the window.
    for (let i = 0; i < 20; i++) {
      if (mode === 'async') await model.predict(x, batch);
      else sync.run(x, batch);
    }
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end) {
      const t0 = performance.now();
      if (mode === 'async') await model.predict(x, batch);
      else sync.run(x, batch);
      latencies.push(performance.now() - t0);
    }
    latencies.sort((a, b) => a - b);
    const total = latencies.reduce((a, b) => a + b, 0) / 1000;
    rows.push({
      mode,
      batch,
      windowsPerSecond: (latencies.length * batch) / total,
      p50Ms: latencies[Math.floor(latencies.length * 0.5)],
      p99Ms: latencies[Math.floor(latencies.length * 0.99)],
      calls: latencies.length,
    });
  }
}
await model.close();
await sync.close();
const out = { benchmark: 'pdm-inference', model: 'models/cmapss-fd001.onnx', members: model.info.members ?? 1, machine: { cpus: cpus().length, cpu: cpus()[0]?.model, kernel: release(), node: process.version }, rows };
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'pdm.json'), JSON.stringify(out, null, 2) + '\n');
process.stdout.write(
  ['| call | batch | windows/s | p50 ms | p99 ms |', '| --- | ---: | ---: | ---: | ---: |', ...rows.map((r) => `| ${r.mode} | ${r.batch} | ${Math.round(r.windowsPerSecond)} | ${r.p50Ms.toFixed(3)} | ${r.p99Ms.toFixed(3)} |`)].join('\n') + '\n',
);
