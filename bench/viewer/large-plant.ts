import { ScenarioSchema, type Scenario } from '../../scenarios/schema.js';
import { warehouse } from '../physics/warehouse.js';

/**
 * The viewer benchmark's plant: the physics benchmark's warehouse grown for
 * `cobots` cobots, plus `machines` machines of three kinds on the production
 * floor beside it, each with a vibration signal sampled every 10 minutes and
 * serviced on condition. What the page must draw at the size
 * (200 cobots, 500 machines).
 */
export function largePlant(cobots: number, machines: number, seed = 1): Scenario {
  const base = warehouse(cobots, seed);
  const kinds = ['press', 'cnc', 'mill'] as const;
  const per = Math.ceil(machines / kinds.length);
  const counts = kinds.map((_, i) => Math.max(0, Math.min(per, machines - i * per)));
  const type = (scale: string, baseline: number) => ({
    processTime: { dist: 'exponential', mean: '5m' },
    timeToFailure: { dist: 'weibull', shape: 2.2, scale },
    repairTime: { dist: 'lognormal', mean: '8h', sd: '3h' },
    serviceTime: { dist: 'lognormal', mean: '2h', sd: '30m' },
    signal: { name: 'vibration', unit: 'mm/s', baseline, rise: 8, exponent: 2.5, noiseSd: 0.3 },
    unitValue: 20,
  });
  return ScenarioSchema.parse({
    ...base,
    name: `large-plant-${cobots}x${machines}`,
    horizon: '30d',
    machineTypes: { press: type('9d', 1.8), cnc: type('7d', 1.5), mill: type('11d', 2) },
    machines: kinds.flatMap((k, i) => (counts[i] > 0 ? [{ id: k, type: k, count: counts[i] }] : [])),
    technicians: { count: 20, base: base.layout.places[0].id, hourlyRate: 60, walkingSpeed: 1.2 },
    maintenance: { policy: 'condition-based', threshold: { signal: 'vibration', value: 7.1 }, telemetryInterval: '10m' },
    ledger: { enabled: true },
  });
}
