import { enqueueActions, setup } from 'xstate';
import { negotiate, send, type MessageEvent, type NegotiateEffect, type SendEffect } from '../host/effects.js';
import { emptyDispatch, removeJob, updateJob, type DispatchBook, type TruckJob } from './logistics/dispatch-book.js';
import {
  auction,
  delayPickup,
  jobsOfOrder,
  newJobs,
  replan,
  truckProgress,
  URGENT_PRIORITY,
  type Dispatched,
  type LogisticsEffect,
  type LogisticsSettings,
} from './logistics/dispatching.js';
import { replenishment, type ItemPolicy } from './replenishment.js';
import { planItem, type PlannedItem, type PlanningSettings } from './item-planning.js';
import {
  adoptShipment,
  countStock,
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
  /** Group address of the trucks. */
  truckGroup: string;
  /** Told of every purchase order received (`parts.received`): operators, and the ledger's twin history. */
  operators?: string;
  /** The trucks and how they are dispatched. */
  logistics: LogisticsSettings;
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
  /** Truck jobs and the trucks' plans. */
  dispatch: DispatchBook;
}

export type SupplyRetry = { type: 'supply.retry'; topic: 'parts' | 'delivery'; order: string };

export type SupplyEvent =
  | { type: 'supply.review' }
  | MessageEvent<'parts.requested'>
  | MessageEvent<'parts.shipped'>
  | MessageEvent<'parts.settled'>
  | MessageEvent<'delivery.settled'>
  | MessageEvent<'parts.confirmed'>
  | MessageEvent<'parts.delayed'>
  | MessageEvent<'customer.ordered'>
  | MessageEvent<'stock.counted'>
  | MessageEvent<'delivery.served'>
  | MessageEvent<'delivery.unloaded'>
  | MessageEvent<'truck.progress'>
  /** From the wiring: re-optimise the fleet plan now (after a quiet spell, or the weekly route's departure with `release`). */
  | { type: 'supply.reoptimise'; time: number; seed: number; iterations: number; release?: number }
  | SupplyRetry;

/** Observations for the wiring (holding cost, stockout count); the agent itself keeps the books. */
export type StockEffect =
  | { type: 'stock.changed'; item: string; onHand: number }
  | { type: 'stock.out'; item: string; qty: number; workOrder?: string; machine?: string };

export type SupplyEffect = SendEffect | NegotiateEffect | StockEffect | LogisticsEffect;

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
    dispatch: emptyDispatch(
      input.logistics.trucks.map((t) => ({
        id: t.id,
        home: input.logistics.home,
        capacity: t.capacity,
        speed: t.speed,
        costPerKm: t.costPerKm,
        costPerHour: t.costPerHour,
        at: t.depot,
      })),
    ),
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
            // Each item's orders go on from the books the one before left (order ids stay unique).
            let next: SupplyContext = { ...context, policies, reviews };
            for (const item of changed) next = commit(enqueue, next, next.book, item, [], periods * planning.periodSeconds);
            scheduleReview(next, enqueue);
          }),
        },
        'parts.requested': {
          actions: enqueueActions(({ context, event, enqueue }) => {
            const { item, qty, workOrder, machine } = event.msg.payload;
            const request: Backorder = defined({ item, qty, requester: event.msg.from, conversation: event.msg.conversation, workOrder, machine });
            takeDemand(enqueue, context, request, event.msg.time);
          }),
        },
        'customer.ordered': {
          actions: enqueueActions(({ context, event, enqueue }) => {
            const { order, customer, place, item, qty, due, priority } = event.msg.payload;
            const request: Backorder = { item, qty, requester: event.msg.from, conversation: event.msg.conversation, customer: { order, customer, place, due, priority } };
            takeDemand(enqueue, context, request, event.msg.time);
          }),
        },
        'stock.counted': {
          actions: enqueueActions(({ context, event, enqueue }) => {
            const { item, onHand } = event.msg.payload;
            const { book, issued } = countStock(context.book, item, onHand);
            if (book !== context.book) commit(enqueue, context, book, item, issued, event.msg.time);
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
        'parts.confirmed': {
          actions: enqueueActions(({ context, event, enqueue }) => {
            const { order: id, readyAt, origin } = event.msg.payload;
            const order = orderById(context.book, id);
            if (!order || jobsOfOrder(context.dispatch, id).length > 0) return;
            enqueue.assign({ book: updateOrder(context.book, id, { supplier: event.msg.from, origin }) });
            dispatchWith(enqueue, newJobs(context.logistics, context.truckGroup, context.dispatch, pickup(context, { ...order, origin }, readyAt), event.msg.time));
          }),
        },
        'parts.delayed': {
          actions: enqueueActions(({ context, event, enqueue }) => {
            let d: Dispatched = { dispatch: context.dispatch, effects: [] };
            for (const job of jobsOfOrder(context.dispatch, event.msg.payload.order)) {
              const next = delayPickup(context.logistics, d.dispatch, job, event.msg.payload.readyAt);
              d = { dispatch: next.dispatch, effects: [...d.effects, ...next.effects] };
            }
            dispatchWith(enqueue, d);
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
            // A shipment nobody confirmed (a supplier acting on its own) is picked up from now.
            if (jobsOfOrder(context.dispatch, id).length === 0) {
              dispatchWith(enqueue, newJobs(context.logistics, context.truckGroup, context.dispatch, pickup(context, orderById(book, id)!, event.msg.time), event.msg.time));
            }
          }),
        },
        'delivery.settled': {
          actions: enqueueActions(({ context, event, enqueue }) => {
            const { outcome, winner, spec } = event.msg.payload;
            const id = String(spec.job);
            const job = context.dispatch.jobs[id];
            if (!job || job.status !== 'auction') return;
            // `completed`: the winner acknowledged the job into its plan (execution is tracked here).
            if (outcome === 'completed') enqueue.assign({ dispatch: updateJob(context.dispatch, id, { status: 'planned', truck: winner }) });
            if (outcome === 'failed') {
              enqueue.assign({ dispatch: updateJob(context.dispatch, id, { status: 'open' }) });
              enqueue.raise({ type: 'supply.retry', topic: 'delivery', order: id }, { delay: context.deliveryRetrySeconds * 1000, id: retryId('delivery', id) });
            }
          }),
        },
        'truck.progress': {
          actions: enqueueActions(({ context, event, enqueue }) => {
            dispatchWith(enqueue, truckProgress(context.logistics, context.truckGroup, context.dispatch, event.msg.from, event.msg.payload));
          }),
        },
        'delivery.served': {
          actions: enqueueActions(({ context, event, enqueue }) => {
            const { job: id, kind, lateSeconds } = event.msg.payload;
            const job = context.dispatch.jobs[id];
            if (!job) return;
            if (kind === 'pickup') {
              enqueue.assign({ dispatch: updateJob(context.dispatch, id, { status: 'served', truck: event.msg.from }) });
              return;
            }
            enqueue.assign({ dispatch: removeJob(context.dispatch, id) });
            enqueue.emit(defined({ type: 'delivery.done' as const, job: id, kind, lateSeconds, customerOrder: job.customerOrder }));
          }),
        },
        'delivery.unloaded': {
          actions: enqueueActions(({ context, event, enqueue }) => {
            // Parts in at the warehouse: stock rises and backorders are served, one order at a time.
            let next: SupplyContext = context;
            for (const id of event.msg.payload.jobs) {
              const job = next.dispatch.jobs[id];
              if (!job?.purchaseOrder || job.status !== 'served') continue;
              const lateSeconds = Math.max(0, event.msg.time - job.stop.due);
              enqueue.emit({ type: 'delivery.done', job: id, kind: 'pickup', lateSeconds });
              if (next.operators) {
                const { purchaseOrder: order, item, machine, workOrder } = job;
                enqueue.emit(send(next.operators, 'parts.received', defined({ order, item, qty: job.stop.qty, truck: event.msg.from, machine, workOrder })));
              }
              const { book, issued, item } = receive(next.book, job.purchaseOrder, job.stop.qty);
              next = { ...next, dispatch: removeJob(next.dispatch, id) };
              if (!item) continue;
              next = commit(enqueue, next, book, item, issued, event.msg.time);
            }
            enqueue.assign({ dispatch: next.dispatch });
          }),
        },
        'supply.reoptimise': {
          actions: enqueueActions(({ context, event, enqueue }) => {
            const { unassigned, ...done } = replan(context.logistics, context.dispatch, event);
            dispatchWith(enqueue, done);
            // Jobs no truck could take are tried again later.
            if (unassigned > 0) enqueue.raise({ type: 'supply.retry', topic: 'delivery', order: '*' }, { delay: context.deliveryRetrySeconds * 1000, id: retryId('delivery', '*') });
          }),
        },
        'supply.retry': {
          actions: enqueueActions(({ context, event, enqueue }) => {
            const order = orderById(context.book, event.order);
            if (event.topic === 'parts' && order?.status === 'sourcing') enqueue.emit(buy(context, order));
            if (event.topic !== 'delivery') return;
            const job = context.dispatch.jobs[event.order];
            const waiting = event.order === '*' || job?.status === 'open';
            if (context.logistics.policy === 'dynamic' && waiting) enqueue.emit({ type: 'logistics.changed', reason: `retry ${event.order}` });
            else if (job?.status === 'open') dispatchWith(enqueue, { dispatch: updateJob(context.dispatch, job.stop.job, { status: 'auction' }), effects: [auction(context.logistics, context.truckGroup, job)] });
          }),
        },
      },
    },
  },
});

type Enqueue = { assign: (update: Partial<SupplyContext>) => void; emit: (effect: SupplyEffect) => void };

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
 * Stores the new books after `issued` backorders were served (parts to their
 * requester, customer lines to a truck) and the purchasing policy had its
 * say on the item that changed; reports its new stock on hand. Returns the
 * context as it now is, for a caller that goes on.
 */
function commit(
  enqueue: Enqueue,
  context: SupplyContext,
  book: StockBook,
  item: string,
  issued: readonly Backorder[],
  time: number,
  effects: SupplyEffect[] = [],
  cause: { workOrder?: string; machine?: string } = {},
): SupplyContext {
  let next = book;
  let dispatch = context.dispatch;
  const out: SupplyEffect[] = [...effects];
  for (const b of issued) {
    if (!b.customer) {
      out.push(send(b.requester, 'parts.available', defined({ item: b.item, qty: b.qty, workOrder: b.workOrder, machine: b.machine }), b.conversation));
      continue;
    }
    const c = b.customer;
    const d = newJobs(context.logistics, context.truckGroup, dispatch, {
      stop: { job: `out:${c.order}`, kind: 'delivery', place: c.place, qty: b.qty, ready: time, due: Math.max(time, c.due), service: context.logistics.serviceSeconds, priority: 1 + c.priority },
      item: b.item,
      customerOrder: c.order,
      urgent: false,
    });
    dispatch = d.dispatch;
    out.push(...d.effects);
  }
  const buys: SupplyEffect[] = [];
  if ((context.carriers[item] ?? 0) > 0) {
    for (const line of replenishment(stockOf(next, item), context.policies[item] ?? NO_POLICY)) {
      const [b, order] = placeOrder(next, context.id, { item, ...line, ...(line.reason === 'shortage' ? defined(cause) : {}) });
      next = b;
      buys.push(buy(context, order));
    }
  }
  const onHand = stockOf(next, item).onHand;
  if (onHand !== stockOf(context.book, item).onHand) out.push({ type: 'stock.changed', item, onHand });
  enqueue.assign({ book: next, dispatch });
  for (const e of [...out, ...buys]) enqueue.emit(e);
  return { ...context, book: next, dispatch };
}

/** A request for stock (a machine's parts, a customer's order line): served now or backordered, and counted as demand. */
function takeDemand(enqueue: Enqueue, context: SupplyContext, request: Backorder, time: number): void {
  const { item, qty, workOrder, machine } = request;
  const { book, issued, stockout } = takeRequest(context.book, request);
  const planning = context.planning;
  const next = planning ? { ...context, demand: recordDemand(context.demand, item, qty, time, planning.periodSeconds) } : context;
  if (planning) enqueue.assign({ demand: next.demand });
  const effects: SupplyEffect[] = stockout ? [defined({ type: 'stock.out' as const, item, qty, workOrder, machine })] : [];
  commit(enqueue, next, book, item, issued, time, effects, { workOrder, machine });
}


/** The truck job that brings a purchase order in: urgent when a machine waits for it. */
function pickup(context: SupplyContext, order: PurchaseOrder, readyAt: number): Omit<TruckJob, 'status'> {
  const urgent = order.reason === 'shortage' && order.machine !== undefined;
  const l = context.logistics;
  return defined({
    stop: {
      job: `in:${order.id}`,
      kind: 'pickup' as const,
      place: order.origin ?? '',
      qty: order.qty,
      ready: readyAt,
      due: readyAt + (urgent ? l.urgentDueSeconds : l.pickupAllowanceSeconds),
      service: l.serviceSeconds,
      ...(urgent ? { priority: URGENT_PRIORITY } : {}),
    },
    item: order.item,
    purchaseOrder: order.id,
    urgent,
    machine: order.machine,
    workOrder: order.workOrder,
  });
}

/** Stores a dispatch change and emits what it implies. */
function dispatchWith(enqueue: Enqueue, d: Dispatched): void {
  enqueue.assign({ dispatch: d.dispatch });
  for (const e of d.effects) enqueue.emit(e);
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
