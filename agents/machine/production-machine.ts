import { emit, setup } from 'xstate';
import { send, type MessageEvent, type SendEffect } from '../host/effects.js';
import type { WorkKind } from '../ports/machine-port.js';

export interface ProductionMachineInput {
  id: string;
  /** Address of the maintenance coordinator. */
  maintenance: string;
}

export type ProductionMachineEvent =
  | { type: 'world.failed'; component?: string }
  | { type: 'world.workStarted'; kind: WorkKind; technician: string }
  | { type: 'world.workDone'; kind: WorkKind; technician: string }
  | MessageEvent<'maintenance.requested'>;

/** Effects of a machine's controller: messages, and starting production on the floor. */
export type ProductionMachineEffect = SendEffect | { type: 'machine.start' };

/**
 * A production machine's controller. It mirrors what the floor reports
 * (failure, planned work started, work done), asks for a repair when it
 * fails, and restarts production when work on it is done. `degraded` means
 * maintenance has been requested for it while it still runs.
 */
export const productionMachine = setup({
  types: {
    context: {} as ProductionMachineInput,
    input: {} as ProductionMachineInput,
    events: {} as ProductionMachineEvent,
    emitted: {} as ProductionMachineEffect,
  },
  actions: {
    requestRepair: emit(({ context }) => send(context.maintenance, 'repair.requested', { machine: context.id })),
    startProduction: emit({ type: 'machine.start' } as const),
  },
}).createMachine({
  id: 'productionMachine',
  context: ({ input }) => input,
  initial: 'running',
  states: {
    running: {
      on: {
        'maintenance.requested': 'degraded',
        'world.failed': 'down',
        'world.workStarted': 'maintenance',
      },
    },
    degraded: {
      on: {
        'world.failed': 'down',
        'world.workStarted': 'maintenance',
      },
    },
    down: {
      entry: 'requestRepair',
      on: { 'world.workDone': { target: 'running', actions: 'startProduction' } },
    },
    maintenance: {
      on: { 'world.workDone': { target: 'running', actions: 'startProduction' } },
    },
  },
});
