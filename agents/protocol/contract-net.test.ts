import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { bestBid, contractNet, type ContractNetInput } from './contract-net.js';
import { modelCoverage } from '../../test/support/model-coverage.js';
import { message } from '../../test/support/messages.js';
import { Kernel } from '../../sim/clock/kernel.js';
import { kernelClock } from '../../sim/clock/xstate-clock.js';
import type { SendEffect } from '../host/effects.js';

const input: ContractNetInput = {
  id: 'robotics/task:1',
  opener: 'robotics',
  topic: 'task',
  participants: '#cobots',
  spec: { task: 't-1' },
  bidWindowSeconds: 2,
  expectedBidders: 2,
  maxRounds: 2,
  retryDelaySeconds: 10,
  graceSeconds: 60,
};

const proposal = (from: string, cost: number) => message('task.proposal', { cost, finishTime: cost, previousCost: 0 }, from, input.id, 1);
const afterEvents = (state: string) =>
  (contractNet.root.states[state].after as { eventType: string }[]).map((a) => ({ type: a.eventType }) as never);

describe('contract-net manager', () => {
  it('covers every state and transition (xstate/graph)', () => {
    const events = (s: any) => [
      proposal('cobot-1', 10),
      proposal('cobot-2', 5),
      message('task.refused', { reason: 'busy' }, 'cobot-1', input.id),
      message('task.completed', {}, s.context.winner?.from ?? 'cobot-2', input.id),
      message('task.failed', { reason: 'broken' }, s.context.winner?.from ?? 'cobot-2', input.id),
      message('agent.lost', { agent: s.context.winner?.from ?? 'cobot-2', reason: 'host gone' }, 'plant', input.id),
      ...(s.value === 'collecting' ? afterEvents('collecting') : []),
      ...(s.value === 'backingOff' ? afterEvents('backingOff') : []),
      ...(s.value === 'awarded' ? afterEvents('awarded') : []),
    ];
    const report = modelCoverage(contractNet, {
      input,
      events,
      serializeState: (s: any) => JSON.stringify([s.value, s.context.round, s.context.bids.length, s.context.answered, s.context.winner?.from, s.context.excluded]),
      limit: 3000,
    });
    expect(report.states.missed).toEqual([]);
    expect(report.transitions.missed).toEqual([]);
  });

  it('awards the cheapest bid, ties to the earlier finish then the lower id', () => {
    expect(bestBid([{ from: 'b', cost: 1, finishTime: 5 }, { from: 'a', cost: 1, finishTime: 5 }, { from: 'c', cost: 1, finishTime: 4 }])?.from).toBe('c');
    expect(bestBid([{ from: 'b', cost: 1, finishTime: 5 }, { from: 'a', cost: 1, finishTime: 5 }])?.from).toBe('a');
    expect(bestBid([])).toBeUndefined();
  });

  function run(over: Partial<ContractNetInput> = {}) {
    const kernel = new Kernel();
    const effects: SendEffect[] = [];
    const actor = createActor(contractNet, { input: { ...input, ...over }, clock: kernelClock(kernel) });
    actor.on('*', (e) => effects.push(e as SendEffect));
    actor.start();
    return { kernel, actor, effects, sent: () => effects.map((e) => `${e.message}>${e.to}`) };
  }

  it('closes the window as soon as every expected bidder has answered', () => {
    const { actor, sent } = run();
    actor.send(proposal('cobot-1', 10));
    actor.send(proposal('cobot-2', 5));
    expect(actor.getSnapshot().value).toBe('awarded');
    expect(sent()).toEqual(['task.cfp>#cobots', 'task.awarded>cobot-2', 'task.rejected>cobot-1', 'task.settled>robotics']);
  });

  it('announces again when nobody bids, then reports failure instead of hanging', () => {
    const { kernel, actor, sent } = run();
    kernel.runUntil(100);
    expect(sent()).toEqual(['task.cfp>#cobots', 'task.cfp>#cobots', 'task.settled>robotics']);
    expect(actor.getSnapshot().status).toBe('done');
    expect(actor.getSnapshot().context.round).toBe(2);
  });

  it('re-auctions without the winner when it fails or misses its finish time', () => {
    const { kernel, actor, effects, sent } = run({ expectedBidders: undefined, maxRounds: 3 });
    actor.send(proposal('cobot-1', 5));
    kernel.runUntil(3);
    expect(actor.getSnapshot().value).toBe('awarded');
    actor.send(message('task.failed', { reason: 'suspended' }, 'cobot-1', input.id));
    expect(actor.getSnapshot().value).toBe('collecting');
    actor.send(proposal('cobot-1', 1)); // excluded now
    actor.send(proposal('cobot-2', 8));
    kernel.runUntil(6);
    expect(effects.filter((e) => e.message === 'task.awarded').map((e) => e.to)).toEqual(['cobot-1', 'cobot-2']);
    // cobot-2 promised to finish at t = 8; with 60 s grace the award lapses after t = 68.
    kernel.runUntil(80);
    expect(sent().filter((s) => s.startsWith('task.cfp'))).toHaveLength(3);
  });
});

describe('contract-net manager without loser notices', () => {
  it('tells only the winner and the opener', () => {
    const kernel = new Kernel();
    const effects: SendEffect[] = [];
    const actor = createActor(contractNet, { input: { ...input, notifyLosers: false }, clock: kernelClock(kernel) });
    actor.on('*', (e) => effects.push(e as SendEffect));
    actor.start();
    actor.send(proposal('cobot-1', 10));
    actor.send(proposal('cobot-2', 5));
    expect(effects.map((e) => `${e.message}>${e.to}`)).toEqual(['task.cfp>#cobots', 'task.awarded>cobot-2', 'task.settled>robotics']);
  });
});
