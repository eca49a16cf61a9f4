/**
 * The roads as a truck knows them: metres between the places it may drive
 * to, as a table the wiring derives from the floor plan (plain data: the
 * agent never sees the world's layout), so the truck's quotes and the
 * world's actual driving agree by construction.
 */
export type DistanceTable = Record<string, Record<string, number>>;

export interface TruckRates {
  /** m/s */
  speed: number;
  costPerKm: number;
  costPerHour: number;
}

/** Metres between two places of the table; undefined when the table does not know the pair. */
export function distance(table: DistanceTable, a: string, b: string): number | undefined {
  if (a === b) return 0;
  return table[a]?.[b] ?? table[b]?.[a];
}
