import type { RandomStream } from '../../sim/random/stream.js';
import type { DegradationSpec, FaultMode } from './degradation-spec.js';

/**
 * Sensor physics: from hidden fault severities (wear per fault mode), load and
 * temperature state to the features a condition-monitoring system reports.
 * Vibration is velocity in mm/s (ISO 10816-3, large rigid machines: zone A
 * < 2.3, B < 4.5, C < 7.1, D beyond), so a healthy machine at full load reads
 * about 1.4 mm/s and a worn-out one 6–8 mm/s. Each fault mode has its own
 * signature so models can tell them apart:
 *
 * - bearing: impacts at the defect frequency (BPFO) — bandBearing and kurtosis
 *   rise early while RMS barely moves; late, the damage spreads into broadband
 *   noise and looseness (2×), RMS climbs and kurtosis falls back; friction
 *   heats and draws power; it is the loudest.
 * - imbalance: centrifugal force at 1× shaft speed, independent of load.
 * - misalignment: 2× (and some 1×) forces scaling with transmitted torque.
 * - cooling: fouled fan or heat exchanger; temperature only.
 */

/** Channel order of windows and matrices (the models' input layout). */
export const SENSOR_CHANNELS = ['vibRms', 'vibKurtosis', 'bandBearing', 'band1x', 'band2x', 'temperature', 'powerKw', 'acousticDb', 'load'] as const;
export type SensorChannel = (typeof SENSOR_CHANNELS)[number];

/** The features of one sample. */
export type SensorReading = Record<SensorChannel, number>;

/** One sample of one machine at simulated time t (seconds). */
export interface SensorSample extends SensorReading {
  t: number;
  machine: string;
}

/** Fault severity (wear in [0, 1]) per mode; several components of a mode count by the worst. */
export type Severities = Record<FaultMode, number>;

export const noSeverities = (): Severities => ({ bearing: 0, imbalance: 0, misalignment: 0, cooling: 0 });

/** Accelerometer noise floor, mm/s: what a stopped machine reads. */
const FLOOR = 0.03;
/** Hall background noise, dB(A). */
const BACKGROUND_DB = 50;
/** Excess kurtosis of the first, sharpest impacts of a bearing defect, and how fast it fades as the defect spreads. */
const KURT_MAX = 25;
const KURT_FADE = 0.4;
/** Share of the impacts' amplitude inside the ISO 10–1000 Hz band of the overall RMS. */
const IMPACT_IN_RMS = 0.5;

/**
 * Steady-state temperature (°C): heat ∝ iron and friction losses plus load
 * losses (∝ load²), plus friction of a worn bearing or misaligned coupling;
 * a fouled cooler removes less of it, so the rise over ambient grows by
 * 1 / (1 − 0.65 · cooling wear).
 */
export function steadyTemperature(spec: DegradationSpec, load: number, s: Severities): number {
  if (load <= 0) return spec.ambientC;
  const heat = 0.3 + 0.7 * load * load + 0.5 * s.bearing * (0.5 + 0.5 * load) + 0.25 * s.misalignment;
  return spec.ambientC + (spec.thermal.riseC * heat) / (1 - 0.65 * s.cooling);
}

/** First-order thermal lag over dt seconds at a constant steady state (exact). */
export function relaxTemperature(temperature: number, steady: number, dt: number, timeConstant: number): number {
  if (dt <= 0) return temperature;
  return steady + (temperature - steady) * Math.exp(-dt / timeConstant);
}

/**
 * The features of one sample. With `rng`, every channel gets its own noise
 * draw in a fixed order (so the stream stays aligned whatever the values);
 * without, the noise-free expectation (for tests and plots).
 */
export function sensorReading(spec: DegradationSpec, load: number, s: Severities, temperature: number, rng?: RandomStream): SensorReading {
  const running = load > 0;
  const b = s.bearing;
  let band1x = FLOOR;
  let band2x = FLOOR;
  let broadband = FLOOR;
  let bearingBase = FLOOR;
  let impacts = 0;
  let powerKw = 0;
  let acousticDb = BACKGROUND_DB;
  if (running) {
    const torque = 0.5 + 0.5 * load;
    // Residual imbalance is centrifugal (speed, not load); a shedding or fouled rotor adds to it.
    band1x = 1.0 + 6 * s.imbalance + 1.5 * s.misalignment * torque;
    // 2×: misalignment under torque, and looseness of a late bearing fault.
    band2x = 0.35 * (0.6 + 0.4 * load) + 4.5 * s.misalignment * torque + 1.2 * b * b;
    // Broadband: flow and friction; a spalled bearing spreads into it late (∝ w²).
    broadband = 0.5 + 0.4 * load + 6 * b * b * torque;
    bearingBase = 0.08 * torque;
    // Impacts at BPFO grow fast early (∝ w^0.7) and with the rolling-element force.
    impacts = 3.5 * b ** 0.7 * (0.4 + 0.6 * load);
    // Electrical input: fixed losses + load, plus friction of worn parts.
    powerKw = spec.ratedPowerKw * (0.05 + 0.95 * load + 0.08 * b * load + 0.04 * s.misalignment + 0.01 * s.imbalance);
    // Machine sound, energy-added to the hall background; bearings are the loud fault.
    const machineDb = 72 + 12 * load + 10 * Math.log10(1 + 12 * b ** 1.2 + 2 * s.misalignment + 0.3 * s.imbalance);
    acousticDb = 10 * Math.log10(10 ** (BACKGROUND_DB / 10) + 10 ** (machineDb / 10));
  }
  const bandBearing = Math.sqrt(bearingBase * bearingBase + impacts * impacts);
  // Overall RMS over the ISO 10–1000 Hz band: the early impacts ring mostly above it, so only
  // part of their energy (IMPACT_IN_RMS²) counts; the spread late damage (broadband) does fully.
  const inBand = IMPACT_IN_RMS * impacts;
  const vibRms = Math.sqrt(FLOOR * FLOOR + band1x * band1x + band2x * band2x + broadband * broadband + bearingBase * bearingBase + inBand * inBand);
  // Kurtosis of the high-passed signal: Gaussian noise (3) plus an impact train whose excess
  // kurtosis fades as the defect spreads; a sum's excess is Σκ·σ⁴ / (Σσ²)², diluted by the noise.
  const share = (impacts * impacts) / (impacts * impacts + bearingBase * bearingBase + broadband * broadband);
  const vibKurtosis = 3 + KURT_MAX * Math.exp(-b / KURT_FADE) * share * share;

  if (!rng) return { vibRms, vibKurtosis, bandBearing, band1x, band2x, temperature, powerKw, acousticDb, load };
  const n = spec.noise;
  // Eight standard normals from four Box–Muller pairs, always in this order.
  const z = normals(rng);
  // Multiplicative (log-normal) noise keeps vibration and power positive.
  return {
    vibRms: vibRms * Math.exp(n.vibration * z[0]),
    vibKurtosis: Math.max(1, vibKurtosis * (1 + n.vibration * z[1])),
    bandBearing: bandBearing * Math.exp(n.vibration * z[2]),
    band1x: band1x * Math.exp(n.vibration * z[3]),
    band2x: band2x * Math.exp(n.vibration * z[4]),
    temperature: temperature + n.temperature * z[5],
    powerKw: powerKw * Math.exp(n.power * z[6]),
    acousticDb: acousticDb + n.acoustic * z[7],
    load,
  };
}

const Z = new Float64Array(8);

/**
 * Eight independent standard normals: Box–Muller uses both the cosine and the
 * sine of each pair of uniforms (half the draws of one-variate Box–Muller).
 * Nothing is cached between calls, so a checkpointed stream restores exactly.
 */
function normals(rng: RandomStream): Float64Array {
  for (let i = 0; i < 8; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rng.next()));
    const phi = 2 * Math.PI * rng.next();
    Z[i] = r * Math.cos(phi);
    Z[i + 1] = r * Math.sin(phi);
  }
  return Z;
}

/** Writes a sample's channels, in `SENSOR_CHANNELS` order, into `out` at `offset`. */
export function writeChannels(r: SensorReading, out: Float32Array, offset = 0): void {
  for (let i = 0; i < SENSOR_CHANNELS.length; i++) out[offset + i] = r[SENSOR_CHANNELS[i]];
}

/** Samples as a row-major matrix (rows × SENSOR_CHANNELS). */
export function toMatrix(samples: readonly SensorReading[]): Float32Array {
  const out = new Float32Array(samples.length * SENSOR_CHANNELS.length);
  samples.forEach((s, i) => writeChannels(s, out, i * SENSOR_CHANNELS.length));
  return out;
}
