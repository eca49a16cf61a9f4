import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { supplier, type SupplierEffect, type SupplierEvent, type SupplierInput } from './supplier.js';
import { modelCoverage } from '../../test/support/model-coverage.js';
import { message } from '../../test/support/messages.js';

const input: SupplierInput = {
  id: 'acme',
  location: 'acme-dock',
  capacity: 2,
  items: [{ item: 'bearing', price: 150, leadTimeSeconds: 7200 }],
  supply: 'supply',
};

const cfp = (item: string, qty = 2, conversation = 'neg-1', time = 100) =>
  message('parts.cfp', { bidWindowSeconds: 2, round: 1, spec: { order: 'po-1', item, qty } }, 'supply/parts:1', conversation, time);
const award = (order: string, item = 'bearing', conversation = 'neg-1') =>
  message('parts.awarded', { winner: 'acme', cost: 300, finishTime: 7300, spec: { order, item, qty: 2 } }, 'supply/parts:1', conversation);
const ready = (order: string): SupplierEvent => ({ type: 'world.orderReady', order, item: 'bearing', qty: 2 });
const confirmed = (order: string, readyAt = 7300): SupplierEvent => ({ type: 'world.orderConfirmed', order, item: 'bearing', qty: 2, readyAt });
const delayed = (order: string, readyAt = 10_900): SupplierEvent => ({ type: 'world.orderDelayed', order, item: 'bearing', qty: 2, readyAt });

function start() {
  const effects: SupplierEffect[] = [];
  const actor = createActor(supplier, { input });
  actor.on('*', (e) => effects.push(e as SupplierEffect));
  actor.start();
  return { actor, effects };
}

describe('supplier agent', () => {
  it('covers every state and transition (xstate/graph)', () => {
    const report = modelCoverage(supplier, {
      input,
      serializeState: (s) => `${JSON.stringify(s.value)}:${s.context.orders.length}`,
      events: (s) => [
        cfp('bearing'),
        cfp('gear'),
        award(`po-${s.context.next}`),
        award('po-x', 'gear'),
        message('parts.rejected', {}),
        ready(s.context.orders[0]?.order ?? 'po-none'),
        ready('po-none'),
        confirmed(s.context.orders[0]?.order ?? 'po-none'),
        confirmed('po-none'),
        delayed(s.context.orders[0]?.order ?? 'po-none'),
        delayed('po-none'),
      ],
    });
    expect(report.states.missed).toEqual([]);
    expect(report.transitions.missed).toEqual([]);
  });

  it('bids price × qty and its quoted lead time, in the call’s conversation', () => {
    const { actor, effects } = start();
    actor.send(cfp('bearing', 2, 'neg-7', 100));
    expect(effects).toEqual([
      {
        type: 'send',
        to: 'supply/parts:1',
        message: 'parts.proposal',
        payload: { cost: 300, finishTime: 7300, details: { leadTimeSeconds: 7200 } },
        conversation: 'neg-7',
      },
    ]);
  });

  it('refuses items it does not carry', () => {
    const { actor, effects } = start();
    actor.send(cfp('gear'));
    expect(effects).toEqual([{ type: 'send', to: 'supply/parts:1', message: 'parts.refused', payload: { reason: 'does not carry gear' }, conversation: 'neg-1' }]);
  });

  it('makes awarded orders until full, then refuses and declines', () => {
    const { actor, effects } = start();
    actor.send(award('po-1', 'bearing', 'neg-1'));
    expect(effects).toEqual([{ type: 'supplier.produce', supplier: 'acme', order: 'po-1', item: 'bearing', qty: 2, cost: 300 }]);
    actor.send(award('po-2', 'bearing', 'neg-2'));
    expect(actor.getSnapshot().value).toBe('full');
    effects.length = 0;
    actor.send(cfp('bearing', 1, 'neg-3'));
    actor.send(award('po-3', 'bearing', 'neg-3'));
    expect(effects.map((e) => e.type === 'send' && [e.message, e.payload])).toEqual([
      ['parts.refused', { reason: 'at capacity' }],
      ['parts.failed', { reason: 'at capacity' }],
    ]);
  });

  it('ships a ready order to supply and reports completion to the manager that awarded it', () => {
    const { actor, effects } = start();
    actor.send(award('po-1', 'bearing', 'neg-1'));
    actor.send(award('po-2', 'bearing', 'neg-2'));
    effects.length = 0;
    actor.send(ready('po-2'));
    expect(actor.getSnapshot().value).toBe('open');
    expect(effects).toEqual([
      { type: 'send', to: 'supply', message: 'parts.shipped', payload: { item: 'bearing', qty: 2, order: 'po-2', origin: 'acme-dock' }, conversation: 'neg-2' },
      { type: 'send', to: 'supply/parts:1', message: 'parts.completed', payload: { result: { order: 'po-2', item: 'bearing', qty: 2 } }, conversation: 'neg-2' },
    ]);
    expect(actor.getSnapshot().context.orders.map((o) => o.order)).toEqual(['po-1']);
  });

  it('tells supply the date it confirms for an order, in the order’s conversation, whether open or full', () => {
    const { actor, effects } = start();
    actor.send(award('po-1', 'bearing', 'neg-1'));
    effects.length = 0;
    actor.send(confirmed('po-1', 7300));
    expect(effects).toEqual([
      { type: 'send', to: 'supply', message: 'parts.confirmed', payload: { item: 'bearing', qty: 2, order: 'po-1', origin: 'acme-dock', readyAt: 7300 }, conversation: 'neg-1' },
    ]);
    actor.send(award('po-2', 'bearing', 'neg-2'));
    expect(actor.getSnapshot().value).toBe('full');
    effects.length = 0;
    actor.send(confirmed('po-2', 8000));
    expect(actor.getSnapshot().value).toBe('full');
    expect(effects).toEqual([
      { type: 'send', to: 'supply', message: 'parts.confirmed', payload: { item: 'bearing', qty: 2, order: 'po-2', origin: 'acme-dock', readyAt: 8000 }, conversation: 'neg-2' },
    ]);
    expect(actor.getSnapshot().context.orders.map((o) => o.order)).toEqual(['po-1', 'po-2']);
  });

  it('tells supply the new date of a late order, and still ships it when ready', () => {
    const { actor, effects } = start();
    actor.send(award('po-1', 'bearing', 'neg-1'));
    actor.send(confirmed('po-1'));
    effects.length = 0;
    actor.send(delayed('po-1', 10_900));
    expect(effects).toEqual([
      { type: 'send', to: 'supply', message: 'parts.delayed', payload: { item: 'bearing', qty: 2, order: 'po-1', origin: 'acme-dock', readyAt: 10_900 }, conversation: 'neg-1' },
    ]);
    expect(actor.getSnapshot().context.orders.map((o) => o.order)).toEqual(['po-1']);
    effects.length = 0;
    actor.send(ready('po-1'));
    expect(effects.map((e) => e.type === 'send' && e.message)).toEqual(['parts.shipped', 'parts.completed']);
  });

  it('ignores dates and delays of orders it does not hold (never awarded, or already shipped)', () => {
    const { actor, effects } = start();
    actor.send(confirmed('po-none'));
    actor.send(delayed('po-none'));
    actor.send(award('po-1', 'bearing', 'neg-1'));
    actor.send(ready('po-1'));
    effects.length = 0;
    actor.send(delayed('po-1'));
    actor.send(confirmed('po-1'));
    expect(effects).toEqual([]);
    expect(actor.getSnapshot().value).toBe('open');
  });

  it('names an order itself when the award carries no order id', () => {
    const { actor, effects } = start();
    actor.send(message('parts.awarded', { winner: 'acme', cost: 150, finishTime: 1, spec: { item: 'bearing', qty: 1 } }, 'm'));
    expect(effects[0]).toMatchObject({ type: 'supplier.produce', order: 'acme-so-1' });
  });

  it('ignores rejections: a bid holds no capacity', () => {
    const { actor, effects } = start();
    const before = actor.getSnapshot();
    actor.send(message('parts.rejected', {}));
    expect(effects).toEqual([]);
    expect(actor.getSnapshot().context).toEqual(before.context);
  });
});
