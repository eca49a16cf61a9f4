import { z } from 'zod';
import { parseDuration } from './duration.js';
import { DistributionSchema } from './random/distributions.js';

/** A duration in a file: seconds, or a string with a unit (`90s`, `15m`, `8h`, `30d`). */
export const Duration = z.union([z.number(), z.string()]).transform((v, ctx) => {
  try {
    return parseDuration(v);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
    return z.NEVER;
  }
});

const DURATION_FIELDS = ['value', 'mean', 'sd', 'min', 'max', 'mode', 'scale'];

/** A distribution of durations: its time parameters may carry units (`scale: 8h`). */
export const DurationDistribution = z.preprocess((raw, ctx) => {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const out: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  for (const key of DURATION_FIELDS) {
    if (typeof out[key] !== 'string') continue;
    try {
      out[key] = parseDuration(out[key] as string);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message, path: [key] });
    }
  }
  return out;
}, DistributionSchema);
