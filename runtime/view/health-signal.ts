import type { DegradationSpec } from '../../world/degradation/degradation-spec.js';
import { noSeverities, SENSOR_CHANNELS, sensorReading, steadyTemperature, type SensorChannel } from '../../world/degradation/sensor-model.js';

const CHANNEL_UNITS: Record<SensorChannel, string> = {
  vibRms: 'mm/s',
  vibKurtosis: '',
  bandBearing: '',
  band1x: '',
  band2x: '',
  temperature: '°C',
  powerKw: 'kW',
  acousticDb: 'dB',
  load: '',
};

/**
 * The channel a degrading machine's health is read from: the one the
 * condition-based threshold watches, else vibration RMS; its healthy
 * baseline is the noise-free reading of a new machine at full load, its
 * alarm level the threshold (or four times the baseline: ISO 10816's
 * zone D is about that far above a good machine).
 */
export function degradationSignal(spec: DegradationSpec, threshold: { signal: string; value: number } | undefined): { name: string; unit: string; baseline: number; rise: number } {
  const name = (threshold && (SENSOR_CHANNELS as readonly string[]).includes(threshold.signal) ? threshold.signal : 'vibRms') as SensorChannel;
  const healthy = sensorReading(spec, 1, noSeverities(), steadyTemperature(spec, 1, noSeverities()));
  const baseline = healthy[name];
  return { name, unit: CHANNEL_UNITS[name], baseline, rise: threshold?.signal === name ? threshold.value - baseline : 3 * baseline };
}
