import { cancel, enqueueActions, raise, setup } from 'xstate';
import { negotiate, send, type MessageEvent, type NegotiateEffect, type SendEffect } from '../host/effects.js';
import type { Pose } from '../ports/robot-port.js';
import { readTaskSpec, taskSpecRecord, type TaskSpec } from './task-spec.js';
import { carryOut } from '../operator/orders.js';
import { awarded, completed, drainBacklog, emptyBoard, lock, openTask, unassigned, unlock, type CobotHome, type TaskBoard } from './task-board.js';

export interface RoboticsCoordinatorInput {
  id: string;
  /** The cobots that bid (`#cobots`) and the station each is homed at. */
  cobots: CobotHome[];
  /** Where reassignments are reported (a twin event of the machine whose lock caused them). */
  maintenance: string;
  /** Seconds before tasks nobody took are announced again, when no progress comes first. */
  retrySeconds?: number;
  /** Seconds cobots have to bid (the window closes early once all have answered). */
  bidWindowSeconds?: number;
}

interface RoboticsContext extends RoboticsCoordinatorInput {
  board: TaskBoard;
  /** Cobots an operator paused: they stay suspended until resumed, whatever the locks do. */
  paused: string[];
}

/** A new transport task, from the world's task generator. */
export type TaskCreated = {
  type: 'world.taskCreated';
  task: string;
  from: string;
  to: string;
  fromPose: Pose;
  toPose: Pose;
  handlingSeconds: number;
};

export type RoboticsEvent =
  | TaskCreated
  | MessageEvent<'task.settled'>
  | MessageEvent<'station.locked'>
  | MessageEvent<'station.unlocked'>
  | MessageEvent<'operator.command'>
  | MessageEvent<'agent.back'>
  | { type: 'backlog.retry' };

export type RoboticsEffect = SendEffect | NegotiateEffect;

const RETRY_TIMER = 'backlog.retry';

type Enqueue = { emit: (e: RoboticsEffect) => void; assign: (u: { board: TaskBoard }) => void };

/** Opens a contract-net auction for one task among all cobots. */
function announce(context: RoboticsContext, spec: TaskSpec): NegotiateEffect {
  return negotiate({
    topic: 'task',
    participants: '#cobots',
    spec: taskSpecRecord(spec),
    expectedBidders: context.cobots.length,
    bidWindowSeconds: context.bidWindowSeconds ?? 2,
    maxRounds: 3,
    retryDelaySeconds: 30,
    // A cobot's bid holds nothing, so losers need no answer.
    notifyLosers: false,
  });
}

function announceBacklog(context: RoboticsContext, board: TaskBoard, enqueue: Enqueue): void {
  const [drained, specs] = drainBacklog(board);
  enqueue.assign({ board: drained });
  for (const spec of specs) enqueue.emit(announce(context, spec));
}

const settledSpec = (event: RoboticsEvent) => (event.type === 'task.settled' ? readTaskSpec(event.msg.payload.spec) : undefined);

/**
 * The robotics coordinator: auctions every transport task among the cobots
 * (contract-net; the cheapest bid is the earliest finish), keeps tasks nobody
 * could take in a backlog and announces them again on progress, when a lost
 * cobot is back, or after a delay, and suspends the cobots of a cell while
 * people work in it. A task a suspended cobot hands back is re-auctioned by
 * its manager; its new holder is reported as `task.reassigned`, with the
 * work order that caused it.
 */
export const roboticsCoordinator = setup({
  types: {
    context: {} as RoboticsContext,
    input: {} as RoboticsCoordinatorInput,
    events: {} as RoboticsEvent,
    emitted: {} as RoboticsEffect,
  },
  guards: {
    noWinner: ({ event }) => event.type === 'task.settled' && event.msg.payload.outcome === 'failed',
    taskDone: ({ event }) => event.type === 'task.settled' && event.msg.payload.outcome === 'completed',
  },
  actions: {
    open: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'world.taskCreated') return;
      const { task, from, to, fromPose, toPose, handlingSeconds } = event;
      const spec: TaskSpec = { task, from, to, fromPose, toPose, handlingSeconds, station: from };
      enqueue.assign({ board: openTask(context.board, spec) });
      enqueue.emit(announce(context, spec));
    }),
    /** An award or a completion: who holds the task now, and whether that is a reassignment. */
    record: enqueueActions(({ context, event, enqueue }) => {
      const spec = settledSpec(event);
      if (!spec || event.type !== 'task.settled') return;
      const { outcome, winner } = event.msg.payload;
      if (outcome === 'completed') {
        enqueue.assign({ board: completed(context.board, spec.task) });
        return;
      }
      if (outcome !== 'awarded' || !winner) return;
      const [board, report] = awarded(context.board, context.cobots, spec.task, winner);
      enqueue.assign({ board });
      if (report) {
        const { fromCobot, toCobot, station, workOrder, machine } = report;
        enqueue.emit(send(context.maintenance, 'task.reassigned', { task: spec.task, station, fromCobot, toCobot, reason: 'station locked', workOrder, machine }));
      }
    }),
    toBacklog: enqueueActions(({ context, event, enqueue }) => {
      const spec = settledSpec(event);
      if (spec) enqueue.assign({ board: unassigned(context.board, spec.task) });
    }),
    /** Re-announces the backlog; used after `record`, so it reads the board `record` left. */
    retry: enqueueActions(({ context, enqueue }) => announceBacklog(context, context.board, enqueue)),
    lock: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'station.locked') return;
      const { station, workOrder, machine } = event.msg.payload;
      const [board, suspend] = lock(context.board, context.cobots, station, { workOrder, machine });
      enqueue.assign({ board });
      for (const c of suspend) enqueue.emit(send(c, 'cobot.suspend', { station, workOrder, machine }));
    }),
    unlock: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'station.unlocked') return;
      const { station, workOrder } = event.msg.payload;
      const [board, resume] = unlock(context.board, context.cobots, station, workOrder);
      enqueue.assign({ board });
      for (const c of resume) if (!context.paused.includes(c)) enqueue.emit(send(c, 'cobot.resume', { station }));
    }),
    /** An operator's order (validated when submitted; see agents/operator/orders.ts). */
    operate: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'operator.command') return;
      const { board, paused, effects, refusal } = carryOut(context, event.msg.payload, context);
      enqueue.assign({ board, paused: [...paused] });
      for (const e of effects) enqueue.emit(e);
      if (refusal) enqueue.emit(send(event.msg.from, 'operator.refused', { command: event.msg.payload.command, reason: refusal }, event.msg.conversation));
    }),
    armRetry: raise({ type: 'backlog.retry' }, { id: RETRY_TIMER, delay: ({ context }) => (context.retrySeconds ?? 300) * 1000 }),
    disarmRetry: cancel(RETRY_TIMER),
  },
}).createMachine({
  id: 'roboticsCoordinator',
  context: ({ input }) => ({ ...input, board: emptyBoard(), paused: [] }),
  initial: 'clear',
  on: {
    'world.taskCreated': { actions: 'open' },
    'task.settled': [{ guard: 'noWinner', target: '.backlogged', actions: 'toBacklog' }, { actions: 'record' }],
    'station.locked': { actions: 'lock' },
    'station.unlocked': { actions: 'unlock' },
    'operator.command': { actions: 'operate' },
  },
  states: {
    /** Every task is being auctioned or done. */
    clear: {},
    /** Some tasks found no cobot: they are announced again on the next progress, unlock, cobot back or retry. */
    backlogged: {
      entry: 'armRetry',
      exit: 'disarmRetry',
      on: {
        'task.settled': [
          { guard: 'noWinner', actions: 'toBacklog' },
          { guard: 'taskDone', target: 'clear', actions: ['record', 'retry'] },
          { actions: 'record' },
        ],
        'station.unlocked': { target: 'clear', actions: ['unlock', 'retry'] },
        // A cobot lost with its agent host runs again (a broker restart dropped every host, say): bidders are back.
        'agent.back': { target: 'clear', actions: 'retry' },
        'backlog.retry': { target: 'clear', actions: 'retry' },
      },
    },
  },
});
