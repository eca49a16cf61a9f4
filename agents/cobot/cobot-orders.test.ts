import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { cobot, type CobotEffect, type CobotInput } from './cobot.js';
import type { TaskSpec } from '../robotics/task-spec.js';
import { message } from '../../test/support/messages.js';

/** A cobot obeying operator orders (`cobot.command`): it hands its tasks back and drives where it is sent. */
const input: CobotInput = {
  id: 'cobot-1',
  model: {
    speed: 1,
    batteryWh: 500,
    drainWhPerMetre: 0.5,
    idleDrainW: 0,
    chargeW: 300,
    lowBattery: 0.2,
    chargers: [{ id: 'charger', pose: { x: 0, y: 0 } }],
    home: { id: 'cell-a', pose: { x: 10, y: 0 } },
  },
  battery: 0.9,
};
const spec: TaskSpec = { task: 't-1', from: 'cell-b', to: 'storage', fromPose: { x: 20, y: 0 }, toPose: { x: 20, y: 30 }, handlingSeconds: 15, station: 'cell-b' };
const award = message('task.awarded', { winner: 'cobot-1', cost: 0, finishTime: 0, spec }, 'robotics/task:1', 'robotics/task:1', 5);
const move = message('cobot.command', { order: 'move', place: 'dock', pose: { x: 40, y: 0 } }, 'robotics', 'op', 10);
const charge = message('cobot.command', { order: 'charge' }, 'robotics', 'op', 10);

function start() {
  const effects: CobotEffect[] = [];
  const actor = createActor(cobot, { input });
  actor.on('*', (e) => effects.push(e as CobotEffect));
  actor.start();
  return { actor, effects, value: () => JSON.stringify(actor.getSnapshot().value) };
}

describe('cobot agent: operator orders', () => {
  it('drops its task, drives to the place it is sent to, and is free there', () => {
    const c = start();
    c.actor.send(award);
    c.actor.send(move);
    expect(c.effects.slice(1)).toEqual([
      { type: 'send', to: 'robotics/task:1', message: 'task.failed', payload: { reason: 'operator command' }, conversation: 'robotics/task:1' },
      { type: 'robot.navigate', robot: 'cobot-1', goal: 'dock', pose: { x: 40, y: 0 } },
    ]);
    expect(c.value()).toBe('{"moving":"toPlace"}');
    // A bid on the way starts from the place, at the arrival time (30 m at 1 m/s after t = 10).
    c.actor.send(message('task.cfp', { bidWindowSeconds: 2, round: 1, spec: { ...spec, task: 't-2' } }, 'm', 'm', 12));
    expect(c.effects.at(-1)).toMatchObject({ message: 'task.proposal', payload: { previousCost: 40 } });
    c.actor.send({ type: 'robot.arrived', goal: 'dock', time: 40 });
    expect(c.value()).toBe('"idle"');
    expect(c.actor.getSnapshot().context.place).toBe('dock');
  });

  it('goes to charge when told, and ignores orders while suspended', () => {
    const c = start();
    c.actor.send(charge);
    expect(c.value()).toBe('{"moving":"toCharger"}');
    expect(c.effects.at(-1)).toEqual({ type: 'robot.navigate', robot: 'cobot-1', goal: 'charger', pose: { x: 0, y: 0 } });
    c.actor.send(message('cobot.suspend', { station: 'cell-a' }, 'robotics'));
    c.actor.send(move);
    expect(c.value()).toBe('"suspended"');
  });
});
