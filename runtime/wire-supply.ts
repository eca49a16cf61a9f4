import { Subject, debounceTime } from 'rxjs';
import { meanOf, sampler } from '../sim/random/distributions.js';
import { KernelScheduler } from '../sim/clock/rxjs-scheduler.js';
import { send } from '../agents/host/effects.js';
import type { LogisticsEffect, LogisticsSettings } from '../agents/supply/logistics/dispatching.js';
import { CustomerDemand, type CustomerOrderLine } from '../world/logistics/customer-demand.js';
import type { Agent, PortEffect } from '../agents/host/agent-host.js';
import { supplyCoordinator, type StockEffect } from '../agents/supply/supply-coordinator.js';
import { supplier, type SupplierEffect } from '../agents/supplier/supplier.js';
import { truck, type TruckEffect } from '../agents/truck/truck.js';
import type { DistanceTable } from '../agents/truck/trip.js';
import { SupplierFulfilment } from '../world/logistics/supplier-fulfilment.js';
import { TruckFleet } from '../world/logistics/truck-fleet.js';
import { InventoryHolding } from '../world/logistics/inventory-holding.js';
import type { Layout } from '../world/layout/layout.js';
import { Address, type RunContext } from './context.js';
import type { Kpis } from './kpis.js';
import { hasDemandStream } from '../scenarios/schema.js';
import { leadTimeFromDistribution } from '../agents/supply/inventory/lead-time-demand.js';
import type { PlannedItem } from '../agents/supply/item-planning.js';

/** Waits before a negotiation that found nobody is opened again (no scenario field yet). */
const PARTS_RETRY_SECONDS = 3600;
const DELIVERY_RETRY_SECONDS = 900;
const DAY = 86400;
const WEEK = 7 * DAY;
/** Address customer order lines come from. */
const CUSTOMERS = 'customers';

type Produce = Extract<SupplierEffect, { type: 'supplier.produce' }>;
type Drive = Extract<TruckEffect, { type: 'truck.drive' }>;

/**
 * The supply chain: the supply coordinator (stock, backorders, purchasing),
 * suppliers making parts (world: lead times), trucks bringing them (world:
 * driving), and the KPIs they cost: logistics, holding, stockouts and the
 * parts bought (counted as maintenance cost). Called only when the scenario
 * has an inventory.
 */
export function wireSupply(ctx: RunContext): void {
  const { scenario, kernel, streams, host, layout } = ctx;
  const inventory = scenario.inventory;
  if (!inventory) return;

  const supplierAgents = new Map<string, Agent>();
  const truckAgents = new Map<string, Agent>();
  const fulfilment = new SupplierFulfilment(
    kernel,
    streams,
    scenario.suppliers.map((s) => ({
      id: s.id,
      reliability: s.reliability,
      leadTimes: Object.fromEntries(s.items.map((i) => [i.item, sampler(i.leadTime)])),
    })),
    (id, obs) => supplierAgents.get(id)?.observe(obs),
  );
  const fleet = new TruckFleet(
    kernel,
    layout,
    streams,
    scenario.trucks.map((t) => ({ ...t, repairTime: sampler(t.repairTime) })),
    (id, obs) => truckAgents.get(id)?.observe(obs),
  );
  const logistics = scenario.logistics;
  // Trucks drive between the warehouse, the suppliers and the customers.
  const distances = distanceTable(layout, [
    ...scenario.trucks.map((t) => t.depot),
    ...scenario.suppliers.map((s) => s.location),
    ...scenario.customers.map((c) => c.location),
    inventory.warehouse,
  ]);
  const settings: LogisticsSettings = {
    // daily is the static dispatcher on a shorter period.
    policy: logistics.policy === 'dynamic' ? 'dynamic' : 'static',
    home: inventory.warehouse,
    trucks: scenario.trucks.map((t) => ({ id: t.id, depot: t.depot, capacity: t.capacity, speed: t.speed, costPerKm: t.costPerKm, costPerHour: t.costPerHour })),
    distances,
    pickupAllowanceSeconds: logistics.pickupAllowance,
    urgentDueSeconds: logistics.urgentDue,
    serviceSeconds: logistics.serviceTime,
    urgentDispatch: logistics.urgentDispatch,
  };
  // The static policy buys at the scenario's fixed reorder points; the dynamic one plans from the forecast.
  const planning = logistics.policy === 'dynamic' ? inventory.planning : undefined;
  const deliveries = { done: 0, late: 0, lateHours: 0 };
  // Events that change the fleet's work, debounced on the kernel's clock: one re-optimisation after a quiet spell.
  const changes = new Subject<string>();
  const holding = new InventoryHolding(inventory.items, kernel.now);
  let stockouts = 0;

  const coordinator = host.spawn({
    id: Address.supply,
    kind: 'supply',
    machine: supplyCoordinator,
    input: {
      id: Address.supply,
      warehouse: inventory.warehouse,
      items: inventory.items.map((i) => ({
        id: i.id,
        initialStock: i.initialStock,
        reorderPoint: i.reorderPoint,
        orderQuantity: i.orderQuantity,
        ...(planning ? { planned: plannedItem(ctx, i.id, i.unitCost * i.holdingRate, planning.period) } : {}),
      })),
      supplierGroup: Address.suppliers,
      suppliers: scenario.suppliers.map((s) => ({ id: s.id, items: s.items.map((i) => i.item) })),
      truckGroup: Address.trucks,
      operators: Address.operators,
      logistics: settings,
      partsRetrySeconds: PARTS_RETRY_SECONDS,
      deliveryRetrySeconds: DELIVERY_RETRY_SECONDS,
      ...(planning
        ? {
            planning: {
              periodSeconds: planning.period,
              reviewPeriods: planning.review,
              fillRate: planning.fillRate,
              orderingCost: planning.orderingCost,
              minHistory: planning.minHistory,
            },
          }
        : {}),
    },
    onEffect: (effect: PortEffect) => {
      const e = effect as StockEffect | LogisticsEffect;
      if (e.type === 'stock.changed') holding.set(e.item, e.onHand, kernel.now);
      else if (e.type === 'stock.out') stockouts++;
      else if (e.type === 'logistics.changed') changes.next(e.reason);
      else if (e.type === 'delivery.done') {
        deliveries.done++;
        if (e.lateSeconds > 0) deliveries.late++;
        deliveries.lateHours += e.lateSeconds / 3600;
      }
    },
  });
  const reoptimise = (release?: number) =>
    coordinator.observe({
      type: 'supply.reoptimise',
      time: kernel.now,
      // The optimiser's seed comes from the kernel's streams, so runs stay reproducible.
      seed: streams.stream('supply/reoptimise').int(2 ** 31),
      iterations: logistics.iterations,
      ...(release !== undefined ? { release } : {}),
    });
  if (logistics.policy === 'dynamic') {
    changes.pipe(debounceTime(logistics.debounce * 1000, new KernelScheduler(kernel))).subscribe(() => reoptimise());
  } else {
    // Routes planned once per period (a week, or a day): at each departure, every job ready by the end of that day.
    const period = logistics.policy === 'daily' ? DAY : WEEK;
    const depart = () => {
      reoptimise(kernel.now + DAY);
      kernel.after(period, depart, undefined);
    };
    kernel.at(logistics.departure, depart, undefined);
  }

  for (const s of scenario.suppliers) {
    supplierAgents.set(
      s.id,
      host.spawn({
        id: s.id,
        kind: 'supplier',
        groups: [Address.suppliers],
        machine: supplier,
        input: {
          id: s.id,
          location: s.location,
          capacity: s.capacity,
          items: s.items.map((i) => ({ item: i.item, price: i.price, leadTimeSeconds: meanOf(i.leadTime) })),
          supply: Address.supply,
        },
        onEffect: (effect: PortEffect) => {
          if (effect.type !== 'supplier.produce') return;
          const e = effect as Produce;
          fulfilment.produce(e.supplier, { order: e.order, item: e.item, qty: e.qty, cost: e.cost });
        },
      }),
    );
  }

  for (const t of scenario.trucks) {
    truckAgents.set(
      t.id,
      host.spawn({
        id: t.id,
        kind: 'truck',
        groups: [Address.trucks],
        machine: truck,
        input: {
          id: t.id,
          home: inventory.warehouse,
          depot: t.depot,
          capacity: t.capacity,
          speed: t.speed,
          costPerKm: t.costPerKm,
          costPerHour: t.costPerHour,
          distances,
          coordinator: Address.supply,
          maxHoldSeconds: logistics.maxHold,
        },
        onEffect: (effect: PortEffect) => {
          if (effect.type !== 'truck.drive') return;
          const e = effect as Drive;
          fleet.drive(e.truck, e.from, e.to, e.leg);
        },
      }),
    );
  }

  const demand = new CustomerDemand(
    kernel,
    streams,
    scenario.customers.filter(hasDemandStream).map((c) => ({
      id: c.id,
      location: c.location,
      interarrival: sampler(c.interarrival),
      items: c.items.map((i) => ({ item: i.item, weight: i.weight, qty: sampler(i.qty) })),
      dueIn: c.dueIn,
    })),
    (order) => host.sendFrom(CUSTOMERS, send(Address.supply, 'customer.ordered', order)),
  );
  demand.start();
  // The order book: each explicit line enters at its time, as a demand stream's line would.
  const customerPlaces = new Map(scenario.customers.map((c) => [c.id, c.location]));
  for (const o of scenario.orders) {
    const line: CustomerOrderLine = { order: o.id, customer: o.customer, place: customerPlaces.get(o.customer)!, item: o.item, qty: o.qty, due: o.at + o.due, priority: o.priority };
    kernel.at(o.at, (l) => host.sendFrom(CUSTOMERS, send(Address.supply, 'customer.ordered', l)), line);
  }

  ctx.kpis.push(
    (now): Partial<Kpis> => ({
      logisticsCost: fleet.totals(now).cost,
      inventoryCost: holding.cost(now),
      stockouts,
      maintenanceCost: fulfilment.counters.partsCost,
      truckKm: fleet.totals(now).km,
      deliveriesDone: deliveries.done,
      deliveriesLate: deliveries.late,
      deliveryLateHours: deliveries.lateHours,
    }),
  );
}

/** Metres between every pair of the given places, as plain data for the trucks' quotes. */
export function distanceTable(layout: Layout, places: readonly string[]): DistanceTable {
  const ids = [...new Set(places)].sort();
  return Object.fromEntries(ids.map((a) => [a, Object.fromEntries(ids.filter((b) => b !== a).map((b) => [b, layout.distance(a, b)]))]));
}

/**
 * What planning needs of an item: its holding cost per period, and the lead
 * time of the supplier that sells it cheapest (the one contract-net will
 * usually award), in periods. An item nobody sells gets no lead time and
 * keeps its fixed policy.
 */
function plannedItem(ctx: RunContext, item: string, holdingPerYear: number, periodSeconds: number): PlannedItem | undefined {
  const offers = ctx.scenario.suppliers.flatMap((s) => s.items.filter((i) => i.item === item));
  if (offers.length === 0) return undefined;
  const cheapest = offers.reduce((a, b) => (b.price < a.price ? b : a));
  return { holdingCostPerPeriod: (holdingPerYear * periodSeconds) / (365 * 86400), leadTime: leadTimeFromDistribution(cheapest.leadTime, periodSeconds) };
}
