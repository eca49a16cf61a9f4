import { assign, enqueueActions, setup } from 'xstate';
import { send, type MessageEvent, type SendEffect } from '../host/effects.js';
import { distance, type DistanceTable, type TruckRates } from './trip.js';
import { insertAt, quoteInsertion } from '../supply/fleet/index.js';
import type { Stop, TruckPlanState } from '../supply/fleet/types.js';
import { departureSlack, reconcileRevision } from './plan.js';

export interface TruckInput extends TruckRates {
  id: string;
  /** The warehouse the truck is based at: every trip starts and ends there. */
  home: string;
  /** Where the truck stands at the start; it drives home first when that is elsewhere. */
  depot: string;
  /** Units it carries at once. */
  capacity: number;
  /** Metres between the places it may drive to (warehouse, suppliers, customers). */
  distances: DistanceTable;
  /** The supply coordinator: told of progress, served stops and unloads. */
  coordinator: string;
  /** Cost per second late, per unit of priority (the fleet optimiser's default when omitted). */
  latenessCost?: number;
  /**
   * Longest wait at home before leaving on a planned trip, seconds: the
   * truck leaves when its plan would otherwise get later (less a margin), so
   * jobs coming in meanwhile join the trip. 0: leave at once.
   */
  maxHoldSeconds?: number;
}

interface TruckContext extends TruckInput {
  /** Where the truck is, or is driving to (`leg`). */
  at: string;
  /** When it is free there (arrival, or the end of the stop's service). */
  freeAt: number;
  /** When it arrives (arrived) at `at`. */
  arriveAt: number;
  /** The stop it is driving to or serving; undefined when driving home or standing. */
  stop?: Stop;
  trips: Stop[][];
  /** Deliveries on board (loaded at home for the current trip). */
  loaded: string[];
  /** Pickups on board, unloaded at home. */
  picked: Stop[];
  /** Last kernel time the truck heard of. */
  now: number;
  /** The last `route.revised` applied. */
  revision: number;
  /** When a holding truck leaves. */
  holdUntil: number;
}

export type TruckEvent =
  | MessageEvent<'delivery.cfp'>
  | MessageEvent<'delivery.awarded'>
  | MessageEvent<'route.revised'>
  | { type: 'world.arrived'; place: string; time: number }
  | { type: 'world.brokenDown'; place: string; time: number; until: number }
  | { type: 'world.repaired'; place: string; time: number }
  | { type: 'stop.done' }
  | { type: 'truck.depart' };

export type DriveLeg = 'stop' | 'home';

/** Effects of a truck: messages, and driving on the roads (the world reports `world.arrived`). */
export type TruckEffect = SendEffect | { type: 'truck.drive'; truck: string; from: string; to: string; leg: DriveLeg };

const SERVICE_TIMER = 'service';
const DEPART_TIMER = 'depart';
/** Left of the slack when a holding truck leaves: driving is not to the second. */
const HOLD_MARGIN_SECONDS = 1800;
/** Shorter holds are not worth it: the truck leaves. */
const MIN_HOLD_SECONDS = 600;

/** How long the truck holds at home before leaving on its plan (0: leave now). */
function holdFor(c: TruckContext): number {
  const max = c.maxHoldSeconds ?? 0;
  if (max <= 0 || c.at !== c.home || !c.trips.some((t) => t.length > 0)) return 0;
  const slack = departureSlack(planState(c, true), { now: c.now, travel: travelFor(c), latenessCost: c.latenessCost }, max);
  const hold = Math.min(max, slack - HOLD_MARGIN_SECONDS);
  return hold >= MIN_HOLD_SECONDS ? hold : 0;
}

type Spec = Record<string, unknown>;

/** The job a delivery negotiation is about, as a stop (the coordinator writes its spec). */
export function stopOf(spec: Spec): Stop | undefined {
  const s = spec.stop as Stop | undefined;
  if (!s || typeof s.job !== 'string' || typeof s.place !== 'string' || typeof s.qty !== 'number') return undefined;
  return s;
}

/** Deliveries on board still in the plan (the stop under way is not in it). */
function loadedInPlan(c: TruckContext): string[] {
  return c.stop ? c.loaded.filter((j) => j !== c.stop!.job) : c.loaded;
}

function planState(c: TruckContext, available: boolean): TruckPlanState {
  return {
    id: c.id,
    home: c.home,
    capacity: c.capacity,
    speed: c.speed,
    costPerKm: c.costPerKm,
    costPerHour: c.costPerHour,
    available,
    at: c.at,
    freeAt: Math.max(c.freeAt, c.now),
    trips: c.trips,
    loaded: loadedInPlan(c),
    // Parts picked up on the trip under way: they take room and are due home.
    onBoard: c.picked.reduce((n, s) => n + s.qty, 0),
    onBoardDue: c.picked.map((s) => ({ due: s.due, priority: s.priority ?? 1 })),
  };
}

function travelFor(c: TruckContext) {
  return (a: string, b: string) => distance(c.distances, a, b) ?? Infinity;
}

/** Whether the job is already the truck's: planned, under way, or on board. */
function holds(c: TruckContext, job: string): boolean {
  return c.stop?.job === job || c.trips.some((t) => t.some((s) => s.job === job)) || c.picked.some((s) => s.job === job);
}

function quoteFor(c: TruckContext, stop: Stop) {
  if (!Number.isFinite(travelFor(c)(c.home, stop.place))) return undefined;
  return quoteInsertion(planState(c, true), stop, { now: c.now, travel: travelFor(c), latenessCost: c.latenessCost });
}

function progress(c: TruckContext, available: boolean): SendEffect {
  return send(c.coordinator, 'truck.progress', {
    at: c.at,
    ...(c.stop ? { current: c.stop.job } : {}),
    revision: c.revision,
    freeAt: Math.max(c.freeAt, c.now),
    trips: c.trips.map((t) => t.map((s) => s.job)),
    loaded: loadedInPlan(c),
    available,
  });
}

type Enqueue = {
  assign: (p: Partial<TruckContext>) => void;
  emit: (e: TruckEffect) => void;
  raise: (e: TruckEvent, o: { delay: number; id: string }) => void;
};

/** A truck with anything left to do: stops planned, or not at home. */
function hasWork(c: TruckContext): boolean {
  return c.trips.some((t) => t.length > 0) || c.at !== c.home;
}

/**
 * Goes on with the plan (called only when `hasWork`): to the next stop of
 * the first trip, loading the trip's deliveries when leaving home; home when
 * the trip is done, or when a trip's deliveries are not on board.
 */
function goOn(c: TruckContext, enqueue: Enqueue): void {
  // Away from home, trips[0] is the trip under way; once it is done the truck goes home.
  if (c.at !== c.home && (c.trips[0]?.length ?? 0) === 0) return driveTo(c, enqueue, c.home, undefined, c.trips.slice(1));
  const trips = c.at === c.home ? dropLeadingEmpty(c.trips) : c.trips;
  const [first, ...later] = trips;
  const loaded = c.at === c.home ? first.filter((s) => s.kind === 'delivery').map((s) => s.job) : c.loaded;
  // A trip's deliveries are loaded at home: a truck away without them goes home first.
  if (first.some((s) => s.kind === 'delivery' && !loaded.includes(s.job))) return driveTo(c, enqueue, c.home, undefined, trips);
  const [next, ...rest] = first;
  driveTo({ ...c, loaded }, enqueue, next.place, next, [rest, ...later]);
}

function dropLeadingEmpty(trips: Stop[][]): Stop[][] {
  let i = 0;
  while (i < trips.length && trips[i].length === 0) i++;
  return trips.slice(i);
}

function driveTo(c: TruckContext, enqueue: Enqueue, to: string, stop: Stop | undefined, trips: Stop[][]): void {
  const arrive = c.now + travelFor(c)(c.at, to) / c.speed;
  const freeAt = stop ? Math.max(arrive, stop.ready) + stop.service : arrive;
  const next = { at: to, arriveAt: arrive, freeAt, stop, trips, loaded: c.loaded };
  enqueue.emit({ type: 'truck.drive', truck: c.id, from: c.at, to, leg: stop ? 'stop' : 'home' });
  enqueue.assign(next);
  enqueue.emit(progress({ ...c, ...next }, true));
}

/**
 * A delivery truck with a multi-stop plan (agents/supply/fleet). It bids on a
 * job its marginal cost: the cheapest insertion into its plan, lateness of
 * the jobs it already holds included, so a busy truck can still win a job on
 * its way. An award is acknowledged (`delivery.completed` closes the
 * negotiation) once the job is in its plan: execution is tracked by the
 * coordinator, whose re-optimisation may move jobs between trucks
 * (`route.revised`). A broken-down truck takes nothing new and keeps only
 * the deliveries on board.
 */
export const truck = setup({
  types: {
    context: {} as TruckContext,
    input: {} as TruckInput,
    events: {} as TruckEvent,
    emitted: {} as TruckEffect,
  },
  actions: {
    bid: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'delivery.cfp') return;
      const c = { ...context, now: Math.max(context.now, event.msg.time) };
      enqueue.assign({ now: c.now });
      const stop = stopOf(event.msg.payload.spec);
      // Called for a job it already has (a re-auction crossed its report): it costs nothing more.
      if (stop && holds(c, stop.job)) {
        enqueue.emit(send(event.msg.from, 'delivery.proposal', { cost: 0, finishTime: c.now }, event.msg.conversation));
        return;
      }
      const q = stop && quoteFor(c, stop);
      if (!q) {
        enqueue.emit(send(event.msg.from, 'delivery.refused', { reason: stop ? 'cannot carry it' : 'no stop in the call' }, event.msg.conversation));
        return;
      }
      enqueue.emit(
        send(event.msg.from, 'delivery.proposal', { cost: q.cost, previousCost: q.previousCost, finishTime: q.serviceStart }, event.msg.conversation),
      );
    }),
    refuseBroken: enqueueActions(({ event, enqueue }) => {
      if (event.type === 'delivery.cfp') enqueue.emit(send(event.msg.from, 'delivery.refused', { reason: 'broken down' }, event.msg.conversation));
      if (event.type === 'delivery.awarded') enqueue.emit(send(event.msg.from, 'delivery.failed', { reason: 'broken down' }, event.msg.conversation));
    }),
    take: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'delivery.awarded') return;
      const c = { ...context, now: Math.max(context.now, event.msg.time) };
      const stop = stopOf(event.msg.payload.spec);
      if (stop && holds(c, stop.job)) {
        enqueue.assign({ now: c.now });
        enqueue.emit(send(event.msg.from, 'delivery.completed', { result: { job: stop.job, planned: true } }, event.msg.conversation));
        enqueue.emit(progress(c, true));
        return;
      }
      const q = stop ? quoteFor(c, stop) : undefined;
      if (!stop || !q) {
        enqueue.emit(send(event.msg.from, 'delivery.failed', { reason: 'cannot carry it any more' }, event.msg.conversation));
        return;
      }
      const trips = insertAt(planState(c, true), q, stop);
      enqueue.assign({ now: c.now, trips });
      enqueue.emit(send(event.msg.from, 'delivery.completed', { result: { job: stop.job, planned: true } }, event.msg.conversation));
      enqueue.emit(progress({ ...c, trips }, true));
    }),
    revise: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'route.revised') return;
      const now = Math.max(context.now, event.msg.time);
      // A revision older than one applied already (messages crossed) is dropped.
      if (event.msg.payload.revision <= context.revision) return;
      const revision = event.msg.payload.revision;
      const trips = reconcileRevision(event.msg.payload.trips, { current: context.stop?.job, loaded: context.loaded, held: context.trips });
      enqueue.assign({ now, trips, revision });
      // A new ready time for the stop under way (a supplier's delay) moves its service.
      const current = event.msg.payload.current;
      let freeAt = context.freeAt;
      if (current && context.stop?.job === current.job) {
        freeAt = Math.max(context.arriveAt, current.ready) + current.service;
        enqueue.assign({ stop: current, freeAt });
      }
      enqueue.emit(progress({ ...context, now, trips, freeAt, revision }, true));
    }),
    retime: enqueueActions(({ context, enqueue }) => {
      // Runs after `revise` in `serving`: the service ends at the (possibly moved) freeAt.
      enqueue.cancel(SERVICE_TIMER);
      enqueue.raise({ type: 'stop.done' }, { delay: Math.max(0, context.freeAt - context.now) * 1000, id: SERVICE_TIMER });
    }),
    arrive: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'world.arrived') return;
      enqueue.assign({ now: event.time });
      const stop = context.stop;
      if (!stop) return;
      // Service starts when the parts are ready (a pickup) or the customer opens.
      const freeAt = Math.max(event.time, stop.ready) + stop.service;
      enqueue.assign({ now: event.time, arriveAt: event.time, freeAt });
      enqueue.raise({ type: 'stop.done' }, { delay: (freeAt - event.time) * 1000, id: SERVICE_TIMER });
    }),
    serve: enqueueActions(({ context, enqueue }) => {
      const stop = context.stop!;
      const now = context.freeAt;
      // Service starts at freeAt − service; late is past the stop's due time.
      const lateSeconds = Math.max(0, now - stop.service - stop.due);
      enqueue.emit(send(context.coordinator, 'delivery.served', { job: stop.job, kind: stop.kind, lateSeconds }));
      const next = {
        now,
        stop: undefined,
        loaded: context.loaded.filter((j) => j !== stop.job),
        picked: stop.kind === 'pickup' ? [...context.picked, stop] : context.picked,
      };
      enqueue.assign(next);
    }),
    goOn: enqueueActions(({ context, enqueue }) => goOn(context, enqueue as unknown as Enqueue)),
    arriveHome: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'world.arrived') return;
      enqueue.assign({ now: event.time, at: event.place, freeAt: event.time });
      // Picked-up parts are unloaded at the warehouse.
      if (event.place === context.home && context.picked.length > 0) {
        enqueue.emit(send(context.coordinator, 'delivery.unloaded', { jobs: context.picked.map((s) => s.job) }));
        enqueue.assign({ picked: [] });
      }
      if (event.place === context.home && !hasWork({ ...context, at: event.place })) {
        enqueue.emit(progress({ ...context, at: event.place, now: event.time, freeAt: event.time }, true));
      }
    }),
    breakDown: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'world.brokenDown') return;
      // Stranded: only what is on board stays; every other job goes back to the coordinator.
      const loaded = context.loaded;
      const current = context.stop && loaded.includes(context.stop.job) ? [context.stop] : [];
      const first = [...current, ...(context.trips[0] ?? []).filter((s) => loaded.includes(s.job))];
      const c = { ...context, now: event.time, at: event.place, freeAt: event.until, stop: undefined, trips: first.length > 0 ? [first] : [] };
      enqueue.cancel(SERVICE_TIMER);
      enqueue.assign(c);
      enqueue.emit(progress(c, false));
    }),
    hold: enqueueActions(({ context, enqueue }) => {
      const wait = holdFor(context);
      enqueue.assign({ holdUntil: context.now + wait });
      enqueue.raise({ type: 'truck.depart' }, { delay: wait * 1000, id: DEPART_TIMER });
      enqueue.emit(progress({ ...context, freeAt: context.now }, true));
    }),
    stopHolding: enqueueActions(({ enqueue }) => enqueue.cancel(DEPART_TIMER)),
    // The depart timer fires on the kernel's clock at the hold's end.
    departed: assign({ now: ({ context }) => context.holdUntil }),
    repaired: enqueueActions(({ event, enqueue }) => {
      if (event.type !== 'world.repaired') return;
      enqueue.assign({ now: event.time, freeAt: event.time });
    }),
  },
  guards: {
    hasWork: ({ context }) => hasWork(context),
    mayHold: ({ context }) => holdFor(context) > 0,
    atStop: ({ context }) => context.stop !== undefined,
  },
}).createMachine({
  id: 'truck',
  context: ({ input }) => ({ ...input, at: input.depot, freeAt: 0, arriveAt: 0, trips: [], loaded: [], picked: [], now: 0, revision: 0, holdUntil: 0 }),
  initial: 'deciding',
  on: {
    'delivery.cfp': { actions: 'bid' },
    'delivery.awarded': { actions: 'take' },
    'route.revised': { actions: 'revise' },
    'world.brokenDown': { target: '.broken', actions: 'breakDown' },
  },
  states: {
    /** Between two legs: the plan says where next. */
    deciding: {
      always: [{ guard: 'mayHold', target: 'holding' }, { guard: 'hasWork', target: 'driving', actions: 'goOn' }, { target: 'idle' }],
    },
    /** At home with a trip planned that can wait: it leaves when it must, taking what came in meanwhile. */
    holding: {
      entry: 'hold',
      exit: 'stopHolding',
      on: {
        'truck.depart': { target: 'driving', actions: ['departed', 'goOn'] },
        'delivery.awarded': { target: 'deciding', actions: 'take' },
        'route.revised': { target: 'deciding', actions: 'revise' },
      },
    },
    /** At home with nothing planned; an award or a revision gives it work. */
    idle: {
      on: {
        'delivery.awarded': { target: 'deciding', actions: 'take' },
        'route.revised': { target: 'deciding', actions: 'revise' },
      },
    },
    driving: {
      on: {
        'world.arrived': [
          { guard: 'atStop', target: 'serving', actions: 'arrive' },
          { target: 'deciding', actions: 'arriveHome' },
        ],
      },
    },
    /** At a stop: waiting for its ready time, then serving it. */
    serving: {
      on: {
        'stop.done': { target: 'deciding', actions: 'serve' },
        'route.revised': { actions: ['revise', 'retime'] },
      },
    },
    /** Stranded where it broke down; it refuses work until repaired. */
    broken: {
      on: {
        'delivery.cfp': { actions: 'refuseBroken' },
        'delivery.awarded': { actions: 'refuseBroken' },
        'world.repaired': { target: 'deciding', actions: 'repaired' },
      },
    },
  },
});
