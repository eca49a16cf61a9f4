import { position, type ItemStock } from './stock-book.js';

/**
 * The baseline purchasing policy: cover every shortfall, and keep the stock
 * position above the reorder point in multiples of the order quantity (the
 * textbook (s, Q) rule, or (s, S) with `orderUpTo`, reviewed after every
 * change). It is a pure function of one item's stock so a learned or
 * forecast-driven policy (`item-planning.ts`) can take its place.
 */
export interface ItemPolicy {
  /** Order when the stock position falls to this level; −1: never (buy only what is short). */
  reorderPoint: number;
  orderQuantity: number;
  /** (s, S): order up to this position instead of in multiples of the order quantity. */
  orderUpTo?: number;
}

export interface OrderLine {
  qty: number;
  reason: 'shortage' | 'reorder';
}

export function replenishment(stock: ItemStock, policy: ItemPolicy): OrderLine[] {
  const lines: OrderLine[] = [];
  let pos = position(stock);
  if (pos < 0) {
    lines.push({ qty: -pos, reason: 'shortage' });
    pos = 0;
  }
  if (policy.reorderPoint >= 0 && pos <= policy.reorderPoint && policy.orderUpTo !== undefined) {
    lines.push({ qty: Math.max(1, policy.orderUpTo - pos), reason: 'reorder' });
  } else if (policy.reorderPoint >= 0 && pos <= policy.reorderPoint) {
    const batches = Math.floor((policy.reorderPoint - pos) / policy.orderQuantity) + 1;
    lines.push({ qty: batches * policy.orderQuantity, reason: 'reorder' });
  }
  return lines;
}
