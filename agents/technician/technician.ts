import { assign, emit, setup } from 'xstate';
import { send, type MessageEvent, type SendEffect } from '../host/effects.js';
import type { WorkKind } from '../ports/machine-port.js';

export interface TechnicianInput {
  id: string;
  /** Address of the maintenance coordinator. */
  maintenance: string;
}

interface TechnicianContext extends TechnicianInput {
  job?: { machine: string; workOrder: string; kind: WorkKind };
}

export type TechnicianEvent =
  | MessageEvent<'repair.assigned'>
  | { type: 'world.workDone'; machine: string; workOrder: string; kind: WorkKind };

/** Effects of a technician: messages, and starting work on the floor. */
export type TechnicianEffect =
  | SendEffect
  | { type: 'work.begin'; technician: string; machine: string; workOrder: string; kind: WorkKind };

/**
 * A maintenance technician: takes one work order at a time from the
 * coordinator, does it on the floor, and reports it done.
 */
export const technician = setup({
  types: {
    context: {} as TechnicianContext,
    input: {} as TechnicianInput,
    events: {} as TechnicianEvent,
    emitted: {} as TechnicianEffect,
  },
}).createMachine({
  id: 'technician',
  context: ({ input }) => ({ ...input }),
  initial: 'idle',
  states: {
    idle: {
      on: {
        'repair.assigned': {
          target: 'working',
          actions: [
            assign({ job: ({ event }) => ({ machine: event.msg.payload.machine, workOrder: event.msg.payload.workOrder, kind: event.msg.payload.kind }) }),
            emit(({ context, event }) => ({
              type: 'work.begin' as const,
              technician: context.id,
              machine: event.msg.payload.machine,
              workOrder: event.msg.payload.workOrder,
              kind: event.msg.payload.kind,
            })),
          ],
        },
      },
    },
    working: {
      on: {
        'world.workDone': {
          target: 'idle',
          actions: [
            emit(({ context, event }) =>
              send(context.maintenance, 'repair.completed', {
                machine: event.machine,
                workOrder: event.workOrder,
                technician: context.id,
                kind: event.kind,
              }),
            ),
            assign({ job: undefined }),
          ],
        },
      },
    },
  },
});
