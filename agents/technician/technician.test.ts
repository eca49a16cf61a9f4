import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { technician, type TechnicianEvent } from './technician.js';
import { modelCoverage } from '../../test/support/model-coverage.js';
import { message } from '../../test/support/messages.js';

const input = { id: 'tech-1', maintenance: 'maintenance' };
const assigned = message('repair.assigned', { machine: 'm-1', workOrder: 'wo-1', kind: 'repair' }, 'maintenance');
const done: TechnicianEvent = { type: 'world.workDone', machine: 'm-1', workOrder: 'wo-1', kind: 'repair' };

describe('technician agent', () => {
  it('covers every state and transition (xstate/graph)', () => {
    const report = modelCoverage(technician, { input, events: () => [assigned, done] });
    expect(report.states.missed).toEqual([]);
    expect(report.transitions.missed).toEqual([]);
  });

  it('starts work on assignment and reports it done to the coordinator', () => {
    const effects: unknown[] = [];
    const actor = createActor(technician, { input });
    actor.on('*', (e) => effects.push(e));
    actor.start();
    actor.send(assigned);
    expect(effects).toEqual([{ type: 'work.begin', technician: 'tech-1', machine: 'm-1', workOrder: 'wo-1', kind: 'repair' }]);
    // A second assignment while working is not taken.
    actor.send(message('repair.assigned', { machine: 'm-2', workOrder: 'wo-2', kind: 'repair' }, 'maintenance'));
    expect(effects).toHaveLength(1);
    actor.send(done);
    expect(actor.getSnapshot().value).toBe('idle');
    expect(effects[1]).toMatchObject({ type: 'send', to: 'maintenance', message: 'repair.completed', payload: { machine: 'm-1', workOrder: 'wo-1', technician: 'tech-1', kind: 'repair' } });
  });
});
