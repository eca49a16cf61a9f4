import { assign, enqueueActions, setup } from 'xstate';
import { send, type MessageEvent, type SendEffect } from '../host/effects.js';
import { quoteTrip, type DistanceTable, type TruckRates } from './trip.js';

export interface TruckInput extends TruckRates {
  id: string;
  /** Place the truck starts from and returns to. */
  depot: string;
  /** Metres between the places it may drive to (depots, suppliers, warehouse). */
  distances: DistanceTable;
  /** Seconds past a call's bid window after which an offer nobody answered lapses. */
  offerGraceSeconds?: number;
}

export interface DeliveryJob {
  order: string;
  item: string;
  qty: number;
  from: string;
  to: string;
  /** The machine and work order the parts are for, when known: the delivery is part of that machine's twin history. */
  machine?: string;
  workOrder?: string;
  /** The negotiation that awarded the job, told when the parts are delivered. */
  manager: string;
  conversation: string;
}

interface TruckContext extends TruckInput {
  location: string;
  job?: DeliveryJob;
  /** Conversation of the call the truck has bid on and holds itself free for. */
  offer?: string;
}

export type TruckEvent =
  | MessageEvent<'delivery.cfp'>
  | MessageEvent<'delivery.awarded'>
  | MessageEvent<'delivery.rejected'>
  | { type: 'world.arrived'; place: string }
  | { type: 'offer.expired'; conversation: string };

export type DriveLeg = 'pickup' | 'dropoff' | 'return';

/** Effects of a truck: messages, and driving on the roads (the world reports `world.arrived`). */
export type TruckEffect = SendEffect | { type: 'truck.drive'; truck: string; from: string; to: string; leg: DriveLeg };

const OFFER_TIMER = 'offer';

/**
 * Says no to a call (`delivery.refused`) or to an award it cannot carry out
 * (`delivery.failed`: the manager then re-auctions without this truck).
 */
function turnDown(enqueue: { emit: (e: TruckEffect) => void }, event: TruckEvent, reason: string): void {
  if (event.type === 'delivery.cfp') enqueue.emit(send(event.msg.from, 'delivery.refused', { reason }, event.msg.conversation));
  if (event.type === 'delivery.awarded') enqueue.emit(send(event.msg.from, 'delivery.failed', { reason }, event.msg.conversation));
}

type Spec = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : '');

function quoteFor(context: TruckContext, spec: Spec) {
  return quoteTrip(context.distances, context, context.location, str(spec.from), str(spec.to), context.depot);
}

/**
 * A delivery truck. Only an idle truck bids: it quotes the whole trip (to the
 * pickup, to the dropoff, back to the depot) and holds itself free until the
 * call is settled, so two negotiations at once cannot both win it. Any busy
 * truck (holding an offer, driving, returning) refuses: the simple baseline;
 * the manager's rounds and the coordinator's retries find a truck later.
 */
export const truck = setup({
  types: {
    context: {} as TruckContext,
    input: {} as TruckInput,
    events: {} as TruckEvent,
    emitted: {} as TruckEffect,
  },
  guards: {
    canQuote: ({ context, event }) => event.type === 'delivery.cfp' && quoteFor(context, event.msg.payload.spec) !== undefined,
    canDo: ({ context, event }) => event.type === 'delivery.awarded' && quoteFor(context, event.msg.payload.spec) !== undefined,
    offerAwarded: ({ context, event }) => event.type === 'delivery.awarded' && event.msg.conversation === context.offer,
    ourOffer: ({ context, event }) =>
      (event.type === 'delivery.rejected' && event.msg.conversation === context.offer) || (event.type === 'offer.expired' && event.conversation === context.offer),
  },
  actions: {
    bid: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'delivery.cfp') return;
      const q = quoteFor(context, event.msg.payload.spec)!;
      const payload = { cost: q.cost, finishTime: event.msg.time + q.deliverSeconds, details: { metres: q.metres, driveSeconds: q.driveSeconds } };
      enqueue.emit(send(event.msg.from, 'delivery.proposal', payload, event.msg.conversation));
      enqueue.assign({ offer: event.msg.conversation });
      const grace = context.offerGraceSeconds ?? 10;
      enqueue.raise(
        { type: 'offer.expired', conversation: event.msg.conversation },
        { delay: (event.msg.payload.bidWindowSeconds + grace) * 1000, id: OFFER_TIMER },
      );
    }),
    turnDownBusy: enqueueActions(({ event, enqueue }) => turnDown(enqueue, event, 'busy')),
    turnDownUnknown: enqueueActions(({ event, enqueue }) => turnDown(enqueue, event, 'cannot reach those places')),
    dropOffer: enqueueActions(({ enqueue }) => {
      enqueue.cancel(OFFER_TIMER);
      enqueue.assign({ offer: undefined });
    }),
    takeJob: assign({
      job: ({ event }) => {
        if (event.type !== 'delivery.awarded') return undefined;
        const spec = event.msg.payload.spec;
        return {
          order: str(spec.order),
          item: str(spec.item),
          qty: typeof spec.qty === 'number' ? spec.qty : 0,
          from: str(spec.from),
          to: str(spec.to),
          ...(typeof spec.machine === 'string' ? { machine: spec.machine } : {}),
          ...(typeof spec.workOrder === 'string' ? { workOrder: spec.workOrder } : {}),
          manager: event.msg.from,
          conversation: event.msg.conversation,
        };
      },
    }),
    arrive: assign({ location: ({ context, event }) => (event.type === 'world.arrived' ? event.place : context.location) }),
    driveToPickup: enqueueActions(({ context, enqueue }) =>
      enqueue.emit({ type: 'truck.drive', truck: context.id, from: context.location, to: context.job!.from, leg: 'pickup' }),
    ),
    driveToDropoff: enqueueActions(({ context, enqueue }) =>
      enqueue.emit({ type: 'truck.drive', truck: context.id, from: context.location, to: context.job!.to, leg: 'dropoff' }),
    ),
    driveHome: enqueueActions(({ context, enqueue }) =>
      enqueue.emit({ type: 'truck.drive', truck: context.id, from: context.location, to: context.depot, leg: 'return' }),
    ),
    reportDelivered: enqueueActions(({ context, enqueue }) => {
      const j = context.job!;
      const forMachine = j.machine ? { machine: j.machine, ...(j.workOrder ? { workOrder: j.workOrder } : {}) } : {};
      enqueue.emit(send(j.manager, 'delivery.completed', { result: { order: j.order, item: j.item, qty: j.qty, to: j.to, ...forMachine } }, j.conversation));
      enqueue.assign({ job: undefined });
    }),
  },
}).createMachine({
  id: 'truck',
  context: ({ input }) => ({ ...input, location: input.depot }),
  initial: 'idle',
  states: {
    idle: {
      on: {
        'delivery.cfp': [{ guard: 'canQuote', target: 'busy.offered', actions: 'bid' }, { actions: 'turnDownUnknown' }],
        // An award after its offer lapsed: the truck bid for it and is free, so it takes it.
        'delivery.awarded': [{ guard: 'canDo', target: 'busy.toPickup', actions: 'takeJob' }, { actions: 'turnDownUnknown' }],
      },
    },
    busy: {
      on: {
        'delivery.cfp': { actions: 'turnDownBusy' },
        'delivery.awarded': { actions: 'turnDownBusy' },
      },
      initial: 'offered',
      states: {
        offered: {
          on: {
            'delivery.awarded': { guard: 'offerAwarded', target: 'toPickup', actions: ['dropOffer', 'takeJob'] },
            'delivery.rejected': { guard: 'ourOffer', target: '#truck.idle', actions: 'dropOffer' },
            'offer.expired': { guard: 'ourOffer', target: '#truck.idle', actions: 'dropOffer' },
          },
        },
        toPickup: {
          entry: 'driveToPickup',
          on: { 'world.arrived': { target: 'toDropoff', actions: 'arrive' } },
        },
        toDropoff: {
          entry: 'driveToDropoff',
          on: { 'world.arrived': { target: 'returning', actions: ['arrive', 'reportDelivered'] } },
        },
        returning: {
          entry: 'driveHome',
          on: { 'world.arrived': { target: '#truck.idle', actions: 'arrive' } },
        },
      },
    },
  },
});
