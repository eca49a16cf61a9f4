/**
 * Work orders of the maintenance coordinator, as plain immutable data so that
 * the coordinator's snapshots can be persisted and explored by model-based
 * tests. Each function returns new objects and never changes its arguments.
 * Open orders are a short array (at most one per machine): copying it is
 * cheaper than copying keyed records, which matters at 100k orders a run.
 */
export type WorkKind = 'repair' | 'preventive';

export interface PartLine {
  item: string;
  qty: number;
}

export interface WorkOrder {
  id: string;
  machine: string;
  kind: WorkKind;
  /** Waiting for spare parts, waiting for a technician, or being worked on. */
  status: 'awaitingParts' | 'queued' | 'assigned';
  /** Part lines still to arrive. */
  partsPending: number;
  technician: string | undefined;
}

export interface WorkBook {
  /** Open orders, oldest first; a machine has at most one. */
  open: WorkOrder[];
  /** Ids of queued orders, first come first served. */
  queue: string[];
  /** Idle technicians, longest idle first. */
  idle: string[];
  next: number;
}

export function emptyWorkBook(technicians: readonly string[]): WorkBook {
  return { open: [], queue: [], idle: [...technicians], next: 1 };
}

export function orderOf(book: WorkBook, machine: string): WorkOrder | undefined {
  for (const o of book.open) if (o.machine === machine) return o;
  return undefined;
}

const NONE: WorkOrder[] = [];

/** A copy of `open` with the order of the same id replaced. */
function replaced(open: readonly WorkOrder[], order: WorkOrder): WorkOrder[] {
  const out = open.slice();
  for (let i = 0; i < out.length; i++) if (out[i].id === order.id) out[i] = order;
  return out;
}

export function openOrder(book: WorkBook, prefix: string, machine: string, kind: WorkKind, partsPending: number): [WorkBook, WorkOrder] {
  const status = partsPending > 0 ? 'awaitingParts' : 'queued';
  const order: WorkOrder = { id: `${prefix}-wo-${book.next}`, machine, kind, status, partsPending, technician: undefined };
  const open = book.open.slice();
  open.push(order);
  let queue = book.queue;
  if (status === 'queued') {
    queue = queue.slice();
    queue.push(order.id);
  }
  return [{ open, queue, idle: book.idle, next: book.next + 1 }, order];
}

/** A machine that failed while its planned work waited: the order becomes a repair. */
export function escalateToRepair(book: WorkBook, order: WorkOrder): WorkBook {
  return { ...book, open: replaced(book.open, { ...order, kind: 'repair' }) };
}

export function partArrived(book: WorkBook, id: string): WorkBook {
  const order = book.open.find((o) => o.id === id);
  if (!order || order.status !== 'awaitingParts') return book;
  const partsPending = order.partsPending - 1;
  const status = partsPending > 0 ? 'awaitingParts' : 'queued';
  return {
    ...book,
    open: replaced(book.open, { ...order, partsPending, status }),
    queue: status === 'queued' ? [...book.queue, id] : book.queue,
  };
}

/** Pairs queued orders with idle technicians, oldest first; returns the new assignments. */
export function dispatch(book: WorkBook): [WorkBook, WorkOrder[]] {
  const n = Math.min(book.queue.length, book.idle.length);
  if (n === 0) return [book, NONE];
  const open = book.open.slice();
  const assigned: WorkOrder[] = [];
  for (let i = 0; i < n; i++) {
    const k = open.findIndex((o) => o.id === book.queue[i]);
    const order: WorkOrder = { ...open[k], status: 'assigned', technician: book.idle[i] };
    open[k] = order;
    assigned.push(order);
  }
  return [{ open, queue: book.queue.slice(n), idle: book.idle.slice(n), next: book.next }, assigned];
}

export function closeOrder(book: WorkBook, id: string, technician: string): [WorkBook, WorkOrder | undefined] {
  let order: WorkOrder | undefined;
  const open: WorkOrder[] = [];
  for (const o of book.open) {
    if (o.id === id) order = o;
    else open.push(o);
  }
  const idle = book.idle.slice();
  idle.push(technician);
  return [{ open, queue: book.queue, idle, next: book.next }, order];
}
