import type { Scenario } from '../scenarios/schema.js';

export interface MachineSpec {
  id: string;
  type: string;
  station?: string;
  /** Where a live run reads this machine's telemetry (MQTT), if not from its sensor model. */
  telemetryTopic?: string;
  /** Where a live run reads this machine's telemetry over OPC UA: the server and the machine's name under its Machines folder. */
  telemetryOpcua?: { endpoint: string; machine: string };
}

/** The scenario's machines one by one: a group with `count` becomes `<id>-1 … <id>-<count>`. */
export function expandMachines(scenario: Scenario): MachineSpec[] {
  const spec = (id: string, g: Scenario['machines'][number]): MachineSpec => ({
    id,
    type: g.type,
    station: g.station,
    ...(g.telemetryTopic ? { telemetryTopic: g.telemetryTopic.replaceAll('{id}', id) } : {}),
    ...(g.telemetryOpcua ? { telemetryOpcua: { endpoint: g.telemetryOpcua.endpoint.replaceAll('{id}', id), machine: (g.telemetryOpcua.machine ?? id).replaceAll('{id}', id) } } : {}),
  });
  return scenario.machines.flatMap((g) => (g.count === undefined ? [spec(g.id, g)] : Array.from({ length: g.count }, (_, i) => spec(`${g.id}-${i + 1}`, g))));
}

/** Cobot ids, `<idPrefix>-<n>`; none when the scenario has no cobots. */
export function cobotIds(scenario: Scenario): string[] {
  const c = scenario.cobots;
  return c ? Array.from({ length: c.count }, (_, i) => `${c.idPrefix}-${i + 1}`) : [];
}

export function technicianIds(scenario: Scenario): string[] {
  const t = scenario.technicians;
  return Array.from({ length: t.count }, (_, i) => `${t.idPrefix}-${i + 1}`);
}
