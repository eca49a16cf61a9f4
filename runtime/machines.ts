import type { Scenario } from '../scenarios/schema.js';

export interface MachineSpec {
  id: string;
  type: string;
  station?: string;
}

/** The scenario's machines one by one: a group with `count` becomes `<id>-1 … <id>-<count>`. */
export function expandMachines(scenario: Scenario): MachineSpec[] {
  return scenario.machines.flatMap((g) =>
    g.count === undefined
      ? [{ id: g.id, type: g.type, station: g.station }]
      : Array.from({ length: g.count }, (_, i) => ({ id: `${g.id}-${i + 1}`, type: g.type, station: g.station })),
  );
}

export function technicianIds(scenario: Scenario): string[] {
  const t = scenario.technicians;
  return Array.from({ length: t.count }, (_, i) => `${t.idPrefix}-${i + 1}`);
}
