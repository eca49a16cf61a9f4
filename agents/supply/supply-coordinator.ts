import { enqueueActions, setup } from 'xstate';
import { negotiate, send, type MessageEvent, type NegotiateEffect, type SendEffect } from '../host/effects.js';
import { replenishment, type ItemPolicy } from './replenishment.js';
import { planItem, type PlannedItem, type PlanningSettings } from './item-planning.js';
import {
  adoptShipment,
  emptyBook,
  orderById,
  placeOrder,
  receive,
  stockOf,
  takeRequest,
  updateOrder,
  type Backorder,
  type PurchaseOrder,
  type StockBook,
} from './stock-book.js';

export interface SupplyItem extends ItemPolicy {
  id: string;
  initialStock: number;
  /** What forecast-driven planning needs of the item (with `planning`). */
  planned?: PlannedItem;
}

export interface SupplyCoordinatorInput {
  id: string;
  /** Place parts are delivered to. */
  warehouse: string;
  items: SupplyItem[];
  /** Group address of the suppliers and who is in it (with the items each carries). */
  supplierGroup: string;
  suppliers: { id: string; items: string[] }[];
  /** Group address of the trucks and how many there are. */
  truckGroup: string;
  trucks: number;
  /** Wait before asking suppliers again when nobody could take an order. */
  partsRetrySeconds: number;
  /** Wait before asking trucks again when nobody could drive a shipment. */
  deliveryRetrySeconds: number;
  /**
   * Forecast-driven purchasing: every review the policy of each item is
   * planned again from its demand history. Without it the scenario's fixed
   * reorder points stand.
   */
  planning?: PlanningSettings;
}

interface SupplyContext extends SupplyCoordinatorInput {
  book: StockBook;
  policies: Record<string, ItemPolicy>;
  /** How many suppliers carry each item: an item nobody sells is never put out to tender. */
  carriers: Record<string, number>;
  /** Demand per item and period since the start (with `planning`). */
  demand: Record<string, number[]>;
  /** Reviews done; the agent has no clock, and reviews run every `reviewPeriods` from the start. */
  reviews: number;
}

export type SupplyRetry = { type: 'supply.retry'; topic: 'parts' | 'delivery'; order: string };

export type SupplyEvent =
  | { type: 'supply.review' }
  | MessageEvent<'parts.requested'>
  | MessageEvent<'parts.shipped'>
  | MessageEvent<'parts.settled'>
  | MessageEvent<'delivery.settled'>
  | SupplyRetry;

/** Observations for the wiring (holding cost, stockout count); the agent itself keeps the books. */
export type StockEffect =
  | { type: 'stock.changed'; item: string; onHand: number }
  | { type: 'stock.out'; item: string; qty: number; workOrder?: string; machine?: string };

export type SupplyEffect = SendEffect | NegotiateEffect | StockEffect;

const NO_POLICY: ItemPolicy = { reorderPoint: -1, orderQuantity: 1 };

const REVIEW_TIMER = 'supply.review';

const retryId = (topic: SupplyRetry['topic'], order: string) => `retry:${topic}:${order}`;

/**
 * Back-off before asking again: the base wait, doubled with every failure in
 * a row up to 8×, so a congested supply chain is not flooded with calls.
 */
export function retryDelaySeconds(base: number, failures: number): number {
  return base * 2 ** Math.min(Math.max(failures - 1, 0), 3);
}

/** Drops undefined fields, so payloads and specs are the same before and after JSON. */
function defined<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The supply coordinator: serves spare-part requests from stock, keeps
 * backorders when it cannot, buys parts from suppliers and has trucks bring
 * them, both by contract-net. An order is never dropped: a negotiation that
 * finds nobody is opened again after a delay.
 */
export const supplyCoordinator = setup({
  types: {
    context: {} as SupplyContext,
    input: {} as SupplyCoordinatorInput,
    events: {} as SupplyEvent,
    emitted: {} as SupplyEffect,
  },
}).createMachine({
  id: 'supplyCoordinator',
  context: ({ input }) => ({
    ...input,
    book: emptyBook(input.items),
    policies: Object.fromEntries(input.items.map((i) => [i.id, { reorderPoint: i.reorderPoint, orderQuantity: i.orderQuantity }])),
    carriers: Object.fromEntries(input.items.map((i) => [i.id, input.suppliers.filter((s) => s.items.includes(i.id)).length])),
    demand: Object.fromEntries(input.items.map((i) => [i.id, []])),
    reviews: 0,
  }),
  initial: 'operating',
  states: {
    operating: {
      entry: enqueueActions(({ context, enqueue }) => scheduleReview(context, enqueue)),
      // One action per event: it works out the new books and every effect they imply.
      on: {
        'supply.review': {
          actions: enqueueActions(({ context, enqueue }) => {
            const planning = context.planning;
            if (!planning) return;
            const reviews = context.reviews + 1;
            // Whole periods since the start: reviews fall on period boundaries.
            const periods = reviews * planning.reviewPeriods;
            const policies = { ...context.policies };
            const changed: string[] = [];
            for (const item of context.items) {
              if (!item.planned) continue;
              const history = Array.from({ length: periods }, (_, p) => context.demand[item.id]?.[p] ?? 0);
              const planned = planItem(history, item.planned, planning);
              if (!planned) continue;
              const before = policies[item.id];
              policies[item.id] = planned;
              if (before?.reorderPoint !== planned.reorderPoint || before?.orderUpTo !== planned.orderUpTo) changed.push(item.id);
            }
            enqueue.assign({ policies, reviews });
            // A higher reorder point may call for an order now.
            const next = { ...context, policies, reviews };
            for (const item of changed) commit(enqueue, next, context.book, [], item);
            scheduleReview(next, enqueue);
          }),
        },
        'parts.requested': {
          actions: enqueueActions(({ context, event, enqueue }) => {
            const { item, qty, workOrder, machine } = event.msg.payload;
            const request: Backorder = defined({ item, qty, requester: event.msg.from, conversation: event.msg.conversation, workOrder, machine });
            const { book, issued, stockout } = takeRequest(context.book, request);
            if (context.planning) enqueue.assign({ demand: recordDemand(context.demand, item, qty, event.msg.time, context.planning.periodSeconds) });
            const effects: SupplyEffect[] = [];
            if (stockout) effects.push(defined({ type: 'stock.out' as const, item, qty, workOrder, machine }));
            effects.push(...issued.map(available));
            commit(enqueue, context, book, effects, item, { workOrder, machine });
          }),
        },
        'parts.settled': {
          actions: enqueueActions(({ context, event, enqueue }) => {
            const { outcome, winner, spec } = event.msg.payload;
            const order = orderById(context.book, String(spec.order));
            if (!order) return;
            if (outcome === 'awarded' && order.status === 'sourcing') {
              enqueue.assign({ book: updateOrder(context.book, order.id, { status: 'ordered', supplier: winner, failures: 0 }) });
            } else if (outcome === 'failed' && order.status !== 'shipped') {
              // The winner may have failed after the award: the order is back to sourcing.
              const failures = order.failures + 1;
              enqueue.assign({ book: updateOrder(context.book, order.id, { status: 'sourcing', failures }) });
              const delay = retryDelaySeconds(context.partsRetrySeconds, failures) * 1000;
              enqueue.raise({ type: 'supply.retry', topic: 'parts', order: order.id }, { delay, id: retryId('parts', order.id) });
            }
          }),
        },
        'parts.shipped': {
          actions: enqueueActions(({ context, event, enqueue }) => {
            const { order: id, item, qty, origin } = event.msg.payload;
            const supplier = event.msg.from;
            const known = orderById(context.book, id);
            if (known?.status === 'shipped') return; // told twice: one truck is enough
            const book = known
              ? updateOrder(context.book, id, { status: 'shipped', supplier, origin, failures: 0 })
              : adoptShipment(context.book, { order: id, item, qty, supplier, origin });
            enqueue.assign({ book });
            enqueue.emit(deliver(context, orderById(book, id)!));
          }),
        },
        'delivery.settled': {
          actions: enqueueActions(({ context, event, enqueue }) => {
            const { outcome, spec } = event.msg.payload;
            const id = String(spec.order);
            if (outcome === 'completed') {
              const { book, issued, item } = receive(context.book, id);
              if (item) commit(enqueue, context, book, issued.map(available), item);
            } else if (outcome === 'failed') {
              const order = orderById(context.book, id);
              if (!order) return;
              const failures = order.failures + 1;
              enqueue.assign({ book: updateOrder(context.book, id, { failures }) });
              const delay = retryDelaySeconds(context.deliveryRetrySeconds, failures) * 1000;
              enqueue.raise({ type: 'supply.retry', topic: 'delivery', order: id }, { delay, id: retryId('delivery', id) });
            }
          }),
        },
        'supply.retry': {
          actions: enqueueActions(({ context, event, enqueue }) => {
            const order = orderById(context.book, event.order);
            if (event.topic === 'parts' && order?.status === 'sourcing') enqueue.emit(buy(context, order));
            if (event.topic === 'delivery' && order?.status === 'shipped') enqueue.emit(deliver(context, order));
          }),
        },
      },
    },
  },
});

type Enqueue = { assign: (update: { book: StockBook }) => void; emit: (effect: SupplyEffect) => void };

/** Arms the next policy review (with `planning`). */
function scheduleReview(context: SupplyContext, enqueue: { raise: (e: SupplyEvent, o: { delay: number; id: string }) => void }): void {
  const p = context.planning;
  if (!p) return;
  enqueue.raise({ type: 'supply.review' }, { delay: p.reviewPeriods * p.periodSeconds * 1000, id: REVIEW_TIMER });
}

/** Adds a request to its item's demand in the period of `time`. */
function recordDemand(demand: Record<string, number[]>, item: string, qty: number, time: number, periodSeconds: number): Record<string, number[]> {
  const period = Math.floor(time / periodSeconds);
  const history = [...(demand[item] ?? [])];
  while (history.length <= period) history.push(0);
  history[period] += qty;
  return { ...demand, [item]: history };
}

/**
 * Stores the new books and emits the effects, after the purchasing policy
 * had its say on the item that changed, and reports its new stock on hand.
 */
function commit(
  enqueue: Enqueue,
  context: SupplyContext,
  book: StockBook,
  effects: SupplyEffect[],
  item: string,
  cause: { workOrder?: string; machine?: string } = {},
): void {
  let next = book;
  const buys: SupplyEffect[] = [];
  if ((context.carriers[item] ?? 0) > 0) {
    for (const line of replenishment(stockOf(next, item), context.policies[item] ?? NO_POLICY)) {
      const [b, order] = placeOrder(next, context.id, { item, ...line, ...(line.reason === 'shortage' ? defined(cause) : {}) });
      next = b;
      buys.push(buy(context, order));
    }
  }
  const onHand = stockOf(next, item).onHand;
  if (onHand !== stockOf(context.book, item).onHand) effects.push({ type: 'stock.changed', item, onHand });
  if (next !== context.book) enqueue.assign({ book: next });
  for (const e of [...effects, ...buys]) enqueue.emit(e);
}

function available(b: Backorder): SendEffect {
  return send(b.requester, 'parts.available', defined({ item: b.item, qty: b.qty, workOrder: b.workOrder, machine: b.machine }), b.conversation);
}

/**
 * Puts a purchase order out to tender. Every supplier answers a call (a bid or
 * a refusal), and the manager counts refusals as answers, so the window closes
 * early once the whole group has spoken.
 */
function buy(context: SupplyContext, order: PurchaseOrder): NegotiateEffect {
  const { id, item, qty, reason, workOrder, machine } = order;
  return negotiate({
    topic: 'parts',
    participants: context.supplierGroup,
    spec: defined({ order: id, item, qty, reason, destination: context.warehouse, workOrder, machine }),
    expectedBidders: context.suppliers.length,
  });
}

/** Finds a truck for a shipped order, from the supplier's place to the warehouse. */
function deliver(context: SupplyContext, order: PurchaseOrder): NegotiateEffect {
  const { id, item, qty, origin, workOrder, machine } = order;
  return negotiate({
    topic: 'delivery',
    participants: context.truckGroup,
    spec: defined({ order: id, item, qty, from: origin, to: context.warehouse, workOrder, machine }),
    expectedBidders: context.trucks,
  });
}
