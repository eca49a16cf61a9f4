import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { cobot, type CobotEffect, type CobotEvent, type CobotInput } from './cobot.js';
import type { CobotModel } from './planning.js';
import type { TaskSpec } from '../robotics/task-spec.js';
import { modelCoverage } from '../../test/support/model-coverage.js';
import { message } from '../../test/support/messages.js';

const model: CobotModel = {
  speed: 1,
  batteryWh: 500,
  drainWhPerMetre: 0.5,
  idleDrainW: 0,
  chargeW: 300,
  lowBattery: 0.2,
  chargers: [
    { id: 'charger-far', pose: { x: 100, y: 0 } },
    { id: 'charger', pose: { x: 0, y: 0 } },
  ],
  home: { id: 'cell-a', pose: { x: 10, y: 0 } },
};
const input: CobotInput = { id: 'cobot-1', model };

const spec = (task = 't-1'): TaskSpec => ({
  task,
  from: 'cell-b',
  to: 'storage',
  fromPose: { x: 20, y: 0 },
  toPose: { x: 20, y: 30 },
  handlingSeconds: 15,
  station: 'cell-b',
});
const manager = (task: string) => `robotics/task:${task}`;
const cfp = (task = 't-1', time = 100) => message('task.cfp', { bidWindowSeconds: 2, round: 1, spec: spec(task) }, manager(task), manager(task), time);
const award = (task = 't-1', time = 100) =>
  message('task.awarded', { winner: 'cobot-1', cost: 0, finishTime: 0, spec: spec(task) }, manager(task), manager(task), time);
const arrived = (time: number): CobotEvent => ({ type: 'robot.arrived', goal: 'g', time });
const done = (time: number): CobotEvent => ({ type: 'robot.actionDone', action: 'a', time });
const battery = (level: number, time = 0): CobotEvent => ({ type: 'robot.battery', level, time });

function start(over: Partial<CobotInput> = {}) {
  const effects: CobotEffect[] = [];
  const actor = createActor(cobot, { input: { ...input, ...over } });
  actor.on('*', (e) => effects.push(e as CobotEffect));
  actor.start();
  const sent = () => effects.flatMap((e) => (e.type === 'send' ? [`${e.message}>${e.to}`] : []));
  const body = () => effects.filter((e) => e.type !== 'send').map((e) => ('goal' in e ? `${e.type} ${e.goal}` : 'action' in e ? `${e.type} ${e.action}` : e.type));
  return { actor, effects, sent, body, value: () => JSON.stringify(actor.getSnapshot().value) };
}

describe('cobot agent', () => {
  it('covers every state and transition (xstate/graph)', () => {
    const events: CobotEvent[] = [
      cfp(),
      message('task.cfp', { bidWindowSeconds: 2, round: 1, spec: {} }, 'm', 'm'),
      award(),
      message('task.awarded', { winner: 'cobot-1', cost: 0, finishTime: 0, spec: {} }, 'm', 'm'),
      message('task.rejected', {}, 'm', 'm'),
      message('cobot.suspend', { station: 'cell-a', workOrder: 'wo-1', machine: 'press' }, 'robotics'),
      message('cobot.resume', { station: 'cell-a' }, 'robotics'),
      message('cobot.command', { order: 'move', place: 'storage', pose: { x: 20, y: 30 } }, 'robotics'),
      message('cobot.command', { order: 'charge' }, 'robotics'),
      arrived(10),
      done(20),
      { type: 'robot.charged', time: 30 },
      battery(0.05),
      battery(1),
      { type: 'robot.fault', reason: 'drive fault', time: 40 },
      // Its body stopped answering (a silent vehicle).
      { type: 'robot.lost', reason: 'no state for 75 s', time: 45 },
      { type: 'robot.recovered', time: 50 },
      // Goals the body could not reach: the pickup, the drop-off, a charger, an operator's place.
      ...['cell-b', 'storage', 'charger'].map((goal): CobotEvent => ({ type: 'robot.blocked', goal, reason: 'no route', time: 60 })),
      // Its agent host lost the plant, and has it back.
      { type: 'link.lost', time: 70 },
      { type: 'link.back', time: 80 },
    ];
    const report = modelCoverage(cobot, {
      input,
      events: (s) => [...events, ...(s.matches('blocked') ? [{ type: 'xstate.after.30000.cobot.blocked' } as never] : [])],
      // A held cobot differs by where it resumes.
      serializeState: (s) => `${JSON.stringify(s.value)}${s.context.heldFrom ?? ''}`,
      check: (s) => {
        const inTask = s.matches('moving.toPickup') || s.matches('moving.toDropoff') || s.matches('handling');
        // Held (its host lost the plant), it keeps its task without working on it.
        if (!s.matches('held')) expect(inTask).toBe(s.context.current !== undefined);
      },
    });
    expect(report.states.missed).toEqual([]);
    expect(report.transitions.missed).toEqual([]);
  });

  it('bids the time it would finish: travel, two handlings, travel', () => {
    const c = start();
    c.actor.send(cfp('t-1', 100));
    const bid = c.effects[0] as Extract<CobotEffect, { type: 'send' }>;
    expect(bid).toMatchObject({ to: manager('t-1'), message: 'task.proposal', conversation: manager('t-1') });
    // 10 m to the pickup, 15 s pick, 30 m to the drop-off, 15 s place.
    expect(bid.payload).toMatchObject({ cost: 170, finishTime: 170, previousCost: 100 });
  });

  it('adds its queue to the bid, so idle cobots win', () => {
    const c = start();
    c.actor.send(award('t-1', 100));
    c.actor.send(cfp('t-2', 100));
    const bid = c.effects.find((e) => e.type === 'send' && e.message === 'task.proposal') as Extract<CobotEffect, { type: 'send' }>;
    // t-1 ends at 170 at the drop-off; t-2 then drives 30 m back to the pickup: 170 + 30 + 15 + 30 + 15.
    expect(bid.payload).toMatchObject({ previousCost: 170, finishTime: 260 });
  });

  it('does a task: drive to the pickup, pick, drive to the drop-off, place, report', () => {
    const c = start();
    c.actor.send(award('t-1', 100));
    expect(c.value()).toBe('{"moving":"toPickup"}');
    expect(c.actor.getSnapshot().context.place).toBeUndefined();
    c.actor.send(arrived(110));
    expect(c.actor.getSnapshot().context).toMatchObject({ place: 'cell-b', pose: { x: 20, y: 0 } });
    expect(c.value()).toBe('{"handling":"picking"}');
    c.actor.send(done(125));
    expect(c.value()).toBe('{"moving":"toDropoff"}');
    c.actor.send(arrived(155));
    c.actor.send(done(170));
    expect(c.value()).toBe('"idle"');
    expect(c.body()).toEqual(['robot.navigate cell-b', 'robot.perform pick', 'robot.navigate storage', 'robot.perform place']);
    expect(c.effects.at(-1)).toMatchObject({ type: 'send', to: manager('t-1'), message: 'task.completed', conversation: manager('t-1'), payload: { result: { task: 't-1' } } });
  });

  it('charges at the nearest charger when its battery runs low, then takes its next task', () => {
    const c = start();
    c.actor.send(battery(0.15, 50));
    expect(c.value()).toBe('{"moving":"toCharger"}');
    c.actor.send(award('t-1', 60));
    c.actor.send(arrived(70));
    expect(c.value()).toBe('"charging"');
    c.actor.send(battery(1, 1300));
    c.actor.send({ type: 'robot.charged', time: 1300 });
    expect(c.value()).toBe('{"moving":"toPickup"}');
    expect(c.body()).toEqual(['robot.navigate charger', 'robot.perform charge', 'robot.navigate cell-b']);
  });

  it('prices a charging detour into its bid when the task would drain it below the threshold', () => {
    const c = start({ battery: 0.22 });
    c.actor.send(cfp('t-1', 0));
    const bid = c.effects[0] as Extract<CobotEffect, { type: 'send' }>;
    // 10 m to the charger (5 Wh), charge 395 Wh at 300 W, then 20 m + 30 s + 30 m + 15 s from the charger.
    expect((bid.payload as { finishTime: number }).finishTime).toBeCloseTo(10 + (395 * 3600) / 300 + 20 + 15 + 30 + 15, 6);
  });

  it('refuses to bid when its battery is critical', () => {
    const c = start({ battery: 0.05 });
    c.actor.send(cfp());
    expect(c.effects.find((e) => e.type === 'send')).toMatchObject({ message: 'task.refused', payload: { reason: 'battery critical' } });
  });

  it('when suspended, stops and hands back its task and its queue, refuses and returns awards', () => {
    const c = start();
    c.actor.send(award('t-1', 100));
    c.actor.send(award('t-2', 100));
    c.actor.send(message('cobot.suspend', { station: 'cell-a', workOrder: 'wo-1', machine: 'press' }, 'robotics', 'c', 105));
    expect(c.value()).toBe('"suspended"');
    expect(c.body().at(-1)).toBe('robot.hold');
    expect(c.sent()).toEqual([`task.failed>${manager('t-1')}`, `task.failed>${manager('t-2')}`]);
    c.actor.send(cfp('t-3', 110));
    c.actor.send(award('t-4', 110));
    expect(c.sent().slice(2)).toEqual([`task.refused>${manager('t-3')}`, `task.failed>${manager('t-4')}`]);
    c.actor.send(message('cobot.resume', { station: 'cell-a' }, 'robotics', 'c', 200));
    expect(c.value()).toBe('"idle"');
    expect(c.actor.getSnapshot().context.queue).toEqual([]);
  });
  it('when its body breaks down, hands its tasks back for re-auction, refuses work, and works again once recovered', () => {
    const c = start();
    c.actor.send(award('t-1', 100));
    c.actor.send(award('t-2', 100));
    c.actor.send({ type: 'robot.fault', reason: 'drive fault', time: 105 });
    expect(c.value()).toBe('"faulted"');
    expect(c.sent()).toEqual([`task.failed>${manager('t-1')}`, `task.failed>${manager('t-2')}`]);
    expect(c.effects.filter((e) => e.type === 'send').map((e) => (e as { payload: { reason: string } }).payload.reason)).toEqual(['breakdown', 'breakdown']);
    c.actor.send(cfp('t-3', 110));
    c.actor.send(award('t-4', 110));
    expect(c.sent().slice(2)).toEqual([`task.refused>${manager('t-3')}`, `task.failed>${manager('t-4')}`]);
    c.actor.send({ type: 'robot.recovered', time: 1900 });
    expect(c.value()).toBe('"idle"');
    c.actor.send(award('t-5', 1900));
    expect(c.value()).toBe('{"moving":"toPickup"}');
  });

  it('when its body stops answering (lost), stops it, hands its tasks back, takes none, and is idle once heard again', () => {
    const c = start();
    c.actor.send(award('t-1', 100));
    c.actor.send({ type: 'robot.lost', reason: 'no state for 75 s', time: 105 });
    expect(c.value()).toBe('"lost"');
    expect(c.effects.some((e) => e.type === 'robot.hold')).toBe(true);
    expect(c.sent()).toEqual([`task.failed>${manager('t-1')}`]);
    c.actor.send(award('t-2', 110));
    expect(c.sent().slice(1)).toEqual([`task.failed>${manager('t-2')}`]);
    c.actor.send({ type: 'robot.recovered', time: 200 });
    // Heard again, it does not carry on with the task it gave up.
    expect(c.value()).toBe('"idle"');
    expect(c.actor.getSnapshot().context.current).toBeUndefined();
  });

  it('when its goal cannot be reached, hands that task back, keeps its queue, and stands before it tries again', () => {
    const c = start();
    c.actor.send(award('t-1', 100));
    c.actor.send(award('t-2', 100));
    expect(c.value()).toBe('{"moving":"toPickup"}');
    // A report for another goal (an old one) changes nothing.
    c.actor.send({ type: 'robot.blocked', goal: 'elsewhere', reason: 'no route', time: 101 });
    expect(c.value()).toBe('{"moving":"toPickup"}');
    c.actor.send({ type: 'robot.blocked', goal: 'cell-b', reason: 'ABORTED by nav2', time: 102 });
    expect(c.value()).toBe('"blocked"');
    expect(c.sent()).toEqual(['task.failed>robotics/task:t-1']);
    const failed = c.effects.find((e) => e.type === 'send' && e.message === 'task.failed');
    expect(failed).toMatchObject({ payload: { reason: 'blocked: ABORTED by nav2' } });
    expect(c.actor.getSnapshot().context.queue.map((j) => j.spec.task)).toEqual(['t-2']);
  });

  it('holds when its agent host loses the plant: stops its body, bids for nothing, keeps its task, and resumes it when the link is back', () => {
    const c = start();
    c.actor.send(award('t-1', 100));
    expect(c.body()).toEqual(['robot.navigate cell-b']);
    c.actor.send({ type: 'link.lost', time: 105 });
    expect(c.value()).toBe('"held"');
    expect(c.body()).toEqual(['robot.navigate cell-b', 'robot.hold']);
    c.actor.send(cfp('t-2', 106));
    expect(c.effects.at(-1)).toMatchObject({ type: 'send', message: 'task.refused', payload: { reason: 'link lost' } });
    c.actor.send(award('t-3', 107));
    expect(c.effects.at(-1)).toMatchObject({ type: 'send', message: 'task.failed', payload: { reason: 'link lost' } });
    // No new motion while held, and the task is still its own.
    expect(c.body()).toEqual(['robot.navigate cell-b', 'robot.hold']);
    expect(c.actor.getSnapshot().context.current?.spec.task).toBe('t-1');
    c.actor.send({ type: 'link.back', time: 120 });
    expect(c.value()).toBe('{"moving":"toPickup"}');
    expect(c.body()).toEqual(['robot.navigate cell-b', 'robot.hold', 'robot.navigate cell-b']);
  });
});
