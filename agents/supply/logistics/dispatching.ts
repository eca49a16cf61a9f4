import { negotiate, send, type NegotiateEffect, type SendEffect } from '../../host/effects.js';
import type { Payload } from '../../protocol/messages.js';
import { distance, type DistanceTable } from '../../truck/trip.js';
import { reoptimise } from '../fleet/index.js';
import type { Stop } from '../fleet/types.js';
import { committedFleetWeights } from '../dispatch/fleet-policy.js';
import { addJob, applyPlan, applyProgress, fleetProblem, updateJob, type DispatchBook, type TruckJob } from './dispatch-book.js';
import { assignUrgent } from './urgent-assignment.js';

/**
 * How the supply coordinator dispatches its trucks. `dynamic`: every job is
 * put to the trucks as it comes (they bid their marginal cost) and the whole
 * plan is re-optimised after events; `static`: jobs wait for the weekly
 * route, planned once when it leaves; only parts a stopped machine waits
 * for, and jobs a broken-down truck drops, are put to the trucks at once.
 */
export interface LogisticsSettings {
  policy: 'dynamic' | 'static';
  /** The warehouse: every truck's home. */
  home: string;
  trucks: { id: string; depot: string; capacity: number; speed: number; costPerKm: number; costPerHour: number }[];
  distances: DistanceTable;
  /** Due time of a pickup after its parts are ready. */
  pickupAllowanceSeconds: number;
  /** Due time of a pickup for a stopped machine after its parts are ready. */
  urgentDueSeconds: number;
  /** Time a truck spends at a stop. */
  serviceSeconds: number;
  /** Cost per second late, per unit of priority (the fleet optimiser's default when omitted). */
  latenessCost?: number;
  /**
   * Who takes an urgent job (parts a stopped machine waits for): `cheapest`
   * (default when omitted), the trucks' auction, cheapest insertion wins;
   * `rl`, the coordinator quotes every truck from its dispatch book and the
   * learned policy picks one (urgent-assignment.ts; falls back to the
   * auction when no truck can take it or the committed weights are missing).
   */
  urgentDispatch?: 'rl' | 'cheapest';
}

/** Priority of lateness: parts a stopped machine waits for weigh ten times a routine job. */
export const URGENT_PRIORITY = 10;

/** Observations for the wiring: a change the dynamic re-optimisation should follow; a job done (KPIs). */
export type LogisticsEffect =
  | { type: 'logistics.changed'; reason: string }
  | { type: 'delivery.done'; job: string; kind: Stop['kind']; lateSeconds: number; customerOrder?: string };

export type DispatchEffect = SendEffect | NegotiateEffect | LogisticsEffect;

export interface Dispatched {
  dispatch: DispatchBook;
  effects: DispatchEffect[];
}

export function travelOf(settings: LogisticsSettings): (a: string, b: string) => number {
  return (a, b) => distance(settings.distances, a, b) ?? Infinity;
}

/** Puts a job to the trucks: each bids its marginal cost; the truck that wins plans it. */
export function auction(settings: LogisticsSettings, truckGroup: string, job: TruckJob): NegotiateEffect {
  return negotiate({
    topic: 'delivery',
    participants: truckGroup,
    spec: { job: job.stop.job, stop: job.stop, item: job.item, ...(job.machine ? { machine: job.machine } : {}), ...(job.workOrder ? { workOrder: job.workOrder } : {}) },
    expectedBidders: settings.trucks.length,
    // A truck's bid binds nothing (it prices the job into its plan when awarded): losers need no word.
    notifyLosers: false,
  });
}

/**
 * A new job: under `dynamic`, and for urgent jobs, it goes to the trucks at
 * once; otherwise it waits for the weekly route. With `urgentDispatch: rl`
 * and the time of the event (`now`), an urgent job is given to the truck
 * the learned policy picks, without an auction.
 */
export function newJob(settings: LogisticsSettings, truckGroup: string, dispatch: DispatchBook, job: Omit<TruckJob, 'status'>, now?: number): Dispatched {
  if (settings.policy === 'static' && !job.urgent) return { dispatch: addJob(dispatch, { ...job, status: 'waiting' }), effects: [] };
  if (job.urgent && settings.urgentDispatch === 'rl' && now !== undefined) {
    const weights = committedFleetWeights();
    const a = weights && assignUrgent(dispatch, job, now, travelOf(settings), weights, settings.latenessCost);
    if (a) {
      const effects: DispatchEffect[] = [send(a.truck, 'route.revised', { revision: a.revision, trips: a.trips })];
      if (settings.policy === 'dynamic') effects.push({ type: 'logistics.changed', reason: `new job ${job.stop.job}` });
      return { dispatch: a.book, effects };
    }
  }
  const full: TruckJob = { ...job, status: 'auction' };
  const effects: DispatchEffect[] = [auction(settings, truckGroup, full)];
  if (settings.policy === 'dynamic') effects.push({ type: 'logistics.changed', reason: `new job ${job.stop.job}` });
  return { dispatch: addJob(dispatch, full), effects };
}

/**
 * A job split into truckloads: a purchase order or an order line bigger than
 * the largest truck goes as several jobs (`<job>/1`, `<job>/2`, …), each
 * dispatched on its own. One load keeps the job's id.
 */
export function newJobs(settings: LogisticsSettings, truckGroup: string, dispatch: DispatchBook, job: Omit<TruckJob, 'status'>, now?: number): Dispatched {
  const cap = Math.max(1, Math.floor(Math.max(0, ...settings.trucks.map((t) => t.capacity))));
  const total = job.stop.qty;
  const n = Math.max(1, Math.ceil(total / cap));
  let d: Dispatched = { dispatch, effects: [] };
  for (let k = 0; k < n; k++) {
    const qty = k < n - 1 ? cap : total - cap * (n - 1);
    const id = n === 1 ? job.stop.job : `${job.stop.job}/${k + 1}`;
    const next = newJob(settings, truckGroup, d.dispatch, { ...job, stop: { ...job.stop, job: id, qty } }, now);
    d = { dispatch: next.dispatch, effects: [...d.effects, ...next.effects] };
  }
  return d;
}

/** The truck jobs of a purchase order (one per truckload). */
export function jobsOfOrder(dispatch: DispatchBook, purchaseOrder: string): string[] {
  return Object.values(dispatch.jobs)
    .filter((j) => j.purchaseOrder === purchaseOrder)
    .map((j) => j.stop.job);
}

/** A pickup's parts will be ready later: its window moves, and a truck already on its way is told. */
export function delayPickup(settings: LogisticsSettings, dispatch: DispatchBook, jobId: string, readyAt: number): Dispatched {
  const job = dispatch.jobs[jobId];
  if (!job || job.status === 'served') return { dispatch, effects: [] };
  const shift = Math.max(0, readyAt - job.stop.ready);
  const stop: Stop = { ...job.stop, ready: readyAt, due: job.stop.due + shift };
  let next = updateJob(dispatch, jobId, { stop });
  const effects: DispatchEffect[] = [];
  const view = job.truck ? next.trucks[job.truck] : undefined;
  if (view && view.current === jobId) {
    // The truck is driving to it or waiting there: it must wait longer.
    const revision = view.revision + 1;
    next = { ...next, trucks: { ...next.trucks, [view.id]: { ...view, revision } } };
    const trips = view.trips.map((t) => t.flatMap((j) => next.jobs[j]?.stop ?? []));
    effects.push(send(view.id, 'route.revised', { revision, trips, current: stop }));
  }
  if (settings.policy === 'dynamic') effects.push({ type: 'logistics.changed', reason: `pickup ${jobId} delayed` });
  return { dispatch: next, effects };
}

/** A truck's report; jobs it dropped (a breakdown) are dispatched again. */
export function truckProgress(settings: LogisticsSettings, truckGroup: string, dispatch: DispatchBook, truck: string, p: Payload<'truck.progress'>): Dispatched {
  const { book, orphaned } = applyProgress(dispatch, truck, p);
  if (orphaned.length === 0) return { dispatch: book, effects: [] };
  if (settings.policy === 'dynamic') return { dispatch: book, effects: [{ type: 'logistics.changed', reason: `${truck} dropped ${orphaned.join(', ')}` }] };
  let next = book;
  const effects: DispatchEffect[] = [];
  for (const id of orphaned) {
    next = updateJob(next, id, { status: 'auction' });
    effects.push(auction(settings, truckGroup, next.jobs[id]));
  }
  return { dispatch: next, effects };
}

/**
 * Re-optimises the fleet plan (ALNS from the current plan, deterministic for
 * a seed) and sends every truck whose plan changed its new trips. With
 * `release`, jobs waiting for the weekly route and ready by that time are
 * planned too.
 */
export function replan(settings: LogisticsSettings, dispatch: DispatchBook, at: { time: number; seed: number; iterations: number; release?: number }): Dispatched & { unassigned: number } {
  const problem = fleetProblem(dispatch, at.time, travelOf(settings), {
    ...(at.release !== undefined ? { release: at.release } : {}),
    ...(settings.latenessCost !== undefined ? { latenessCost: settings.latenessCost } : {}),
  });
  if (problem.unassigned.length === 0 && problem.trucks.every((t) => t.trips.length === 0)) return { dispatch, effects: [], unassigned: 0 };
  const plan = reoptimise(problem, { seed: at.seed, iterations: at.iterations });
  const { book, revisions } = applyPlan(dispatch, plan);
  const effects: DispatchEffect[] = revisions.map((r) => send(r.truck, 'route.revised', { revision: r.revision, trips: r.trips }));
  return { dispatch: book, effects, unassigned: plan.unassigned.length };
}
