import { Priority, type Kernel } from '../../sim/clock/kernel.js';
import type { Sampler } from '../../sim/random/distributions.js';
import type { RandomStreams } from '../../sim/random/streams.js';

/** A supplier as the world sees it: how long its orders really take. */
export interface SupplierProcess {
  id: string;
  /** Probability an order ships within its drawn lead time; a late one takes `lateFactor` times as long. */
  reliability: number;
  /** Lead-time samplers by item. */
  leadTimes: Record<string, Sampler>;
}

export interface ProductionOrder {
  order: string;
  item: string;
  qty: number;
  /** What the order costs the plant (price · qty), counted when it ships. */
  cost: number;
}

/** The order is made: the supplier ships it. */
export type OrderReady = { type: 'world.orderReady'; order: string; item: string; qty: number };
/** The order is started: the date the supplier believes (now + the drawn base lead time), kernel seconds. */
export type OrderConfirmed = { type: 'world.orderConfirmed'; order: string; item: string; qty: number; readyAt: number };
/** At the confirmed date a late order is not done: the real date it will be, kernel seconds. */
export type OrderDelayed = { type: 'world.orderDelayed'; order: string; item: string; qty: number; readyAt: number };
/** What the world tells a supplier's agent about its orders. */
export type FulfilmentObservation = OrderConfirmed | OrderDelayed | OrderReady;

export interface FulfilmentCounters {
  ordersStarted: number;
  ordersShipped: number;
  ordersLate: number;
  /** Money spent on parts that shipped. */
  partsCost: number;
}

interface Job extends ProductionOrder {
  supplier: string;
  /** Real ready time, kernel seconds. */
  readyAt: number;
}

/** How much longer a late order takes than its drawn lead time. */
export const LATE_FACTOR = 1.5;

/**
 * Suppliers' fulfilment: an order takes a lead time drawn from the supplier's
 * distribution for the item (stream `<supplier>/lead-time`), and with
 * probability 1 − reliability it is late (stream `<supplier>/reliability`,
 * drawn for every order so that runs differing only in reliability stay on
 * common random numbers). The supplier's agent is told the date it confirms
 * (start + base lead time), and for a late order, at that date, the real one;
 * then when it is ready. A supplier only learns of the delay when the date
 * slips, as a real one would, so the plant cannot plan around it earlier.
 */
export class SupplierFulfilment {
  readonly counters: FulfilmentCounters = { ordersStarted: 0, ordersShipped: 0, ordersLate: 0, partsCost: 0 };
  private readonly suppliers = new Map<string, SupplierProcess>();

  constructor(
    private readonly kernel: Kernel,
    private readonly streams: RandomStreams,
    suppliers: readonly SupplierProcess[],
    public listener: (supplier: string, observation: FulfilmentObservation) => void = () => {},
  ) {
    for (const s of suppliers) this.suppliers.set(s.id, s);
  }

  /** Starts making an order; returns the lead time it will take, seconds. */
  produce(supplier: string, order: ProductionOrder): number {
    const s = this.suppliers.get(supplier);
    if (!s) throw new Error(`order ${order.order}: no supplier "${supplier}"`);
    const draw = s.leadTimes[order.item];
    if (!draw) throw new Error(`order ${order.order}: supplier ${supplier} does not make "${order.item}"`);
    const base = Math.max(0, draw(this.streams.stream(`${supplier}/lead-time`)));
    const late = this.streams.stream(`${supplier}/reliability`).next() >= s.reliability;
    const lead = late ? base * LATE_FACTOR : base;
    this.counters.ordersStarted++;
    if (late) this.counters.ordersLate++;
    const now = this.kernel.now;
    const job: Job = { ...order, supplier, readyAt: now + lead };
    // Scheduled for this instant rather than told inside `produce`, so the caller (the
    // supplier's agent emitting its effect) has recorded the order before it hears of it.
    this.kernel.at(now, this.confirm, { job, readyAt: now + base }, Priority.world);
    // A late order with a zero base lead time is not really late: nothing to announce.
    if (lead > base) this.kernel.at(now + base, this.delay, job, Priority.world);
    this.kernel.at(job.readyAt, this.ship, job, Priority.world);
    return lead;
  }

  private confirm = ({ job, readyAt }: { job: Job; readyAt: number }): void => {
    this.listener(job.supplier, { type: 'world.orderConfirmed', order: job.order, item: job.item, qty: job.qty, readyAt });
  };

  private delay = (job: Job): void => {
    this.listener(job.supplier, { type: 'world.orderDelayed', order: job.order, item: job.item, qty: job.qty, readyAt: job.readyAt });
  };

  private ship = (job: Job): void => {
    this.counters.ordersShipped++;
    this.counters.partsCost += job.cost;
    this.listener(job.supplier, { type: 'world.orderReady', order: job.order, item: job.item, qty: job.qty });
  };
}
