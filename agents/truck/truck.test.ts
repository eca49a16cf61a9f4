import { describe, expect, it } from 'vitest';
import { createActor, SimulatedClock } from 'xstate';
import { truck, type TruckEffect, type TruckEvent, type TruckInput } from './truck.js';
import { quoteTrip } from './trip.js';
import { modelCoverage } from '../../test/support/model-coverage.js';
import { message } from '../../test/support/messages.js';

const input: TruckInput = {
  id: 'truck-1',
  depot: 'yard',
  speed: 10,
  costPerKm: 2,
  costPerHour: 36,
  distances: { yard: { dock: 9000, stores: 1000 }, dock: { stores: 10000 } },
};

const job = { order: 'po-1', item: 'bearing', qty: 2, from: 'dock', to: 'stores' };
const cfp = (conversation = 'c-1', spec: Record<string, unknown> = job, time = 50) =>
  message('delivery.cfp', { bidWindowSeconds: 2, round: 1, spec }, 'supply/delivery:1', conversation, time);
const award = (conversation = 'c-1', spec: Record<string, unknown> = job) =>
  message('delivery.awarded', { winner: 'truck-1', cost: 1, finishTime: 1, spec }, 'supply/delivery:1', conversation);
const arrived = (place: string): TruckEvent => ({ type: 'world.arrived', place });
const nowhere = { ...job, from: 'moon' };

function start(clock = new SimulatedClock()) {
  const effects: TruckEffect[] = [];
  const actor = createActor(truck, { input, clock });
  actor.on('*', (e) => effects.push(e as TruckEffect));
  actor.start();
  return { actor, effects, clock };
}

/** Where the world would report the truck next, from its state. */
function nextPlace(s: { value: unknown; context: { depot: string; job?: { from: string; to: string } } }): string {
  const v = JSON.stringify(s.value);
  if (v.includes('toPickup')) return s.context.job!.from;
  if (v.includes('toDropoff')) return s.context.job!.to;
  return s.context.depot;
}

describe('truck agent', () => {
  it('covers every state and transition (xstate/graph)', () => {
    const report = modelCoverage(truck, {
      input,
      events: (s) => [
        cfp('c-1'),
        cfp('c-2', nowhere),
        award('c-1'),
        award('c-9'),
        award('c-3', nowhere),
        message('delivery.rejected', {}, 'supply/delivery:1', 'c-1'),
        { type: 'offer.expired', conversation: 'c-1' },
        arrived(nextPlace(s)),
      ],
    });
    expect(report.states.missed).toEqual([]);
    expect(report.transitions.missed).toEqual([]);
  });

  it('bids the whole trip: distance·costPerKm/1000 + hours·costPerHour, finishing at the dropoff', () => {
    const { actor, effects } = start();
    actor.send(cfp('c-1', job, 50));
    // yard → dock 9 km, dock → stores 10 km, stores → yard 1 km: 20 km in 2000 s.
    expect(effects).toEqual([
      {
        type: 'send',
        to: 'supply/delivery:1',
        message: 'delivery.proposal',
        payload: { cost: 20 * 2 + (2000 / 3600) * 36, finishTime: 50 + 1900, details: { metres: 20000, driveSeconds: 2000 } },
        conversation: 'c-1',
      },
    ]);
    expect(actor.getSnapshot().value).toEqual({ busy: 'offered' });
  });

  it('holds itself for one offer: other calls are refused until it is settled', () => {
    const { actor, effects } = start();
    actor.send(cfp('c-1'));
    actor.send(cfp('c-2'));
    expect(effects.at(-1)).toMatchObject({ message: 'delivery.refused', payload: { reason: 'busy' }, conversation: 'c-2' });
    actor.send(message('delivery.rejected', {}, 'supply/delivery:1', 'c-1'));
    expect(actor.getSnapshot().value).toBe('idle');
  });

  it('lets an unanswered offer lapse after the bid window and a grace period', () => {
    const { actor, clock } = start();
    actor.send(cfp('c-1'));
    clock.increment(11_999);
    expect(actor.getSnapshot().value).toEqual({ busy: 'offered' });
    clock.increment(1);
    expect(actor.getSnapshot().value).toBe('idle');
  });

  it('refuses calls between places it does not know', () => {
    const { actor, effects } = start();
    actor.send(cfp('c-1', nowhere));
    expect(effects).toEqual([
      { type: 'send', to: 'supply/delivery:1', message: 'delivery.refused', payload: { reason: 'cannot reach those places' }, conversation: 'c-1' },
    ]);
    expect(actor.getSnapshot().value).toBe('idle');
  });

  it('drives pickup → dropoff → depot and reports the delivery to the manager', () => {
    const { actor, effects, clock } = start();
    actor.send(cfp('c-1'));
    actor.send(award('c-1'));
    expect(effects.at(-1)).toEqual({ type: 'truck.drive', truck: 'truck-1', from: 'yard', to: 'dock', leg: 'pickup' });
    actor.send(arrived('dock'));
    expect(effects.at(-1)).toEqual({ type: 'truck.drive', truck: 'truck-1', from: 'dock', to: 'stores', leg: 'dropoff' });
    actor.send(arrived('stores'));
    expect(effects.slice(-2)).toEqual([
      { type: 'send', to: 'supply/delivery:1', message: 'delivery.completed', payload: { result: { order: 'po-1', item: 'bearing', qty: 2, to: 'stores' } }, conversation: 'c-1' },
      { type: 'truck.drive', truck: 'truck-1', from: 'stores', to: 'yard', leg: 'return' },
    ]);
    expect(actor.getSnapshot().value).toEqual({ busy: 'returning' });
    // A second award while busy is handed back so the manager re-auctions it.
    actor.send(award('c-5'));
    expect(effects.at(-1)).toMatchObject({ message: 'delivery.failed', payload: { reason: 'busy' }, conversation: 'c-5' });
    actor.send(arrived('yard'));
    expect(actor.getSnapshot().value).toBe('idle');
    expect(actor.getSnapshot().context).toMatchObject({ location: 'yard', job: undefined, offer: undefined });
    // The offer timer was cancelled with the award.
    clock.increment(60_000);
    expect(actor.getSnapshot().value).toBe('idle');
  });

  it('takes an award that comes after its offer lapsed, if it is free', () => {
    const { actor } = start();
    actor.send(award('c-1'));
    expect(actor.getSnapshot().value).toEqual({ busy: 'toPickup' });
  });
});

describe('trip quotes', () => {
  it('is undefined for a place the table does not know, and symmetric otherwise', () => {
    const rates = { speed: 10, costPerKm: 1, costPerHour: 0 };
    expect(quoteTrip(input.distances, rates, 'yard', 'moon', 'stores', 'yard')).toBeUndefined();
    expect(quoteTrip(input.distances, rates, 'stores', 'dock', 'yard', 'yard')).toMatchObject({ metres: 19000, cost: 19 });
  });
});
