import { z } from 'zod';
import { DurationDistribution } from '../../../sim/duration-schema.js';

/**
 * Lead times as an ERP export writes them in one cell: a duration (`3d`) or
 * a distribution call with duration arguments (`normal(3d, 0.5d)`). The text
 * maps onto the scenarios' DurationDistribution; JSON may give that object
 * directly.
 *
 * | text | distribution |
 * | --- | --- |
 * | `3d`, `72h`, `259200` | constant |
 * | `constant(3d)` | constant |
 * | `exponential(3d)` | exponential, mean |
 * | `uniform(2d, 4d)` | uniform, min, max |
 * | `triangular(2d, 3d, 5d)` | triangular, min, mode, max |
 * | `normal(3d, 0.5d)` | normal, mean, sd |
 * | `lognormal(3d, 1d)` | lognormal, mean, sd |
 * | `weibull(1.5, 4d)` | weibull, shape (a number), scale |
 */
const PARAMS: Record<string, readonly string[]> = {
  constant: ['value'],
  exponential: ['mean'],
  uniform: ['min', 'max'],
  triangular: ['min', 'mode', 'max'],
  normal: ['mean', 'sd'],
  lognormal: ['mean', 'sd'],
  weibull: ['shape', 'scale'],
};

export const LEAD_TIME_SYNTAX = 'a duration (3d) or constant(3d), exponential(3d), uniform(2d,4d), triangular(2d,3d,5d), normal(3d,0.5d), lognormal(3d,1d), weibull(1.5,4d)';

/** The distribution object a lead-time text stands for, or why it stands for none. */
export function parseLeadTimeText(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; message: string } {
  const t = text.trim();
  const call = /^([a-z]+)\s*\((.*)\)$/i.exec(t);
  if (!call) {
    if (/^[\d.]+\s*[a-z]*$/i.test(t)) return { ok: true, value: { dist: 'constant', value: /^[\d.]+$/.test(t) ? Number(t) : t } };
    return { ok: false, message: `"${text}" is not a lead time: write ${LEAD_TIME_SYNTAX}` };
  }
  const name = call[1].toLowerCase();
  // Own names only: "constructor(3d)" or "toString(1)" found Object.prototype's functions and threw a TypeError.
  const params = Object.hasOwn(PARAMS, name) ? PARAMS[name] : undefined;
  if (!params) return { ok: false, message: `unknown distribution "${call[1]}" (one of ${Object.keys(PARAMS).join(', ')})` };
  const args = call[2].split(',').map((a) => a.trim());
  if (args.length !== params.length || args.some((a) => a === '')) {
    return { ok: false, message: `${name}(…) takes ${params.length} argument${params.length > 1 ? 's' : ''} (${params.join(', ')}), got "${call[2].trim()}"` };
  }
  const value: Record<string, unknown> = { dist: name };
  params.forEach((p, i) => {
    const a = args[i];
    // A bare number stays a number (seconds, or weibull's shape); text with a unit is a duration.
    value[p] = /^[+-]?\d+(\.\d+)?$/.test(a) ? Number(a) : a;
  });
  return { ok: true, value };
}

/** A supplier's lead time: the text form above, a number of seconds, or a DurationDistribution object. */
export const LeadTime = z
  .preprocess((raw, ctx) => {
    if (typeof raw === 'number') return { dist: 'constant', value: raw };
    if (typeof raw !== 'string') return raw;
    const parsed = parseLeadTimeText(raw);
    if (parsed.ok) return parsed.value;
    ctx.addIssue({ code: 'custom', message: parsed.message });
    return z.NEVER;
  }, DurationDistribution)
  .describe(`Lead time from order to shipment: ${LEAD_TIME_SYNTAX}, or a distribution object {dist, …} with seconds or durations.`);
