import { describe, expect, it } from 'vitest';
import { emptyBook, placeOrder, position, receive, takeRequest, updateOrder, type Backorder } from './stock-book.js';
import { replenishment } from './replenishment.js';

const req = (qty: number, workOrder: string): Backorder => ({ item: 'bearing', qty, requester: 'maintenance', conversation: workOrder, workOrder });

describe('stock book', () => {
  it('holds stock for waiting backorders: a later small request does not jump the queue', () => {
    let book = emptyBook([{ id: 'bearing', initialStock: 1 }]);
    const first = takeRequest(book, req(2, 'wo-1'));
    expect(first.stockout).toBe(true);
    book = first.book;
    const second = takeRequest(book, req(1, 'wo-2'));
    expect(second.stockout).toBe(true);
    expect(second.book.stock.bearing.onHand).toBe(1);
    expect(position(second.book.stock.bearing)).toBe(-2);
  });

  it('fills backorders in order on receipt while stock covers the oldest', () => {
    let book = emptyBook([{ id: 'bearing', initialStock: 0 }]);
    book = takeRequest(book, req(1, 'wo-1')).book;
    book = takeRequest(book, req(3, 'wo-2')).book;
    book = takeRequest(book, req(1, 'wo-3')).book;
    const [b, order] = placeOrder(book, 'supply', { item: 'bearing', qty: 2, reason: 'shortage' });
    expect(b.stock.bearing.onOrder).toBe(2);
    const r = receive(b, order.id);
    expect(r.issued.map((x) => x.workOrder)).toEqual(['wo-1']);
    expect(r.book.stock.bearing).toMatchObject({ onHand: 1, onOrder: 0 });
    expect(r.book.stock.bearing.backorders.map((x) => x.workOrder)).toEqual(['wo-2', 'wo-3']);
    expect(r.book.orders).toEqual([]);
  });

  it('never changes its arguments', () => {
    const book = emptyBook([{ id: 'bearing', initialStock: 2 }]);
    const frozen = JSON.stringify(book);
    const [b] = placeOrder(takeRequest(book, req(1, 'wo-1')).book, 'supply', { item: 'bearing', qty: 1, reason: 'reorder' });
    updateOrder(b, 'supply-po-1', { status: 'ordered' });
    receive(b, 'supply-po-1');
    expect(JSON.stringify(book)).toBe(frozen);
  });

  it('leaves the book alone for an order it does not know', () => {
    const book = emptyBook([{ id: 'bearing', initialStock: 0 }]);
    expect(receive(book, 'nope')).toEqual({ book, issued: [] });
    expect(updateOrder(book, 'nope', { status: 'shipped' })).toBe(book);
  });
});

describe('replenishment (baseline policy)', () => {
  const stock = (onHand: number, onOrder: number, backordered: number) => ({
    onHand,
    onOrder,
    backorders: backordered ? [req(backordered, 'wo')] : [],
  });

  it('buys only the shortfall without a reorder point', () => {
    expect(replenishment(stock(0, 0, 2), { reorderPoint: -1, orderQuantity: 5 })).toEqual([{ qty: 2, reason: 'shortage' }]);
    expect(replenishment(stock(0, 2, 2), { reorderPoint: -1, orderQuantity: 5 })).toEqual([]);
  });

  it('brings the position above the reorder point in whole order quantities', () => {
    expect(replenishment(stock(3, 0, 0), { reorderPoint: 2, orderQuantity: 4 })).toEqual([]);
    expect(replenishment(stock(2, 0, 0), { reorderPoint: 2, orderQuantity: 4 })).toEqual([{ qty: 4, reason: 'reorder' }]);
    expect(replenishment(stock(0, 0, 0), { reorderPoint: 5, orderQuantity: 2 })).toEqual([{ qty: 6, reason: 'reorder' }]);
    expect(replenishment(stock(0, 0, 1), { reorderPoint: 0, orderQuantity: 2 })).toEqual([
      { qty: 1, reason: 'shortage' },
      { qty: 2, reason: 'reorder' },
    ]);
  });
});
