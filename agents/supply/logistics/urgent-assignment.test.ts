import { describe, expect, it } from 'vitest';
import { createActor, SimulatedClock } from 'xstate';
import { RandomStream } from '../../../sim/random/stream.js';
import { message } from '../../../test/support/messages.js';
import { insertAt, quoteInsertion, type Stop } from '../fleet/index.js';
import { committedFleetWeights, initFleetWeights } from '../dispatch/fleet-policy.js';
import { supplyCoordinator, type SupplyCoordinatorInput, type SupplyEffect } from '../supply-coordinator.js';
import { emptyDispatch, fleetProblem, type DispatchBook, type TruckJob } from './dispatch-book.js';
import { newJob, travelOf, type LogisticsSettings } from './dispatching.js';
import { assignUrgent } from './urgent-assignment.js';

const settings: LogisticsSettings = {
  policy: 'dynamic',
  home: 'stores',
  trucks: ['truck-1', 'truck-2', 'truck-3'].map((id) => ({ id, depot: 'stores', capacity: 20, speed: 10, costPerKm: 1, costPerHour: 30 })),
  distances: {
    stores: { 'acme-dock': 5000, 'bolt-dock': 8000, site: 3000, far: 30_000 },
    'acme-dock': { 'bolt-dock': 4000, site: 6000, far: 26_000 },
    'bolt-dock': { site: 9000, far: 24_000 },
    site: { far: 29_000 },
  },
  pickupAllowanceSeconds: 86_400,
  urgentDueSeconds: 4 * 3600,
  serviceSeconds: 600,
  urgentDispatch: 'rl',
};
const travel = travelOf(settings);
const untrained = initFleetWeights(16, new RandomStream('test.untrained', 1));

const stop = (job: string, place: string, o: Partial<Stop> = {}): Stop => ({ job, kind: 'pickup', place, qty: 2, ready: 0, due: 4 * 3600, service: 600, ...o });
const urgentJob = (id: string, place: string, o: Partial<Stop> = {}): Omit<TruckJob, 'status'> => ({
  stop: stop(id, place, { priority: 10, ...o }),
  item: 'bearing',
  purchaseOrder: id,
  urgent: true,
  machine: 'm-1',
});

/** A book: truck-1 out at the far place with a routine pickup ahead; truck-2 at home with a trip later; truck-3 idle. */
function book(): DispatchBook {
  let b = emptyDispatch(settings.trucks.map((t) => ({ id: t.id, home: 'stores', capacity: t.capacity, speed: t.speed, costPerKm: t.costPerKm, costPerHour: t.costPerHour, at: 'stores' })));
  const routine: TruckJob[] = [
    { stop: stop('r1', 'bolt-dock', { due: 86_400 }), status: 'planned', truck: 'truck-1', item: 'belt', urgent: false },
    { stop: stop('r2', 'site', { kind: 'delivery', ready: 20_000, due: 30_000 }), status: 'planned', truck: 'truck-2', item: 'belt', urgent: false },
  ];
  b = { ...b, jobs: Object.fromEntries(routine.map((j) => [j.stop.job, j])) };
  b.trucks['truck-1'] = { ...b.trucks['truck-1'], at: 'far', freeAt: 1200, trips: [['r1']], revision: 2 };
  b.trucks['truck-2'] = { ...b.trucks['truck-2'], trips: [['r2']], revision: 1 };
  return b;
}

describe('urgent assignment (learned policy, in the coordinator)', () => {
  it('quotes every truck from the book, gives the job to the one the policy picks (untrained: the cheapest), inserts it as quoted, bumps the revision', () => {
    const b = book();
    const job = urgentJob('in:po-1', 'acme-dock');
    const a = assignUrgent(b, job, 1000, travel, untrained)!;
    const problem = fleetProblem(b, 1000, travel);
    const quotes = problem.trucks.map((t) => quoteInsertion(t, job.stop, { now: 1000, travel }));
    const cheapest = Math.min(...quotes.map((q) => q!.cost));
    const i = problem.trucks.findIndex((t) => t.id === a.truck);
    expect(a.quote).toEqual(quotes[i]);
    expect(a.quote.cost).toBeCloseTo(cheapest, 9);
    expect(a.trips).toEqual(insertAt(problem.trucks[i], quotes[i]!, job.stop));
    expect(a.revision).toBe(b.trucks[a.truck].revision + 1);
    expect(a.book.trucks[a.truck]).toMatchObject({ revision: a.revision, trips: a.trips.map((t) => t.map((s) => s.job)) });
    expect(a.book.jobs['in:po-1']).toMatchObject({ status: 'planned', truck: a.truck, urgent: true });
    // Nothing else changes.
    for (const id of Object.keys(b.trucks)) if (id !== a.truck) expect(a.book.trucks[id]).toBe(b.trucks[id]);
    expect(b.jobs['in:po-1']).toBeUndefined();
  });

  it('with the committed weights, picks a truck that can take the job and plans it there once', () => {
    const w = committedFleetWeights();
    expect(w).toBeDefined();
    for (const place of ['acme-dock', 'bolt-dock', 'site', 'far']) {
      const a = assignUrgent(book(), urgentJob('in:po-2', place), 1000, travel, w!)!;
      expect(a.trips.flat().filter((s) => s.job === 'in:po-2')).toHaveLength(1);
      expect(settings.trucks.map((t) => t.id)).toContain(a.truck);
    }
  });

  it('finds no truck (the caller falls back to the auction) when none is available, the job is too big, or its place is unknown', () => {
    const b = book();
    const broken: DispatchBook = { ...b, trucks: Object.fromEntries(Object.entries(b.trucks).map(([id, t]) => [id, { ...t, available: false }])) };
    expect(assignUrgent(broken, urgentJob('x', 'acme-dock'), 1000, travel, untrained)).toBeUndefined();
    expect(assignUrgent(b, urgentJob('x', 'acme-dock', { qty: 50 }), 1000, travel, untrained)).toBeUndefined();
    expect(assignUrgent(b, urgentJob('x', 'nowhere'), 1000, travel, untrained)).toBeUndefined();
    // One truck left: it takes the job.
    const one: DispatchBook = { ...broken, trucks: { ...broken.trucks, 'truck-2': { ...broken.trucks['truck-2'], available: true } } };
    expect(assignUrgent(one, urgentJob('x', 'acme-dock'), 1000, travel, untrained)?.truck).toBe('truck-2');
  });

  it('newJob: rl sends the chosen truck its revised plan instead of an auction; cheapest, a non-urgent job, no time or no truck: the auction', () => {
    const b = book();
    const rl = newJob(settings, '#trucks', b, urgentJob('in:po-3', 'acme-dock'), 1000);
    expect(rl.effects.map((e) => e.type)).toEqual(['send', 'logistics.changed']);
    const [revised] = rl.effects;
    expect(revised).toMatchObject({ type: 'send', message: 'route.revised' });
    const to = (revised as { to: string }).to;
    expect(rl.dispatch.jobs['in:po-3']).toMatchObject({ status: 'planned', truck: to });
    expect((revised as { payload: { revision: number } }).payload.revision).toBe(rl.dispatch.trucks[to].revision);
    const auctioned = (d: ReturnType<typeof newJob>) => d.effects.some((e) => e.type === 'negotiate') && Object.values(d.dispatch.jobs).some((j) => j.status === 'auction');
    expect(auctioned(newJob({ ...settings, urgentDispatch: 'cheapest' }, '#trucks', b, urgentJob('in:po-3', 'acme-dock'), 1000))).toBe(true);
    expect(auctioned(newJob({ ...settings, urgentDispatch: undefined }, '#trucks', b, urgentJob('in:po-3', 'acme-dock'), 1000))).toBe(true);
    expect(auctioned(newJob(settings, '#trucks', b, urgentJob('in:po-3', 'acme-dock')))).toBe(true);
    expect(auctioned(newJob(settings, '#trucks', b, { ...urgentJob('in:po-3', 'acme-dock'), urgent: false }, 1000))).toBe(true);
    expect(auctioned(newJob(settings, '#trucks', b, urgentJob('in:po-3', 'nowhere'), 1000))).toBe(true);
    // Static: urgent jobs go to a truck at once, rl or auction; no re-optimisation is asked for.
    const st = newJob({ ...settings, policy: 'static' }, '#trucks', b, urgentJob('in:po-3', 'acme-dock'), 1000);
    expect(st.effects.map((e) => e.type)).toEqual(['send']);
  });

  it('in the coordinator: parts confirmed for a stopped machine go straight to a truck’s plan, and its report keeps them there', () => {
    const input: SupplyCoordinatorInput = {
      id: 'supply',
      warehouse: 'stores',
      items: [{ id: 'bearing', initialStock: 0, reorderPoint: -1, orderQuantity: 1 }],
      supplierGroup: '#suppliers',
      suppliers: [{ id: 'acme', items: ['bearing'] }],
      truckGroup: '#trucks',
      logistics: settings,
      partsRetrySeconds: 3600,
      deliveryRetrySeconds: 900,
    };
    const effects: SupplyEffect[] = [];
    const actor = createActor(supplyCoordinator, { input, clock: new SimulatedClock() });
    actor.on('*', (e) => effects.push(e as SupplyEffect));
    actor.start();
    actor.send(message('parts.requested', { item: 'bearing', qty: 1, workOrder: 'wo-1', machine: 'm-1', reason: 'repair' }, 'maintenance', 'conv-1', 100));
    const order = String((effects.find((e) => e.type === 'negotiate' && e.topic === 'parts') as Extract<SupplyEffect, { type: 'negotiate' }>).spec.order);
    actor.send(message('parts.settled', { outcome: 'awarded', winner: 'acme', rounds: 1, spec: { order } }, 'supply/parts:1', 'c', 200));
    effects.length = 0;
    actor.send(message('parts.confirmed', { item: 'bearing', qty: 1, order, origin: 'acme-dock', readyAt: 3600 }, 'acme', 'c', 300));
    expect(effects.filter((e) => e.type === 'negotiate')).toEqual([]);
    const revised = effects.find((e) => e.type === 'send' && e.message === 'route.revised') as { to: string; payload: { revision: number; trips: Stop[][] } };
    expect(revised.payload).toMatchObject({ revision: 1, trips: [[{ job: `in:${order}`, priority: 10 }]] });
    const job = actor.getSnapshot().context.dispatch.jobs[`in:${order}`];
    expect(job).toMatchObject({ status: 'planned', truck: revised.to, urgent: true });
    // The truck's report of the revision keeps the job planned on it.
    actor.send(message('truck.progress', { at: 'acme-dock', current: `in:${order}`, revision: 1, freeAt: 4200, trips: [], loaded: [], available: true }, revised.to, 'c', 400));
    expect(actor.getSnapshot().context.dispatch.jobs[`in:${order}`]).toMatchObject({ status: 'planned', truck: revised.to });
  });
});
