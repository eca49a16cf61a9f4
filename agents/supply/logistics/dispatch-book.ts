import type { FleetPlan, FleetProblem, Stop, TruckPlanState } from '../fleet/types.js';
import type { Payload } from '../../protocol/messages.js';

/**
 * The supply coordinator's view of its truck jobs, as plain immutable data
 * (like the stock book): every job's stop and where it stands, and every
 * truck's plan as the truck last reported it. Re-optimisation reads a fleet
 * problem from it and writes revisions back.
 *
 * A job is `waiting` (held for the next weekly route), `open` (no truck has
 * it), `auction` (trucks are bidding), `planned` (in a truck's plan),
 * `served` (a pickup on a truck's bed, to be unloaded at the warehouse).
 * Delivered and unloaded jobs leave the book.
 */
export type JobStatus = 'waiting' | 'open' | 'auction' | 'planned' | 'served';

export interface TruckJob {
  stop: Stop;
  status: JobStatus;
  truck?: string;
  item: string;
  /** A pickup: the purchase order it brings in. */
  purchaseOrder?: string;
  /** A delivery: the customer order line it takes out. */
  customerOrder?: string;
  /** Parts for a machine that waits for them: never held for a weekly route. */
  urgent: boolean;
  machine?: string;
  workOrder?: string;
}

/** A truck as last reported (`truck.progress`), its plan by job id. */
export type TruckView = Omit<TruckPlanState, 'trips'> & {
  trips: string[][];
  current?: string;
  /** The last revision sent to the truck: its reports from before that one are stale. */
  revision: number;
};

export interface DispatchBook {
  jobs: Record<string, TruckJob>;
  trucks: Record<string, TruckView>;
}

export function emptyDispatch(trucks: readonly Omit<TruckView, 'trips' | 'loaded' | 'available' | 'freeAt' | 'revision'>[]): DispatchBook {
  return { jobs: {}, trucks: Object.fromEntries(trucks.map((t) => [t.id, { ...t, trips: [], loaded: [], available: true, freeAt: 0, revision: 0 }])) };
}

export function addJob(book: DispatchBook, job: TruckJob): DispatchBook {
  return { ...book, jobs: { ...book.jobs, [job.stop.job]: job } };
}

export function updateJob(book: DispatchBook, id: string, patch: Partial<TruckJob>): DispatchBook {
  const job = book.jobs[id];
  if (!job) return book;
  return { ...book, jobs: { ...book.jobs, [id]: { ...job, ...patch } } };
}

export function removeJob(book: DispatchBook, id: string): DispatchBook {
  if (!book.jobs[id]) return book;
  const { [id]: _gone, ...jobs } = book.jobs;
  return { ...book, jobs };
}

/**
 * Takes a truck's report. Its planned jobs are `planned` on it; a job the
 * coordinator had on this truck that the report no longer holds (the truck
 * broke down, or a revision crossed the report) and that was not served is
 * orphaned: back to `open`, for the caller to dispatch again. A report from
 * before the truck's latest revision only updates where the truck is: its
 * plan is the one the coordinator sent since.
 */
export function applyProgress(book: DispatchBook, truck: string, p: Payload<'truck.progress'>): { book: DispatchBook; orphaned: string[] } {
  const view = book.trucks[truck];
  if (!view) return { book, orphaned: [] };
  if (p.revision < view.revision) {
    const moved: TruckView = { ...view, at: p.at, freeAt: p.freeAt, loaded: p.loaded, available: p.available, current: p.current };
    return { book: { ...book, trucks: { ...book.trucks, [truck]: moved } }, orphaned: [] };
  }
  const held = new Set([...p.trips.flat(), ...(p.current ? [p.current] : [])]);
  const jobs = { ...book.jobs };
  const orphaned: string[] = [];
  for (const [id, job] of Object.entries(jobs)) {
    if (held.has(id)) {
      if (job.status !== 'served') jobs[id] = { ...job, status: 'planned', truck };
    } else if (job.truck === truck && job.status === 'planned') {
      jobs[id] = { ...job, status: 'open', truck: undefined };
      orphaned.push(id);
    }
  }
  const trips = p.trips.map((t) => t.filter((j) => jobs[j] !== undefined));
  const next: TruckView = { ...view, at: p.at, freeAt: p.freeAt, trips, loaded: p.loaded, available: p.available, current: p.current };
  return { book: { jobs, trucks: { ...book.trucks, [truck]: next } }, orphaned };
}

/**
 * The fleet problem of the book at `now`: every truck's reported plan and
 * the open jobs; with `release`, also the waiting ones ready by then (a
 * weekly route leaving).
 */
export function fleetProblem(
  book: DispatchBook,
  now: number,
  travel: (a: string, b: string) => number,
  options: { release?: number; latenessCost?: number } = {},
): FleetProblem {
  const stopOf = (id: string) => book.jobs[id]?.stop;
  const served = Object.values(book.jobs).filter((j) => j.status === 'served');
  const trucks = Object.values(book.trucks)
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map(({ current: _current, revision: _revision, ...t }) => ({
      ...t,
      // Parts picked up and not yet unloaded: they take room on the trip under way and are due home.
      onBoard: served.filter((j) => j.truck === t.id).reduce((n, j) => n + j.stop.qty, 0),
      onBoardDue: served.filter((j) => j.truck === t.id).map((j) => ({ due: j.stop.due, priority: j.stop.priority ?? 1 })),
      freeAt: Math.max(t.freeAt, now),
      // trips[0] stays even when empty: for a truck away it is the trip under way (types.ts).
      trips: t.trips.map((trip) => trip.flatMap((j) => stopOf(j) ?? [])).filter((trip, k) => k === 0 || trip.length > 0),
    }));
  const unassigned = Object.values(book.jobs)
    .filter((j) => j.status === 'open' || (options.release !== undefined && j.status === 'waiting' && j.stop.ready <= options.release))
    .map((j) => j.stop)
    .sort((a, b) => (a.job < b.job ? -1 : 1));
  return { now, trucks, unassigned, travel, ...(options.latenessCost !== undefined ? { latenessCost: options.latenessCost } : {}) };
}

/**
 * Writes a re-optimised plan into the book and lists the trucks whose plan
 * changed, with their new trips: the coordinator sends them `route.revised`.
 * Jobs the plan leaves unassigned stay `open`.
 */
export function applyPlan(book: DispatchBook, plan: FleetPlan): { book: DispatchBook; revisions: { truck: string; revision: number; trips: Stop[][] }[] } {
  const jobs = { ...book.jobs };
  const trucks = { ...book.trucks };
  const revisions: { truck: string; revision: number; trips: Stop[][] }[] = [];
  for (const t of plan.trucks) {
    const before = trucks[t.id];
    if (!before) continue;
    const ids = t.trips.map((trip) => trip.map((s) => s.job));
    for (const id of ids.flat()) if (jobs[id] && jobs[id].status !== 'served') jobs[id] = { ...jobs[id], status: 'planned', truck: t.id };
    if (JSON.stringify(ids) !== JSON.stringify(before.trips)) {
      trucks[t.id] = { ...before, trips: ids, revision: before.revision + 1 };
      revisions.push({ truck: t.id, revision: before.revision + 1, trips: t.trips });
    }
  }
  for (const s of plan.unassigned) if (jobs[s.job]) jobs[s.job] = { ...jobs[s.job], status: 'open', truck: undefined };
  return { book: { jobs, trucks }, revisions };
}
