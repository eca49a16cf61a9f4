import { TimeWeighted } from '../../sim/stats/time-weighted.js';

export interface HeldItem {
  id: string;
  unitCost: number;
  /** Holding cost per year as a fraction of unit cost. */
  holdingRate: number;
  initialStock: number;
}

/** Seconds in a (365-day) year, the unit of holding rates. */
export const YEAR_SECONDS = 365 * 86400;

/**
 * What keeping parts in the warehouse costs: ∫ on-hand · unitCost ·
 * holdingRate / year dt, item by item. The supply coordinator keeps the books;
 * this follows the stock on hand it reports.
 */
export class InventoryHolding {
  private readonly items = new Map<string, { item: HeldItem; onHand: TimeWeighted }>();

  constructor(items: readonly HeldItem[], start = 0) {
    for (const item of items) this.items.set(item.id, { item, onHand: new TimeWeighted(item.initialStock, start) });
  }

  /** Stock on hand of `item` is `onHand` from `now` on (unknown items are not held here). */
  set(item: string, onHand: number, now: number): void {
    this.items.get(item)?.onHand.set(onHand, now);
  }

  onHand(item: string): number {
    return this.items.get(item)?.onHand.current ?? 0;
  }

  /** Holding cost up to `now`. */
  cost(now: number): number {
    let total = 0;
    for (const { item, onHand } of this.items.values()) total += (onHand.integral(now) * item.unitCost * item.holdingRate) / YEAR_SECONDS;
    return total;
  }

  /** Time-averaged stock on hand of `item` over [start, now]. */
  averageOnHand(item: string, now: number, start = 0): number {
    const e = this.items.get(item);
    return e && now > start ? e.onHand.integral(now) / (now - start) : 0;
  }
}
