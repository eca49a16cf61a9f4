import type { OrderView } from '../../bridges/viewer/protocol.js';
import { truckColour } from './colours.js';
import { h } from './dom.js';
import { distanceText, placeAt, placeIndex, polylineLength, routePolyline } from './logistics-geometry.js';
import { duration, num, simTime } from './format.js';
import type { Changes, Store } from './state.js';

const ORDERS_SHOWN = 25;
const OPEN: OrderView['status'][] = ['calling', 'awarded', 'shipped'];

/** Stock against reorder points, orders with their quotes, and trucks. Small lists: rebuilt when they change. */
export class SupplyPanel {
  constructor(
    private readonly stock: HTMLElement,
    private readonly orders: HTMLElement,
    private readonly trucks: HTMLElement,
    private readonly store: Store,
  ) {}

  update(c: Changes): void {
    if (c.snapshot || c.stock) this.renderStock();
    if (c.snapshot || c.orders) this.renderOrders();
    if (c.snapshot || c.trucks) this.renderTrucks();
  }

  private renderStock(): void {
    const items = this.store.state.stock;
    if (!items.length) {
      this.stock.replaceChildren(h('p', { class: 'muted', text: 'no stocked items on this run' }));
      return;
    }
    this.stock.replaceChildren(...items.map((s) => {
      const max = Math.max(1, s.onHand + s.onOrder, s.reorderPoint * 2);
      const pct = (x: number): string => `${Math.min(100, (x / max) * 100).toFixed(1)}%`;
      const low = s.onHand <= s.reorderPoint;
      const bar = h('div', { class: 'stockbar', title: `on hand ${s.onHand}, reorder point ${s.reorderPoint}, on order ${s.onOrder}` },
        h('i', { class: low ? 'onhand low' : 'onhand', style: `width:${pct(s.onHand)}` }),
        s.onOrder > 0 ? h('i', { class: 'onorder', style: `left:${pct(s.onHand)};width:${pct(s.onOrder)}` }) : null,
        h('b', { class: 'reorder', style: `left:${pct(s.reorderPoint)}` }));
      return h('div', { class: low ? 'stock-row low' : 'stock-row', 'data-item': s.item },
        h('span', { class: 'item', text: s.item, title: s.item }),
        bar,
        h('span', { class: 'num', title: `on hand ${s.onHand} / reorder point ${s.reorderPoint}${s.onOrder ? `, ${s.onOrder} on order` : ''}` },
          h('b', { text: num(s.onHand) }), h('span', { class: 'muted', text: ` / ${num(s.reorderPoint)}` }),
          s.onOrder > 0 ? h('span', { class: 'ordered', text: ` +${num(s.onOrder)}` }) : null));
    }));
  }

  private renderOrders(): void {
    const all = [...this.store.state.orders].sort((a, b) => {
      const open = Number(OPEN.includes(b.status)) - Number(OPEN.includes(a.status));
      return open !== 0 ? open : b.since - a.since;
    });
    if (!all.length) {
      this.orders.replaceChildren(h('p', { class: 'muted', text: 'no purchase orders yet' }));
      return;
    }
    // Cards rather than a table: quotes need the width.
    this.orders.replaceChildren(...all.slice(0, ORDERS_SHOWN).map((o) => {
      const quotes = [...o.quotes].sort((a, b) => a.price - b.price);
      return h('div', { class: OPEN.includes(o.status) ? 'order' : 'order closed', 'data-id': o.id },
        h('div', { class: 'line' },
          h('b', { text: o.id }),
          h('span', { text: `${o.item} × ${num(o.qty)}` }),
          h('span', { class: 'spacer' }),
          // The awarded supplier is the highlighted quote; named here only when it sent none.
          o.supplier && !quotes.some((q) => q.supplier === o.supplier) ? h('span', { class: 'muted', text: o.supplier }) : null,
          h('span', { class: `badge order-${o.status}`, text: o.status })),
        h('div', { class: 'quotes' }, ...(quotes.length
          ? quotes.map((q) => h('span', {
            class: q.supplier === o.supplier ? 'quote won' : 'quote',
            title: `${q.supplier}: price ${q.price}, promised lead time ${duration(q.leadTime)}${q.supplier === o.supplier ? ' (awarded)' : ''}`,
          }, `${q.supplier} `, h('b', { text: num(q.price) }), ` · ${duration(q.leadTime)}`))
          : [h('span', { class: 'muted', text: o.status === 'calling' ? `call for proposals since ${simTime(o.since)}, no quotes yet` : 'no quotes' })])));
    }));
  }

  private renderTrucks(): void {
    const trucks = this.store.state.trucks;
    if (!trucks.length) {
      this.trucks.replaceChildren(h('p', { class: 'muted', text: 'no trucks on this run' }));
      return;
    }
    const places = placeIndex(this.store.state.map);
    this.trucks.replaceChildren(...trucks.map((t) => {
      // How far to the next stop, when the map knows it; where an idle truck stands.
      const leg = routePolyline({ ...t, route: t.route.slice(0, 1) }, places);
      const at = t.route.length ? undefined : placeAt(t, places.values());
      const colour = truckColour(t.state);
      return h('div', { class: 'truck', 'data-id': t.id },
        h('i', { class: 'sw', style: `background:${colour}`, title: 'its colour on the map' }),
        h('b', { text: t.id }),
        h('span', { class: 'badge', style: t.state.startsWith('busy') ? `border-color:${colour};color:${colour}` : undefined, text: t.state }),
        h('span', { class: 'route', text: t.route.length ? `→ ${t.route.join(' → ')}` : at ? `at ${at.id}` : 'no route' }),
        leg.length > 1 ? h('span', { class: 'muted leg', text: `${distanceText(polylineLength(leg))} to ${t.route[0]}` }) : null);
    }));
  }
}
