import { readFileSync } from 'node:fs';
import type { InferenceSession as Session } from 'onnxruntime-node';
import { expectedInput, MODEL_INFO_SCHEMAS } from './model-info.js';
import { readModelHeader } from './onnx-graph.js';
import { exportTcnOnnx } from './tcn-onnx.js';
import type { Params, TcnConfig, TcnOutputs } from './tcn.js';
import type { Scaling } from './windows.js';

/** What a RUL model file says about itself (ONNX metadata key `hyperfactory`). */
export interface RulModelInfo {
  format: 1;
  kind: 'tcn-rul';
  config: TcnConfig;
  /** Names of the input channels, in order (C-MAPSS: `s2`, `s3`, …). */
  channels: string[];
  /** Names of the component head's classes, in order, when the model has one. */
  components?: string[];
  /** Min-max scaling fitted on the training data. */
  scaling: Scaling;
  /** Networks averaged (1 = a single network). */
  members?: number;
  /** Causal exponential smoothing applied to each trajectory before windowing, if any. */
  smoothing?: number;
  /** How it was trained: data, seed, epochs, validation figures. */
  training: Record<string, unknown>;
}

export class ModelFileError extends Error {
  override name = 'ModelFileError';
}

const KEY = 'hyperfactory';

/** Encodes one network, or an ensemble whose outputs the graph averages. */
export function encodeRulModel(info: RulModelInfo, params: Params | readonly Params[], version: string): Uint8Array {
  return exportTcnOnnx(info.config, Array.isArray(params) ? params : [params as Params], { [KEY]: JSON.stringify(info) }, version);
}

/**
 * A RUL model served by ONNX Runtime (onnxruntime-node, CPU). The file is
 * checked before the runtime sees it: an ONNX model with HyperFactory's
 * metadata, of a kind this code knows.
 */
export class RulModel {
  private constructor(
    readonly info: RulModelInfo,
    private readonly session: Session,
  ) {}

  static async load(path: string): Promise<RulModel> {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (e) {
      throw new ModelFileError(`${path}: cannot read the model (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    return RulModel.fromBytes(bytes, path);
  }

  static async fromBytes(bytes: Uint8Array, name = 'model'): Promise<RulModel> {
    const { info, session } = await openModel<RulModelInfo>(bytes, name, 'tcn-rul');
    return new RulModel(info, session);
  }

  /** Scores `n` scaled windows ([n, window, channels], row-major). */
  async predict(x: Float32Array, n: number): Promise<TcnOutputs> {
    const { Tensor } = await import('onnxruntime-node');
    const c = this.info.config;
    if (x.length !== n * c.window * c.inputs) throw new RangeError(`expected ${n} × ${c.window} × ${c.inputs} values, got ${x.length}`);
    const out = await this.session.run({ x: new Tensor('float32', x, [n, c.window, c.inputs]) });
    return { rul: out.rul.data as Float32Array, pFail: out.p_fail.data as Float32Array, ...(out.p_component ? { component: out.p_component.data as Float32Array } : {}) };
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

/**
 * What a model file says about itself, checked before any runtime sees it:
 * an ONNX model with HyperFactory's metadata, of the expected kind and
 * format, whose fields have the kind's shape (`model-info.ts`) and agree
 * with the graph's input.
 */
export function readModelInfo<I extends { format: number; kind: string }>(bytes: Uint8Array, name: string, kind: string): I {
  let header: ReturnType<typeof readModelHeader>;
  try {
    header = readModelHeader(bytes);
  } catch (e) {
    throw new ModelFileError(`${name}: not an ONNX model (${(e as Error).message})`);
  }
  const meta = header.metadata;
  if (!meta[KEY]) throw new ModelFileError(`${name}: an ONNX model without HyperFactory's metadata (train one with "hyperfactory pdm train")`);
  let raw: unknown;
  try {
    raw = JSON.parse(meta[KEY]);
  } catch {
    throw new ModelFileError(`${name}: its HyperFactory metadata is not JSON`);
  }
  // Any JSON, `null` included: read as an object only once it is one.
  const { format, kind: got } = (raw !== null && typeof raw === 'object' ? raw : {}) as { format?: unknown; kind?: unknown };
  if (format !== 1 || got !== kind) throw new ModelFileError(`${name}: model kind "${String(got)}" format ${String(format)}, expected "${kind}" format 1`);
  const schema = Object.hasOwn(MODEL_INFO_SCHEMAS, kind) ? MODEL_INFO_SCHEMAS[kind] : undefined;
  if (!schema) return raw as I;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ModelFileError(`${name}: its HyperFactory metadata is not a "${kind}" model's: ${issue.path.join('.') || 'the metadata'}: ${issue.message}`);
  }
  const info = parsed.data as unknown as I & { config: unknown };
  const want = expectedInput(info);
  const x = header.inputs.find((i) => i.name === 'x');
  if (want && (!x || x.dims.length !== 3 || x.dims[1] !== want[0] || x.dims[2] !== want[1])) {
    throw new ModelFileError(`${name}: its graph's input x is [${x?.dims.join(', ') ?? 'missing'}], its metadata says [n, ${want.join(', ')}]`);
  }
  return info;
}

/**
 * Checks a model file (`readModelInfo`) and opens a session on one thread:
 * agents run many small models side by side.
 */
export async function openModel<I extends { format: number; kind: string }>(bytes: Uint8Array, name: string, kind: string): Promise<{ info: I; session: Session }> {
  const info = readModelInfo<I>(bytes, name, kind);
  const { InferenceSession } = await import('onnxruntime-node');
  try {
    const session = await InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
    return { info, session };
  } catch (e) {
    throw new ModelFileError(`${name}: ONNX Runtime cannot load it (${(e as Error).message.split('\n')[0]})`);
  }
}

export const MODEL_METADATA_KEY = KEY;
