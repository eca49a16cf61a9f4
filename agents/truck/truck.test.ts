import { describe, expect, it } from 'vitest';
import { createActor, SimulatedClock } from 'xstate';
import { truck, type TruckEffect, type TruckEvent, type TruckInput } from './truck.js';
import { quoteInsertion } from '../supply/fleet/index.js';
import type { Stop } from '../supply/fleet/types.js';
import { modelCoverage } from '../../test/support/model-coverage.js';
import { message } from '../../test/support/messages.js';
import { distance } from './trip.js';

const input: TruckInput = {
  id: 'truck-1',
  home: 'stores',
  depot: 'stores',
  capacity: 10,
  speed: 10,
  costPerKm: 2,
  costPerHour: 36,
  coordinator: 'supply',
  distances: { stores: { works: 9000, site: 3000 }, works: { site: 10000 } },
};

const pickup = (job = 'in:po-1', ready = 0, due = 86400): Stop => ({ job, kind: 'pickup', place: 'works', qty: 2, ready, due, service: 600 });
const delivery = (job = 'out:o-1', due = 86400): Stop => ({ job, kind: 'delivery', place: 'site', qty: 3, ready: 0, due, service: 300 });

const cfp = (stop: Stop, conversation = 'c-1', time = 0) =>
  message('delivery.cfp', { bidWindowSeconds: 2, round: 1, spec: { job: stop.job, stop } }, 'supply/delivery:1', conversation, time);
const award = (stop: Stop, conversation = 'c-1', time = 0) =>
  message('delivery.awarded', { winner: 'truck-1', cost: 1, finishTime: 1, spec: { job: stop.job, stop } }, 'supply/delivery:1', conversation, time);
const revise = (revision: number, trips: Stop[][], time = 0, current?: Stop) =>
  message('route.revised', { revision, trips, ...(current ? { current } : {}) }, 'supply', 'r', time);
const arrived = (place: string, time: number): TruckEvent => ({ type: 'world.arrived', place, time });

function start(overrides: Partial<TruckInput> = {}) {
  const clock = new SimulatedClock();
  const effects: TruckEffect[] = [];
  const actor = createActor(truck, { input: { ...input, ...overrides }, clock });
  actor.on('*', (e) => effects.push(e as TruckEffect));
  actor.start();
  return { actor, effects, clock };
}

const sent = <T extends string>(effects: TruckEffect[], message: T) =>
  effects.filter((e): e is Extract<TruckEffect, { type: 'send' }> => e.type === 'send' && e.message === message).map((e) => e.payload as never);
const drives = (effects: TruckEffect[]) => effects.filter((e) => e.type === 'truck.drive').map((e) => (e as { to: string }).to);
const travel = (a: string, b: string) => distance(input.distances, a, b) ?? Infinity;

describe('truck agent (multi-stop plans)', () => {
  it('covers every state and transition (xstate/graph)', () => {
    const report = modelCoverage(truck, {
      input: { ...input, depot: 'works', maxHoldSeconds: 43_200 },
      events: (s) => {
        const c = s.context as { at: string; stop?: Stop; freeAt: number };
        return [
          cfp(pickup()),
          award(pickup()),
          revise(1, [[delivery()]]),
          arrived(c.at, c.freeAt),
          { type: 'stop.done' },
          { type: 'world.brokenDown', place: c.at, time: 10, until: 100 },
          { type: 'world.repaired', place: c.at, time: 100 },
          { type: 'truck.depart' },
        ];
      },
      // Driving home and driving to a stop are the same state with different next steps.
      serializeState: (s) => `${JSON.stringify(s.value)}:${s.context.stop ? 'stop' : ''}`,
      limit: 2000,
    });
    expect(report.states.missed).toEqual([]);
    expect(report.transitions.missed).toEqual([]);
  });

  it('bids its marginal cost: the cheapest insertion into its plan, with its cost before', () => {
    const { actor, effects } = start();
    actor.send(award(pickup('in:po-1')));
    effects.length = 0;
    actor.send(cfp(pickup('in:po-2'), 'c-2', 0));
    const [proposal] = sent(effects, 'delivery.proposal') as { cost: number; previousCost: number; finishTime: number }[];
    const c = actor.getSnapshot().context;
    const q = quoteInsertion({ ...c, available: true, freeAt: Math.max(c.freeAt, 0) }, pickup('in:po-2'), { now: 0, travel })!;
    expect(proposal).toEqual({ cost: q.cost, previousCost: q.previousCost, finishTime: q.serviceStart });
    // A second pickup at the same supplier adds only its service: no driving.
    expect(proposal.cost).toBeCloseTo(0, 6);
  });

  it('refuses a job bigger than itself or at a place it cannot reach', () => {
    const { actor, effects } = start();
    actor.send(cfp({ ...pickup(), qty: 11 }));
    actor.send(cfp({ ...pickup(), place: 'moon' }, 'c-2'));
    expect(sent(effects, 'delivery.refused')).toHaveLength(2);
  });

  it('acknowledges an award, loads the trip’s deliveries at home, serves in order and unloads pickups at home', () => {
    const { actor, effects, clock } = start();
    actor.send(award(delivery('out:o-1')));
    expect(sent(effects, 'delivery.completed')).toEqual([{ result: { job: 'out:o-1', planned: true } }]);
    expect(drives(effects)).toEqual(['site']);
    expect(actor.getSnapshot().context.loaded).toEqual(['out:o-1']);
    // A pickup awarded on the way joins the trip under way.
    actor.send(award(pickup('in:po-1'), 'c-2', 100));
    actor.send(arrived('site', 300));
    clock.increment(300 * 1000);
    expect(sent(effects, 'delivery.served')).toEqual([{ job: 'out:o-1', kind: 'delivery', lateSeconds: 0 }]);
    expect(drives(effects)).toEqual(['site', 'works']);
    actor.send(arrived('works', 1600));
    clock.increment(600 * 1000);
    expect(drives(effects)).toEqual(['site', 'works', 'stores']);
    actor.send(arrived('stores', 3100));
    expect(sent(effects, 'delivery.unloaded')).toEqual([{ jobs: ['in:po-1'] }]);
    expect(actor.getSnapshot().value).toBe('idle');
  });

  it('waits at a pickup until its parts are ready and reports the lateness of a late service', () => {
    const { actor, effects, clock } = start();
    actor.send(award(pickup('in:po-1', 2000, 1000)));
    actor.send(arrived('works', 900));
    clock.increment(1000 * 1000);
    expect(sent(effects, 'delivery.served')).toEqual([]);
    clock.increment(1700 * 1000); // ready at 2000, served by 2600
    expect(sent(effects, 'delivery.served')).toEqual([{ job: 'in:po-1', kind: 'pickup', lateSeconds: 1000 }]);
  });

  it('moves its service when the supplier’s delay reaches it at the pickup', () => {
    const { actor, effects, clock } = start();
    actor.send(award(pickup('in:po-1', 0)));
    actor.send(arrived('works', 900));
    actor.send(revise(1, [], 950, pickup('in:po-1', 5000, 90000)));
    clock.increment(1000 * 1000);
    expect(sent(effects, 'delivery.served')).toEqual([]);
    clock.increment(4700 * 1000);
    expect(sent(effects, 'delivery.served')).toHaveLength(1);
  });

  it('takes a revision, keeps the deliveries on board, and drops a stale one', () => {
    const { actor } = start();
    actor.send(revise(1, [[delivery('out:o-1'), delivery('out:o-2')]]));
    // out:o-1 is under way; out:o-2 is on board though the revision gives it to nobody.
    actor.send(revise(2, [[pickup('in:po-9')]]));
    expect(actor.getSnapshot().context.trips.map((t) => t.map((s) => s.job))).toEqual([['in:po-9', 'out:o-2']]);
    actor.send(revise(2, [[]]));
    expect(actor.getSnapshot().context.revision).toBe(2);
    expect(actor.getSnapshot().context.trips.map((t) => t.map((s) => s.job))).toEqual([['in:po-9', 'out:o-2']]);
  });

  it('broken down: keeps only what is on board, reports itself unavailable, refuses work, and goes on once repaired', () => {
    const { actor, effects } = start();
    actor.send(award(delivery('out:o-1')));
    actor.send(award(pickup('in:po-1'), 'c-2'));
    actor.send({ type: 'world.brokenDown', place: 'site', time: 300, until: 5000 });
    actor.send(arrived('site', 300));
    const progress = sent(effects, 'truck.progress') as { available: boolean; trips: string[][] }[];
    expect(progress.at(-1)).toMatchObject({ available: false, trips: [['out:o-1']] });
    actor.send(cfp(pickup('in:po-3'), 'c-3', 400));
    actor.send(award(pickup('in:po-3'), 'c-3', 400));
    expect(sent(effects, 'delivery.refused')).toEqual([{ reason: 'broken down' }]);
    expect(sent(effects, 'delivery.failed')).toEqual([{ reason: 'broken down' }]);
    actor.send({ type: 'world.repaired', place: 'site', time: 5000 });
    expect(drives(effects).at(-1)).toBe('site');
  });

  it('holds at home while its plan can wait, takes what comes in meanwhile on the same trip, and leaves when it must', () => {
    const { actor, effects, clock } = start({ maxHoldSeconds: 12 * 3600 });
    // Due in 10 h, 15 min of driving away: the truck may wait until about 9 h 15 min, less a 30 min margin.
    actor.send(award(delivery('out:o-1', 10 * 3600)));
    expect(actor.getSnapshot().value).toBe('holding');
    expect(drives(effects)).toEqual([]);
    clock.increment(3600 * 1000);
    actor.send(award(pickup('in:po-1', 0, 20 * 3600), 'c-2', 3600));
    expect(actor.getSnapshot().value).toBe('holding');
    clock.increment(9 * 3600 * 1000);
    expect(drives(effects)).toEqual(['site']);
    const trip = [actor.getSnapshot().context.stop!.job, ...actor.getSnapshot().context.trips[0].map((s) => s.job)];
    expect(trip.sort()).toEqual(['in:po-1', 'out:o-1']);
  });

  it('leaves at once for an urgent job', () => {
    const { actor, effects } = start({ maxHoldSeconds: 12 * 3600 });
    actor.send(award({ ...pickup('in:po-1', 0, 1800), priority: 10 }));
    expect(drives(effects)).toEqual(['works']);
  });

  it('out on a trip and revised to [[], [job]]: finishes the trip home first, then takes the job on a new trip', () => {
    const { actor } = start();
    actor.send(award(pickup('in:po-1')));
    actor.send(revise(1, [[], [delivery('out:o-1')]], 10));
    actor.send(arrived('works', 900));
    expect(actor.getSnapshot().context.trips.map((t) => t.map((s) => s.job))).toEqual([[], ['out:o-1']]);
  });

  it('drives home first when it starts elsewhere', () => {
    const { effects } = start({ depot: 'works' });
    expect(drives(effects)).toEqual(['stores']);
  });
});
