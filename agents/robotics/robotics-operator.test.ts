import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { roboticsCoordinator, type RoboticsEffect, type RoboticsCoordinatorInput, type TaskCreated } from './robotics-coordinator.js';
import type { OperatorOrder } from '../operator/command.js';
import type { TaskSpec } from './task-spec.js';
import { message } from '../../test/support/messages.js';
import { Kernel } from '../../sim/clock/kernel.js';
import { kernelClock } from '../../sim/clock/xstate-clock.js';

/** The robotics coordinator carrying out operator orders (agents/operator/orders.ts). */
const input: RoboticsCoordinatorInput = {
  id: 'robotics',
  cobots: [
    { id: 'cobot-1', home: 'cell-a' },
    { id: 'cobot-2', home: 'cell-b' },
  ],
  maintenance: 'maintenance',
  retrySeconds: 100,
};
const created: TaskCreated = { type: 'world.taskCreated', task: 't-1', from: 'cell-a', to: 'storage', fromPose: { x: 0, y: 0 }, toPose: { x: 10, y: 0 }, handlingSeconds: 30 };
const spec: TaskSpec = { task: 't-1', from: 'cell-a', to: 'storage', fromPose: { x: 0, y: 0 }, toPose: { x: 10, y: 0 }, handlingSeconds: 30, station: 'cell-a' };
const order = (o: OperatorOrder) => message('operator.command', o, 'operator', 'op-1');
const locked = () => message('station.locked', { station: 'cell-a', workOrder: 'wo-1', machine: 'press' }, 'maintenance');
const unlocked = () => message('station.unlocked', { station: 'cell-a', workOrder: 'wo-1', machine: 'press' }, 'maintenance');

function start() {
  const effects: RoboticsEffect[] = [];
  const actor = createActor(roboticsCoordinator, { input, clock: kernelClock(new Kernel()) });
  actor.on('*', (e) => effects.push(e as RoboticsEffect));
  actor.start();
  const out = () => effects.map((e) => (e.type === 'send' ? `${e.message}>${e.to}` : `negotiate ${(e.spec as TaskSpec).task}>${e.participants}`));
  return { actor, effects, out };
}

describe('robotics coordinator: operator orders', () => {
  it('pauses a cobot until it is resumed, whatever the locks of its cell do', () => {
    const c = start();
    c.actor.send(order({ command: { verb: 'pause', cobot: 'cobot-1' } }));
    c.actor.send(locked());
    c.actor.send(unlocked());
    expect(c.out()).toEqual(['cobot.suspend>cobot-1', 'cobot.suspend>cobot-1']);
    c.actor.send(order({ command: { verb: 'resume', cobot: 'cobot-1' } }));
    expect(c.out().at(-1)).toBe('cobot.resume>cobot-1');
    expect(c.actor.getSnapshot().context.paused).toEqual([]);
  });

  it('keeps a cobot resumed under a lock suspended until the unlock', () => {
    const c = start();
    c.actor.send(locked());
    c.actor.send(order({ command: { verb: 'pause', cobot: 'cobot-1' } }));
    c.actor.send(order({ command: { verb: 'resume', cobot: 'cobot-1' } }));
    expect(c.out()).toEqual(['cobot.suspend>cobot-1']);
    c.actor.send(unlocked());
    expect(c.out()).toEqual(['cobot.suspend>cobot-1', 'cobot.resume>cobot-1']);
  });

  it('forwards moves and charges to the cobot', () => {
    const c = start();
    c.actor.send(order({ command: { verb: 'move', cobot: 'cobot-2', place: 'storage' }, pose: { x: 10, y: 0 } }));
    c.actor.send(order({ command: { verb: 'charge', cobot: 'cobot-2' } }));
    expect(c.effects).toMatchObject([
      { message: 'cobot.command', to: 'cobot-2', payload: { order: 'move', place: 'storage', pose: { x: 10, y: 0 } } },
      { message: 'cobot.command', to: 'cobot-2', payload: { order: 'charge' } },
    ]);
  });

  it('auctions a waiting task to the one cobot it is assigned to', () => {
    const c = start();
    c.actor.send(created);
    c.actor.send(message('task.settled', { outcome: 'failed', rounds: 3, spec }, 'robotics/task:1', 'robotics/task:1'));
    c.actor.send(order({ command: { verb: 'assign', task: 't-1', cobot: 'cobot-2' } }));
    expect(c.out()).toEqual(['negotiate t-1>#cobots', 'negotiate t-1>cobot-2']);
    expect(c.effects.at(-1)).toMatchObject({ expectedBidders: 1, maxRounds: 1 });
    expect(c.actor.getSnapshot().context.board.backlog).toEqual([]);
  });

  it('refuses, and tells the sender, what the plant no longer allows', () => {
    const c = start();
    c.actor.send(created);
    c.actor.send(locked());
    c.actor.send(order({ command: { verb: 'assign', task: 't-1', cobot: 'cobot-2' } }));
    c.actor.send(order({ command: { verb: 'charge', cobot: 'cobot-1' } }));
    c.actor.send(order({ command: { verb: 'resume', cobot: 'cobot-2' } }));
    c.actor.send(order({ command: { verb: 'pause', cobot: 'cobot-9' } }));
    const refusals = c.effects.filter((e) => e.type === 'send' && e.message === 'operator.refused').map((e) => (e.payload as { reason: string }).reason);
    expect(refusals).toEqual([
      't-1 is not waiting for a cobot',
      'cobot-1 is suspended while cell-a is locked for work order wo-1',
      'cobot-2 is not paused',
      'unknown cobot "cobot-9"',
    ]);
    expect(c.effects.filter((e) => e.type === 'send' && e.message === 'operator.refused').every((e) => e.type === 'send' && e.to === 'operator')).toBe(true);
  });
});
