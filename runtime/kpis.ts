/**
 * The plant's key performance indicators, as `run --json` reports them. Every
 * run reports at least these; subsystems add their own (e.g. collisions).
 */
export interface Kpis {
  unplannedDowntimeHours: number;
  plannedDowntimeHours: number;
  throughputUnits: number;
  /** Availability × quality (the simulated machines run at nominal speed, so performance is 1). */
  oee: number;
  logisticsCost: number;
  inventoryCost: number;
  stockouts: number;
  maintenanceCost: number;
  [extra: string]: number;
}

export const CoreKpiNames = [
  'unplannedDowntimeHours',
  'plannedDowntimeHours',
  'throughputUnits',
  'oee',
  'logisticsCost',
  'inventoryCost',
  'stockouts',
  'maintenanceCost',
] as const;

/** Every core KPI at zero: the base subsystems' parts are added to. */
export function emptyKpis(): Kpis {
  return Object.fromEntries(CoreKpiNames.map((k) => [k, 0])) as Kpis;
}

/** A subsystem's part of the KPIs, computed at the end of the run (`now` is the horizon). */
export type KpiContributor = (now: number) => Partial<Kpis>;

/** Adds contributions up: numbers under the same name are summed. */
export function combineKpis(base: Kpis, parts: Partial<Kpis>[]): Kpis {
  const out: Kpis = { ...base };
  for (const p of parts) {
    for (const [k, v] of Object.entries(p)) {
      if (v !== undefined) out[k] = (out[k] ?? 0) + v;
    }
  }
  return out;
}
