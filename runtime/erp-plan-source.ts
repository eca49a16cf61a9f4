import { send } from '../agents/host/effects.js';
import type { CustomerOrder, ErpData, Stock } from '../agents/supply/erp/model.js';
import type { DispatchBook } from '../agents/supply/logistics/dispatch-book.js';
import type { ItemPolicy } from '../agents/supply/replenishment.js';
import { backordered, type StockBook } from '../agents/supply/stock-book.js';
import { HttpError } from '../bridges/erp/http.js';
import type { PlanSource } from '../bridges/erp/plan-source.js';
import type { Scenario } from '../scenarios/schema.js';
import { Address, type RunContext } from './context.js';
import { noProductionPlanReason, type ProductionPlanner, type ProductionPlanView } from './production-planner.js';

/** Address ERP messages come from. */
export const ERP = 'erp';

export interface PlantPlanSourceOptions {
  /**
   * The production planner of the scenario's ERP data (`ProductionPlanner.forScenario`):
   * told every order and stock count, its plan shown as `productionPlan`.
   */
  planner?: ProductionPlanner;
}

interface SupplyView {
  book: StockBook;
  policies: Record<string, ItemPolicy>;
  dispatch: DispatchBook;
}

/**
 * The ERP API's view of a running plant: orders and stock counts become
 * messages to the supply coordinator (at the plant's current time); plans
 * and schedules are read from the coordinator's books. The run is looked up
 * on every call, so a reset of the live plant is followed (and the
 * production planner, if any, plans from the ERP export again).
 *
 * With a production planner, orders and stock counts also go to it and the
 * plan has `productionPlan` (see `ProductionPlanView`); stock counts at the
 * export's other stock locations (the plant) then reach the planner only.
 */
export class PlantPlanSource implements PlanSource {
  /** Customer orders delivered, by id (from the bus: the coordinator forgets delivered jobs). */
  private readonly delivered = new Set<string>();
  private observed: RunContext | undefined;

  constructor(
    private readonly scenario: Scenario,
    private readonly run: () => RunContext | undefined,
    private readonly options: PlantPlanSourceOptions = {},
  ) {}

  /** Master data the API checks orders and stock against: the scenario's items, customers and places. */
  master(): Pick<ErpData, 'items' | 'customers' | 'locations'> {
    const items = (this.scenario.inventory?.items ?? []).map((i) => ({ id: i.id, description: '', unit: 'pcs', unitCost: i.unitCost, type: 'purchased' as const, holdingRate: i.holdingRate }));
    const customers = this.scenario.customers.map((c) => ({ id: c.id, location: c.location }));
    const locations = this.scenario.layout.places.map((p) => ({ id: p.id, kind: 'plant' as const, x: p.x, y: p.y }));
    return { items, customers, locations };
  }

  private live(): RunContext {
    const run = this.run();
    if (!run) throw new HttpError(503, 'unavailable', 'the plant is restarting: try again in a moment');
    if (this.observed !== run) {
      if (this.observed !== undefined) this.options.planner?.restart();
      this.observed = run;
      this.delivered.clear();
      run.bus.observe((env) => {
        const p = env.payload as { job?: string; kind?: string };
        if (env.type === 'delivery.served' && p.kind === 'delivery' && p.job?.startsWith('out:')) this.delivered.add(p.job.slice(4));
      });
    }
    return run;
  }

  private supply(): SupplyView {
    const agent = this.live().host.get(Address.supply);
    if (!agent) throw new HttpError(409, 'no-supply-chain', `scenario "${this.scenario.name}" has no inventory: there is no supply plan`);
    return agent.actor.getSnapshot().context as SupplyView;
  }

  plan(): unknown {
    const { book, policies } = this.supply();
    return {
      time: this.live().kernel.now,
      purchaseOrders: book.orders.map((o) => ({ id: o.id, item: o.item, qty: o.qty, status: o.status, reason: o.reason, ...(o.supplier ? { supplier: o.supplier } : {}) })),
      stock: Object.entries(book.stock).map(([item, s]) => ({ item, onHand: s.onHand, onOrder: s.onOrder, backordered: backordered(s), policy: policies[item] })),
      productionPlan: this.productionPlan(),
    };
  }

  /** The production planner's plan, or why there is none. */
  productionPlan(): ProductionPlanView {
    if (this.options.planner) return this.options.planner.view();
    return { status: 'none', reason: noProductionPlanReason(this.scenario) ?? 'no production planner runs with this API' };
  }

  schedules(): unknown {
    const { dispatch } = this.supply();
    const stop = (job: string) => {
      const j = dispatch.jobs[job];
      return j ? { job, kind: j.stop.kind, place: j.stop.place, qty: j.stop.qty, ready: j.stop.ready, due: j.stop.due, item: j.item } : { job };
    };
    return {
      time: this.live().kernel.now,
      trucks: Object.values(dispatch.trucks).map((t) => ({
        id: t.id,
        available: t.available,
        at: t.at,
        freeAt: t.freeAt,
        ...(t.current ? { current: stop(t.current) } : {}),
        trips: t.trips.map((trip) => trip.map(stop)),
      })),
      unassigned: Object.values(dispatch.jobs)
        .filter((j) => j.status === 'open' || j.status === 'waiting' || j.status === 'auction')
        .map((j) => ({ ...stop(j.stop.job), status: j.status })),
    };
  }

  onOrder(order: CustomerOrder): void {
    const run = this.live();
    const customer = this.scenario.customers.find((c) => c.id === order.customer);
    if (!customer) throw new HttpError(422, 'invalid', `unknown customer "${order.customer}"`);
    run.host.sendFrom(ERP, send(Address.supply, 'customer.ordered', { order: order.id, customer: order.customer, place: customer.location, item: order.item, qty: Math.ceil(order.qty), due: order.due, priority: order.priority }));
    this.options.planner?.order(order, run.kernel.now);
  }

  onStock(stock: Stock): void {
    const warehouse = this.scenario.inventory?.warehouse;
    const planner = this.options.planner;
    if (stock.location !== warehouse) {
      // The plant's own stock (components, assemblies) is the production plan's only.
      if (planner?.keepsStockAt(stock.location) && planner.knows(stock.item)) return void planner.count(stock, this.live().kernel.now);
      throw new HttpError(422, 'invalid', `stock is kept at the warehouse "${warehouse}" only, not at "${stock.location}"`);
    }
    const run = this.live();
    run.host.sendFrom(ERP, send(Address.supply, 'stock.counted', { item: stock.item, onHand: Math.max(0, Math.floor(stock.onHand - stock.reserved)) }));
    planner?.count(stock, run.kernel.now);
  }

  orderStatus(id: string): unknown {
    if (this.delivered.has(id)) return 'delivered';
    const { book, dispatch } = this.supply();
    const job = dispatch.jobs[`out:${id}`];
    if (job) return job.status === 'planned' ? { status: 'planned', truck: job.truck } : job.status === 'waiting' ? 'waiting-for-route' : 'dispatching';
    if (Object.values(book.stock).some((s) => s.backorders.some((b) => b.customer?.order === id))) return 'backordered';
    return 'received';
  }
}
