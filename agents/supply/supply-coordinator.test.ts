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
  logistics: {
    policy: 'dynamic',
    home: 'stores',
    trucks: ['truck-1', 'truck-2', 'truck-3'].map((id) => ({ id, depot: 'stores', capacity: 20, speed: 10, costPerKm: 1, costPerHour: 30 })),
    distances: { stores: { 'acme-dock': 5000, 'bolt-dock': 8000, site: 3000 }, 'acme-dock': { 'bolt-dock': 4000, site: 6000 }, 'bolt-dock': { site: 9000 } },
    pickupAllowanceSeconds: 86_400,
    urgentDueSeconds: 4 * 3600,
    serviceSeconds: 600,
  },
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
  message('parts.confirmed', { item: 'bearing', qty: 1, order: 'supply-po-1', origin: 'acme-dock', readyAt: 7200 }, 'acme'),
  message('parts.delayed', { item: 'bearing', qty: 1, order: 'supply-po-1', origin: 'acme-dock', readyAt: 9000 }, 'acme'),
  message('parts.shipped', { item: 'bearing', qty: 1, order: 'supply-po-1', origin: 'acme-dock' }, 'acme'),
  message('delivery.settled', { outcome: 'completed', winner: 'truck-1', rounds: 1, spec: { job: 'in:supply-po-1' } }, 'supply/delivery:1'),
  message('delivery.settled', { outcome: 'failed', rounds: 3, spec: { job: 'in:supply-po-1' } }, 'supply/delivery:1'),
  message('truck.progress', { at: 'acme-dock', current: 'in:supply-po-1', revision: 0, freeAt: 9600, trips: [[]], loaded: [], available: true }, 'truck-1'),
  message('delivery.served', { job: 'in:supply-po-1', kind: 'pickup', lateSeconds: 0 }, 'truck-1'),
  message('delivery.unloaded', { jobs: ['in:supply-po-1'] }, 'truck-1'),
  message('customer.ordered', { order: 'o-1', customer: 'c-1', place: 'site', item: 'belt', qty: 2, due: 86_400, priority: 0 }, 'customers'),
  message('stock.counted', { item: 'bearing', onHand: 5 }, 'erp'),
  { type: 'supply.reoptimise', time: 100, seed: 1, iterations: 20 },
  { type: 'supply.retry', topic: 'parts', order: 'supply-po-1' },
  { type: 'supply.retry', topic: 'delivery', order: 'in:supply-po-1' },
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

  it('has confirmed parts picked up by the truck that wins the job, then fills backorders first come, first served on unloading', () => {
    const { actor, effects } = start();
    actor.send(request('bearing', 2, 'wo-1', 'maintenance'));
    actor.send(request('bearing', 1, 'wo-2', 'planner'));
    actor.send(message('parts.settled', { outcome: 'awarded', winner: 'acme', rounds: 1, spec: spec('supply-po-1') }, 'supply/parts:1'));
    expect(actor.getSnapshot().context.book.orders[0]).toMatchObject({ status: 'ordered', supplier: 'acme' });
    effects.length = 0;
    actor.send(message('parts.confirmed', { item: 'bearing', qty: 1, order: 'supply-po-1', origin: 'acme-dock', readyAt: 7200 }, 'acme', 'c', 3600));
    // Parts for a waiting machine: an urgent pickup, due four hours after they are ready.
    const stop = { job: 'in:supply-po-1', kind: 'pickup', place: 'acme-dock', qty: 1, ready: 7200, due: 7200 + 4 * 3600, service: 600, priority: 10 };
    expect(effects).toEqual([
      {
        type: 'negotiate',
        topic: 'delivery',
        participants: '#trucks',
        spec: { job: 'in:supply-po-1', stop, item: 'bearing', machine: 'm-1', workOrder: 'wo-1' },
        expectedBidders: 3,
        notifyLosers: false,
      },
      { type: 'logistics.changed', reason: 'new job in:supply-po-1' },
    ]);
    // Confirmed twice, shipped: still one job.
    actor.send(message('parts.confirmed', { item: 'bearing', qty: 1, order: 'supply-po-1', origin: 'acme-dock', readyAt: 7200 }, 'acme'));
    actor.send(message('parts.shipped', { item: 'bearing', qty: 1, order: 'supply-po-1', origin: 'acme-dock' }, 'acme', 'c', 7200));
    expect(effects).toHaveLength(2);
    actor.send(message('delivery.settled', { outcome: 'completed', winner: 'truck-2', rounds: 1, spec: { job: 'in:supply-po-1' } }, 'supply/delivery:1'));
    expect(actor.getSnapshot().context.dispatch.jobs['in:supply-po-1']).toMatchObject({ status: 'planned', truck: 'truck-2' });
    actor.send(message('delivery.served', { job: 'in:supply-po-1', kind: 'pickup', lateSeconds: 0 }, 'truck-2', 'c', 8000));
    expect(actor.getSnapshot().context.book.stock.bearing.onHand).toBe(1); // on the truck, not yet in
    effects.length = 0;
    actor.send(message('delivery.unloaded', { jobs: ['in:supply-po-1'] }, 'truck-2', 'c', 9000));
    expect(ofType(effects, 'delivery.done')).toEqual([{ type: 'delivery.done', job: 'in:supply-po-1', kind: 'pickup', lateSeconds: 0 }]);
    const sent = ofType(effects, 'send');
    expect(sent.map((e) => [e.to, e.payload])).toEqual([['maintenance', { item: 'bearing', qty: 2, workOrder: 'wo-1', machine: 'm-1' }]]);
    expect(ofType(effects, 'stock.changed')).toEqual([{ type: 'stock.changed', item: 'bearing', onHand: 0 }]);
    const ctx = actor.getSnapshot().context;
    expect(ctx.book.orders.map((o) => o.id)).toEqual(['supply-po-2']);
    expect(ctx.book.stock.bearing).toMatchObject({ onHand: 0, onOrder: 1 });
    expect(ctx.book.stock.bearing.backorders.map((b) => b.workOrder)).toEqual(['wo-2']);
    expect(ctx.dispatch.jobs).toEqual({});
  });

  it('takes an ERP stock count as the stock on hand and serves the backorders it covers', () => {
    const { actor, effects } = start();
    actor.send(request('bearing', 3, 'wo-1'));
    effects.length = 0;
    actor.send(message('stock.counted', { item: 'bearing', onHand: 4 }, 'erp'));
    expect(ofType(effects, 'send').map((e) => [e.to, e.message])).toEqual([['maintenance', 'parts.available']]);
    expect(actor.getSnapshot().context.book.stock.bearing).toMatchObject({ onHand: 1, backorders: [] });
    actor.send(message('stock.counted', { item: 'nothing-known', onHand: 4 }, 'erp'));
    expect(actor.getSnapshot().context.book.stock['nothing-known']).toBeUndefined();
  });

  it('splits an order bigger than any truck into truckloads and takes each in as it is unloaded', () => {
    const { actor, effects } = start();
    actor.send(message('parts.shipped', { item: 'belt', qty: 45, order: 'so-big', origin: 'acme-dock' }, 'acme', 'c', 0));
    // The largest truck carries 20: three loads of 20, 20 and 5.
    expect(ofType(effects, 'negotiate').map((e) => [e.spec.job, (e.spec.stop as { qty: number }).qty])).toEqual([
      ['in:so-big/1', 20],
      ['in:so-big/2', 20],
      ['in:so-big/3', 5],
    ]);
    for (const job of ['in:so-big/1', 'in:so-big/2', 'in:so-big/3']) {
      actor.send(message('delivery.settled', { outcome: 'completed', winner: 'truck-1', rounds: 1, spec: { job } }, 'supply/delivery:1'));
      actor.send(message('delivery.served', { job, kind: 'pickup', lateSeconds: 0 }, 'truck-1'));
    }
    actor.send(message('delivery.unloaded', { jobs: ['in:so-big/1'] }, 'truck-1'));
    expect(actor.getSnapshot().context.book.stock.belt).toMatchObject({ onHand: 23, onOrder: 25 });
    actor.send(message('delivery.unloaded', { jobs: ['in:so-big/2', 'in:so-big/3'] }, 'truck-1'));
    expect(actor.getSnapshot().context.book.stock.belt).toMatchObject({ onHand: 48, onOrder: 0 });
    expect(actor.getSnapshot().context.book.orders).toEqual([]);
  });

  it('takes on a shipment it did not order, and balances its books on receipt', () => {
    const { actor, effects } = start();
    actor.send(message('parts.shipped', { item: 'bearing', qty: 2, order: 'acme-so-9', origin: 'acme-dock' }, 'acme', 'c', 500));
    expect(ofType(effects, 'negotiate')[0].spec).toMatchObject({ job: 'in:acme-so-9', stop: { place: 'acme-dock', ready: 500 } });
    actor.send(message('delivery.settled', { outcome: 'completed', winner: 'truck-1', rounds: 1, spec: { job: 'in:acme-so-9' } }, 'supply/delivery:1'));
    actor.send(message('delivery.served', { job: 'in:acme-so-9', kind: 'pickup', lateSeconds: 0 }, 'truck-1'));
    actor.send(message('delivery.unloaded', { jobs: ['in:acme-so-9'] }, 'truck-1'));
    expect(actor.getSnapshot().context.book.stock.bearing).toMatchObject({ onHand: 3, onOrder: 0 });
  });

  it('serves a customer order line from stock by a truck delivery, or once the stock is in', () => {
    const { actor, effects } = start();
    actor.send(message('customer.ordered', { order: 'o-1', customer: 'c-1', place: 'site', item: 'belt', qty: 2, due: 86_400, priority: 2 }, 'customers', 'c', 100));
    expect(ofType(effects, 'negotiate')[0].spec.stop).toEqual({ job: 'out:o-1', kind: 'delivery', place: 'site', qty: 2, ready: 100, due: 86_400, service: 600, priority: 3 });
    effects.length = 0;
    // One belt left: the next line waits, and the shortfall is bought.
    actor.send(message('customer.ordered', { order: 'o-2', customer: 'c-1', place: 'site', item: 'belt', qty: 3, due: 86_400, priority: 0 }, 'customers', 'c', 200));
    expect(ofType(effects, 'negotiate').map((e) => e.topic)).toEqual(['parts']);
    expect(ofType(effects, 'stock.out')).toHaveLength(1);
    actor.send(message('delivery.served', { job: 'out:o-1', kind: 'delivery', lateSeconds: 60 }, 'truck-1'));
    expect(ofType(effects, 'delivery.done')).toEqual([{ type: 'delivery.done', job: 'out:o-1', kind: 'delivery', lateSeconds: 60, customerOrder: 'o-1' }]);
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

  it('puts a job nobody could take back to the trucks after a delay (static) or into the next re-optimisation (dynamic)', () => {
    for (const policy of ['static', 'dynamic'] as const) {
      const clock = new SimulatedClock();
      const effects: SupplyEffect[] = [];
      const actor = createActor(supplyCoordinator, { input: { ...input, logistics: { ...input.logistics, policy } }, clock });
      actor.on('*', (e) => effects.push(e as SupplyEffect));
      actor.start();
      actor.send(request('bearing', 2, 'wo-1'));
      actor.send(message('parts.shipped', { item: 'bearing', qty: 1, order: 'supply-po-1', origin: 'acme-dock' }, 'acme'));
      actor.send(message('delivery.settled', { outcome: 'failed', rounds: 3, spec: { job: 'in:supply-po-1' } }, 'supply/delivery:1'));
      effects.length = 0;
      clock.increment(900_000);
      if (policy === 'static') expect(ofType(effects, 'negotiate').map((e) => [e.topic, e.spec.job])).toEqual([['delivery', 'in:supply-po-1']]);
      else expect(effects).toEqual([{ type: 'logistics.changed', reason: 'retry in:supply-po-1' }]);
    }
  });

  it('static: holds routine jobs for the weekly route and plans them when it leaves; urgent parts go to the trucks at once', () => {
    const clock = new SimulatedClock();
    const effects: SupplyEffect[] = [];
    const actor = createActor(supplyCoordinator, { input: { ...input, logistics: { ...input.logistics, policy: 'static' } }, clock });
    actor.on('*', (e) => effects.push(e as SupplyEffect));
    actor.start();
    actor.send(message('customer.ordered', { order: 'o-1', customer: 'c-1', place: 'site', item: 'belt', qty: 2, due: 86_400, priority: 0 }, 'customers', 'c', 100));
    actor.send(message('parts.shipped', { item: 'belt', qty: 4, order: 'acme-so-1', origin: 'acme-dock' }, 'acme', 'c', 100));
    expect(ofType(effects, 'negotiate').filter((e) => e.topic === 'delivery')).toEqual([]);
    expect(Object.values(actor.getSnapshot().context.dispatch.jobs).map((j) => j.status)).toEqual(['waiting', 'waiting']);
    actor.send({ type: 'supply.reoptimise', time: 21_600, seed: 1, iterations: 50, release: 21_600 + 86_400 });
    const revised = ofType(effects, 'send').filter((e) => e.message === 'route.revised');
    expect(revised).toHaveLength(1); // one truck does both: the pickup and the delivery are close
    const trips = (revised[0].payload as { trips: { job: string }[][] }).trips;
    expect(trips.flat().map((s) => s.job).sort()).toEqual(['in:acme-so-1', 'out:o-1']);
    expect(Object.values(actor.getSnapshot().context.dispatch.jobs).map((j) => j.status)).toEqual(['planned', 'planned']);
    // Urgent: parts for a waiting machine.
    effects.length = 0;
    actor.send(request('bearing', 2, 'wo-7'));
    // supply-po-1 restocks belts; the bearings short for the machine are supply-po-2.
    actor.send(message('parts.settled', { outcome: 'awarded', winner: 'acme', rounds: 1, spec: spec('supply-po-2') }, 'supply/parts:2'));
    actor.send(message('parts.confirmed', { item: 'bearing', qty: 1, order: 'supply-po-2', origin: 'acme-dock', readyAt: 30_000 }, 'acme'));
    expect(ofType(effects, 'negotiate').map((e) => [e.topic, e.spec.job ?? e.spec.order])).toEqual([
      ['parts', 'supply-po-2'],
      ['delivery', 'in:supply-po-2'],
    ]);
  });

  it('dynamic: re-optimises into revisions only for trucks whose plan changed, the same for the same seed', () => {
    const run = () => {
      const { actor, effects } = start();
      for (const [k, place] of (['acme-dock', 'bolt-dock', 'acme-dock'] as const).entries()) {
        actor.send(message('parts.shipped', { item: 'belt', qty: 2, order: `so-${k}`, origin: place }, 'acme', 'c', 0));
      }
      // Nobody took them yet: all three open.
      for (let k = 0; k < 3; k++) actor.send(message('delivery.settled', { outcome: 'failed', rounds: 3, spec: { job: `in:so-${k}` } }, 'supply/delivery:1'));
      effects.length = 0;
      actor.send({ type: 'supply.reoptimise', time: 60, seed: 7, iterations: 100 });
      return { revised: ofType(effects, 'send').filter((e) => e.message === 'route.revised'), actor, effects };
    };
    const a = run();
    const b = run();
    expect(a.revised).toEqual(b.revised);
    expect(a.revised.flatMap((e) => (e.payload as { trips: { job: string }[][] }).trips.flat().map((s) => s.job)).sort()).toEqual(['in:so-0', 'in:so-1', 'in:so-2']);
    // The same plan again changes nothing.
    a.effects.length = 0;
    a.actor.send({ type: 'supply.reoptimise', time: 60, seed: 8, iterations: 100 });
    expect(ofType(a.effects, 'send').filter((e) => e.message === 'route.revised')).toEqual([]);
  });

  it('tells the truck at a delayed pickup its new ready time, and re-plans on what a broken-down truck dropped', () => {
    const { actor, effects } = start();
    actor.send(message('parts.shipped', { item: 'belt', qty: 2, order: 'so-1', origin: 'acme-dock' }, 'acme', 'c', 0));
    actor.send(message('parts.shipped', { item: 'belt', qty: 2, order: 'so-2', origin: 'bolt-dock' }, 'acme', 'c', 0));
    actor.send(message('delivery.settled', { outcome: 'completed', winner: 'truck-1', rounds: 1, spec: { job: 'in:so-1' } }, 'supply/delivery:1'));
    actor.send(message('delivery.settled', { outcome: 'completed', winner: 'truck-1', rounds: 1, spec: { job: 'in:so-2' } }, 'supply/delivery:2'));
    actor.send(message('truck.progress', { at: 'acme-dock', current: 'in:so-1', revision: 0, freeAt: 1100, trips: [['in:so-2']], loaded: [], available: true }, 'truck-1'));
    effects.length = 0;
    actor.send(message('parts.delayed', { item: 'belt', qty: 2, order: 'so-1', origin: 'acme-dock', readyAt: 5000 }, 'acme', 'c', 400));
    const [revised] = ofType(effects, 'send');
    expect(revised).toMatchObject({ to: 'truck-1', message: 'route.revised', payload: { revision: 1, current: { job: 'in:so-1', ready: 5000 } } });
    expect(ofType(effects, 'logistics.changed')).toHaveLength(1);
    effects.length = 0;
    // The truck broke down at the supplier and dropped both (nothing on board).
    actor.send(message('truck.progress', { at: 'acme-dock', revision: 1, freeAt: 20_000, trips: [], loaded: [], available: false }, 'truck-1'));
    expect(ofType(effects, 'logistics.changed')).toEqual([{ type: 'logistics.changed', reason: 'truck-1 dropped in:so-1, in:so-2' }]);
    const jobs = actor.getSnapshot().context.dispatch.jobs;
    expect([jobs['in:so-1'].status, jobs['in:so-2'].status]).toEqual(['open', 'open']);
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
