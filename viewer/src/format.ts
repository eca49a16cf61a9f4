/** Text for simulated time, numbers and hashes, shared by every panel. */

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Simulated seconds as "day 3, 14:05" (day 1 starts at t = 0). */
export function simTime(t: number): string {
  const s = Math.max(0, Math.floor(t));
  const day = Math.floor(s / 86400) + 1;
  const rest = s % 86400;
  return `day ${day}, ${pad2(Math.floor(rest / 3600))}:${pad2(Math.floor((rest % 3600) / 60))}`;
}

/** Compact "d3 14:05" for chart axes. */
export function simTimeShort(t: number): string {
  const s = Math.max(0, Math.floor(t));
  const rest = s % 86400;
  return `d${Math.floor(s / 86400) + 1} ${pad2(Math.floor(rest / 3600))}:${pad2(Math.floor((rest % 3600) / 60))}`;
}

export function speed(x: number): string {
  return `×${Number.isInteger(x) ? x : x.toFixed(2)}`;
}

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });

export function num(x: number | undefined, digits = 0): string {
  if (x === undefined || !Number.isFinite(x)) return '—';
  if (digits === 1) return oneDecimal.format(x);
  if (digits > 0) return x.toFixed(digits);
  return grouped.format(x);
}

/**
 * An amount (money, in no particular currency) in thousands once it is
 * large: "143", "9,870", "12.3 k", "1.25 M".
 */
export function compact(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '—';
  const a = Math.abs(x);
  if (a < 10_000) return grouped.format(x);
  if (a < 999_500) return `${(x / 1e3).toFixed(a < 99_950 ? 1 : 0)} k`;
  if (a < 999_950_000) return `${(x / 1e6).toFixed(a < 9_995_000 ? 2 : 1)} M`;
  return `${(x / 1e9).toFixed(2)} G`;
}

export function hours(h: number | undefined): string {
  if (h === undefined || !Number.isFinite(h)) return '—';
  return h >= 100 ? `${grouped.format(h)} h` : `${h.toFixed(1)} h`;
}

/** A ratio in [0, 1] (or already a percentage) as "87.3 %". */
export function percent(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '—';
  const p = Math.abs(x) <= 1 ? x * 100 : x;
  return `${p.toFixed(1)} %`;
}

/** Seconds as the largest sensible unit: "45 s", "12 min", "3.5 h", "2.1 d". */
export function duration(s: number): string {
  if (!Number.isFinite(s)) return '—';
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} d`;
}

export function shortHash(h: string): string {
  const body = h.startsWith('0x') ? h.slice(2) : h;
  const prefix = h.startsWith('0x') ? '0x' : '';
  return body.length > 14 ? `${prefix}${body.slice(0, 8)}…${body.slice(-4)}` : h;
}

/** An Ack's value as one line of text. */
export function ackValue(v: unknown): string {
  if (v === undefined || v === null) return 'done';
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}
