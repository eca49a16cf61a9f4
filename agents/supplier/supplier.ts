import { and, enqueueActions, setup } from 'xstate';
import { send, type MessageEvent, type SendEffect } from '../host/effects.js';

/** An item a supplier sells, with the lead time it quotes (the mean of its real lead-time distribution). */
export interface SupplierItem {
  item: string;
  price: number;
  leadTimeSeconds: number;
}

export interface SupplierInput {
  id: string;
  /** Place the parts leave from. */
  location: string;
  /** Orders it can have open at once. */
  capacity: number;
  items: SupplierItem[];
  /** Address of the supply coordinator, told the date an order will be ready, its delays, and when it ships. */
  supply: string;
}

/** An order being made: who awarded it, so the completion goes back to that manager. */
export interface OpenOrder {
  order: string;
  item: string;
  qty: number;
  manager: string;
  conversation: string;
}

interface SupplierContext extends SupplierInput {
  orders: OpenOrder[];
  next: number;
}

export type SupplierEvent =
  | MessageEvent<'parts.cfp'>
  | MessageEvent<'parts.awarded'>
  | MessageEvent<'parts.rejected'>
  | { type: 'world.orderReady'; order: string; item: string; qty: number }
  | { type: 'world.orderConfirmed'; order: string; item: string; qty: number; readyAt: number }
  | { type: 'world.orderDelayed'; order: string; item: string; qty: number; readyAt: number };

type OrderObservation = Extract<SupplierEvent, { type: `world.order${string}` }>;
const isOrderObservation = (e: SupplierEvent): e is OrderObservation =>
  e.type === 'world.orderReady' || e.type === 'world.orderConfirmed' || e.type === 'world.orderDelayed';

/** Effects of a supplier: messages, and starting an order's fulfilment in the world. */
export type SupplierEffect = SendEffect | { type: 'supplier.produce'; supplier: string; order: string; item: string; qty: number; cost: number };

type Spec = Record<string, unknown>;

const itemOf = (spec: Spec) => (typeof spec.item === 'string' ? spec.item : '');
const qtyOf = (spec: Spec) => (typeof spec.qty === 'number' && Number.isInteger(spec.qty) && spec.qty > 0 ? spec.qty : 0);
const offerOf = (context: SupplierContext, spec: Spec) => context.items.find((i) => i.item === itemOf(spec));

/**
 * A supplier of spare parts: bids on calls for parts it carries while it has
 * capacity (`open`), refuses everything when its capacity is taken (`full`),
 * makes awarded orders through the world, and reports each shipment to supply
 * and to the negotiation that awarded it. It tells supply the date it confirms
 * when an order starts and the new date when it slips, so pickups can be
 * planned for when the parts are really there. A rejection needs no action: a
 * bid holds no capacity.
 */
export const supplier = setup({
  types: {
    context: {} as SupplierContext,
    input: {} as SupplierInput,
    events: {} as SupplierEvent,
    emitted: {} as SupplierEffect,
  },
  guards: {
    carries: ({ context, event }) => (event.type === 'parts.cfp' || event.type === 'parts.awarded') && !!offerOf(context, event.msg.payload.spec) && qtyOf(event.msg.payload.spec) > 0,
    lastSlot: ({ context }) => context.orders.length + 1 >= context.capacity,
    /** The world reports on orders by id; one this supplier no longer (or never) held is ignored. */
    knowsOrder: ({ context, event }) => isOrderObservation(event) && context.orders.some((o) => o.order === event.order),
  },
  actions: {
    propose: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'parts.cfp') return;
      const spec = event.msg.payload.spec;
      const offer = offerOf(context, spec)!;
      const payload = { cost: offer.price * qtyOf(spec), finishTime: event.msg.time + offer.leadTimeSeconds, details: { leadTimeSeconds: offer.leadTimeSeconds } };
      enqueue.emit(send(event.msg.from, 'parts.proposal', payload, event.msg.conversation));
    }),
    refuse: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'parts.cfp') return;
      const item = itemOf(event.msg.payload.spec);
      const reason = !offerOf(context, event.msg.payload.spec) ? `does not carry ${item || 'this item'}` : qtyOf(event.msg.payload.spec) === 0 ? 'no quantity' : 'at capacity';
      enqueue.emit(send(event.msg.from, 'parts.refused', { reason }, event.msg.conversation));
    }),
    accept: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'parts.awarded') return;
      const { spec, cost } = event.msg.payload;
      const order = typeof spec.order === 'string' ? spec.order : `${context.id}-so-${context.next}`;
      const open: OpenOrder = { order, item: itemOf(spec), qty: qtyOf(spec), manager: event.msg.from, conversation: event.msg.conversation };
      enqueue.assign({ orders: [...context.orders, open], next: context.next + 1 });
      enqueue.emit({ type: 'supplier.produce', supplier: context.id, order, item: open.item, qty: open.qty, cost });
    }),
    /** Awarded while it cannot take the order: the manager re-auctions without it. */
    decline: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'parts.awarded') return;
      const reason = offerOf(context, event.msg.payload.spec) ? 'at capacity' : 'does not carry this item';
      enqueue.emit(send(event.msg.from, 'parts.failed', { reason }, event.msg.conversation));
    }),
    /** Tells supply when the order will be ready, in the order's conversation like the shipment. */
    confirm: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'world.orderConfirmed') return;
      const o = context.orders.find((x) => x.order === event.order)!;
      enqueue.emit(send(context.supply, 'parts.confirmed', { item: o.item, qty: o.qty, order: o.order, origin: context.location, readyAt: event.readyAt }, o.conversation));
    }),
    delay: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'world.orderDelayed') return;
      const o = context.orders.find((x) => x.order === event.order)!;
      enqueue.emit(send(context.supply, 'parts.delayed', { item: o.item, qty: o.qty, order: o.order, origin: context.location, readyAt: event.readyAt }, o.conversation));
    }),
    ship: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'world.orderReady') return;
      const o = context.orders.find((x) => x.order === event.order)!;
      enqueue.assign({ orders: context.orders.filter((x) => x !== o) });
      enqueue.emit(send(context.supply, 'parts.shipped', { item: o.item, qty: o.qty, order: o.order, origin: context.location }, o.conversation));
      enqueue.emit(send(o.manager, 'parts.completed', { result: { order: o.order, item: o.item, qty: o.qty } }, o.conversation));
    }),
  },
}).createMachine({
  id: 'supplier',
  context: ({ input }) => ({ ...input, orders: [], next: 1 }),
  initial: 'open',
  states: {
    open: {
      on: {
        'parts.cfp': [{ guard: 'carries', actions: 'propose' }, { actions: 'refuse' }],
        'parts.awarded': [
          { guard: and(['carries', 'lastSlot']), target: 'full', actions: 'accept' },
          { guard: 'carries', actions: 'accept' },
          { actions: 'decline' },
        ],
        'world.orderReady': { guard: 'knowsOrder', actions: 'ship' },
        'world.orderConfirmed': { guard: 'knowsOrder', actions: 'confirm' },
        'world.orderDelayed': { guard: 'knowsOrder', actions: 'delay' },
      },
    },
    full: {
      on: {
        'parts.cfp': { actions: 'refuse' },
        'parts.awarded': { actions: 'decline' },
        'world.orderReady': { guard: 'knowsOrder', target: 'open', actions: 'ship' },
        'world.orderConfirmed': { guard: 'knowsOrder', actions: 'confirm' },
        'world.orderDelayed': { guard: 'knowsOrder', actions: 'delay' },
      },
    },
  },
});
