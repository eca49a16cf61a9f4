import { parse } from 'yaml';
import { parseDegradationSpec, type DegradationSpec, type DegradationSpecInput } from './degradation-spec.js';

/** Shared by the degradation tests: the documented turbine example, as a scenario would write it. */
export const TURBINE_YAML = `
degradation:
  ratedSpeedRpm: 1500
  ratedPowerKw: 250
  ambientC: 25
  thermal: { riseC: 45, timeConstant: 30m }
  components:
    - id: bearing
      onset: { dist: weibull, shape: 2.5, scale: 20d }
      progression: { rate: 0.02/d, exponent: 1.8, initial: 0.2, loadExponent: 3 }
    - id: rotor-balance
      mode: imbalance
      onset: { dist: weibull, shape: 2, scale: 40d }
      progression: { rate: 0.03/d, exponent: 1.2, initial: 0.3 }
    - id: cooling
      onset: { dist: weibull, shape: 1.5, scale: 30d }
      progression: { rate: 0.04/d, exponent: 1, initial: 0.3 }
      failAt: 0.8
  noise: { vibration: 0.05, temperature: 0.4, power: 0.01, acoustic: 0.3 }
`;

export function turbineSpec(): DegradationSpec {
  return parseDegradationSpec((parse(TURBINE_YAML) as { degradation: unknown }).degradation);
}

/** A spec with one component of the given mode and, unless asked, no sensor noise. */
export function singleComponentSpec(mode: 'bearing' | 'imbalance' | 'misalignment' | 'cooling', extra: Partial<DegradationSpecInput> = {}): DegradationSpec {
  return parseDegradationSpec({
    ratedPowerKw: 250,
    components: [{ id: mode, onset: { dist: 'constant', value: '2d' }, progression: { rate: '0.05/d', exponent: 1.8 } }],
    noise: { vibration: 0, temperature: 0, power: 0, acoustic: 0 },
    ...extra,
  });
}
