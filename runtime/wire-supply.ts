import { meanOf, sampler } from '../sim/random/distributions.js';
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
import { leadTimeFromDistribution } from '../agents/supply/inventory/lead-time-demand.js';
import type { PlannedItem } from '../agents/supply/item-planning.js';

/** Waits before a negotiation that found nobody is opened again (no scenario field yet). */
const PARTS_RETRY_SECONDS = 3600;
const DELIVERY_RETRY_SECONDS = 900;

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
  const fleet = new TruckFleet(kernel, layout, scenario.trucks, (id, obs) => truckAgents.get(id)?.observe(obs));
  const holding = new InventoryHolding(inventory.items, kernel.now);
  let stockouts = 0;

  host.spawn({
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
        ...(inventory.planning ? { planned: plannedItem(ctx, i.id, i.unitCost * i.holdingRate, inventory.planning.period) } : {}),
      })),
      supplierGroup: Address.suppliers,
      suppliers: scenario.suppliers.map((s) => ({ id: s.id, items: s.items.map((i) => i.item) })),
      truckGroup: Address.trucks,
      trucks: scenario.trucks.length,
      partsRetrySeconds: PARTS_RETRY_SECONDS,
      deliveryRetrySeconds: DELIVERY_RETRY_SECONDS,
      ...(inventory.planning
        ? {
            planning: {
              periodSeconds: inventory.planning.period,
              reviewPeriods: inventory.planning.review,
              fillRate: inventory.planning.fillRate,
              orderingCost: inventory.planning.orderingCost,
              minHistory: inventory.planning.minHistory,
            },
          }
        : {}),
    },
    onEffect: (effect: PortEffect) => {
      const e = effect as StockEffect;
      if (e.type === 'stock.changed') holding.set(e.item, e.onHand, kernel.now);
      else if (e.type === 'stock.out') stockouts++;
    },
  });

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

  // Trucks only ever drive between depots, suppliers and the warehouse.
  const distances = distanceTable(layout, [...scenario.trucks.map((t) => t.depot), ...scenario.suppliers.map((s) => s.location), inventory.warehouse]);
  for (const t of scenario.trucks) {
    truckAgents.set(
      t.id,
      host.spawn({
        id: t.id,
        kind: 'truck',
        groups: [Address.trucks],
        machine: truck,
        input: { id: t.id, depot: t.depot, speed: t.speed, costPerKm: t.costPerKm, costPerHour: t.costPerHour, distances },
        onEffect: (effect: PortEffect) => {
          if (effect.type !== 'truck.drive') return;
          const e = effect as Drive;
          fleet.drive(e.truck, e.from, e.to, e.leg);
        },
      }),
    );
  }

  ctx.kpis.push(
    (now): Partial<Kpis> => ({
      logisticsCost: fleet.totals(now).cost,
      inventoryCost: holding.cost(now),
      stockouts,
      maintenanceCost: fulfilment.counters.partsCost,
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
