/**
 * When a machine's reading is critical at the edge. The plant's predictive
 * models (ONNX, with a window of history and the scenario's degradation
 * fingerprint) do not run in an agent host; the host applies the rule the
 * plant's condition-based policy uses instead (`maintenance.threshold`: a
 * signal at or past its value), one limit per channel.
 */
export interface CriticalLimit {
  channel: string;
  /** A reading at or past this is critical. */
  value: number;
}

export interface CriticalReading extends CriticalLimit {
  /** What the channel read. */
  reading: number;
}

/** `vibRms>=12,temperature>=95` → limits; a one-line reason naming the bad part otherwise. */
export function parseCriticalLimits(text: string): { ok: true; limits: CriticalLimit[] } | { ok: false; reason: string } {
  const limits: CriticalLimit[] = [];
  for (const part of text.split(',').map((p) => p.trim())) {
    const m = /^([A-Za-z][A-Za-z0-9_]{0,63})\s*>=\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)$/i.exec(part);
    if (!m) return { ok: false, reason: `"${part}" is not CHANNEL>=NUMBER (e.g. vibRms>=12)` };
    if (limits.some((l) => l.channel === m[1])) return { ok: false, reason: `channel "${m[1]}" has two limits` };
    limits.push({ channel: m[1], value: Number(m[2]) });
  }
  return { ok: true, limits };
}

/** The first channel of `signals` at or past its limit, if any. */
export function criticalReading(limits: readonly CriticalLimit[], signals: Readonly<Record<string, number>>): CriticalReading | undefined {
  for (const l of limits) {
    const v = signals[l.channel];
    if (typeof v === 'number' && Number.isFinite(v) && v >= l.value) return { ...l, reading: v };
  }
  return undefined;
}
