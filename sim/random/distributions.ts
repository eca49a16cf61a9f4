import { z } from 'zod';
import type { RandomStream } from './stream.js';

/**
 * Probability distributions as they appear in scenarios, and their samplers.
 * Samplers use inversion where it exists so that one uniform draw gives one
 * variate (common random numbers across policies stay aligned).
 */
export const DistributionSchema = z.discriminatedUnion('dist', [
  z.object({ dist: z.literal('constant'), value: z.number().nonnegative() }).strict(),
  z.object({ dist: z.literal('exponential'), mean: z.number().positive() }).strict(),
  z
    .object({ dist: z.literal('uniform'), min: z.number(), max: z.number() })
    .strict()
    .refine((d) => d.min <= d.max, { message: 'min must not exceed max', path: ['max'] }),
  // min < max: with min = max the inversion divides by zero and samples NaN.
  z
    .object({ dist: z.literal('triangular'), min: z.number(), mode: z.number(), max: z.number() })
    .strict()
    .refine((d) => d.min < d.max, { message: 'min must be below max (use constant for a fixed value)', path: ['max'] })
    .refine((d) => d.min <= d.mode && d.mode <= d.max, { message: 'mode must lie between min and max', path: ['mode'] }),
  z.object({ dist: z.literal('normal'), mean: z.number(), sd: z.number().nonnegative() }).strict(),
  z
    .object({ dist: z.literal('lognormal'), mean: z.number().positive(), sd: z.number().nonnegative() })
    .strict()
    .describe('Parameterised by the mean and SD of the variate itself, not of the underlying normal.'),
  z.object({ dist: z.literal('weibull'), shape: z.number().positive(), scale: z.number().positive() }).strict(),
]);

export type Distribution = z.infer<typeof DistributionSchema>;

export type Sampler = (rng: RandomStream) => number;

/** Standard normal by Box–Muller (two uniforms, one variate: no cached state to checkpoint). */
export function standardNormal(rng: RandomStream): number {
  const u1 = 1 - rng.next(); // (0, 1]
  const u2 = rng.next();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

export function sampler(d: Distribution): Sampler {
  switch (d.dist) {
    case 'constant':
      return () => d.value;
    case 'exponential': {
      const mean = d.mean;
      return (rng) => -mean * Math.log(1 - rng.next());
    }
    case 'uniform':
      return (rng) => d.min + (d.max - d.min) * rng.next();
    case 'triangular': {
      const { min, mode, max } = d;
      const f = (mode - min) / (max - min);
      return (rng) => {
        const u = rng.next();
        return u < f ? min + Math.sqrt(u * (max - min) * (mode - min)) : max - Math.sqrt((1 - u) * (max - min) * (max - mode));
      };
    }
    case 'normal':
      return (rng) => d.mean + d.sd * standardNormal(rng);
    case 'lognormal': {
      const sigma = Math.sqrt(Math.log(1 + (d.sd / d.mean) ** 2));
      const mu = Math.log(d.mean) - (sigma * sigma) / 2;
      return (rng) => Math.exp(mu + sigma * standardNormal(rng));
    }
    case 'weibull': {
      const { shape, scale } = d;
      const inv = 1 / shape;
      return (rng) => scale * Math.pow(-Math.log(1 - rng.next()), inv);
    }
  }
}

/** Mean of a distribution (for planning: expected durations, lead times). */
export function meanOf(d: Distribution): number {
  switch (d.dist) {
    case 'constant':
      return d.value;
    case 'exponential':
    case 'normal':
    case 'lognormal':
      return d.mean;
    case 'uniform':
      return (d.min + d.max) / 2;
    case 'triangular':
      return (d.min + d.mode + d.max) / 3;
    case 'weibull':
      return d.scale * gamma(1 + 1 / d.shape);
  }
}

/** Lanczos approximation of the gamma function (g = 7). */
function gamma(x: number): number {
  const p = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x));
  x -= 1;
  let a = p[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += p[i] / (x + i);
  return Math.sqrt(2 * Math.PI) * Math.pow(t, x + 0.5) * Math.exp(-t) * a;
}
