/** Durations as people write them in scenarios and flags: `90s`, `15m`, `8h`, `30d`, `2w`, or seconds. */
const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, min: 60, h: 3600, d: 86400, w: 604800 };

export function parseDuration(text: string | number): number {
  if (typeof text === 'number') {
    if (!(text >= 0) || !Number.isFinite(text)) throw new Error(`duration must be a non-negative number of seconds, got ${text}`);
    return text;
  }
  // Trimmed first: `\s*…\s*$` backtracked quadratically on long runs of spaces.
  const m = /^(\d+(?:\.\d+)?)[ \t]*(ms|s|min|m|h|d|w)?$/.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a duration (examples: 90s, 15m, 8h, 30d, 2w)`);
  const seconds = Number(m[1]) * UNITS[m[2] ?? 's'];
  if (!Number.isFinite(seconds)) throw new Error(`"${text}" is too large for a duration`);
  return seconds;
}

export function formatDuration(seconds: number): string {
  if (seconds >= 86400 && seconds % 86400 === 0) return `${seconds / 86400}d`;
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600}h`;
  return `${seconds}s`;
}
