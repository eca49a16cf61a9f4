import { assign, emit, enqueueActions, setup } from 'xstate';
import type { SendEffect } from '../host/effects.js';
import type { Envelope } from './envelope.js';
import type { NegotiatedTopic } from './messages.js';

/**
 * The manager side of a contract-net negotiation (FIPA), one actor per task:
 * announce → collect proposals until the bid window closes (or every expected
 * bidder has answered) → award the cheapest → wait for done or failure.
 *
 * It answers the two complaints users of Open-RMF's dispatcher raise most:
 * an auction with no bids is announced again after a back-off, up to
 * `maxRounds`, and then reported as failed to the opener instead of hanging;
 * and a negotiation does not wait out its window once all bidders have spoken.
 * A failure or a missed finish time re-auctions the task without the bidder
 * that failed.
 */
export interface ContractNetInput {
  id: string;
  /** Address of the agent that opened the negotiation; it receives `<topic>.settled`. */
  opener: string;
  topic: NegotiatedTopic;
  /** Where the call for proposals goes: a group (`#cobots`) or one agent. */
  participants: string;
  spec: Record<string, unknown>;
  bidWindowSeconds: number;
  /** Close the window early once this many bidders have answered. */
  expectedBidders?: number;
  maxRounds: number;
  retryDelaySeconds: number;
  /** Seconds past the winner's promised finish time before the award is taken back. */
  graceSeconds?: number;
  /** Bidders that may not win (they failed this task before). */
  exclude?: string[];
  /**
   * Tell losing bidders (`<topic>.rejected`), default true. Bidders that hold
   * capacity for an open bid (trucks) need it; bidders whose proposals bind
   * nothing (cobots quoting a finish time) do not, and a large fleet saves a
   * message per loser per task.
   */
  notifyLosers?: boolean;
}

export interface Bid {
  from: string;
  cost: number;
  finishTime: number;
  previousCost?: number;
}

interface ContractNetContext extends ContractNetInput {
  round: number;
  bids: Bid[];
  answered: number;
  excluded: string[];
  winner?: Bid;
  /** Simulated time the last message reached this manager (the agent has no clock of its own). */
  lastTime: number;
}

type Msg = { type: string; msg: Envelope };

/** Cheapest bid; ties go to the earlier finish, then to the lower id, so awards are deterministic. */
export function bestBid(bids: readonly Bid[]): Bid | undefined {
  let best: Bid | undefined;
  for (const b of bids) {
    if (
      !best ||
      b.cost < best.cost ||
      (b.cost === best.cost && (b.finishTime < best.finishTime || (b.finishTime === best.finishTime && b.from < best.from)))
    ) {
      best = b;
    }
  }
  return best;
}

const verb = (event: { type: string }) => event.type.slice(event.type.indexOf('.') + 1);

export const contractNet = setup({
  types: {
    context: {} as ContractNetContext,
    input: {} as ContractNetInput,
    events: {} as Msg,
    emitted: {} as SendEffect,
  },
  delays: {
    bidWindow: ({ context }) => context.bidWindowSeconds * 1000,
    retryDelay: ({ context }) => context.retryDelaySeconds * 1000 * context.round,
    finishDeadline: ({ context }) =>
      Math.max(0, (context.winner!.finishTime - context.lastTime + (context.graceSeconds ?? Infinity)) * 1000),
  },
  guards: {
    isProposal: ({ event }) => verb(event) === 'proposal',
    isRefusal: ({ event }) => verb(event) === 'refused',
    isCompletion: ({ context, event }) => verb(event) === 'completed' && event.msg.from === context.winner?.from,
    isFailure: ({ context, event }) => verb(event) === 'failed' && event.msg.from === context.winner?.from,
    winnerLost: ({ context, event }) => event.type === 'agent.lost' && (event.msg.payload as { agent: string }).agent === context.winner?.from,
    everyoneAnswered: ({ context }) => context.expectedBidders !== undefined && context.answered >= context.expectedBidders,
    hasBids: ({ context }) => context.bids.length > 0,
    roundsLeft: ({ context }) => context.round < context.maxRounds,
    hasDeadline: ({ context }) => context.graceSeconds !== undefined,
  },
  actions: {
    announce: emit(({ context }) => ({
      type: 'send' as const,
      to: context.participants,
      message: `${context.topic}.cfp` as 'task.cfp',
      payload: { bidWindowSeconds: context.bidWindowSeconds, round: context.round, spec: context.spec },
      conversation: context.id,
    })),
    recordBid: assign(({ context, event }) => {
      const p = event.msg.payload as { cost: number; finishTime: number; previousCost?: number };
      const answered = context.answered + 1;
      if (context.excluded.includes(event.msg.from)) return { answered, lastTime: event.msg.time };
      const bid: Bid = { from: event.msg.from, cost: p.cost, finishTime: p.finishTime, previousCost: p.previousCost };
      return { bids: [...context.bids, bid], answered, lastTime: event.msg.time };
    }),
    recordRefusal: assign(({ context, event }) => ({ answered: context.answered + 1, lastTime: event.msg.time })),
    nextRound: assign(({ context }) => ({ round: context.round + 1, bids: [], answered: 0 })),
    chooseWinner: assign({ winner: ({ context }) => bestBid(context.bids) }),
    dropWinner: assign(({ context }) => ({
      excluded: context.winner ? [...context.excluded, context.winner.from] : context.excluded,
      winner: undefined,
    })),
  },
}).createMachine({
  id: 'contractNet',
  context: ({ input }) => ({ ...input, round: 1, bids: [], answered: 0, excluded: [...(input.exclude ?? [])], lastTime: 0 }),
  initial: 'announcing',
  states: {
    announcing: {
      entry: 'announce',
      always: 'collecting',
    },
    collecting: {
      after: { bidWindow: 'evaluating' },
      on: {
        '*': [
          { guard: 'isProposal', actions: 'recordBid' },
          { guard: 'isRefusal', actions: 'recordRefusal' },
        ],
      },
      always: { guard: 'everyoneAnswered', target: 'evaluating' },
    },
    evaluating: {
      always: [
        { guard: 'hasBids', target: 'awarded', actions: 'chooseWinner' },
        { guard: 'roundsLeft', target: 'backingOff' },
        { target: 'failed' },
      ],
    },
    backingOff: {
      after: { retryDelay: { target: 'announcing', actions: 'nextRound' } },
    },
    awarded: {
      entry: enqueueActions(({ context, enqueue }) => {
        const { topic, winner, spec, id } = context;
        const w = winner!;
        enqueue.emit({
          type: 'send',
          to: w.from,
          message: `${topic}.awarded` as 'task.awarded',
          payload: { winner: w.from, cost: w.cost, finishTime: w.finishTime, spec },
          conversation: id,
        });
        // Losers are told, so a bidder holding capacity for this proposal can release it.
        for (const b of context.notifyLosers === false ? [] : context.bids) {
          if (b.from !== w.from) enqueue.emit({ type: 'send', to: b.from, message: `${topic}.rejected` as 'task.rejected', payload: {}, conversation: id });
        }
        enqueue.emit({
          type: 'send',
          to: context.opener,
          message: `${topic}.settled` as 'task.settled',
          payload: { outcome: 'awarded', winner: w.from, cost: w.cost, finishTime: w.finishTime, rounds: context.round, spec },
          conversation: id,
        });
      }),
      after: {
        finishDeadline: { guard: 'hasDeadline', target: 'reauctioning' },
      },
      on: {
        '*': [
          { guard: 'isCompletion', target: 'completed' },
          { guard: 'isFailure', target: 'reauctioning' },
          { guard: 'winnerLost', target: 'reauctioning' },
        ],
      },
    },
    reauctioning: {
      entry: 'dropWinner',
      always: [{ guard: 'roundsLeft', target: 'announcing', actions: 'nextRound' }, { target: 'failed' }],
    },
    completed: {
      type: 'final',
      entry: emit(({ context }) => ({
        type: 'send' as const,
        to: context.opener,
        message: `${context.topic}.settled` as 'task.settled',
        payload: { outcome: 'completed' as const, winner: context.winner!.from, rounds: context.round, spec: context.spec },
        conversation: context.id,
      })),
    },
    failed: {
      type: 'final',
      entry: emit(({ context }) => ({
        type: 'send' as const,
        to: context.opener,
        message: `${context.topic}.settled` as 'task.settled',
        payload: { outcome: 'failed' as const, rounds: context.round, reason: 'no acceptable bid', spec: context.spec },
        conversation: context.id,
      })),
    },
  },
});
