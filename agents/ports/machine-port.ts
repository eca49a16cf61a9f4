/** What a production machine's controller can observe from the floor (world or live equipment). */
export type MachineObservation =
  | { type: 'world.failed'; component?: string }
  | { type: 'world.degraded'; signal: string; value: number }
  | { type: 'world.workStarted'; kind: WorkKind; technician: string }
  | { type: 'world.workDone'; kind: WorkKind; technician: string };

export type WorkKind = 'repair' | 'preventive';

/**
 * Work done by people and robots on the floor: a technician travelling to a
 * machine and repairing or servicing it. The floor (simulated world or the
 * plant's own systems) reports back when the work starts and ends.
 */
export interface WorkPort {
  beginWork(order: { technician: string; machine: string; workOrder: string; kind: WorkKind }): void;
}
