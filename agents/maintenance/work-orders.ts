import { fifo, find, push, replace, shift, size, toArray, type Fifo } from '../state/fifo.js';

/**
 * Work orders of the maintenance coordinator, as immutable plain data so that
 * the coordinator's snapshots can be persisted and explored by model-based
 * tests. Each function returns new objects and never changes what it was
 * given. Queued orders and idle technicians are persistent FIFOs (O(1) per
 * event whatever the plant's size); orders being worked on or waiting for
 * parts are short arrays.
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
  /** Orders waiting for a technician, first come first served. */
  queue: Fifo<WorkOrder>;
  /** Orders being worked on, at most one per technician. */
  assigned: WorkOrder[];
  /** Orders waiting for spare parts. */
  awaitingParts: WorkOrder[];
  /** Idle technicians, longest idle first. */
  idle: Fifo<string>;
  next: number;
}

export function emptyWorkBook(technicians: readonly string[]): WorkBook {
  return { queue: fifo(), assigned: [], awaitingParts: [], idle: fifo(technicians), next: 1 };
}

/** Every open order: assigned, waiting for parts, queued. */
export function openOrders(book: WorkBook): WorkOrder[] {
  return [...book.assigned, ...book.awaitingParts, ...toArray(book.queue)];
}

/** The open order of a machine (a machine has at most one). */
export function orderOf(book: WorkBook, machine: string): WorkOrder | undefined {
  const is = (o: WorkOrder) => o.machine === machine;
  return book.assigned.find(is) ?? book.awaitingParts.find(is) ?? find(book.queue, is);
}

export function openOrder(book: WorkBook, prefix: string, machine: string, kind: WorkKind, partsPending: number): [WorkBook, WorkOrder] {
  const id = `${prefix}-wo-${book.next}`;
  const next = book.next + 1;
  if (partsPending > 0) {
    const order: WorkOrder = { id, machine, kind, status: 'awaitingParts', partsPending, technician: undefined };
    return [{ ...book, awaitingParts: [...book.awaitingParts, order], next }, order];
  }
  const order: WorkOrder = { id, machine, kind, status: 'queued', partsPending: 0, technician: undefined };
  return [{ ...book, queue: push(book.queue, order), next }, order];
}

/** A machine that failed while its planned work waited: the order becomes a repair. */
export function escalateToRepair(book: WorkBook, order: WorkOrder): WorkBook {
  const same = (o: WorkOrder) => o.id === order.id;
  const repair = (o: WorkOrder): WorkOrder => ({ ...o, kind: 'repair' });
  return {
    ...book,
    assigned: book.assigned.map((o) => (same(o) ? repair(o) : o)),
    awaitingParts: book.awaitingParts.map((o) => (same(o) ? repair(o) : o)),
    queue: find(book.queue, same) ? replace(book.queue, same, repair) : book.queue,
  };
}

export function partArrived(book: WorkBook, id: string): WorkBook {
  const order = book.awaitingParts.find((o) => o.id === id);
  if (!order) return book;
  const partsPending = order.partsPending - 1;
  if (partsPending > 0) {
    return { ...book, awaitingParts: book.awaitingParts.map((o) => (o.id === id ? { ...o, partsPending } : o)) };
  }
  return {
    ...book,
    awaitingParts: book.awaitingParts.filter((o) => o.id !== id),
    queue: push(book.queue, { ...order, partsPending: 0, status: 'queued' }),
  };
}

/** Pairs queued orders with idle technicians, oldest first; returns the new assignments. */
export function dispatch(book: WorkBook): [WorkBook, WorkOrder[]] {
  if (size(book.queue) === 0 || size(book.idle) === 0) return [book, []];
  let { queue, idle } = book;
  const assigned = [...book.assigned];
  const fresh: WorkOrder[] = [];
  while (size(queue) > 0 && size(idle) > 0) {
    const [order, q] = shift(queue);
    const [technician, i] = shift(idle);
    queue = q;
    idle = i;
    const a: WorkOrder = { ...order!, status: 'assigned', technician };
    assigned.push(a);
    fresh.push(a);
  }
  return [{ ...book, queue, idle, assigned }, fresh];
}

export function closeOrder(book: WorkBook, id: string, technician: string): [WorkBook, WorkOrder | undefined] {
  const order = book.assigned.find((o) => o.id === id);
  return [{ ...book, assigned: book.assigned.filter((o) => o.id !== id), idle: push(book.idle, technician) }, order];
}
