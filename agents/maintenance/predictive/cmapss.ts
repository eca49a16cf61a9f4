import { readFileSync } from 'node:fs';

/**
 * NASA's C-MAPSS turbofan data (Saxena et al. 2008): one row per engine per
 * cycle, 26 space-separated numbers: unit, cycle, 3 operational settings, 21
 * sensors. The standard protocol keeps the 14 sensors that change with wear
 * (the others are constant or nearly so in FD001/FD003).
 */
export const INFORMATIVE_SENSORS = [2, 3, 4, 7, 8, 9, 11, 12, 13, 14, 15, 17, 20, 21] as const;

/** One engine's trajectory: the informative sensors, one row per cycle, cycles 1..n in order. */
export interface Trajectory {
  unit: number;
  rows: number[][];
  /** Index of the component whose failure ended it (simulated fleets; C-MAPSS does not say). */
  failedComponent?: number;
}

export class CmapssError extends Error {
  override name = 'CmapssError';
}

/** Parses a C-MAPSS file (train or test); every defect is named with file and line. */
export function parseCmapss(text: string, file: string, sensors: readonly number[] = INFORMATIVE_SENSORS): Trajectory[] {
  const units = new Map<number, number[][]>();
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const where = `${file}:${i + 1}`;
    const cols = line.split(/\s+/).map(Number);
    if (cols.length !== 26) throw new CmapssError(`${where}: expected 26 numbers (unit, cycle, 3 settings, 21 sensors), found ${cols.length}`);
    const bad = cols.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new CmapssError(`${where}: column ${bad + 1} is not a number`);
    const [unit, cycle] = cols;
    if (!Number.isInteger(unit) || unit < 1) throw new CmapssError(`${where}: unit must be a positive integer, got ${unit}`);
    const rows = units.get(unit) ?? [];
    if (cycle !== rows.length + 1) throw new CmapssError(`${where}: unit ${unit} jumps to cycle ${cycle} after ${rows.length}`);
    rows.push(sensors.map((s) => cols[4 + s]));
    units.set(unit, rows);
  });
  if (units.size === 0) throw new CmapssError(`${file}: no data`);
  return [...units].sort((a, b) => a[0] - b[0]).map(([unit, rows]) => ({ unit, rows }));
}

export function readCmapss(path: string, sensors?: readonly number[]): Trajectory[] {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (e) {
    throw new CmapssError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseCmapss(text, path, sensors);
}
