import { Priority } from '../sim/clock/kernel.js';
import { sampler } from '../sim/random/distributions.js';
import { productionMachine } from '../agents/machine/production-machine.js';
import { technician } from '../agents/technician/technician.js';
import { maintenanceCoordinator } from '../agents/maintenance/maintenance-coordinator.js';
import type { MaintenancePolicy } from '../agents/maintenance/policies.js';
import type { Agent } from '../agents/host/agent-host.js';
import { MachineModel } from '../world/machines/machine-model.js';
import { DegradingMachine } from '../world/degradation/degrading-machine.js';
import { SENSOR_CHANNELS } from '../world/degradation/sensor-model.js';
import { Address, type RunContext } from './context.js';
import { expandMachines, technicianIds } from './machines.js';
import type { Kpis } from './kpis.js';
import { wirePredictive } from './wire-predictive.js';
import { roundTo } from '../sim/stats/round.js';

/**
 * The production floor and its upkeep: machines (world model + controller
 * agent), technicians, the maintenance coordinator, and the machines' sensors
 * publishing telemetry.
 */
export function wireMaintenance(ctx: RunContext, policy: MaintenancePolicy): void {
  const { scenario, kernel, streams, host, machines, work } = ctx;
  const specs = expandMachines(scenario);
  const machineAgents = new Map<string, Agent>();
  const technicianAgents = new Map<string, Agent>();

  for (const spec of specs) {
    const type = scenario.machineTypes[spec.type];
    const model = new MachineModel(
      {
        id: spec.id,
        place: spec.station,
        processTime: sampler(type.processTime),
        wear: type.degradation
          ? {
              degradation: new DegradingMachine(spec.id, type.degradation, kernel, {
                onset: (component) => streams.stream(`${spec.id}/onset/${component}`),
                sensor: streams.stream(`${spec.id}/sensors`),
              }),
            }
          : {
              timeToFailure: sampler(type.timeToFailure!),
              signal: type.signal && { ...type.signal },
            },
        repairTime: sampler(type.repairTime),
        preventiveTime: sampler(type.serviceTime ?? type.repairTime),
        unitValue: type.unitValue,
        jobs: ctx.jobs,
      },
      kernel,
      {
        job: streams.stream(`${spec.id}/job`),
        failure: streams.stream(`${spec.id}/failure`),
        repair: streams.stream(`${spec.id}/repair`),
        sensor: streams.stream(`${spec.id}/sensor`),
      },
    );
    machines.set(spec.id, model);
    const agent = host.spawn({
      id: spec.id,
      kind: 'machine',
      machine: productionMachine,
      input: { id: spec.id, maintenance: Address.maintenance },
      onEffect: (effect) => {
        if (effect.type === 'machine.start') model.start();
      },
    });
    machineAgents.set(spec.id, agent);
    model.listener = (obs) => agent.observe(obs);
  }

  const techIds = technicianIds(scenario);
  for (const id of techIds) {
    if (scenario.technicians.base) work.place(id, scenario.technicians.base);
    technicianAgents.set(
      id,
      host.spawn({
        id,
        kind: 'technician',
        machine: technician,
        input: { id, maintenance: Address.maintenance },
        onEffect: (effect) => {
          if (effect.type === 'work.begin') {
            const e = effect as unknown as { technician: string; machine: string; workOrder: string; kind: 'repair' | 'preventive' };
            work.beginWork({ technician: e.technician, machine: e.machine, workOrder: e.workOrder, kind: e.kind });
          }
        },
      }),
    );
  }
  work.listeners.technician = (id, obs) => technicianAgents.get(id)?.observe(obs);
  work.listeners.machine = (id, obs) => machineAgents.get(id)?.observe(obs);

  const m = scenario.maintenance;
  const predictive = policy === 'predictive' ? wirePredictive(ctx, specs) : undefined;
  host.spawn({
    id: Address.maintenance,
    kind: 'maintenance',
    groups: [Address.telemetry],
    machine: maintenanceCoordinator,
    input: {
      id: Address.maintenance,
      policy,
      technicians: techIds,
      machines: specs.map((s) => ({ id: s.id, parts: scenario.machineTypes[s.type].spareParts, station: s.station })),
      supply: scenario.inventory ? Address.supply : undefined,
      robotics: scenario.cobots ? Address.robotics : undefined,
      serviceIntervalSeconds: m.serviceInterval,
      threshold: m.threshold,
      predictive,
      alerts: predictive ? Address.operators : undefined,
    },
  });

  // Machines start producing at t = 0, each with a fresh wear clock.
  for (const model of machines.values()) {
    model.renew();
    model.start();
  }

  // Sensors: machines with a health signal publish it on the telemetry group.
  // Machines fed from outside (live MQTT or OPC UA) do not also sample their sensor model.
  const external = new Set(ctx.externalTelemetry ? specs.filter((s) => s.telemetryTopic || s.telemetryOpcua).map((s) => s.id) : []);
  const sensed = [...machines.values()].filter((mm) => (mm.params.wear.signal || mm.params.wear.degradation) && !external.has(mm.params.id));
  if (sensed.length > 0) {
    const sample = () => {
      for (const mm of sensed) {
        if (!mm.up) continue;
        host.sendFrom(mm.params.id, {
          type: 'send',
          to: Address.telemetry,
          message: 'telemetry.sample',
          payload: { machine: mm.params.id, signals: readings(mm) },
        });
      }
      kernel.after(m.telemetryInterval, sample, undefined, Priority.world);
    };
    kernel.after(m.telemetryInterval, sample, undefined, Priority.world);
  }

  ctx.kpis.push((now): Partial<Kpis> => machineKpis(ctx, now));
}

/** A machine's telemetry: every sensor channel of a degrading machine, or its one health signal. */
function readings(mm: MachineModel): Record<string, number> {
  const sample = mm.readSensors();
  if (sample) return Object.fromEntries(SENSOR_CHANNELS.map((c) => [c, roundTo(sample[c], 4)]));
  const reading = mm.readSignal()!;
  return { [reading.name]: roundTo(reading.value, 4) };
}

/** Downtime, throughput, OEE and labour cost from the floor's counters. */
function machineKpis(ctx: RunContext, now: number): Partial<Kpis> {
  let unplanned = 0;
  let planned = 0;
  let completed = 0;
  let scrapped = 0;
  for (const mm of ctx.machines.values()) {
    const d = mm.downSeconds(now);
    unplanned += d.unplanned;
    planned += d.planned;
    completed += mm.jobsCompleted(now);
    scrapped += mm.counters.jobsScrapped;
  }
  const total = ctx.machines.size * now;
  const availability = total > 0 ? 1 - (unplanned + planned) / total : 0;
  const quality = completed + scrapped > 0 ? completed / (completed + scrapped) : 1;
  let busy = ctx.work.counters.busySeconds;
  for (const job of ctx.work.active()) busy += Math.min(now, job.end) - job.start;
  return {
    unplannedDowntimeHours: unplanned / 3600,
    plannedDowntimeHours: planned / 3600,
    throughputUnits: completed,
    oee: availability * quality,
    maintenanceCost: (busy / 3600) * ctx.scenario.technicians.hourlyRate,
  };
}
