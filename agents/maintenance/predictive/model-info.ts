import { z } from 'zod';

/**
 * The shape of the metadata HyperFactory writes into its model files (ONNX
 * metadata key `hyperfactory`), one schema per model kind. A file is checked
 * against it before anything reads a field: metadata that is JSON but not
 * these fields (`null`, a missing config, scaling of the wrong length)
 * used to reach the predictor and fail there with a TypeError or a
 * RangeError instead of naming the file.
 */

/** Bounds generous for any model this project trains, small enough that buffers sized from them can be allocated. */
const Count = (max: number) => z.number().int().min(1).max(max);
const MAX_EXAMPLE_VALUES = 1_000_000;

const ScalingSchema = z.object({ min: z.array(z.number()), max: z.array(z.number()) });
const TrainingSchema = z.record(z.string(), z.unknown());

export const RulModelInfoSchema = z
  .object({
    format: z.literal(1),
    kind: z.literal('tcn-rul'),
    config: z.object({
      inputs: Count(4096),
      window: Count(100_000),
      channels: Count(4096),
      kernel: Count(1024),
      dilations: z.array(Count(1_000_000)).min(1),
      rulCap: z.number().positive(),
      horizon: z.number().positive(),
      components: z.number().int().min(0).max(4096).optional(),
    }),
    channels: z.array(z.string()),
    components: z.array(z.string()).optional(),
    scaling: ScalingSchema,
    members: Count(1000).optional(),
    smoothing: z.number().min(0).max(1).optional(),
    training: TrainingSchema,
  })
  .superRefine((info, ctx) => {
    const { inputs, window, components } = info.config;
    if (window * inputs > MAX_EXAMPLE_VALUES) ctx.addIssue({ code: 'custom', path: ['config', 'window'], message: `window × inputs is ${window * inputs}, more than ${MAX_EXAMPLE_VALUES}` });
    sameLength(ctx, info.channels.length, inputs, ['channels'], 'config.inputs');
    sameLength(ctx, info.scaling.min.length, inputs, ['scaling', 'min'], 'config.inputs');
    sameLength(ctx, info.scaling.max.length, inputs, ['scaling', 'max'], 'config.inputs');
    if (info.components !== undefined) sameLength(ctx, info.components.length, components ?? 0, ['components'], 'config.components');
  });

export const AnomalyModelInfoSchema = z
  .object({
    format: z.literal(1),
    kind: z.literal('ae-anomaly'),
    config: z.object({ window: Count(100_000), channels: Count(4096), hidden: z.array(Count(1_000_000)).min(1) }),
    channels: z.array(z.string()),
    scaling: ScalingSchema,
    threshold: z.number().nonnegative(),
    training: TrainingSchema,
  })
  .superRefine((info, ctx) => {
    const { window, channels } = info.config;
    if (window * channels > MAX_EXAMPLE_VALUES) ctx.addIssue({ code: 'custom', path: ['config', 'window'], message: `window × channels is ${window * channels}, more than ${MAX_EXAMPLE_VALUES}` });
    sameLength(ctx, info.channels.length, channels, ['channels'], 'config.channels');
    sameLength(ctx, info.scaling.min.length, channels, ['scaling', 'min'], 'config.channels');
    sameLength(ctx, info.scaling.max.length, channels, ['scaling', 'max'], 'config.channels');
  });

function sameLength(ctx: z.RefinementCtx, got: number, want: number, path: (string | number)[], what: string): void {
  if (got !== want) ctx.addIssue({ code: 'custom', path, message: `${got} values, ${what} says ${want}` });
}

/** The schema of each model kind's metadata. */
export const MODEL_INFO_SCHEMAS: Record<string, z.ZodType<{ format: number; kind: string }>> = {
  'tcn-rul': RulModelInfoSchema,
  'ae-anomaly': AnomalyModelInfoSchema,
};

/** What the graph's input `x` must be for a model of this metadata: [batch, window, channels]. */
export function expectedInput(info: { kind: string; config: unknown }): [number, number] | undefined {
  const c = info.config as { window: number; inputs?: number; channels: number };
  if (info.kind === 'tcn-rul') return [c.window, c.inputs!];
  if (info.kind === 'ae-anomaly') return [c.window, c.channels];
  return undefined;
}
