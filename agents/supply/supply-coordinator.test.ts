import { describe, expect, it } from 'vitest';
import { createActor, SimulatedClock } from 'xstate';
import { retryDelaySeconds, supplyCoordinator, type SupplyCoordinatorInput, type SupplyEffect, type SupplyEvent } from './supply-coordinator.js';
import { modelCoverage } from '../../test/support/model-coverage.js';
import { message } from '../../test/support/messages.js';

const input: SupplyCoordinatorInput = {
  id: 'supply',
  warehouse: 'stores',
  items: [
    { id: 'bearing', initialStock: 1, reorderPoint: -1, orderQuantity: 1 },
    { id: 'belt', initialStock: 3, reorderPoint: 2, orderQuantity: 4 },
    { id: 'unobtainium', initialStock: 0, reorderPoint: -1, orderQuantity: 1 },
  ],
  supplierGroup: '#suppliers',
  suppliers: [
    { id: 'acme', items: ['bearing', 'belt'] },
    { id: 'bolt', items: ['bearing'] },
  ],
  truckGroup: '#trucks',
  trucks: 3,
  partsRetrySeconds: 3600,
  deliveryRetrySeconds: 900,
};

const request = (item: string, qty: number, workOrder: string, from = 'maintenance') =>
  message('parts.requested', { item, qty, workOrder, machine: 'm-1', reason: 'maintenance' }, from, `conv-${workOrder}`);
const spec = (order: string) => ({ order, item: 'bearing', qty: 1 });

const events: SupplyEvent[] = [
  request('bearing', 1, 'wo-1'),
  request('bearing', 2, 'wo-2'),
  message('parts.settled', { outcome: 'awarded', winner: 'acme', rounds: 1, spec: spec('supply-po-1') }, 'supply/parts:1'),
  message('parts.settled', { outcome: 'failed', rounds: 3, spec: spec('supply-po-1') }, 'supply/parts:1'),
  message('parts.shipped', { item: 'bearing', qty: 1, order: 'supply-po-1', origin: 'dock' }, 'acme'),
  message('delivery.settled', { outcome: 'completed', winner: 'truck-1', rounds: 1, spec: spec('supply-po-1') }, 'supply/delivery:1'),
  message('delivery.settled', { outcome: 'failed', rounds: 3, spec: spec('supply-po-1') }, 'supply/delivery:1'),
  { type: 'supply.retry', topic: 'parts', order: 'supply-po-1' },
  { type: 'supply.retry', topic: 'delivery', order: 'supply-po-1' },
  { type: 'supply.review' },
];

function start(clock = new SimulatedClock()) {
  const effects: SupplyEffect[] = [];
  const actor = createActor(supplyCoordinator, { input, clock });
  actor.on('*', (e) => effects.push(e as SupplyEffect));
  actor.start();
  return { actor, effects, clock };
}

const ofType = <T extends SupplyEffect['type']>(effects: SupplyEffect[], type: T) => effects.filter((e) => e.type === type) as Extract<SupplyEffect, { type: T }>[];

describe('supply coordinator agent', () => {
  it('covers every state and transition (xstate/graph)', () => {
    const report = modelCoverage(supplyCoordinator, { input, events: () => events });
    expect(report.states.missed).toEqual([]);
    expect(report.transitions.missed).toEqual([]);
  });

  it('issues parts on hand at once and replies in the request conversation', () => {
    const { actor, effects } = start();
    actor.send(request('bearing', 1, 'wo-1'));
    expect(effects).toEqual([
      { type: 'send', to: 'maintenance', message: 'parts.available', payload: { item: 'bearing', qty: 1, workOrder: 'wo-1', machine: 'm-1' }, conversation: 'conv-wo-1' },
      { type: 'stock.changed', item: 'bearing', onHand: 0 },
    ]);
    expect(actor.getSnapshot().context.book.stock.bearing.onHand).toBe(0);
  });

  it('counts a stockout, keeps a backorder and puts the shortfall out to tender', () => {
    const { actor, effects } = start();
    actor.send(request('bearing', 3, 'wo-1'));
    expect(ofType(effects, 'stock.out')).toEqual([{ type: 'stock.out', item: 'bearing', qty: 3, workOrder: 'wo-1', machine: 'm-1' }]);
    expect(ofType(effects, 'negotiate')).toEqual([
      {
        type: 'negotiate',
        topic: 'parts',
        participants: '#suppliers',
        // One bearing on hand is held for this request: two are short.
        spec: { order: 'supply-po-1', item: 'bearing', qty: 2, reason: 'shortage', destination: 'stores', workOrder: 'wo-1', machine: 'm-1' },
        expectedBidders: 2,
      },
    ]);
    const s = actor.getSnapshot().context.book.stock.bearing;
    expect(s).toMatchObject({ onHand: 1, onOrder: 2 });
    expect(s.backorders).toHaveLength(1);
    // A second request that the order does not cover buys again; nothing is bought twice.
    effects.length = 0;
    actor.send(request('bearing', 1, 'wo-2'));
    expect(ofType(effects, 'negotiate').map((e) => e.spec.qty)).toEqual([1]);
  });

  it('orders up to above the reorder point after an issue', () => {
    const { actor, effects } = start();
    actor.send(request('belt', 1, 'wo-1'));
    expect(ofType(effects, 'negotiate').map((e) => e.spec)).toEqual([{ order: 'supply-po-1', item: 'belt', qty: 4, reason: 'reorder', destination: 'stores' }]);
    effects.length = 0;
    actor.send(request('belt', 1, 'wo-2'));
    expect(ofType(effects, 'negotiate')).toEqual([]);
  });

  it('never tenders an item no supplier sells', () => {
    const { actor, effects } = start();
    actor.send(request('unobtainium', 1, 'wo-1'));
    expect(effects.map((e) => e.type)).toEqual(['stock.out']);
  });

  it('has shipped parts trucked in, then fills backorders first come, first served', () => {
    const { actor, effects } = start();
    actor.send(request('bearing', 2, 'wo-1', 'maintenance'));
    actor.send(request('bearing', 1, 'wo-2', 'planner'));
    actor.send(message('parts.settled', { outcome: 'awarded', winner: 'acme', rounds: 1, spec: spec('supply-po-1') }, 'supply/parts:1'));
    expect(actor.getSnapshot().context.book.orders[0]).toMatchObject({ status: 'ordered', supplier: 'acme' });
    effects.length = 0;
    actor.send(message('parts.shipped', { item: 'bearing', qty: 1, order: 'supply-po-1', origin: 'acme-dock' }, 'acme'));
    expect(effects).toEqual([
      {
        type: 'negotiate',
        topic: 'delivery',
        participants: '#trucks',
        spec: { order: 'supply-po-1', item: 'bearing', qty: 1, from: 'acme-dock', to: 'stores', workOrder: 'wo-1', machine: 'm-1' },
        expectedBidders: 3,
      },
    ]);
    // Told twice: still one truck.
    actor.send(message('parts.shipped', { item: 'bearing', qty: 1, order: 'supply-po-1', origin: 'acme-dock' }, 'acme'));
    expect(effects).toHaveLength(1);
    effects.length = 0;
    actor.send(message('delivery.settled', { outcome: 'completed', winner: 'truck-1', rounds: 1, spec: { order: 'supply-po-1' } }, 'supply/delivery:1'));
    const sent = ofType(effects, 'send');
    expect(sent.map((e) => [e.to, e.payload])).toEqual([['maintenance', { item: 'bearing', qty: 2, workOrder: 'wo-1', machine: 'm-1' }]]);
    expect(ofType(effects, 'stock.changed')).toEqual([{ type: 'stock.changed', item: 'bearing', onHand: 0 }]);
    const ctx = actor.getSnapshot().context;
    expect(ctx.book.orders.map((o) => o.id)).toEqual(['supply-po-2']);
    expect(ctx.book.stock.bearing).toMatchObject({ onHand: 0, onOrder: 1 });
    expect(ctx.book.stock.bearing.backorders.map((b) => b.workOrder)).toEqual(['wo-2']);
  });

  it('takes on a shipment it did not order, and balances its books on receipt', () => {
    const { actor, effects } = start();
    actor.send(message('parts.shipped', { item: 'bearing', qty: 2, order: 'acme-so-9', origin: 'acme-dock' }, 'acme'));
    expect(ofType(effects, 'negotiate')[0].spec).toMatchObject({ order: 'acme-so-9', from: 'acme-dock' });
    actor.send(message('delivery.settled', { outcome: 'completed', winner: 'truck-1', rounds: 1, spec: { order: 'acme-so-9' } }, 'supply/delivery:1'));
    expect(actor.getSnapshot().context.book.stock.bearing).toMatchObject({ onHand: 3, onOrder: 0 });
  });

  it('asks suppliers again after a delay when nobody took an order, and never drops it', () => {
    const { actor, effects, clock } = start();
    actor.send(request('bearing', 2, 'wo-1'));
    actor.send(message('parts.settled', { outcome: 'awarded', winner: 'acme', rounds: 1, spec: spec('supply-po-1') }, 'supply/parts:1'));
    // The winner failed and the re-auction found nobody.
    actor.send(message('parts.settled', { outcome: 'failed', rounds: 3, reason: 'no acceptable bid', spec: spec('supply-po-1') }, 'supply/parts:1'));
    expect(actor.getSnapshot().context.book.orders[0].status).toBe('sourcing');
    effects.length = 0;
    clock.increment(3599_000);
    expect(effects).toEqual([]);
    clock.increment(1000);
    expect(ofType(effects, 'negotiate').map((e) => [e.topic, e.spec.order])).toEqual([['parts', 'supply-po-1']]);
    // Failing again in a row doubles the wait.
    effects.length = 0;
    actor.send(message('parts.settled', { outcome: 'failed', rounds: 3, spec: spec('supply-po-1') }, 'supply/parts:2'));
    clock.increment(7199_000);
    expect(effects).toEqual([]);
    clock.increment(1000);
    expect(ofType(effects, 'negotiate')).toHaveLength(1);
  });

  it('backs off up to eight times the base wait', () => {
    expect([1, 2, 3, 4, 5, 9].map((n) => retryDelaySeconds(100, n))).toEqual([100, 200, 400, 800, 800, 800]);
  });

  it('asks trucks again after a delay when none could drive a shipment', () => {
    const { actor, effects, clock } = start();
    actor.send(request('bearing', 2, 'wo-1'));
    actor.send(message('parts.shipped', { item: 'bearing', qty: 1, order: 'supply-po-1', origin: 'acme-dock' }, 'acme'));
    actor.send(message('delivery.settled', { outcome: 'failed', rounds: 3, spec: { order: 'supply-po-1' } }, 'supply/delivery:1'));
    effects.length = 0;
    clock.increment(900_000);
    expect(ofType(effects, 'negotiate').map((e) => [e.topic, e.spec.from])).toEqual([['delivery', 'acme-dock']]);
  });

  it('ignores settlements of orders it does not know and retries of settled orders', () => {
    const { actor, effects } = start();
    const before = actor.getSnapshot().context;
    for (const e of events.filter((x) => x.type === 'parts.settled' || x.type === 'delivery.settled' || x.type === 'supply.retry')) actor.send(e);
    expect(effects).toEqual([]);
    expect(actor.getSnapshot().context).toEqual(before);
  });

  it('with planning, learns each item’s demand and sets an (s, S) policy from its forecast at every review, ordering at once when the new s calls for it', () => {
    const planning = { periodSeconds: 86_400, reviewPeriods: 7, fillRate: 0.95, orderingCost: 50, minHistory: 14 };
    const clock = new SimulatedClock();
    const effects: SupplyEffect[] = [];
    const actor = createActor(supplyCoordinator, {
      input: {
        ...input,
        items: input.items.map((i) => (i.id === 'belt' ? { ...i, initialStock: 1000, planned: { holdingCostPerPeriod: 0.01, leadTime: { mean: 3, variance: 1 } } } : i)),
        planning,
      },
      clock,
    });
    actor.on('*', (e) => effects.push(e as SupplyEffect));
    actor.start();
    // Three weeks of belt demand: 4 a day, every day.
    for (let day = 0; day < 21; day++) {
      actor.send(message('parts.requested', { item: 'belt', qty: 4, workOrder: `wo-${day}`, machine: 'm-1', reason: 'maintenance' }, 'maintenance', `conv-${day}`, day * 86_400 + 3600));
    }
    const policyOf = () => actor.getSnapshot().context.policies.belt;
    expect(policyOf()).toEqual({ reorderPoint: 2, orderQuantity: 4 }); // the scenario's, until reviewed
    clock.increment(7 * 86_400_000); // first review: 7 periods of history, fewer than minHistory
    expect(policyOf()).toEqual({ reorderPoint: 2, orderQuantity: 4 });
    clock.increment(7 * 86_400_000); // second review: 14 periods
    const policy = policyOf();
    // 4 a day; S − s is the EOQ √(2·50·4/0.01) = 200, and with orders that large a 95 % fill rate
    // needs s below the 40 units of lead time plus review demand (a short cycle loses < 10 units).
    expect(policy.reorderPoint).toBeGreaterThan(0);
    expect(policy.reorderPoint).toBeLessThan(40);
    expect(policy.orderUpTo! - policy.reorderPoint).toBe(200);
    expect(actor.getSnapshot().context.demand.belt.slice(0, 21)).toEqual(Array(21).fill(4));
    expect(ofType(effects, 'negotiate')).toHaveLength(0); // 1000 − 84 on hand: far above s
  });
});
