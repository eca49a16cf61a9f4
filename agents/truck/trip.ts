/**
 * What a delivery trip costs a truck: drive to the pickup, to the dropoff and
 * back to the depot. Distances come from a table the wiring derives from the
 * floor plan (plain data: the agent never sees the world's layout), so the
 * quote and the world's actual driving agree by construction.
 */
export type DistanceTable = Record<string, Record<string, number>>;

export interface TruckRates {
  /** m/s */
  speed: number;
  costPerKm: number;
  costPerHour: number;
}

export interface TripQuote {
  /** Metres over the whole trip, return included. */
  metres: number;
  /** Seconds from now until the parts are at the dropoff. */
  deliverSeconds: number;
  /** Seconds of driving over the whole trip. */
  driveSeconds: number;
  cost: number;
}

/** Metres between two places of the table; undefined when the table does not know the pair. */
export function distance(table: DistanceTable, a: string, b: string): number | undefined {
  if (a === b) return 0;
  return table[a]?.[b] ?? table[b]?.[a];
}

/** Cost of driving `metres` in `seconds`: distance·costPerKm/1000 + hours·costPerHour. */
export function driveCost(rates: TruckRates, metres: number, seconds: number): number {
  return (metres / 1000) * rates.costPerKm + (seconds / 3600) * rates.costPerHour;
}

/** The quote for a trip from `at` via `from` and `to` back to `depot`, or undefined if a place is unknown. */
export function quoteTrip(table: DistanceTable, rates: TruckRates, at: string, from: string, to: string, depot: string): TripQuote | undefined {
  const toPickup = distance(table, at, from);
  const loaded = distance(table, from, to);
  const back = distance(table, to, depot);
  if (toPickup === undefined || loaded === undefined || back === undefined) return undefined;
  const metres = toPickup + loaded + back;
  const driveSeconds = metres / rates.speed;
  return { metres, deliverSeconds: (toPickup + loaded) / rates.speed, driveSeconds, cost: driveCost(rates, metres, driveSeconds) };
}
