import { assign, cancel, emit, raise, setup } from 'xstate';
import { send, type SendEffect } from '../host/effects.js';
import type { LedgerReceipt, TwinEvent } from '../ports/ledger-port.js';
import { addId, emptyIdSet, hasId, type IdSet } from './id-set.js';

export interface LedgerAgentInput {
  id: string;
  /** Wait before the first retry of a failed append, seconds; doubles with every further failure. */
  retryDelaySeconds?: number;
  /** Longest wait between retries, seconds. */
  maxRetryDelaySeconds?: number;
}

/** A twin event waiting to be written, and who is told once it is. */
interface Pending {
  event: TwinEvent;
  replyTo: string;
}

interface LedgerContext {
  id: string;
  retryDelaySeconds: number;
  maxRetryDelaySeconds: number;
  /** FIFO of events to write; the head is the one being written (or retried). */
  queue: readonly Pending[];
  /** Ids the port has confirmed: an event is written and announced once only. */
  recorded: IdSet;
  /** Failed appends of the current head in a row (sets the back-off). */
  attempts: number;
  stats: { recorded: number; dropped: number; failures: number };
}

/**
 * What the ledger agent observes. `twin.event` comes from the wiring, which
 * watches the bus (`from` is the event's sender, told when it is recorded);
 * `ledger.receipt` / `ledger.appendFailed` are the port's answer to an
 * append; `ledger.retry` is the agent's own back-off timer.
 */
export type LedgerAgentEvent =
  | { type: 'twin.event'; event: TwinEvent; from?: string }
  | { type: 'ledger.receipt'; receipt: LedgerReceipt }
  | { type: 'ledger.appendFailed'; event: string; reason: string }
  | { type: 'ledger.retry' };

/** Asks the wiring to append one event to the ledger port and report back. */
export type LedgerAppendEffect = { type: 'ledger.append'; event: TwinEvent };
export type LedgerAgentEffect = SendEffect | LedgerAppendEffect;

/** The id of the delayed `ledger.retry` (explicit: the event log must not depend on XState's ids). */
export const RETRY_TIMER = 'ledger.retry';

/** Back-off after `attempts` failures in a row: base · 2^(attempts−1), capped. */
export function retryDelay(context: { retryDelaySeconds: number; maxRetryDelaySeconds: number }, attempts: number): number {
  return Math.min(context.maxRetryDelaySeconds, context.retryDelaySeconds * 2 ** Math.max(0, attempts - 1));
}

/**
 * The ledger agent: writes twin events to the ledger port one at a time, in
 * the order it observed them, and announces each as `ledger.recorded` to the
 * event's sender once the port has confirmed it (so the event log shows the
 * seq and hash that commit to it). It never calls the port itself: it emits
 * `ledger.append` and waits in `writing` for the receipt, so a port that
 * answers at once (the hash-chained file) and one that answers much later (a
 * chain transaction) drive it the same way. A failed append is retried after
 * a back-off, the head staying first, so the ledger's order never changes.
 * Recording is idempotent on the event id: an id recorded or queued already
 * is dropped before it reaches the port.
 */
export const ledgerAgent = setup({
  types: {
    context: {} as LedgerContext,
    input: {} as LedgerAgentInput,
    events: {} as LedgerAgentEvent,
    emitted: {} as LedgerAgentEffect,
  },
  guards: {
    isNew: ({ context, event }) => {
      if (event.type !== 'twin.event') return false;
      const id = event.event.id;
      return !hasId(context.recorded, id) && !context.queue.some((p) => p.event.id === id);
    },
    hasPending: ({ context }) => context.queue.length > 0,
    receiptForHead: ({ context, event }) => event.type === 'ledger.receipt' && context.queue[0]?.event.id === event.receipt.event,
    failureOfHead: ({ context, event }) => event.type === 'ledger.appendFailed' && context.queue[0]?.event.id === event.event,
  },
  actions: {
    enqueue: assign({
      queue: ({ context, event }) =>
        event.type === 'twin.event' ? [...context.queue, { event: event.event, replyTo: event.from ?? context.id }] : context.queue,
    }),
    countDropped: assign({ stats: ({ context }) => ({ ...context.stats, dropped: context.stats.dropped + 1 }) }),
    appendHead: emit(({ context }) => ({ type: 'ledger.append' as const, event: context.queue[0]!.event })),
    announceHead: emit(({ context, event }) => {
      const head = context.queue[0]!;
      const { seq, hash } = (event as Extract<LedgerAgentEvent, { type: 'ledger.receipt' }>).receipt;
      return send(head.replyTo, 'ledger.recorded', { event: head.event.id, eventType: head.event.type, seq, hash });
    }),
    confirmHead: assign(({ context }) => ({
      queue: context.queue.slice(1),
      recorded: addId(context.recorded, context.queue[0]!.event.id),
      attempts: 0,
      stats: { ...context.stats, recorded: context.stats.recorded + 1 },
    })),
    countFailure: assign(({ context }) => ({
      attempts: context.attempts + 1,
      stats: { ...context.stats, failures: context.stats.failures + 1 },
    })),
    scheduleRetry: raise({ type: 'ledger.retry' }, { id: RETRY_TIMER, delay: ({ context }) => retryDelay(context, context.attempts) * 1000 }),
    cancelRetry: cancel(RETRY_TIMER),
  },
}).createMachine({
  id: 'ledger',
  context: ({ input }) => ({
    id: input.id,
    retryDelaySeconds: input.retryDelaySeconds ?? 1,
    maxRetryDelaySeconds: input.maxRetryDelaySeconds ?? 300,
    queue: [],
    recorded: emptyIdSet,
    attempts: 0,
    stats: { recorded: 0, dropped: 0, failures: 0 },
  }),
  initial: 'idle',
  // Events queue up in every state; the head alone is in flight.
  on: {
    'twin.event': [{ guard: 'isNew', actions: 'enqueue' }, { actions: 'countDropped' }],
  },
  states: {
    idle: {
      always: { guard: 'hasPending', target: 'writing' },
    },
    writing: {
      entry: 'appendHead',
      on: {
        // Receipts for anything but the head (late answers to an earlier attempt) are ignored.
        'ledger.receipt': { guard: 'receiptForHead', target: 'idle', actions: ['announceHead', 'confirmHead'] },
        'ledger.appendFailed': { guard: 'failureOfHead', target: 'retrying', actions: 'countFailure' },
      },
    },
    retrying: {
      entry: 'scheduleRetry',
      exit: 'cancelRetry',
      on: { 'ledger.retry': 'writing' },
    },
  },
});
