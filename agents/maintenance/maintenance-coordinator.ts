import { enqueueActions, setup } from 'xstate';
import { send, type MessageEvent, type SendEffect } from '../host/effects.js';
import type { MaintenancePolicy } from './policies.js';
import { chooseWindow, impliedSpread, type WindowCosts } from './predictive/maintenance-window.js';
import { alertsFor, clearedByRenewal, type MaintenanceAlert, type OpenAlerts } from './predictive/alerts.js';
import { roundTo } from '../../sim/stats/round.js';
import {
  closeOrder,
  dispatch,
  emptyWorkBook,
  escalateToRepair,
  openOrder,
  orderOf,
  partArrived,
  type PartLine,
  type WorkBook,
  type WorkKind,
} from './work-orders.js';

export interface MaintainedMachine {
  id: string;
  /** Spare parts one job on this machine consumes. */
  parts: PartLine[];
  /** The cobot cell the machine stands in, locked while people work on it. */
  station?: string;
}

export interface MaintenanceCoordinatorInput {
  id: string;
  policy: MaintenancePolicy;
  technicians: string[];
  machines: MaintainedMachine[];
  /** Address of the supply coordinator; without one, parts are assumed on hand. */
  supply?: string;
  /** Address of the robotics coordinator; without one, no cells are locked. */
  robotics?: string;
  /** time-based: calendar interval between planned services of one machine. */
  serviceIntervalSeconds?: number;
  /** condition-based: request service when `signal` reaches `value` (predictive: for machines without a model). */
  threshold?: { signal: string; value: number };
  /** predictive: how predictions become planned services. */
  predictive?: PredictivePlanning;
  /** Where alerts from predictions go (operator consoles); none are sent without it. */
  alerts?: string;
}

export interface PredictivePlanning {
  /** Per predicted machine: what a planned and an unplanned stop cost. */
  costs: Record<string, WindowCosts>;
  /** A service is booked once its best start is this close (time to get parts and crew), hours. */
  leadHours: number;
  /** Candidate starts: every `stepHours` up to `lookAheadHours`. */
  stepHours: number;
  lookAheadHours: number;
}

interface MaintenanceContext extends MaintenanceCoordinatorInput {
  book: WorkBook;
  /** Open prediction alerts per machine. */
  openAlerts: Record<string, OpenAlerts>;
  machineIndex: Record<string, MaintainedMachine>;
}

export type MaintenanceEvent =
  | MessageEvent<'repair.requested'>
  | MessageEvent<'repair.completed'>
  | MessageEvent<'telemetry.sample'>
  | MessageEvent<'maintenance.prediction'>
  | MessageEvent<'parts.available'>
  | { type: 'service.due'; machine: string };

const serviceTimer = (machine: string) => `service:${machine}`;

/**
 * The maintenance coordinator: opens a work order for every repair request and
 * for every planned service its policy calls for (a calendar interval, a
 * health signal over its threshold, or a predicted remaining life whose
 * cheapest service window has come close), gets the spare parts from supply,
 * and hands work orders to idle technicians first come, first served.
 */
export const maintenanceCoordinator = setup({
  types: {
    context: {} as MaintenanceContext,
    input: {} as MaintenanceCoordinatorInput,
    events: {} as MaintenanceEvent,
    emitted: {} as SendEffect,
  },
  guards: {
    timeBased: ({ context }) => context.policy === 'time-based',
    overThreshold: ({ context, event }) => {
      if (event.type !== 'telemetry.sample' || !context.threshold) return false;
      const watched = context.policy === 'condition-based' || (context.policy === 'predictive' && !context.predictive?.costs[event.msg.payload.machine]);
      if (!watched) return false;
      const value = event.msg.payload.signals[context.threshold.signal];
      return value !== undefined && value >= context.threshold.value && !orderOf(context.book, event.msg.payload.machine);
    },
    predictedAndFree: ({ context, event }) =>
      context.policy === 'predictive' && event.type === 'maintenance.prediction' && !!context.predictive?.costs[event.msg.payload.machine] && !orderOf(context.book, event.msg.payload.machine),
    serviceDueAndFree: ({ context, event }) => event.type === 'service.due' && !orderOf(context.book, event.machine),
  },
  actions: {
    scheduleFirstServices: enqueueActions(({ context, enqueue }) => {
      const interval = context.serviceIntervalSeconds ?? 0;
      const n = context.machines.length;
      // Stagger first services over one interval so the crew is not flooded at once.
      context.machines.forEach((m, i) =>
        enqueue.raise({ type: 'service.due', machine: m.id }, { delay: (interval * 1000 * (i + 1)) / n, id: serviceTimer(m.id) }),
      );
    }),
  },
}).createMachine({
  id: 'maintenanceCoordinator',
  context: ({ input }) => ({
    ...input,
    book: emptyWorkBook(input.technicians),
    openAlerts: {},
    machineIndex: Object.fromEntries(input.machines.map((m) => [m.id, m])),
  }),
  initial: 'operating',
  states: {
    operating: {
      entry: enqueueActions(({ check, enqueue }) => {
        if (check('timeBased')) enqueue('scheduleFirstServices');
      }),
      // Each handler works out the new work book and the messages it implies in
      // one action: XState resolves one action much faster than several.
      on: {
        'repair.requested': {
          actions: enqueueActions(({ context, event, enqueue }) => {
            const machine = event.msg.payload.machine;
            const existing = orderOf(context.book, machine);
            if (existing) {
              enqueue.assign({ book: escalateToRepair(context.book, existing) });
              return;
            }
            const parts = context.supply ? (context.machineIndex[machine]?.parts ?? []) : [];
            const [book, order] = openOrder(context.book, context.id, machine, 'repair', parts.length);
            const effects = parts.map((p) => send(context.supply!, 'parts.requested', { item: p.item, qty: p.qty, workOrder: order.id, machine, reason: 'repair' }));
            if (context.policy === 'time-based') enqueue.cancel(serviceTimer(machine));
            commit(enqueue, context, book, effects);
          }),
        },
        'telemetry.sample': {
          guard: 'overThreshold',
          actions: enqueueActions(({ context, event, enqueue }) => {
            const { machine, signals } = event.msg.payload;
            const signal = context.threshold!.signal;
            const [book, effects] = requestService(context, machine, 'condition', { signal, value: signals[signal] });
            commit(enqueue, context, book, effects);
          }),
        },
        'maintenance.prediction': {
          actions: enqueueActions(({ context, event, enqueue, check }) => {
            const p = event.msg.payload;
            if (context.alerts) {
              const open = context.openAlerts[p.machine] ?? {};
              const changed = alertsFor(open, p);
              if (changed.alerts.length > 0) {
                enqueue.assign({ openAlerts: { ...context.openAlerts, [p.machine]: changed.open } });
                for (const a of changed.alerts) enqueue.emit(alertMessage(context.alerts, a));
              }
            }
            if (!check('predictedAndFree')) return;
            const plan = context.predictive!;
            const candidates = Array.from({ length: Math.floor(plan.lookAheadHours / plan.stepHours) }, (_, i) => (i + 1) * plan.stepHours);
            const spread = impliedSpread(p.rulHours, p.failureProbability, p.horizonHours, p.rulSpreadHours ?? p.horizonHours / 2);
            const choice = chooseWindow(p.rulHours, spread, plan.costs[p.machine], candidates);
            // Later starts are cheaper per hour secured until the failure risk takes over; book once the best start is near.
            if (choice.startHours > plan.leadHours) return;
            const [book, effects] = requestService(context, p.machine, 'prediction', undefined, { failureProbability: roundTo(choice.failureProbability, 3), startHours: choice.startHours });
            commit(enqueue, context, book, effects);
          }),
        },
        'service.due': {
          guard: 'serviceDueAndFree',
          actions: enqueueActions(({ context, event, enqueue }) => {
            const [book, effects] = requestService(context, event.machine, 'time');
            commit(enqueue, context, book, effects);
          }),
        },
        'parts.available': {
          actions: enqueueActions(({ context, event, enqueue }) => {
            const wo = event.msg.payload.workOrder;
            commit(enqueue, context, wo ? partArrived(context.book, wo) : context.book, []);
          }),
        },
        'repair.completed': {
          actions: enqueueActions(({ context, event, enqueue }) => {
            const { workOrder, technician, machine, kind } = event.msg.payload;
            const [book, order] = closeOrder(context.book, workOrder, technician);
            const effects: SendEffect[] = [];
            const open = context.openAlerts[machine];
            if (context.alerts && open && Object.keys(open).length > 0) {
              enqueue.assign({ openAlerts: { ...context.openAlerts, [machine]: {} } });
              for (const a of clearedByRenewal(machine, open)) effects.push(alertMessage(context.alerts, a));
            }
            const done: WorkKind = order?.kind ?? kind;
            if (done === 'preventive') effects.push(send(machine, 'maintenance.completed', { machine, workOrder, technician, kind: done }));
            const station = context.machineIndex[machine]?.station;
            if (context.robotics && station) effects.push(send(context.robotics, 'station.unlocked', { station, workOrder, machine }));
            if (context.policy === 'time-based' && context.serviceIntervalSeconds) {
              enqueue.raise({ type: 'service.due', machine }, { delay: context.serviceIntervalSeconds * 1000, id: serviceTimer(machine) });
            }
            commit(enqueue, context, book, effects);
          }),
        },
      },
    },
  },
});

type Enqueue = { assign: (update: { book: WorkBook }) => void; emit: (effect: SendEffect) => void };

function alertMessage(to: string, a: MaintenanceAlert): SendEffect {
  return send(to, 'maintenance.alert', { ...a });
}

/** Stores the new work book, sends the messages, then hands queued work to idle technicians. */
function commit(enqueue: Enqueue, context: MaintenanceContext, book: WorkBook, effects: SendEffect[]): void {
  const [dispatched, assigned] = dispatch(book);
  if (dispatched !== context.book) enqueue.assign({ book: dispatched });
  for (const e of effects) enqueue.emit(e);
  for (const order of assigned) {
    enqueue.emit(send(order.technician!, 'repair.assigned', { machine: order.machine, workOrder: order.id, kind: order.kind }));
    const station = context.machineIndex[order.machine]?.station;
    if (context.robotics && station) enqueue.emit(send(context.robotics, 'station.locked', { station, workOrder: order.id, machine: order.machine }));
  }
}

/** Opens a planned-service work order: tells the machine (a twin event) and orders its parts. */
function requestService(
  context: MaintenanceContext,
  machine: string,
  reason: 'condition' | 'time' | 'prediction',
  reading?: { signal: string; value: number },
  window?: { failureProbability: number; startHours: number },
): [WorkBook, SendEffect[]] {
  const parts = context.supply ? (context.machineIndex[machine]?.parts ?? []) : [];
  const [book, order] = openOrder(context.book, context.id, machine, 'preventive', parts.length);
  const effects: SendEffect[] = [send(machine, 'maintenance.requested', { machine, workOrder: order.id, reason, ...reading, ...window, parts })];
  for (const p of parts) {
    effects.push(send(context.supply!, 'parts.requested', { item: p.item, qty: p.qty, workOrder: order.id, machine, reason: 'maintenance' }));
  }
  return [book, effects];
}
