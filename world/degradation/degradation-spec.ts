import { createHash } from 'node:crypto';
import { z } from 'zod';
import { parseDuration } from '../../sim/duration.js';
import { Duration, DurationDistribution } from '../../sim/duration-schema.js';

/**
 * The `degradation` section of a machine type: which components wear, how
 * their faults start and grow, and how noisy the sensors are. Times are
 * seconds or durations with a unit (`20d`, `30m`); rates are per second or
 * `<number>/<unit>` (`0.02/d`).
 *
 * Wear is counted in *equivalent full-load time*: a component ages at
 * load^loadExponent seconds per second, so it does not age while stopped and
 * a machine run at half load lives longer. Fault onset and progression are
 * both in that time.

 */

/** Fault modes: each leaves its own signature on the sensors (see sensor-model.ts). */
export const FAULT_MODES = ['bearing', 'imbalance', 'misalignment', 'cooling'] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

/** A positive rate per second, or `<number>/<duration unit>` (`0.02/d` = 0.02 per day). */
export const Rate = z.union([z.number(), z.string()]).transform((v, ctx) => {
  let rate = typeof v === 'number' ? v : NaN;
  if (typeof v === 'string') {
    const m = /^\s*([-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?)\s*\/\s*([a-z]+)\s*$/i.exec(v);
    if (!m) {
      ctx.addIssue({ code: 'custom', message: `"${v}" is not a rate (examples: 0.02/d, 0.5/h)` });
      return z.NEVER;
    }
    try {
      rate = Number(m[1]) / parseDuration(`1${m[2]}`);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
      return z.NEVER;
    }
  }
  if (!(rate > 0) || !Number.isFinite(rate)) {
    ctx.addIssue({ code: 'custom', message: `rate must be positive, got ${String(v)}` });
    return z.NEVER;
  }
  return rate;
});

export const ProgressionSchema = z
  .object({
    rate: Rate.describe('Wear per equivalent full-load time right after onset (`0.02/d`).'),
    exponent: z
      .number()
      .nonnegative()
      .default(1.8)
      .describe('Paris-law exponent n: the wear rate is rate · (1 + wear/initial)^n, so growth accelerates as the defect grows.'),
    initial: z
      .number()
      .positive()
      .max(1)
      .default(0.2)
      .describe('Defect size at onset, as a fraction of full wear: the smaller, the longer the fault hides and the steeper its end.'),
    loadExponent: z
      .number()
      .nonnegative()
      .default(1)
      .describe('Ageing speed is load^k: 3 for rolling bearings (L10 life ∝ load^-3), 1 for wear proportional to work.'),
  })
  .strict();

export const ComponentSpecSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'an id of letters, digits, - and _'),
    mode: z.enum(FAULT_MODES).optional().describe('Fault mode (its sensor signature); defaults to the id when the id names a mode.'),
    onset: DurationDistribution.describe('Equivalent full-load time from renewal to fault onset; drawn at every renewal.'),
    progression: ProgressionSchema,
    failAt: z.number().positive().max(1).default(1).describe('Wear (0 new … 1 fully worn) at which the component fails and stops the machine.'),
  })
  .strict()
  .transform((c, ctx) => {
    const mode = c.mode ?? (FAULT_MODES as readonly string[]).find((m) => m === c.id);
    if (!mode) {
      ctx.addIssue({ code: 'custom', path: ['mode'], message: `give the fault mode of "${c.id}" (one of ${FAULT_MODES.join(', ')})` });
      return z.NEVER;
    }
    return { ...c, mode: mode as FaultMode };
  });

export const NoiseSchema = z
  .object({
    vibration: z.number().nonnegative().default(0.05).describe('Relative SD of vibration features (RMS, bands, kurtosis).'),
    temperature: z.number().nonnegative().default(0.4).describe('SD of the temperature reading, °C.'),
    power: z.number().nonnegative().default(0.01).describe('Relative SD of the power reading.'),
    acoustic: z.number().nonnegative().default(0.3).describe('SD of the acoustic level, dB.'),
  })
  .strict();

export const ThermalSchema = z
  .object({
    riseC: z.number().positive().default(45).describe('Temperature rise over ambient of a healthy machine at full load, °C.'),
    timeConstant: Duration.default(1800).describe('First-order thermal time constant (`30m`).'),
  })
  .strict();

export const DegradationSpecSchema = z
  .object({
    ratedSpeedRpm: z.number().positive().default(1500).describe('Shaft speed; sets the band centre frequencies (1×, 2×, BPFO).'),
    bpfoOrder: z.number().positive().default(3.6).describe('Bearing outer-race defect frequency in shaft orders (BPFO ≈ 0.4 · rolling elements).'),
    ratedPowerKw: z.number().positive().default(100).describe('Electrical power drawn by a healthy machine at full load, kW.'),
    ambientC: z.number().default(25).describe('Ambient temperature, °C.'),
    thermal: ThermalSchema.prefault({}),
    components: z.array(ComponentSpecSchema).min(1),
    noise: NoiseSchema.prefault({}),
  })
  .strict()
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.components.forEach((c, i) => {
      if (seen.has(c.id)) ctx.addIssue({ code: 'custom', path: ['components', i, 'id'], message: `component "${c.id}" is listed twice` });
      seen.add(c.id);
    });
  })
  .describe('Hidden component health and the sensors that show it (predictive maintenance).');

export type DegradationSpec = z.output<typeof DegradationSpecSchema>;
export type DegradationSpecInput = z.input<typeof DegradationSpecSchema>;
export type ComponentSpec = z.output<typeof ComponentSpecSchema>;
export type ProgressionSpec = z.output<typeof ProgressionSchema>;

/** Parses a `degradation` section; throws a ZodError whose issues carry the path. */
export function parseDegradationSpec(raw: unknown): DegradationSpec {
  return DegradationSpecSchema.parse(raw);
}

/** Centre frequencies (Hz) of the vibration bands, for displays and documentation. */
export function bandCentresHz(spec: DegradationSpec): { band1x: number; band2x: number; bandBearing: number } {
  const shaft = spec.ratedSpeedRpm / 60;
  return { band1x: shaft, band2x: 2 * shaft, bandBearing: spec.bpfoOrder * shaft };
}

/**
 * A short fingerprint of a parsed spec: models trained on one machine type's
 * fleet record it, so a plant refuses a model trained for different physics.
 */
export function specFingerprint(spec: DegradationSpec): string {
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 16);
}
