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
  technician?: string;
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
  return book.open.find((o) => o.machine === machine);
}

function replace(book: WorkBook, order: WorkOrder): WorkOrder[] {
  return book.open.map((o) => (o.id === order.id ? order : o));
}

export function openOrder(book: WorkBook, prefix: string, machine: string, kind: WorkKind, partsPending: number): [WorkBook, WorkOrder] {
  const order: WorkOrder = { id: `${prefix}-wo-${book.next}`, machine, kind, status: partsPending > 0 ? 'awaitingParts' : 'queued', partsPending };
  return [
    {
      ...book,
      open: [...book.open, order],
      queue: order.status === 'queued' ? [...book.queue, order.id] : book.queue,
      next: book.next + 1,
    },
    order,
  ];
}

/** A machine that failed while its planned work waited: the order becomes a repair. */
export function escalateToRepair(book: WorkBook, order: WorkOrder): WorkBook {
  return { ...book, open: replace(book, { ...order, kind: 'repair' }) };
}

export function partArrived(book: WorkBook, id: string): WorkBook {
  const order = book.open.find((o) => o.id === id);
  if (!order || order.status !== 'awaitingParts') return book;
  const partsPending = order.partsPending - 1;
  const status = partsPending > 0 ? 'awaitingParts' : 'queued';
  return {
    ...book,
    open: replace(book, { ...order, partsPending, status }),
    queue: status === 'queued' ? [...book.queue, id] : book.queue,
  };
}

/** Pairs queued orders with idle technicians, oldest first; returns the new assignments. */
export function dispatch(book: WorkBook): [WorkBook, WorkOrder[]] {
  const n = Math.min(book.queue.length, book.idle.length);
  if (n === 0) return [book, []];
  const assigned = new Map<string, WorkOrder>();
  for (let i = 0; i < n; i++) assigned.set(book.queue[i], { ...book.open.find((o) => o.id === book.queue[i])!, status: 'assigned', technician: book.idle[i] });
  return [
    { ...book, open: book.open.map((o) => assigned.get(o.id) ?? o), queue: book.queue.slice(n), idle: book.idle.slice(n) },
    [...assigned.values()],
  ];
}

export function closeOrder(book: WorkBook, id: string, technician: string): [WorkBook, WorkOrder | undefined] {
  const order = book.open.find((o) => o.id === id);
  return [{ ...book, open: book.open.filter((o) => o.id !== id), idle: [...book.idle, technician] }, order];
}
