import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import type { onnx as OnnxNs } from 'onnx-proto';
import { projectRoot } from '../../../runtime/paths.js';
import { anyJson, mutatedBytes, mutatedJson, outcome, outcomeAsync } from '../../../test/support/fuzz.js';
import { encodeAnomalyModel, type AnomalyModelInfo } from './anomaly-model.js';
import { initAutoencoder } from './autoencoder.js';
import { HealthPredictor } from './health-predictor.js';
import { AnomalyModelInfoSchema, RulModelInfoSchema } from './model-info.js';
import { encodeRulModel, ModelFileError, MODEL_METADATA_KEY, readModelInfo, RulModel, type RulModelInfo } from './rul-model.js';
import { exportTcnOnnx } from './tcn-onnx.js';
import { initTcn, type TcnConfig } from './tcn.js';

/**
 * Model files as predictive maintenance reads them (`readModelInfo`, the
 * check every loader runs before ONNX Runtime sees a file): any bytes —
 * noise, corruptions of a valid model, valid models with mangled metadata —
 * are a model whose metadata has its kind's shape and agrees with its graph,
 * or a ModelFileError naming the file (what the CLI prints as a user
 * error); never a TypeError or RangeError. ONNX Runtime stays out of the
 * property loops (its sessions are slow); a few corrupted files go through
 * the real loaders as examples.
 */

const { onnx } = createRequire(import.meta.url)('onnx-proto') as { onnx: typeof OnnxNs };

const config: TcnConfig = { inputs: 3, window: 4, channels: 2, kernel: 2, dilations: [1, 2], rulCap: 10, horizon: 5 };
const rulInfo: RulModelInfo = {
  format: 1,
  kind: 'tcn-rul',
  config,
  channels: ['a', 'b', 'c'],
  scaling: { min: [0, 0, 0], max: [1, 2, 3] },
  training: { spec: 'spec-1', sampleInterval: 3600 },
};
const params = initTcn(config, 1);
const validRul = encodeRulModel(rulInfo, params, 'test');
const aeConfig = { window: 4, channels: 3, hidden: [4, 2] };
const anomalyInfo: AnomalyModelInfo = { format: 1, kind: 'ae-anomaly', config: aeConfig, channels: ['a', 'b', 'c'], scaling: rulInfo.scaling, threshold: 0.5, training: rulInfo.training };
const validAnomaly = encodeAnomalyModel(anomalyInfo, initAutoencoder(aeConfig, 1), 'test');

/** The TCN graph of `config` carrying `metadata` as its HyperFactory metadata. */
const withMetadata = (metadata: string) => exportTcnOnnx(config, [params], { [MODEL_METADATA_KEY]: metadata }, 'test');

/** readModelInfo's answer: an info of its kind's schema, or a ModelFileError naming the file. */
function expectInfo(bytes: Uint8Array, kind: 'tcn-rul' | 'ae-anomaly'): unknown {
  const r = outcome(() => readModelInfo<RulModelInfo | AnomalyModelInfo>(bytes, 'm.onnx', kind), ModelFileError);
  if (!r.ok) return void expect(r.error.message.startsWith('m.onnx: ')).toBe(true);
  const schema = kind === 'tcn-rul' ? RulModelInfoSchema : AnomalyModelInfoSchema;
  expect(schema.safeParse(r.value).success).toBe(true);
  return r.value;
}

const kind = fc.constantFrom('tcn-rul' as const, 'ae-anomaly' as const);

describe('model files', () => {
  test.prop([fc.uint8Array({ maxLength: 300 }), kind], { numRuns: 300 })('arbitrary bytes: refused with a ModelFileError naming the file', (bytes, k) => {
    expectInfo(bytes, k);
  });

  test.prop([mutatedBytes(fc.constantFrom(validRul, validAnomaly), 4), kind], { numRuns: 300 })('a corrupted model (bits flipped, truncated, bytes inserted or zeroed): its info, or a ModelFileError', (bytes, k) => {
    expectInfo(bytes, k);
  });

  test.prop([fc.oneof(mutatedJson(fc.constant(rulInfo), 3).map((v) => JSON.stringify(v) ?? ''), anyJson.map((v) => JSON.stringify(v) ?? ''), fc.string({ maxLength: 40 }))], { numRuns: 300 })(
    'a valid graph with mangled metadata: an info that agrees with the graph, or a ModelFileError',
    (metadata) => {
      const info = expectInfo(withMetadata(metadata), 'tcn-rul') as RulModelInfo | undefined;
      if (info) expect([info.config.window, info.config.inputs]).toEqual([config.window, config.inputs]);
    },
  );

  test.prop(
    [
      fc.record({
        inputs: fc.integer({ min: 1, max: 4 }),
        window: fc.integer({ min: 1, max: 6 }),
        channels: fc.integer({ min: 1, max: 3 }),
        kernel: fc.integer({ min: 1, max: 3 }),
        dilations: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
        rulCap: fc.integer({ min: 1, max: 500 }),
        horizon: fc.integer({ min: 1, max: 100 }),
        components: fc.integer({ min: 0, max: 3 }),
      }),
      fc.double({ min: 0, max: 0.99, noNaN: true }),
      fc.integer({ min: 1, max: 2 }),
    ],
    { numRuns: 40 },
  )('encodeRulModel → readModelInfo gives the info back', (c, smoothing, members) => {
    const names = (n: number, p: string) => Array.from({ length: n }, (_, i) => `${p}${i}`);
    const info: RulModelInfo = {
      format: 1,
      kind: 'tcn-rul',
      config: c,
      channels: names(c.inputs, 's'),
      ...(c.components > 0 ? { components: names(c.components, 'part-') } : {}),
      scaling: { min: new Array<number>(c.inputs).fill(0), max: new Array<number>(c.inputs).fill(1) },
      members,
      smoothing,
      training: { seed: 1, validation: { rmse: 3.5 } },
    };
    const bytes = encodeRulModel(info, Array.from({ length: members }, (_, m) => initTcn(c, m + 1)), 'test');
    expect(readModelInfo(bytes, 'm.onnx', 'tcn-rul')).toEqual(info);
    expect(() => readModelInfo(bytes, 'm.onnx', 'ae-anomaly')).toThrow(new ModelFileError('m.onnx: model kind "tcn-rul" format 1, expected "ae-anomaly" format 1'));
  });

  it('encodeAnomalyModel → readModelInfo gives the info back', () => {
    expect(readModelInfo(validAnomaly, 'a.onnx', 'ae-anomaly')).toEqual(anomalyInfo);
  });

  it('every model shipped in models/ passes the checks', () => {
    const dir = join(projectRoot(), 'models');
    const files = [...readdirSync(dir).filter((f) => f.endsWith('.onnx')), ...readdirSync(join(dir, 'turbine-failure')).map((f) => join('turbine-failure', f))];
    expect(files.length).toBeGreaterThan(2);
    for (const f of files) readModelInfo(readFileSync(join(dir, f)), f, f.includes('anomaly') ? 'ae-anomaly' : 'tcn-rul');
  });

  it('metadata that is JSON but not a model\'s is refused naming the field (found by the property: `null` threw a TypeError in readModelInfo; a missing config or training passed it and threw TypeErrors in the predictor)', () => {
    expect(() => readModelInfo(withMetadata('null'), 'm.onnx', 'tcn-rul')).toThrow(new ModelFileError('m.onnx: model kind "undefined" format undefined, expected "tcn-rul" format 1'));
    expect(() => readModelInfo(withMetadata('{"format":1,"kind":"tcn-rul"}'), 'm.onnx', 'tcn-rul')).toThrow(/^m\.onnx: its HyperFactory metadata is not a "tcn-rul" model's: config: /);
    expect(() => readModelInfo(withMetadata(JSON.stringify({ ...rulInfo, scaling: { min: [0], max: [1] } })), 'm.onnx', 'tcn-rul')).toThrow("m.onnx: its HyperFactory metadata is not a \"tcn-rul\" model's: scaling.min: 1 values, config.inputs says 3");
    expect(() => readModelInfo(withMetadata(JSON.stringify({ ...rulInfo, config: { ...config, window: 1e9 } })), 'm.onnx', 'tcn-rul')).toThrow(ModelFileError);
    // Metadata that does not match the graph: the predictor would fail on every batch, mid-run.
    expect(() => readModelInfo(withMetadata(JSON.stringify({ ...rulInfo, config: { ...config, window: 5 } })), 'm.onnx', 'tcn-rul')).toThrow("m.onnx: its graph's input x is [n, 4, 3], its metadata says [n, 5, 3]");
  });

  it('corrupted models through the real loaders (ONNX Runtime): a ModelFileError each', async () => {
    // A graph ONNX Runtime refuses under valid metadata: an operator that does not exist.
    const model = onnx.ModelProto.decode(validRul);
    model.graph!.node![0].opType = 'NoSuchOperator';
    const badGraph = onnx.ModelProto.encode(model).finish();
    const cases: [string, Uint8Array][] = [
      ['truncated.onnx', validRul.subarray(0, validRul.length >> 1)],
      ['bad-graph.onnx', badGraph],
      ['null-metadata.onnx', withMetadata('null')],
      ['no-training.onnx', withMetadata(JSON.stringify({ ...rulInfo, training: undefined }))],
    ];
    for (const [name, bytes] of cases) {
      const r = await outcomeAsync(() => RulModel.fromBytes(bytes, name), ModelFileError);
      expect(r.ok, name).toBe(false);
      if (!r.ok) expect(r.error.message.startsWith(`${name}: `)).toBe(true);
    }
    // The plant's predictor (a session in a worker): the same files, the same errors. A graph ONNX Runtime
    // refused came out of the worker as a plain Error, which the CLI does not count as a user error.
    const expectations = new Map([['turbine', { spec: 'spec-1', sampleInterval: 3600 }]]);
    for (const [name, bytes] of cases) {
      const r = outcome(() => new HealthPredictor(new Map([['t-1', 'turbine']]), new Map([['turbine', { rul: bytes, names: { rul: name } }]]), expectations).close(), ModelFileError);
      expect(r.ok, name).toBe(false);
      if (!r.ok) expect(r.error.message.startsWith(`${name}: `)).toBe(true);
    }
    // And a good one still loads and scores.
    const good = await RulModel.fromBytes(validRul, 'good.onnx');
    const out = await good.predict(new Float32Array(config.window * config.inputs), 1);
    expect(Number.isFinite(out.rul[0])).toBe(true);
    await good.close();
  }, 60_000);
});
