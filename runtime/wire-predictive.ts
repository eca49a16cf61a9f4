import { readFileSync } from 'node:fs';
import { Priority } from '../sim/clock/kernel.js';
import { meanOf } from '../sim/random/distributions.js';
import { HealthPredictor, type ModelExpectations, type TypeModels } from '../agents/maintenance/predictive/health-predictor.js';
import { ModelFileError } from '../agents/maintenance/predictive/rul-model.js';
import type { WindowCosts } from '../agents/maintenance/predictive/maintenance-window.js';
import type { PredictivePlanning } from '../agents/maintenance/maintenance-coordinator.js';
import { specFingerprint } from '../world/degradation/degradation-spec.js';
import type { Envelope } from '../agents/protocol/envelope.js';
import type { MachineType, Scenario } from '../scenarios/schema.js';
import { Address, type RunContext } from './context.js';
import { RunOptionError } from './run-option-error.js';
import type { MachineSpec } from './machines.js';
import { roundTo } from '../sim/stats/round.js';

/** Address of the plant's edge inference service. */
export const PREDICTOR = 'predictor';

/**
 * The predictive policy's inference: a service on the telemetry group that
 * keeps every predicted machine's window and, once per telemetry instant,
 * scores them all (one ONNX Runtime call per machine type) and sends each
 * `maintenance.prediction` to the coordinator. Returns what the coordinator
 * needs to turn predictions into services.
 */
export function wirePredictive(ctx: RunContext, machines: readonly MachineSpec[]): PredictivePlanning {
  const { scenario, kernel, bus, host } = ctx;
  const p = scenario.maintenance.predictive!;
  const watched = new Map(machines.filter((m) => p.models[m.type]).map((m) => [m.id, m.type]));
  const models = new Map<string, TypeModels>();
  const expectations = new Map<string, ModelExpectations>();
  for (const [type, files] of Object.entries(p.models)) {
    models.set(type, { rul: readModel(files.rul), anomaly: files.anomaly ? readModel(files.anomaly) : undefined, names: files });
    expectations.set(type, { spec: specFingerprint(scenario.machineTypes[type].degradation!), sampleInterval: scenario.maintenance.telemetryInterval });
  }
  const predictor = new HealthPredictor(watched, models, expectations);
  ctx.closers.push(() => predictor.close());

  let flushPending = false;
  const flush = () => {
    flushPending = false;
    for (const prediction of predictor.predict()) {
      const { rulHours, failureProbability, horizonHours, rulSpreadHours, components, anomaly, anomalyThreshold } = prediction;
      host.sendFrom(PREDICTOR, {
        type: 'send',
        to: Address.maintenance,
        message: 'maintenance.prediction',
        payload: {
          machine: prediction.machine,
          rulHours: roundTo(rulHours, 2),
          failureProbability: roundTo(failureProbability, 4),
          horizonHours,
          rulSpreadHours: roundTo(rulSpreadHours, 2),
          ...(components ? { components: Object.fromEntries(Object.entries(components).map(([c, p]) => [c, roundTo(p, 4)])) } : {}),
          ...(anomaly !== undefined ? { anomaly: roundTo(anomaly, 5), anomalyThreshold: roundTo(anomalyThreshold!, 5) } : {}),
        },
      });
    }
  };
  bus.attach(PREDICTOR, [Address.telemetry], (env: Envelope) => {
    if (env.type !== 'telemetry.sample') return;
    const { machine, signals } = env.payload as { machine: string; signals: Record<string, number> };
    if (!predictor.watches(machine)) return;
    predictor.observe(machine, env.time, signals);
    // Every sample of this instant is in before the batch runs (timers come after deliveries).
    if (!flushPending) {
      flushPending = true;
      kernel.after(0, flush, undefined, Priority.timer);
    }
  });

  const costs: Record<string, WindowCosts> = {};
  for (const [id, type] of watched) {
    const c = p.costs?.[type] ?? stopCosts(scenario, scenario.machineTypes[type]);
    // The window trade-off needs a failure to cost at least a planned stop.
    if (c.unplanned < c.planned) {
      throw new RunOptionError(`machine type "${type}": a failure (${Math.round(c.unplanned)}) would cost less than a planned service (${Math.round(c.planned)}) with its repair and service times; give maintenance.predictive.costs.${type}`);
    }
    costs[id] = c;
  }
  return { costs, leadHours: p.leadTime / 3600, stepHours: p.step / 3600, lookAheadHours: p.lookAhead / 3600 };
}

function readModel(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new ModelFileError(`${path}: cannot read the model (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/**
 * What a planned and an unplanned stop of a machine type cost on average:
 * the production lost while down (unit value × jobs per hour), the
 * technician's time, and the spare parts, over the mean service and the mean
 * repair time.
 */
export function stopCosts(scenario: Scenario, type: MachineType): WindowCosts {
  const lostPerHour = (type.unitValue * 3600) / meanOf(type.processTime);
  const perHour = lostPerHour + scenario.technicians.hourlyRate;
  const items = new Map(scenario.inventory?.items.map((i) => [i.id, i.unitCost]) ?? []);
  const parts = type.spareParts.reduce((sum, line) => sum + line.qty * (items.get(line.item) ?? 0), 0);
  const repairHours = meanOf(type.repairTime) / 3600;
  const serviceHours = meanOf(type.serviceTime ?? type.repairTime) / 3600;
  return { planned: serviceHours * perHour + parts, unplanned: repairHours * perHour + parts };
}
