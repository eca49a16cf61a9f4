/**
 * The supply coordinator's books as plain immutable data: stock on hand,
 * backorders waiting for parts, and purchase orders on their way. Every
 * function returns new objects and never changes its arguments, so the
 * coordinator's snapshots persist and model-based tests can explore them.
 */

/** A request that could not be served from stock: it waits, first come first served. */
export interface Backorder {
  item: string;
  qty: number;
  /** Address the parts are reported to (`parts.available`). */
  requester: string;
  /** Conversation of the request, continued by the reply. */
  conversation: string;
  workOrder?: string;
  machine?: string;
  /** A customer's order line: once issued, a truck delivers it. */
  customer?: { order: string; customer: string; place: string; due: number; priority: number };
}

export interface ItemStock {
  onHand: number;
  /** Bought and not yet received. */
  onOrder: number;
  backorders: Backorder[];
}

/**
 * A purchase order: `sourcing` while suppliers are asked, `ordered` once one
 * won it, `shipped` once it left the supplier (a truck is being found or is
 * driving). Received orders leave the book.
 */
export interface PurchaseOrder {
  id: string;
  item: string;
  qty: number;
  reason: 'shortage' | 'reorder';
  status: 'sourcing' | 'ordered' | 'shipped';
  /** Negotiations in a row that found nobody (since the last award, or since shipping). */
  failures: number;
  supplier?: string;
  /** Place the parts leave from (the supplier's location). */
  origin?: string;
  /** The request that caused a shortage order (for tracing only). */
  workOrder?: string;
  machine?: string;
}

export interface StockBook {
  stock: Record<string, ItemStock>;
  /** Open purchase orders, oldest first. */
  orders: PurchaseOrder[];
  next: number;
}

const EMPTY: ItemStock = { onHand: 0, onOrder: 0, backorders: [] };

export function emptyBook(items: readonly { id: string; initialStock: number }[]): StockBook {
  return { stock: Object.fromEntries(items.map((i) => [i.id, { ...EMPTY, onHand: i.initialStock }])), orders: [], next: 1 };
}

/** An item's stock; an item nobody declared has none. */
export function stockOf(book: StockBook, item: string): ItemStock {
  return book.stock[item] ?? EMPTY;
}

export function backordered(s: ItemStock): number {
  return s.backorders.reduce((n, b) => n + b.qty, 0);
}

/** Stock position: on hand + on order − backorders (what replenishment decisions look at). */
export function position(s: ItemStock): number {
  return s.onHand + s.onOrder - backordered(s);
}

function withStock(book: StockBook, item: string, s: ItemStock): StockBook {
  return { ...book, stock: { ...book.stock, [item]: s } };
}

/**
 * Issues backorders, oldest first, while stock on hand covers the oldest one.
 * Strict FIFO: a big backorder at the head holds the stock for itself.
 */
function fill(s: ItemStock): [ItemStock, Backorder[]] {
  let onHand = s.onHand;
  let n = 0;
  while (n < s.backorders.length && s.backorders[n].qty <= onHand) onHand -= s.backorders[n++].qty;
  if (n === 0) return [s, []];
  return [{ ...s, onHand, backorders: s.backorders.slice(n) }, s.backorders.slice(0, n)];
}

/**
 * Takes a request for parts. Stock on hand is unreserved only while no
 * backorder waits for the item: then the request is issued at once if it is
 * covered; otherwise it joins the backorders (a stockout).
 */
export function takeRequest(book: StockBook, request: Backorder): { book: StockBook; issued: Backorder[]; stockout: boolean } {
  const s = stockOf(book, request.item);
  if (s.backorders.length === 0 && s.onHand >= request.qty) {
    return { book: withStock(book, request.item, { ...s, onHand: s.onHand - request.qty }), issued: [request], stockout: false };
  }
  return { book: withStock(book, request.item, { ...s, backorders: [...s.backorders, request] }), issued: [], stockout: true };
}

/** Opens a purchase order (status `sourcing`); its quantity counts as on order from now. */
export function placeOrder(
  book: StockBook,
  prefix: string,
  line: { item: string; qty: number; reason: PurchaseOrder['reason']; workOrder?: string; machine?: string },
): [StockBook, PurchaseOrder] {
  const order: PurchaseOrder = { id: `${prefix}-po-${book.next}`, status: 'sourcing', failures: 0, ...line };
  const s = stockOf(book, line.item);
  const next = withStock(book, line.item, { ...s, onOrder: s.onOrder + line.qty });
  return [{ ...next, orders: [...next.orders, order], next: book.next + 1 }, order];
}

export function orderById(book: StockBook, id: string): PurchaseOrder | undefined {
  return book.orders.find((o) => o.id === id);
}

export function updateOrder(book: StockBook, id: string, patch: Partial<Omit<PurchaseOrder, 'id'>>): StockBook {
  const order = orderById(book, id);
  if (!order) return book;
  return { ...book, orders: book.orders.map((o) => (o.id === id ? { ...o, ...patch } : o)) };
}

/**
 * A shipment nobody here ordered (a supplier acting on its own, an order id
 * lost): it is taken on as an order so the books still balance on receipt.
 */
export function adoptShipment(book: StockBook, shipment: { order: string; item: string; qty: number; supplier: string; origin: string }): StockBook {
  const s = stockOf(book, shipment.item);
  const order: PurchaseOrder = { id: shipment.order, item: shipment.item, qty: shipment.qty, reason: 'reorder', status: 'shipped', failures: 0, supplier: shipment.supplier, origin: shipment.origin };
  return { ...withStock(book, shipment.item, { ...s, onOrder: s.onOrder + shipment.qty }), orders: [...book.orders, order] };
}

/**
 * A stock count (an ERP's inventory): on hand becomes `onHand`, and the
 * backorders it now covers are issued. Unknown items are left alone.
 */
export function countStock(book: StockBook, item: string, onHand: number): { book: StockBook; issued: Backorder[] } {
  if (!book.stock[item]) return { book, issued: [] };
  const [filled, issued] = fill({ ...stockOf(book, item), onHand });
  return { book: withStock(book, item, filled), issued };
}

/**
 * Parts of an order arrived at the warehouse (all of it, or `qty` of it when
 * it comes in several truckloads): stock rises, backorders are filled, and
 * the order closes once nothing of it is left to come.
 */
export function receive(book: StockBook, orderId: string, qty?: number): { book: StockBook; issued: Backorder[]; item?: string } {
  const order = orderById(book, orderId);
  if (!order) return { book, issued: [] };
  const arrived = Math.min(order.qty, qty ?? order.qty);
  const s = stockOf(book, order.item);
  const [filled, issued] = fill({ ...s, onHand: s.onHand + arrived, onOrder: Math.max(0, s.onOrder - arrived) });
  const next = withStock(book, order.item, filled);
  const orders = arrived >= order.qty ? next.orders.filter((o) => o.id !== orderId) : next.orders.map((o) => (o.id === orderId ? { ...o, qty: o.qty - arrived } : o));
  return { book: { ...next, orders }, issued, item: order.item };
}
