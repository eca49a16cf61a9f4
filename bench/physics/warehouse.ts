import { ScenarioSchema, type Scenario } from '../../scenarios/schema.js';

/**
 * A warehouse for `n` cobots, grown with the fleet: one aisle 4 m wide
 * between double-deep racks per 5 cobots, a rack face on each aisle, a
 * goods-to-person station per two aisles on the west side, a charger per 4
 * cobots along the north wall, rows of parking along the south wall with a
 * cell for every cobot. Tasks keep the fleet about 40 % busy.
 */
export function warehouse(n: number, seed = 1): Scenario {
  const aisles = Math.max(2, Math.ceil(n / 5));
  const width = 60;
  const rackTop = 6;
  const racksEnd = rackTop + 6 * aisles + 2;
  const parkingRows = Math.ceil(n / 40);
  const height = racksEnd + 3 + 2 * parkingRows;
  const places: { id: string; kind: string; x: number; y: number }[] = [];
  const obstacles: { x: number; y: number; width: number; height: number }[] = [];
  const stations = Math.ceil(aisles / 2);
  for (let s = 0; s < stations; s++) places.push({ id: `station-${s + 1}`, kind: 'station', x: 2, y: rackTop + 2 + 12 * s });
  const chargers = Math.ceil(n / 4);
  for (let c = 0; c < chargers; c++) places.push({ id: `charger-${c + 1}`, kind: 'charger', x: 6 + (c % 48), y: 1 + 2 * Math.floor(c / 48) });
  // Rack rows at y = rackTop + 6k (2 deep); aisle k runs between rows k and k + 1.
  for (let k = 0; k <= aisles; k++) obstacles.push({ x: 12, y: rackTop + 6 * k - 2, width: 36, height: 2 });
  const tasks = [];
  // 40 % of n cobots busy, a task taking about 150 s of a cobot.
  const mean = aisles / ((0.4 * n) / 150);
  for (let k = 0; k < aisles; k++) {
    const face = { id: `rack-${k + 1}`, kind: 'storage', x: 14 + ((k * 7) % 32), y: rackTop + 6 * k + (k % 2 === 0 ? 0 : 3) };
    places.push(face);
    tasks.push({ id: `pick-${k + 1}`, from: face.id, to: `station-${Math.floor(k / 2) + 1}`, interarrival: { dist: 'exponential', mean }, handlingTime: { dist: 'uniform', min: 10, max: 30 } });
  }
  return ScenarioSchema.parse({
    name: `warehouse-${n}`,
    seed,
    horizon: '1h',
    layout: { places },
    floor: { width, height, obstacles, parking: Array.from({ length: parkingRows }, (_, r) => ({ x: 10, y: height - 1 - 2 * r, width: 40, height: 1 })) },
    machineTypes: { belt: { processTime: { dist: 'constant', value: 60 }, timeToFailure: { dist: 'constant', value: '1000d' }, repairTime: { dist: 'constant', value: 60 } } },
    machines: [{ id: 'belt', type: 'belt', station: 'station-1' }],
    technicians: { count: 1 },
    cobots: { count: n, homes: places.filter((p) => p.kind === 'station').map((p) => p.id), speed: 1, batteryWh: 1000, drainWhPerMetre: 0.02, idleDrainW: 10, chargeW: 1000, radius: 0.3, mass: 80, maxAcceleration: 1 },
    tasks,
    ledger: { enabled: false },
  });
}
