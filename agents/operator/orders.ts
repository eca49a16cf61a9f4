import { negotiate, send, type NegotiateEffect, type SendEffect } from '../host/effects.js';
import type { CobotHome, TaskBoard } from '../robotics/task-board.js';
import { taskSpecRecord } from '../robotics/task-spec.js';
import type { OperatorOrder } from './command.js';

/**
 * What the robotics coordinator does with a validated operator order, as a
 * pure function of its books. The order was checked when it was submitted;
 * the coordinator checks again what it alone knows for sure at delivery
 * (pauses, cell locks, the backlog), and refuses rather than act on a
 * plant that changed in between.
 *
 * - pause: the cobot is suspended as for a maintenance lock (it stops and
 *   hands its tasks back to their auctions) and stays so until resumed, even
 *   when its cell is unlocked meanwhile;
 * - resume: the pause ends; the cobot resumes unless its cell is locked;
 * - move / charge: forwarded to the cobot as `cobot.command`;
 * - assign: a task in the backlog is auctioned to that one cobot (contract-net
 *   with a single participant, one round); if it does not take it, the task
 *   returns to the backlog as any unsold task does.
 */
export interface OrderBooks {
  board: TaskBoard;
  paused: readonly string[];
}

export interface OrderOutcome extends OrderBooks {
  effects: (SendEffect | NegotiateEffect)[];
  /** Why the order was not carried out. */
  refusal?: string;
}

export interface OrderSettings {
  cobots: readonly CobotHome[];
  bidWindowSeconds?: number;
}

export function carryOut(books: OrderBooks, order: OperatorOrder, settings: OrderSettings): OrderOutcome {
  const { command } = order;
  const unchanged = (refusal: string): OrderOutcome => ({ ...books, effects: [], refusal });
  const home = settings.cobots.find((c) => c.id === command.cobot)?.home;
  if (!home) return unchanged(`unknown cobot "${command.cobot}"`);
  const lock = books.board.locks[home]?.[0];
  const paused = books.paused.includes(command.cobot);
  const cobot = command.cobot;

  switch (command.verb) {
    case 'pause':
      if (paused) return unchanged(`${cobot} is already paused`);
      // Under a lock the cobot is suspended already; the pause keeps it so after the unlock.
      return { ...books, paused: [...books.paused, cobot], effects: lock ? [] : [send(cobot, 'cobot.suspend', { station: home })] };
    case 'resume':
      if (!paused) return unchanged(`${cobot} is not paused`);
      return { ...books, paused: books.paused.filter((c) => c !== cobot), effects: lock ? [] : [send(cobot, 'cobot.resume', { station: home })] };
    default:
      break;
  }
  if (paused) return unchanged(`${cobot} is paused`);
  if (lock) return unchanged(`${cobot} is suspended while ${home} is locked for work order ${lock.workOrder}`);

  switch (command.verb) {
    case 'move':
      if (!order.pose) return unchanged(`no position for ${command.place}`);
      return { ...books, effects: [send(cobot, 'cobot.command', { order: 'move', place: command.place, pose: order.pose })] };
    case 'charge':
      return { ...books, effects: [send(cobot, 'cobot.command', { order: 'charge' })] };
    case 'assign': {
      const open = books.board.tasks[command.task];
      if (!open || !books.board.backlog.includes(command.task)) return unchanged(`${command.task} is not waiting for a cobot`);
      const board = { ...books.board, backlog: books.board.backlog.filter((t) => t !== command.task) };
      const auction = negotiate({
        topic: 'task',
        participants: cobot,
        spec: taskSpecRecord(open.spec),
        expectedBidders: 1,
        bidWindowSeconds: settings.bidWindowSeconds ?? 2,
        maxRounds: 1,
        retryDelaySeconds: 30,
        notifyLosers: false,
      });
      return { board, paused: books.paused, effects: [auction] };
    }
  }
}
