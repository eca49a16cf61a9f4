import { importErp } from '../agents/supply/erp/import.js';
import type { CustomerOrder, ErpData, Stock } from '../agents/supply/erp/model.js';
import {
  duePeriod, periodAt, planningProblemFromErp, type ErpPlanningOptions, type ErpPlanningProblem,
} from '../agents/supply/planning/from-erp.js';
import { loadHighs } from '../agents/supply/planning/highs-solver.js';
import { solveProductionPlan, type PlanOptions } from '../agents/supply/planning/lot-sizing.js';
import type { PlanDiff } from '../agents/supply/planning/plan-diff.js';
import type { PlanningProblem } from '../agents/supply/planning/plan-model.js';
import type { CostSplit, PlanStatus, ProductionPlan } from '../agents/supply/planning/production-plan.js';
import { applyEvent, replanMany, type PlanEvent } from '../agents/supply/planning/replan.js';
import type { Scenario } from '../scenarios/schema.js';

/**
 * The production plan of a running plant: the scenario's ERP export as a
 * lot-sizing problem (`agents/supply/planning/from-erp.ts`), solved with
 * HiGHS at start and re-solved on events — customer orders and stock counts
 * the ERP API receives — with `replanMany` (`replan.ts`), so a re-plan keeps
 * the orders the previous plan released up to the frozen fence and reports
 * what changed.
 *
 * Re-solves are batched: the first event starts a `debounceMs` wait (wall
 * time) and every event arriving in it is solved with it, once. There is
 * never more than one solve at a time; events arriving during a solve wait
 * for the next batch. The last finished plan is kept and shown until a newer
 * one is done. HiGHS (WebAssembly) runs on the Node thread: a solve holds
 * the thread for up to `timeLimit` seconds.
 *
 * Times are seconds from the run's start, as the plant's clock and the
 * export's due times; `now` says which period an event happens in, which
 * moves the frozen fence (`frozenPeriods` from that period on).
 */

export interface ProductionPlannerOptions extends ErpPlanningOptions {
  /** Seconds per solve, HiGHS's limit (default 5). */
  timeLimit?: number;
  /** Relative MIP gap at which a plan counts as optimal (default 0.02). */
  mipRelGap?: number;
  /**
   * Warm start of a plan from scratch (`lot-sizing.ts`; re-plans start from
   * the previous plan). Default `none`: on the example export the rounded-LP
   * start sometimes took most of a 5 s limit on a process's first solve and
   * left HiGHS with a plan twice the optimum, while HiGHS alone was within
   * a few per cent every time.
   */
  warmStart?: PlanOptions['warmStart'];
  /** Wall-time milliseconds events are gathered before a re-solve (default 1000). */
  debounceMs?: number;
  /** Told when a solve fails (the last plan stays). */
  onProblem?: (line: string) => void;
}

/** A planned or released production lot or purchase order, in periods and in seconds from the run's start. */
export interface PlanOrderView {
  id: string;
  item: string;
  kind: 'make' | 'buy';
  /** The resource a lot is made on, or the supplier a purchase order goes to. */
  resource?: string;
  supplier?: string;
  qty: number;
  release: number;
  due: number;
  /** Start of the release period. */
  releaseAt: number;
  /** End of the due period: the quantity is there by then. */
  dueAt: number;
  /** Released already (before the frozen fence): a re-plan keeps it. */
  firm: boolean;
}

/** What `GET /plan` shows as `productionPlan`. */
export type ProductionPlanView =
  | { status: 'none'; reason: string }
  | { status: 'pending'; reason: string; pending: string[] }
  | {
      status: PlanStatus;
      message: string;
      /** Wall-clock ISO time the solve finished. */
      solvedAt: string;
      /** Seconds per period; period t covers [(t − 1)·p, t·p) from the run's start. */
      planningPeriod: number;
      /** Periods planned (the horizon). */
      periods: number;
      /** Periods 1..frozenPeriods take no new orders. */
      frozenPeriods: number;
      /** The period of the plant's time when the last event of the solve came. */
      currentPeriod: number;
      /** Total cost of the plan (setup + holding + backlog + purchase). */
      objective: number;
      costs: CostSplit;
      /** Relative MIP gap HiGHS reached. */
      gap?: number;
      solveSeconds?: number;
      orders: PlanOrderView[];
      /** Changes since the previous plan (absent for the first plan). */
      diff?: PlanDiff;
      /** What triggered the solve. */
      reason: string;
      /** Events waiting for (or in) the next solve. */
      pending?: string[];
      /** The last solve that failed, if it was after this plan. */
      error?: string;
    };

/** Why a scenario gets no production plan, or undefined when it can have one. */
export function noProductionPlanReason(scenario: Scenario): string | undefined {
  return scenario.erp ? undefined : 'the scenario has no ERP data (bill of materials) to plan production from';
}

interface Queued {
  event?: PlanEvent;
  reason: string;
}

interface Solved {
  plan: ProductionPlan;
  problem: PlanningProblem;
  diff?: PlanDiff;
  reason: string;
  solvedAt: string;
  at: number;
}

export class ProductionPlanner {
  private readonly base: ErpPlanningProblem;
  private readonly options: ProductionPlannerOptions;
  private current: Solved | undefined;
  private queue: Queued[] = [];
  private solving: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  /** Bumped by a restart: a solve of an earlier generation is dropped. */
  private generation = 0;
  private stock: Record<string, number>;
  private error: string | undefined;

  constructor(readonly erp: ErpData, options: ProductionPlannerOptions = {}) {
    this.options = options;
    this.base = planningProblemFromErp(erp, options);
    this.stock = { ...this.base.stock };
  }

  /** A planner for the scenario's ERP export (read again from `erp.path`), or undefined when it has none. */
  static forScenario(scenario: Scenario, options: ProductionPlannerOptions = {}): ProductionPlanner | undefined {
    if (!scenario.erp) return undefined;
    return new ProductionPlanner(importErp(scenario.erp.path), options);
  }

  /** The problem the export maps to, before any event. */
  get baseProblem(): ErpPlanningProblem {
    return this.base;
  }

  /** The last finished plan and the problem it solved. */
  get latest(): Readonly<Solved> | undefined {
    return this.current;
  }

  private get periodSeconds(): number {
    return this.base.options.periodSeconds;
  }

  /** Solves the export's problem now (without waiting for the debounce). */
  start(): this {
    const { problem } = this.base;
    const items = new Set(problem.demand.map((d) => d.item)).size;
    this.reset(`start: the ERP export (${this.erp.orders.length} customer order lines for ${items} items, stock of ${problem.items.filter((i) => i.initialStock > 0).length} items)`);
    return this;
  }

  /** Forgets every event and plans from the export again (the plant was reset). */
  restart(reason = 'the plant restarted'): void {
    this.reset(`restart: ${reason}`);
  }

  private reset(reason: string): void {
    if (this.closed) return;
    this.generation++;
    this.current = undefined;
    this.error = undefined;
    this.stock = { ...this.base.stock };
    this.queue = [{ reason }];
    this.schedule(0);
  }

  /** A customer order the ERP sent at plant time `now`; false when the export does not know its item (not planned). */
  order(order: CustomerOrder, now: number): boolean {
    if (this.closed || !this.knows(order.item)) return false;
    const period = duePeriod(order.due, this.periodSeconds);
    this.enqueue({
      event: { type: 'order', item: order.item, period, qty: order.qty, at: periodAt(now, this.periodSeconds) },
      reason: `order ${order.id}: ${order.qty} × ${order.item} due in period ${period}`,
    });
    return true;
  }

  /**
   * A stock count the ERP sent at plant time `now`: the free stock (on hand
   * − reserved) at its location replaces the one before; the item's stock
   * is the sum over its locations. False when the export does not know the item.
   */
  count(stock: Stock, now: number): boolean {
    if (this.closed || !this.knows(stock.item)) return false;
    const free = Math.max(0, stock.onHand - stock.reserved);
    this.stock[`${stock.item}@${stock.location}`] = free;
    const total = Object.entries(this.stock).filter(([key]) => key.startsWith(`${stock.item}@`)).reduce((s, [, v]) => s + v, 0);
    this.enqueue({
      event: { type: 'stock-count', item: stock.item, onHand: total, at: periodAt(now, this.periodSeconds) },
      reason: `stock count: ${stock.item} at ${stock.location}, ${free} free (${total} in all)`,
    });
    return true;
  }

  /** Whether the plan has the item (an item of the export). */
  knows(item: string): boolean {
    return this.base.problem.items.some((i) => i.id === item);
  }

  /** Whether a stock count at `location` means something to the plan: a location of the export that keeps stock. */
  keepsStockAt(location: string): boolean {
    return this.erp.locations.some((l) => l.id === location && (l.kind === 'warehouse' || l.kind === 'plant' || l.kind === 'depot'));
  }

  private enqueue(q: Queued): void {
    this.queue.push(q);
    this.schedule(this.options.debounceMs ?? 1000);
  }

  private schedule(delay: number): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, delay);
  }

  private flush(): void {
    if (this.closed || this.running || this.queue.length === 0) return;
    const batch = this.queue.splice(0);
    const generation = this.generation;
    this.solving = batch.map((b) => b.reason);
    this.running = this.solve(batch, generation)
      .catch((e: unknown) => {
        if (generation !== this.generation) return;
        this.error = `${new Date().toISOString()}: ${this.solving.join('; ')}: ${e instanceof Error ? e.message : String(e)}`;
        this.options.onProblem?.(`production plan: the solve failed: ${this.error}`);
      })
      .finally(() => {
        this.running = undefined;
        this.solving = [];
        if (this.queue.length > 0) this.schedule(0);
      });
  }

  private async solve(batch: Queued[], generation: number): Promise<void> {
    await loadHighs(); // loaded once, outside the solve's time limit
    const events = batch.flatMap((b) => (b.event ? [b.event] : []));
    const notes: string[] = [];
    const solveOptions: PlanOptions = { timeLimit: this.options.timeLimit ?? 5, mipRelGap: this.options.mipRelGap ?? 0.02, warmStart: this.options.warmStart ?? 'none' };
    const previous = this.current;
    const fitted = this.fit(previous?.problem ?? structuredClone(this.base.problem), events, notes);
    let solved: Omit<Solved, 'reason' | 'solvedAt'>;
    const at = Math.max(1, ...fitted.events.map((e) => e.at ?? 1));
    if (!previous) {
      let problem = fitted.problem;
      for (const event of fitted.events) problem = applyEvent(problem, event).problem;
      solved = { plan: await solveProductionPlan(problem, solveOptions), problem, at };
    } else {
      const r = await replanMany(previous.plan, fitted.problem, fitted.events, solveOptions);
      r.diff.summary.push(...notes);
      solved = { plan: r.plan, problem: r.problem, diff: r.diff, at };
    }
    if (generation !== this.generation || this.closed) return;
    const reason = [...batch.map((b) => b.reason), ...(previous ? [] : notes)].join('; ');
    this.current = { ...solved, reason, solvedAt: new Date().toISOString() };
    this.error = undefined;
  }

  /**
   * The problem made fit for the events: the horizon long enough for their
   * due periods and `minHorizon` periods past now (at most `maxHorizon`),
   * periods past it brought in (with a note), items customers now order
   * allowed to be late.
   */
  private fit(problem: PlanningProblem, events: PlanEvent[], notes: string[]): { problem: PlanningProblem; events: PlanEvent[] } {
    const o = this.base.options;
    const next = structuredClone(problem);
    const wanted = Math.max(next.horizon, ...events.map((e) => Math.max(e.type === 'order' ? e.period : 0, (e.at ?? 1) - 1 + o.minHorizon)));
    next.horizon = Math.min(o.maxHorizon, wanted);
    const T = next.horizon;
    const fitted = events.map((e): PlanEvent => {
      let event = e;
      if ((event.at ?? 1) > T) event = { ...event, at: T };
      if (event.type === 'order') {
        const id = event.item;
        if (event.period > T) {
          notes.push(`an order of ${id} due in period ${event.period} is beyond the horizon: planned for period ${T}`);
          event = { ...event, period: T };
        }
        const item = next.items.find((i) => i.id === id);
        if (item && item.backlogCost === undefined) item.backlogCost = this.base.backlogCosts[id];
      }
      return event;
    });
    return { problem: next, events: fitted };
  }

  /** The plan as `GET /plan` shows it. */
  view(): ProductionPlanView {
    const pending = [...this.solving, ...this.queue.map((q) => q.reason)];
    const c = this.current;
    if (!c) return { status: 'pending', reason: pending.join('; ') || 'not started', pending };
    const p = this.periodSeconds;
    const resource = (item: string) => {
      const src = c.problem.items.find((i) => i.id === item)?.source;
      return src?.type === 'make' ? { resource: src.resource } : this.base.suppliers[item] ? { supplier: this.base.suppliers[item] } : {};
    };
    return {
      status: c.plan.status,
      message: c.plan.message,
      solvedAt: c.solvedAt,
      planningPeriod: p,
      periods: c.plan.horizon,
      frozenPeriods: c.problem.frozenPeriods,
      currentPeriod: c.at,
      objective: c.plan.costs.total,
      costs: c.plan.costs,
      ...(c.plan.gap !== undefined && Number.isFinite(c.plan.gap) ? { gap: c.plan.gap } : {}),
      ...(c.plan.solveSeconds !== undefined ? { solveSeconds: Math.round(c.plan.solveSeconds * 1000) / 1000 } : {}),
      orders: c.plan.orders.map((o) => ({
        id: o.id, item: o.item, kind: o.kind, ...resource(o.item), qty: o.qty, release: o.release, due: o.due,
        releaseAt: Math.max(0, o.release - 1) * p, dueAt: Math.max(0, o.due) * p, firm: o.firm,
      })),
      ...(c.diff ? { diff: c.diff } : {}),
      reason: c.reason,
      ...(pending.length > 0 ? { pending } : {}),
      ...(this.error ? { error: this.error } : {}),
    };
  }

  /** Resolves when no solve is waiting or running (for tests and shutdown). */
  async idle(): Promise<void> {
    while (!this.closed && (this.timer || this.running || this.queue.length > 0)) {
      await (this.running ?? new Promise((r) => setTimeout(r, 20)));
    }
  }

  /** Stops planning: drops waiting events and waits for a running solve to end. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue = [];
    await this.running;
  }
}
