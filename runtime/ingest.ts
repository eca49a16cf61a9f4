import { SENSOR_CHANNELS } from '../world/degradation/sensor-model.js';
import type { MachineModel } from '../world/machines/machine-model.js';
import { Address, type RunContext } from './context.js';

/** The sensor channels a machine reports: the degradation model's nine, its one health signal, or none. */
export function telemetryChannels(model: Pick<MachineModel, 'params'>): readonly string[] {
  return model.params.wear.degradation ? SENSOR_CHANNELS : model.params.wear.signal ? [model.params.wear.signal.name] : [];
}

/**
 * Telemetry from outside the simulation (a real sensor through MQTT) enters
 * the run as the machine's own `telemetry.sample`, at the kernel's current
 * time, so everything downstream (condition thresholds, the predictor, the
 * viewer, the log) treats it like the sensor model's. Checked first: a
 * known machine, channels that machine has, finite numbers.
 */
export function ingestTelemetry(ctx: RunContext, machine: string, signals: Readonly<Record<string, unknown>>): { ok: true } | { ok: false; reason: string } {
  const model = ctx.machines.get(machine);
  if (!model) return { ok: false, reason: `unknown machine "${machine}"` };
  const channels = telemetryChannels(model);
  const entries = Object.entries(signals);
  if (entries.length === 0) return { ok: false, reason: 'no signals' };
  for (const [name, value] of entries) {
    if (!channels.includes(name)) return { ok: false, reason: `"${name}" is not a channel of ${machine} (channels: ${channels.join(', ') || 'none'})` };
    if (typeof value !== 'number' || !Number.isFinite(value)) return { ok: false, reason: `${name} must be a finite number, got ${JSON.stringify(value)}` };
  }
  ctx.host.sendFrom(machine, { type: 'send', to: Address.telemetry, message: 'telemetry.sample', payload: { machine, signals: signals as Record<string, number> } });
  return { ok: true };
}
