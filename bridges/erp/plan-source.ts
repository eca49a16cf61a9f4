import type { CustomerOrder, Stock } from '../../agents/supply/erp/model.js';

/**
 * What the ERP API reads plans from and hands orders and stock to: the
 * supply agents, wired by the run (or an in-memory stand-in). Orders and
 * stock arrive validated; a source may return a promise while it books
 * them, and a thrown error becomes a 500 (its message, no stack trace).
 */
export interface PlanSource {
  /** The current supply plan (purchase and production orders), as JSON. */
  plan(): unknown;
  /** The current schedules (trucks, machines), as JSON. */
  schedules(): unknown;
  /** A new customer order (each id once; repeats are answered by the API). */
  onOrder(order: CustomerOrder): void | Promise<void>;
  /** A stock level the ERP counted: it replaces the one before. */
  onStock(stock: Stock): void | Promise<void>;
  /** What became of an order (planned, shipped, …); `received` when absent. */
  orderStatus?(id: string): unknown;
}

/** A PlanSource that keeps what it is given and plans nothing: for tests and demos. */
export class MemoryPlanSource implements PlanSource {
  readonly orders: CustomerOrder[] = [];
  readonly stock = new Map<string, Stock>();

  constructor(
    private readonly planValue: unknown = { purchaseOrders: [], productionOrders: [] },
    private readonly schedulesValue: unknown = { trucks: [] },
  ) {}

  plan(): unknown {
    return { ...(this.planValue as object), orders: this.orders.map((o) => o.id) };
  }

  schedules(): unknown {
    return this.schedulesValue;
  }

  onOrder(order: CustomerOrder): void {
    this.orders.push(order);
  }

  onStock(stock: Stock): void {
    this.stock.set(`${stock.item}@${stock.location}`, stock);
  }

  orderStatus(id: string): unknown {
    return this.orders.some((o) => o.id === id) ? 'received' : undefined;
  }
}
