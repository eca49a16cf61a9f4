import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { roboticsCoordinator, type RoboticsEffect, type RoboticsEvent, type RoboticsCoordinatorInput, type TaskCreated } from './robotics-coordinator.js';
import type { TaskSpec } from './task-spec.js';
import { modelCoverage } from '../../test/support/model-coverage.js';
import { message } from '../../test/support/messages.js';
import { Kernel } from '../../sim/clock/kernel.js';
import { kernelClock } from '../../sim/clock/xstate-clock.js';

const input: RoboticsCoordinatorInput = {
  id: 'robotics',
  cobots: [
    { id: 'cobot-1', home: 'cell-a' },
    { id: 'cobot-2', home: 'cell-b' },
    { id: 'cobot-3', home: 'cell-a' },
  ],
  maintenance: 'maintenance',
  retrySeconds: 100,
};

const created = (task: string): TaskCreated => ({
  type: 'world.taskCreated',
  task,
  from: 'cell-a',
  to: 'storage',
  fromPose: { x: 0, y: 0 },
  toPose: { x: 10, y: 0 },
  handlingSeconds: 30,
});
const spec = (task: string): TaskSpec => {
  const { type: _type, ...rest } = created(task);
  return { ...rest, station: 'cell-a' };
};
const settled = (task: string, outcome: 'awarded' | 'completed' | 'failed', winner?: string) =>
  message('task.settled', { outcome, winner, rounds: 1, spec: spec(task) }, `robotics/task:${task}`, `robotics/task:${task}`);
const locked = (station = 'cell-a', workOrder = 'wo-1') => message('station.locked', { station, workOrder, machine: 'press' }, 'maintenance');
const unlocked = (station = 'cell-a', workOrder = 'wo-1') => message('station.unlocked', { station, workOrder, machine: 'press' }, 'maintenance');

function start() {
  const kernel = new Kernel();
  const effects: RoboticsEffect[] = [];
  const actor = createActor(roboticsCoordinator, { input, clock: kernelClock(kernel) });
  actor.on('*', (e) => effects.push(e as RoboticsEffect));
  actor.start();
  const out = () => effects.map((e) => (e.type === 'send' ? `${e.message}>${e.to}` : `negotiate ${(e.spec as TaskSpec).task}`));
  return { kernel, actor, effects, out };
}

describe('robotics coordinator agent', () => {
  it('covers every state and transition (xstate/graph)', () => {
    const events: RoboticsEvent[] = [
      created('t-1'),
      settled('t-1', 'awarded', 'cobot-1'),
      settled('t-1', 'awarded', 'cobot-2'),
      settled('t-1', 'completed', 'cobot-2'),
      settled('t-1', 'failed'),
      locked(),
      unlocked(),
      { type: 'backlog.retry' },
      message('operator.command', { command: { verb: 'pause', cobot: 'cobot-1' } }, 'operator'),
      message('agent.back', { agent: 'cobot-2', host: 'host-a' }, 'plant'),
    ];
    const report = modelCoverage(roboticsCoordinator, { input, events: () => events });
    expect(report.states.missed).toEqual([]);
    expect(report.transitions.missed).toEqual([]);
  });

  it('auctions every new task among all cobots', () => {
    const c = start();
    c.actor.send(created('t-1'));
    expect(c.effects).toEqual([
      {
        type: 'negotiate',
        topic: 'task',
        participants: '#cobots',
        spec: spec('t-1'),
        expectedBidders: 3,
        bidWindowSeconds: 2,
        maxRounds: 3,
        retryDelaySeconds: 30,
        notifyLosers: false,
      },
    ]);
  });

  it('keeps a task nobody took and announces it again on progress or after the retry delay', () => {
    const c = start();
    c.actor.send(created('t-1'));
    c.actor.send(created('t-2'));
    c.actor.send(settled('t-1', 'failed'));
    expect(c.actor.getSnapshot().value).toBe('backlogged');
    c.actor.send(settled('t-2', 'awarded', 'cobot-2'));
    c.actor.send(settled('t-2', 'completed', 'cobot-2'));
    expect(c.out()).toEqual(['negotiate t-1', 'negotiate t-2', 'negotiate t-1']);
    expect(c.actor.getSnapshot().value).toBe('clear');
    c.actor.send(settled('t-1', 'failed'));
    c.kernel.runUntil(99);
    expect(c.out()).toHaveLength(3);
    c.kernel.runUntil(101);
    expect(c.out()).toEqual(['negotiate t-1', 'negotiate t-2', 'negotiate t-1', 'negotiate t-1']);
    expect(c.actor.getSnapshot().context.board.backlog).toEqual([]);
  });

  it('announces the backlog again when a lost cobot is back on a host, and only then', () => {
    const c = start();
    c.actor.send(created('t-1'));
    c.actor.send(created('t-2'));
    c.actor.send(settled('t-1', 'failed'));
    c.actor.send(settled('t-2', 'failed'));
    expect(c.actor.getSnapshot().value).toBe('backlogged');
    c.actor.send(message('agent.back', { agent: 'cobot-2', host: 'host-a' }, 'plant'));
    expect(c.out()).toEqual(['negotiate t-1', 'negotiate t-2', 'negotiate t-1', 'negotiate t-2']);
    expect(c.actor.getSnapshot().value).toBe('clear');
    // Nothing waiting: a cobot back changes nothing.
    c.actor.send(message('agent.back', { agent: 'cobot-3', host: 'host-a' }, 'plant'));
    expect(c.out()).toHaveLength(4);
    // The retry timer went with the backlog.
    c.kernel.runUntil(1000);
    expect(c.out()).toHaveLength(4);
  });

  it('suspends the cobots of a locked cell and reports who takes over their tasks', () => {
    const c = start();
    c.actor.send(created('t-1'));
    c.actor.send(created('t-2'));
    c.actor.send(settled('t-1', 'awarded', 'cobot-1'));
    c.actor.send(settled('t-2', 'awarded', 'cobot-2'));
    c.actor.send(locked());
    c.actor.send(locked('cell-a', 'wo-2'));
    expect(c.out().slice(2)).toEqual(['cobot.suspend>cobot-1', 'cobot.suspend>cobot-3']);
    // cobot-1 hands t-1 back; its manager re-auctions it and cobot-2 wins.
    c.actor.send(settled('t-1', 'awarded', 'cobot-2'));
    expect(c.effects.at(-1)).toEqual({
      type: 'send',
      to: 'maintenance',
      message: 'task.reassigned',
      payload: { task: 't-1', station: 'cell-a', fromCobot: 'cobot-1', toCobot: 'cobot-2', reason: 'station locked', workOrder: 'wo-1', machine: 'press' },
      conversation: undefined,
    });
    c.actor.send(unlocked());
    expect(c.out()).toHaveLength(5);
    c.actor.send(unlocked('cell-a', 'wo-2'));
    expect(c.out().slice(5)).toEqual(['cobot.resume>cobot-1', 'cobot.resume>cobot-3']);
  });

  it('reports a reassignment when a suspended cobot wins an auction it bid for before the lock', () => {
    const c = start();
    c.actor.send(created('t-1'));
    c.actor.send(locked());
    c.actor.send(settled('t-1', 'awarded', 'cobot-3'));
    c.actor.send(settled('t-1', 'failed'));
    c.actor.send({ type: 'backlog.retry' });
    c.actor.send(settled('t-1', 'awarded', 'cobot-2'));
    expect(c.effects.at(-1)).toMatchObject({ message: 'task.reassigned', payload: { fromCobot: 'cobot-3', toCobot: 'cobot-2', workOrder: 'wo-1' } });
  });
});
