import { Priority, type Kernel, type Timer } from '../../sim/clock/kernel.js';
import type { Sampler } from '../../sim/random/distributions.js';
import type { RandomStreams } from '../../sim/random/streams.js';

/** An item a customer orders: how often, relative to its other items, and how many units per line. */
export interface DemandItem {
  item: string;
  /** Relative frequency among the customer's items (> 0). */
  weight: number;
  /** Units per line; rounded, at least 1. */
  qty: Sampler;
}

/** A customer as the world sees it: where it is, and how it orders. */
export interface CustomerProcess {
  id: string;
  /** Place the warehouse delivers to. */
  location: string;
  /** Seconds between two order lines. */
  interarrival: Sampler;
  items: DemandItem[];
  /** Delivery wanted this long after the order, seconds. */
  dueIn: number;
}

/** An order line, shaped as the `customer.ordered` payload (kernel seconds). */
export interface CustomerOrderLine {
  order: string;
  customer: string;
  place: string;
  item: string;
  qty: number;
  due: number;
  priority: number;
}

interface Customer extends CustomerProcess {
  /** Σ weights, for picking an item with one uniform draw. */
  totalWeight: number;
  /** Lines ordered so far (the number in the order id). */
  ordered: number;
}

/**
 * Customers' demand: each customer places order lines one after another, an
 * interarrival time apart (stream `customers/<id>/orders`); a line picks one
 * of its items in proportion to the weights and draws its quantity (both from
 * stream `customers/<id>/lines`). Times and lines draw from separate streams
 * so that a change in what customers buy leaves when they buy unchanged
 * (common random numbers across scenarios). Order ids are `<customer>-<n>`,
 * n from 1 per customer.
 */
export class CustomerDemand {
  private readonly customers: Customer[];
  private readonly timers = new Map<string, Timer<Customer>>();

  constructor(
    private readonly kernel: Kernel,
    private readonly streams: RandomStreams,
    customers: readonly CustomerProcess[],
    public listener: (line: CustomerOrderLine) => void = () => {},
  ) {
    this.customers = customers.map((c) => {
      if (c.items.length === 0) throw new Error(`customer ${c.id} orders no items`);
      for (const i of c.items) if (!(i.weight > 0)) throw new Error(`customer ${c.id}: item ${i.item} needs a positive weight`);
      return { ...c, totalWeight: c.items.reduce((s, i) => s + i.weight, 0), ordered: 0 };
    });
  }

  /** Schedules every customer's first order (an interarrival time from now). */
  start(): void {
    for (const c of this.customers) if (!this.timers.has(c.id)) this.schedule(c);
  }

  /** Cancels the orders not yet placed; `start` resumes with fresh interarrival times. */
  stop(): void {
    for (const t of this.timers.values()) this.kernel.cancel(t);
    this.timers.clear();
  }

  /** Order lines placed so far, over every customer. */
  get ordered(): number {
    return this.customers.reduce((s, c) => s + c.ordered, 0);
  }

  private schedule(c: Customer): void {
    // Negative draws (a normal sampler) mean "at once"; a sampler that is always 0 would order forever at one instant.
    const wait = Math.max(0, c.interarrival(this.streams.stream(`customers/${c.id}/orders`)));
    this.timers.set(c.id, this.kernel.after(wait, this.order, c, Priority.world));
  }

  private order = (c: Customer): void => {
    const rng = this.streams.stream(`customers/${c.id}/lines`);
    const item = pick(c.items, c.totalWeight, rng.next());
    const qty = Math.max(1, Math.round(item.qty(rng)));
    c.ordered++;
    const now = this.kernel.now;
    this.schedule(c);
    this.listener({ order: `${c.id}-${c.ordered}`, customer: c.id, place: c.location, item: item.item, qty, due: now + c.dueIn, priority: 0 });
  };
}

/** The item whose cumulative weight first exceeds u · total. */
function pick(items: readonly DemandItem[], total: number, u: number): DemandItem {
  let x = u * total;
  for (const i of items) {
    if (x < i.weight) return i;
    x -= i.weight;
  }
  return items[items.length - 1]; // rounding at u → 1
}
