import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { Kernel } from '../../sim/clock/kernel.js';
import { kernelClock } from '../../sim/clock/xstate-clock.js';
import { modelCoverage } from '../../test/support/model-coverage.js';
import type { LedgerReceipt, TwinEvent } from '../ports/ledger-port.js';
import { ledgerAgent, retryDelay, type LedgerAgentEffect, type LedgerAgentEvent } from './ledger-agent.js';
import { hasId } from './id-set.js';

const input = { id: 'ledger' };

const twin = (id: string, from = 'm-1', type = 'repair.requested'): LedgerAgentEvent => ({
  type: 'twin.event',
  event: { id, time: 0, type, machine: 'm-1', payload: { machine: 'm-1' } } satisfies TwinEvent,
  from,
});
const receipt = (event: string, seq: number, duplicate = false): LedgerAgentEvent => ({
  type: 'ledger.receipt',
  receipt: { event, seq, hash: `h${seq}`, duplicate } satisfies LedgerReceipt,
});
const failed = (event: string): LedgerAgentEvent => ({ type: 'ledger.appendFailed', event, reason: 'port down' });

/** An actor on a kernel clock (deterministic timers), with its effects collected. */
function start(kernel = new Kernel()) {
  const effects: LedgerAgentEffect[] = [];
  const actor = createActor(ledgerAgent, { input, clock: kernelClock(kernel) });
  actor.on('*', (e) => effects.push(e));
  actor.start();
  const appends = () => effects.filter((e) => e.type === 'ledger.append').map((e) => (e.type === 'ledger.append' ? e.event.id : ''));
  const recorded = () => effects.filter((e) => e.type === 'send');
  return { actor, effects, appends, recorded, kernel };
}

describe('ledger agent', () => {
  it('covers every state and transition (xstate/graph)', () => {
    const report = modelCoverage<LedgerAgentEvent>(ledgerAgent, {
      input,
      events: (s) => {
        const head: string = s.context.queue[0]?.event.id ?? 'e1';
        return [twin('e1'), twin('e2'), receipt(head, s.context.stats.recorded), failed(head), { type: 'ledger.retry' }];
      },
      // Queue and recorded ids tell states apart; consecutive failures are capped so the model stays finite.
      serializeState: (s) =>
        JSON.stringify([
          s.value,
          s.context.queue.map((p: { event: TwinEvent }) => p.event.id),
          ['e1', 'e2'].filter((id) => hasId(s.context.recorded, id)),
          Math.min(s.context.attempts, 2),
        ]),
      check: (s) => {
        // Something is in flight whenever the agent is not idle, and nothing is both queued and recorded.
        if (s.value !== 'idle') expect(s.context.queue.length).toBeGreaterThan(0);
        for (const p of s.context.queue as { event: TwinEvent }[]) expect(hasId(s.context.recorded, p.event.id)).toBe(false);
      },
    });
    expect(report.states.missed).toEqual([]);
    expect(report.transitions.missed).toEqual([]);
    expect(report.transitions.all).toBe(6);
  });

  it('writes events one at a time, in the order observed, and announces each to its sender', () => {
    const { actor, appends, recorded } = start();
    actor.send(twin('m-1:1', 'm-1'));
    actor.send(twin('tech-1:1', 'tech-1', 'repair.completed'));
    actor.send(twin('m-2:1', 'm-2'));
    expect(actor.getSnapshot().value).toBe('writing');
    expect(appends()).toEqual(['m-1:1']);

    actor.send(receipt('m-1:1', 0));
    expect(appends()).toEqual(['m-1:1', 'tech-1:1']);
    actor.send(receipt('tech-1:1', 1));
    actor.send(receipt('m-2:1', 2));
    expect(actor.getSnapshot().value).toBe('idle');
    expect(appends()).toEqual(['m-1:1', 'tech-1:1', 'm-2:1']);
    expect(recorded()).toEqual([
      { type: 'send', to: 'm-1', message: 'ledger.recorded', payload: { event: 'm-1:1', eventType: 'repair.requested', seq: 0, hash: 'h0' }, conversation: undefined },
      { type: 'send', to: 'tech-1', message: 'ledger.recorded', payload: { event: 'tech-1:1', eventType: 'repair.completed', seq: 1, hash: 'h1' }, conversation: undefined },
      { type: 'send', to: 'm-2', message: 'ledger.recorded', payload: { event: 'm-2:1', eventType: 'repair.requested', seq: 2, hash: 'h2' }, conversation: undefined },
    ]);
  });

  it('ignores receipts for anything but the event in flight', () => {
    const { actor, appends, recorded } = start();
    actor.send(twin('a'));
    actor.send(receipt('b', 7));
    actor.send(failed('b'));
    expect(actor.getSnapshot().value).toBe('writing');
    expect(recorded()).toEqual([]);
    expect(appends()).toEqual(['a']);
  });

  it('is idempotent on the event id: queued or recorded ids are dropped', () => {
    const { actor, appends, recorded } = start();
    actor.send(twin('a'));
    actor.send(twin('a'));
    actor.send(receipt('a', 0));
    actor.send(twin('a'));
    expect(appends()).toEqual(['a']);
    expect(recorded()).toHaveLength(1);
    expect(actor.getSnapshot().context.stats).toEqual({ recorded: 1, dropped: 2, failures: 0 });
  });

  it('announces an event the port had already (duplicate receipt) once only', () => {
    const { actor, recorded } = start();
    actor.send(twin('a'));
    actor.send(receipt('a', 4, true));
    actor.send(twin('a'));
    actor.send(receipt('a', 4, true));
    expect(recorded()).toHaveLength(1);
    expect(recorded()[0]).toMatchObject({ payload: { event: 'a', seq: 4 } });
  });

  it('retries a failed append after a doubling back-off, keeping the order', () => {
    const { actor, appends, recorded, kernel } = start();
    actor.send(twin('a'));
    actor.send(failed('a'));
    actor.send(twin('b'));
    expect(actor.getSnapshot().value).toBe('retrying');
    kernel.runUntil(0.99);
    expect(appends()).toEqual(['a']);
    kernel.runUntil(1.01);
    expect(actor.getSnapshot().value).toBe('writing');
    expect(appends()).toEqual(['a', 'a']);

    actor.send(failed('a'));
    kernel.runUntil(2.9); // the second failure (at 1.01 s) waits 2 s
    expect(appends()).toEqual(['a', 'a']);
    kernel.runUntil(3.1);
    expect(appends()).toEqual(['a', 'a', 'a']);

    actor.send(receipt('a', 0));
    actor.send(receipt('b', 1));
    expect(appends()).toEqual(['a', 'a', 'a', 'b']);
    expect(recorded().map((e) => e.type === 'send' && e.payload)).toEqual([
      { event: 'a', eventType: 'repair.requested', seq: 0, hash: 'h0' },
      { event: 'b', eventType: 'repair.requested', seq: 1, hash: 'h1' },
    ]);
    expect(actor.getSnapshot().context).toMatchObject({ attempts: 0, stats: { recorded: 2, dropped: 0, failures: 2 } });
  });

  it('caps the back-off', () => {
    const ctx = { retryDelaySeconds: 1, maxRetryDelaySeconds: 300 };
    expect([1, 2, 3, 9, 10, 50].map((n) => retryDelay(ctx, n))).toEqual([1, 2, 4, 256, 300, 300]);
  });

  it('tells its own address when an event comes without a sender', () => {
    const { actor, recorded } = start();
    actor.send({ type: 'twin.event', event: { id: 'x', time: 5, type: 'parts.cfp', payload: {} } });
    actor.send(receipt('x', 0));
    expect(recorded()[0]).toMatchObject({ to: 'ledger' });
  });
});
