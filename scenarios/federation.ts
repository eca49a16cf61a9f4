import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { Duration } from '../sim/duration-schema.js';
import type { DegradationSpec } from '../world/degradation/degradation-spec.js';
import type { LoadProfile } from '../world/degradation/fleet-histories.js';
import { loadScenario, parseYamlFile, readTextFile, ScenarioError, type ScenarioProblem } from './load.js';
import { IdSchema } from '../agents/maintenance/predictive/federation/messages.js';

/**
 * A federation file (`scenarios/federation-*.yaml`): which sites take part,
 * what machines each trains on (a machine type of a plant scenario, under
 * the site's own load, optionally a variant of its physics), the model and
 * the rounds. Problems are reported like a scenario's: file:line:col: path:
 * message.
 */

const Positive = Duration.refine((v) => v > 0, 'must be positive');

const ConstantLoad = z.number().min(0).max(1).describe('A constant load factor (0 stopped … 1 full load).');
const LoadProfileSchema = z
  .object({
    min: z.number().min(0).max(1),
    max: z.number().min(0).max(1),
    segment: Positive.default(8 * 3600).describe('How long each drawn load holds (`8h`).'),
    stopProbability: z.number().min(0).max(0.9).optional().describe('Probability a segment is a stop (no wear, the machine cools down).'),
  })
  .strict()
  .refine((l) => l.min <= l.max, { message: 'min must not exceed max', path: ['min'] })
  .describe('A seeded random load: a new uniform load in [min, max] every segment, or a stop.');

/** A number or a profile; chosen by the value's type, so a bad profile's error names its field (a union would only say "invalid input"). */
const LoadSchema = z.unknown().transform((v, ctx): number | z.output<typeof LoadProfileSchema> => {
  const r = typeof v === 'number' ? ConstantLoad.safeParse(v) : LoadProfileSchema.safeParse(v);
  if (r.success) return r.data;
  for (const issue of r.error.issues) {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : undefined;
    ctx.addIssue({ code: 'custom', path: issue.path, message: keys ? `unknown field${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}` : issue.message });
  }
  return z.NEVER;
});

/** What a site may change of the machine type's physics: a variant of the same machine (rating, climate, sensor noise). */
const VariantSchema = z
  .object({
    ratedSpeedRpm: z.number().positive().optional(),
    ratedPowerKw: z.number().positive().optional(),
    ambientC: z.number().min(-40).max(60).optional(),
    bpfoOrder: z.number().positive().optional(),
    noise: z
      .object({ vibration: z.number().nonnegative().optional(), temperature: z.number().nonnegative().optional(), power: z.number().nonnegative().optional(), acoustic: z.number().nonnegative().optional() })
      .strict()
      .optional(),
  })
  .strict();

const SiteSchema = z
  .object({
    id: IdSchema,
    description: z.string().optional(),
    machineType: z.string().optional().describe("The plant's machine type this site runs; the federation's when omitted."),
    machines: z.number().int().min(5).optional().describe('Machines simulated run to failure; training.machines when omitted.'),
    load: LoadSchema.default({ min: 0.6, max: 1, segment: 8 * 3600 }),
    variant: VariantSchema.optional(),
  })
  .strict();

export const FederationFileSchema = z
  .object({
    name: IdSchema.describe('The federation id: it names the MQTT topics (hyperfactory/federation/<name>/…).'),
    description: z.string().optional(),
    plant: z.string().describe('The plant scenario the machine types come from, relative to this file.'),
    machineType: z.string(),
    seed: z.number().int().default(1),
    model: z
      .object({
        window: z.number().int().min(2).default(24).describe('Samples per window.'),
        channels: z.number().int().min(1).default(16),
        rulCapHours: z.number().positive().default(336),
        horizonHours: z.number().positive().default(48),
      })
      .strict()
      .prefault({}),
    training: z
      .object({
        rounds: z.number().int().min(1).default(10),
        localEpochs: z.number().int().min(1).default(1),
        localSteps: z
          .number()
          .int()
          .min(1)
          .optional()
          .describe('At most this many minibatches per local epoch: less local work per round means less drift between sites whose data differ.'),
        machines: z.number().int().min(5).default(60),
        holdout: z.number().min(0.05).max(0.5).default(0.2),
        windowStride: z.number().int().min(1).default(1).describe('Train on every n-th window (neighbours overlap in all but one sample).'),
        batch: z.number().int().min(1).default(256),
        serverMomentum: z.number().min(0).max(0.99).default(0).describe("FedAvgM's server momentum; 0 is plain FedAvg."),
        learningRate: z.number().positive().max(1).default(2e-3).describe("Adam's step size: the sites' at every round, and the baselines'."),
      })
      .strict()
      .prefault({}),
    transport: z
      .object({ roundTimeout: Positive.default(30 * 60).describe('How long the aggregator waits for every site in a round (and sites for the aggregator).') })
      .strict()
      .prefault({}),
    sites: z.array(SiteSchema).min(2, 'a federation needs at least two sites'),
  })
  .strict()
  .superRefine((f, ctx) => {
    const seen = new Set<string>();
    f.sites.forEach((s, i) => {
      if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: ['sites', i, 'id'], message: `site "${s.id}" is listed twice` });
      seen.add(s.id);
    });
  });

export type FederationFile = z.output<typeof FederationFileSchema>;

/** A federation ready to run: every site with its physics and load resolved. */
export interface Federation {
  file: string;
  name: string;
  description?: string;
  plant: { file: string; name: string };
  machineType: string;
  /** The federation's machine type's physics in the plant (what the model is served for). */
  spec: DegradationSpec;
  sampleInterval: number;
  seed: number;
  model: FederationFile['model'];
  training: FederationFile['training'];
  roundTimeoutMs: number;
  sites: { id: string; description?: string; machineType: string; machines: number; load: number | LoadProfile; spec: DegradationSpec; variant: boolean }[];
}

/** Parses a federation file and the plant it names; throws a ScenarioError locating every problem. */
export function parseFederation(text: string, file: string): Federation {
  const { value: f, problem } = parseYamlFile(text, file, FederationFileSchema, 'a federation file is a YAML mapping (name, plant, machineType, sites, …)');
  const plantFile = resolve(dirname(file), f.plant);
  const plant = loadScenario(plantFile);
  const problems: ScenarioProblem[] = [];
  const typeSpec = (name: string, path: PropertyKey[]): DegradationSpec | undefined => {
    const type = plant.machineTypes[name];
    if (!type) problems.push(problem(path, `${f.plant} has no machine type "${name}" (types: ${Object.keys(plant.machineTypes).join(', ')})`));
    else if (!type.degradation) problems.push(problem(path, `machine type "${name}" of ${f.plant} has no degradation section to simulate`));
    return type?.degradation;
  };
  const spec = typeSpec(f.machineType, ['machineType']);
  const sites = f.sites.map((s, i) => {
    const machineType = s.machineType ?? f.machineType;
    const base = s.machineType === undefined ? spec : typeSpec(machineType, ['sites', i, 'machineType']);
    const v = s.variant;
    const siteSpec = base && v ? { ...base, ...v, noise: { ...base.noise, ...v.noise } } : base;
    return { id: s.id, description: s.description, machineType, machines: s.machines ?? f.training.machines, load: s.load, spec: siteSpec!, variant: v !== undefined };
  });
  if (problems.length > 0) throw new ScenarioError(file, problems);
  return {
    file,
    name: f.name,
    description: f.description,
    plant: { file: plantFile, name: plant.name },
    machineType: f.machineType,
    spec: spec!,
    sampleInterval: plant.maintenance.telemetryInterval,
    seed: f.seed,
    model: f.model,
    training: f.training,
    roundTimeoutMs: f.transport.roundTimeout * 1000,
    sites,
  };
}

/** Reads a federation file. */
export function loadFederation(file: string): Federation {
  return parseFederation(readTextFile(file), file);
}
