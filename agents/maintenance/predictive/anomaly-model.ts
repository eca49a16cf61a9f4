import type { InferenceSession as Session } from 'onnxruntime-node';
import { exportAutoencoderOnnx, type AutoencoderConfig } from './autoencoder.js';
import { MODEL_METADATA_KEY, openModel } from './rul-model.js';
import type { Params } from './tcn.js';
import type { Scaling } from './windows.js';

/** What an anomaly model file says about itself. */
export interface AnomalyModelInfo {
  format: 1;
  kind: 'ae-anomaly';
  config: AutoencoderConfig;
  channels: string[];
  scaling: Scaling;
  /** Scores above this are anomalies (a quantile of healthy windows' scores). */
  threshold: number;
  training: Record<string, unknown>;
}

export function encodeAnomalyModel(info: AnomalyModelInfo, params: Params, version: string): Uint8Array {
  return exportAutoencoderOnnx(info.config, params, { [MODEL_METADATA_KEY]: JSON.stringify(info) }, version);
}

/** The autoencoder served by ONNX Runtime: anomaly scores of scaled windows, and the alarm threshold. */
export class AnomalyModel {
  private constructor(
    readonly info: AnomalyModelInfo,
    private readonly session: Session,
  ) {}

  static async fromBytes(bytes: Uint8Array, name = 'model'): Promise<AnomalyModel> {
    const { info, session } = await openModel<AnomalyModelInfo>(bytes, name, 'ae-anomaly');
    return new AnomalyModel(info, session);
  }

  async scores(x: Float32Array, n: number): Promise<Float32Array> {
    const { Tensor } = await import('onnxruntime-node');
    const c = this.info.config;
    if (x.length !== n * c.window * c.channels) throw new RangeError(`expected ${n} × ${c.window} × ${c.channels} values, got ${x.length}`);
    const out = await this.session.run({ x: new Tensor('float32', x, [n, c.window, c.channels]) });
    return out.score.data as Float32Array;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
