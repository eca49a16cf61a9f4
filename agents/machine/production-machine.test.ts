import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { productionMachine, type ProductionMachineEvent } from './production-machine.js';
import { modelCoverage } from '../../test/support/model-coverage.js';
import { message } from '../../test/support/messages.js';

const input = { id: 'm-1', maintenance: 'maintenance' };
const events: ProductionMachineEvent[] = [
  { type: 'world.failed' },
  { type: 'world.workStarted', kind: 'preventive', technician: 't' },
  { type: 'world.workDone', kind: 'repair', technician: 't' },
  message('maintenance.requested', { machine: 'm-1', workOrder: 'wo-1', reason: 'condition', parts: [] }),
];

describe('production machine agent', () => {
  it('covers every state and transition (xstate/graph)', () => {
    const report = modelCoverage(productionMachine, { input, events: () => events });
    expect(report.states.missed).toEqual([]);
    expect(report.transitions.missed).toEqual([]);
  });

  it('asks for a repair when it fails and restarts production when the work is done', () => {
    const effects: { type: string }[] = [];
    const actor = createActor(productionMachine, { input });
    actor.on('*', (e) => effects.push(e));
    actor.start();
    actor.send({ type: 'world.failed' });
    expect(actor.getSnapshot().value).toBe('down');
    expect(effects).toEqual([{ type: 'send', to: 'maintenance', message: 'repair.requested', payload: { machine: 'm-1' }, conversation: undefined }]);
    actor.send({ type: 'world.workDone', kind: 'repair', technician: 't' });
    expect(actor.getSnapshot().value).toBe('running');
    expect(effects.at(-1)).toEqual({ type: 'machine.start' });
  });
});
