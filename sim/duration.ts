/** Durations as people write them in scenarios and flags: `90s`, `15m`, `8h`, `30d`, `2w`, or seconds. */
const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, min: 60, h: 3600, d: 86400, w: 604800 };

export function parseDuration(text: string | number): number {
  if (typeof text === 'number') {
    if (!(text >= 0) || !Number.isFinite(text)) throw new Error(`duration must be a non-negative number of seconds, got ${text}`);
    return text;
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|min|m|h|d|w)?\s*$/.exec(text);
  if (!m) throw new Error(`"${text}" is not a duration (examples: 90s, 15m, 8h, 30d, 2w)`);
  return Number(m[1]) * UNITS[m[2] ?? 's'];
}

export function formatDuration(seconds: number): string {
  if (seconds >= 86400 && seconds % 86400 === 0) return `${seconds / 86400}d`;
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600}h`;
  return `${seconds}s`;
}
