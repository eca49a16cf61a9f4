import type { ErpData, Location } from '../agents/supply/erp/model.js';
import { meanOf } from '../sim/random/distributions.js';

/**
 * An ERP export as scenario sections: `scenarioFromErp` maps the export's
 * tables onto the ordinary sections of a scenario (places, roads, items,
 * suppliers, trucks, customers, orders) and merges them into the scenario's
 * raw document, before the schema checks it, so that every check and the
 * run see a scenario like any other. The scenario keeps what the export has
 * no notion of (machines, technicians, maintenance) and may add to the
 * sections the export fills (its own places, spare parts, a demand stream).
 *
 * | export | scenario |
 * | --- | --- |
 * | locations | layout.places: warehouse → storage, plant → station, depot → depot, supplier and customer → dock; junctions → layout.junctions |
 * | roads | layout.roads (lengths kept; a road's own speed is dropped: trucks drive at theirs) |
 * | items | inventory.items: purchased items, and the items customers order or suppliers sell |
 * | stock | inventory.items[].initialStock: on hand minus reserved at the warehouse |
 * | suppliers, supplierItems | suppliers (capacity: see `openOrders`) |
 * | trucks | trucks |
 * | customers, orders | customers (no demand stream), orders (entering at the start) |
 * | bom | not used: the supply chain buys and sells; it does not make |
 *
 * The simulation counts whole units: stock is rounded down, order
 * quantities up.
 */

export interface ErpScenarioOptions {
  /** The location that is the warehouse; default: the export's only location of kind warehouse. */
  warehouse?: string;
  /** Add inventory.planning (ERP_PLANNING, the defaults) when the scenario has none (default true). */
  planning?: boolean;
}

/** A problem of the merge, at a path of the scenario document. */
export interface ErpScenarioProblem {
  path: (string | number)[];
  message: string;
}

/** The export cannot be merged into the scenario: ids given in both, no warehouse to choose. */
export class ErpScenarioError extends Error {
  constructor(readonly problems: ErpScenarioProblem[]) {
    super(problems.map((p) => `${p.path.join('.')}: ${p.message}`).join('\n'));
    this.name = 'ErpScenarioError';
  }
}

type PlaceKind = 'storage' | 'station' | 'depot' | 'dock';

/** The place kind of each location kind; junctions are road crossings, not places. */
export const PLACE_KIND: Record<Location['kind'], PlaceKind | undefined> = {
  warehouse: 'storage',
  plant: 'station',
  depot: 'depot',
  supplier: 'dock',
  customer: 'dock',
  junction: undefined,
};

/** Location kinds that keep stock (as the export's own check has it): the warehouse is one of them. */
const STOCK_KINDS: readonly Location['kind'][] = ['warehouse', 'plant', 'depot'];

/**
 * The planning an ERP scenario gets when it has none: the schema's defaults.
 * An export carries no fixed reorder points (ERPs plan those themselves), so
 * every item starts at -1, buying only what is short; the demand forecast
 * is what buys ahead of demand, once it has `minHistory` periods of history.
 */
export const ERP_PLANNING = {} as const;

type Raw = Record<string, unknown>;

/**
 * The scenario document `raw` with the export merged in: the export's
 * entries come after the scenario's own in each list. Throws an
 * ErpScenarioError when an id is in both (naming both) or the warehouse
 * cannot be chosen. `raw` is left unchanged.
 */
export function scenarioFromErp(raw: Raw, erp: ErpData, options: ErpScenarioOptions = {}): Raw {
  const problems: ErpScenarioProblem[] = [];
  const warehouse = chooseWarehouse(erp, options.warehouse, problems);
  const layout = record(raw.layout) ?? {};
  const inventory = record(raw.inventory) ?? {};

  const places = erp.locations.filter((l) => PLACE_KIND[l.kind]).map((l) => ({ id: l.id, kind: PLACE_KIND[l.kind]!, x: l.x, y: l.y }));
  const junctions = erp.locations.filter((l) => l.kind === 'junction').map((l) => ({ id: l.id, x: l.x, y: l.y }));
  const roads = erp.roads.map((r) => ({ from: r.from, to: r.to, ...(r.length !== undefined ? { length: r.length } : {}) }));
  const items = inventoryItems(erp, warehouse);
  const orderQty = new Map(items.map((i) => [i.id, i.orderQuantity]));
  const suppliers = erp.suppliers.flatMap((s) => {
    const lines = erp.supplierItems.filter((l) => l.supplier === s.id);
    // A supplier selling nothing takes no orders; the schema wants at least one item.
    if (lines.length === 0) return [];
    return [
      {
        id: s.id,
        location: s.location,
        capacity: openOrders(s.capacity, s.period, lines.map((l) => ({ qty: orderQty.get(l.item) ?? 1, leadTime: meanOf(l.leadTime) }))),
        reliability: s.reliability,
        items: lines.map((l) => ({ item: l.item, price: l.price, leadTime: l.leadTime })),
      },
    ];
  });
  const trucks = erp.trucks.map((t) => ({ id: t.id, depot: t.depot, capacity: t.capacity, costPerKm: t.costPerKm, costPerHour: t.costPerHour, speed: t.speed }));
  const customers = erp.customers.map((c) => ({ id: c.id, location: c.location }));
  // The export's due times count from the run's start: every line enters then.
  const orders = erp.orders.map((o) => ({ id: o.id, customer: o.customer, item: o.item, qty: Math.ceil(o.qty), due: o.due, priority: o.priority, at: 0 }));

  const locationKind = new Map(erp.locations.map((l) => [l.id, l.kind]));
  clash(problems, ['layout', 'places'], layout.places, [...places, ...junctions], (id) => `place "${id}" is also a location of the ERP export (a ${locationKind.get(id)}); rename one`);
  clash(problems, ['layout', 'junctions'], layout.junctions, [...places, ...junctions], (id) => `junction "${id}" is also a location of the ERP export (a ${locationKind.get(id)}); rename one`);
  clash(problems, ['inventory', 'items'], inventory.items, items, (id) => `item "${id}" is also an item of the ERP export; drop it here (the export gives its cost and stock)`);
  clash(problems, ['suppliers'], raw.suppliers, suppliers, (id) => `supplier "${id}" is also a supplier of the ERP export; rename one`);
  clash(problems, ['trucks'], raw.trucks, trucks, (id) => `truck "${id}" is also a truck of the ERP export; rename one`);
  clash(problems, ['customers'], raw.customers, customers, (id) => `customer "${id}" is also a customer of the ERP export; rename one`);
  clash(problems, ['orders'], raw.orders, orders, (id) => `order "${id}" is also an order of the ERP export; rename one`);
  if (warehouse !== undefined && typeof inventory.warehouse === 'string' && inventory.warehouse !== warehouse) {
    problems.push({ path: ['inventory', 'warehouse'], message: `the warehouse is "${inventory.warehouse}" here but "${warehouse}" in the ERP export; drop inventory.warehouse or choose it with erp.warehouse` });
  }
  if (problems.length > 0) throw new ErpScenarioError(problems);

  const planning = options.planning !== false && inventory.planning === undefined ? { planning: { ...ERP_PLANNING } } : {};
  // A section that is not a mapping is left as written, for the schema to report.
  const merge = (section: unknown, merged: () => Raw) => (section === undefined || record(section) ? merged() : section);
  return {
    ...raw,
    layout: merge(raw.layout, () => ({ ...layout, places: append(layout.places, places), roads: append(layout.roads, roads), junctions: append(layout.junctions, junctions) })),
    inventory: merge(raw.inventory, () => ({ ...inventory, warehouse: inventory.warehouse ?? warehouse, items: append(inventory.items, items), ...planning })),
    suppliers: append(raw.suppliers, suppliers),
    trucks: append(raw.trucks, trucks),
    customers: append(raw.customers, customers),
    orders: append(raw.orders, orders),
  };
}

/**
 * Whether the scenario element at `path` is one the export added to the
 * document `before` (the scenario as written): to point the user at the
 * `erp` section, not at a line that does not exist.
 */
export function addedByErp(before: Raw, path: readonly PropertyKey[]): boolean {
  const [section, second, third] = path;
  const layout = record(before.layout);
  const inventory = record(before.inventory);
  const beyond = (list: unknown, i: PropertyKey | undefined) => typeof i === 'number' && i >= (Array.isArray(list) ? list.length : 0);
  switch (section) {
    case 'layout':
      return (second === 'places' || second === 'roads' || second === 'junctions') && beyond(layout?.[second], third);
    case 'inventory':
      if (!inventory) return true;
      if (second === 'items') return beyond(inventory.items, third);
      return (second === 'warehouse' || second === 'planning') && inventory[second] === undefined;
    case 'suppliers':
    case 'trucks':
    case 'customers':
    case 'orders':
      return beyond(before[section], second);
    default:
      return false;
  }
}

/** The warehouse: the one chosen (a location that keeps stock), else the only location of kind warehouse. */
function chooseWarehouse(erp: ErpData, chosen: string | undefined, problems: ErpScenarioProblem[]): string | undefined {
  if (chosen !== undefined) {
    const l = erp.locations.find((x) => x.id === chosen);
    if (!l) problems.push({ path: ['erp', 'warehouse'], message: `the ERP export has no location "${chosen}"` });
    else if (!STOCK_KINDS.includes(l.kind)) problems.push({ path: ['erp', 'warehouse'], message: `location "${chosen}" is a ${l.kind}; the warehouse must be a ${STOCK_KINDS.join(', ')}` });
    return chosen;
  }
  const all = erp.locations.filter((l) => l.kind === 'warehouse').map((l) => l.id);
  if (all.length === 1) return all[0];
  problems.push({
    path: ['erp'],
    message: all.length === 0 ? 'the ERP export has no location of kind warehouse: name the location that is one with erp.warehouse' : `the ERP export has ${all.length} warehouses (${all.join(', ')}): choose one with erp.warehouse`,
  });
  return undefined;
}

/**
 * The items the plant stocks: those it buys (purchased, or sold by a
 * supplier) and those customers order (end items, sold from the stock the
 * export reports; the plant's production of them is not simulated). No
 * fixed reorder point (-1: buy what is short; see ERP_PLANNING); an order is at least what
 * every supplier of the item accepts (the largest minOrderQty).
 */
function inventoryItems(erp: ErpData, warehouse: string | undefined) {
  const ordered = new Set(erp.orders.map((o) => o.item));
  const offered = new Set(erp.supplierItems.map((s) => s.item));
  return erp.items
    .filter((i) => i.type === 'purchased' || ordered.has(i.id) || offered.has(i.id))
    .map((i) => {
      const free = erp.stock.filter((s) => s.item === i.id && s.location === warehouse).reduce((sum, s) => sum + s.onHand - s.reserved, 0);
      const minOrder = Math.max(1, ...erp.supplierItems.filter((s) => s.item === i.id).map((s) => s.minOrderQty));
      return { id: i.id, unitCost: i.unitCost, holdingRate: i.holdingRate, initialStock: Math.max(0, Math.floor(free)), reorderPoint: -1, orderQuantity: Math.ceil(minOrder) };
    });
}

/**
 * A supplier's capacity as the scenario counts it, open orders, from the
 * export's units per period: by Little's law, the orders it ships per
 * period (capacity over a typical order, the median of the order sizes it
 * gets) times the periods an order stays open (the mean of its items' mean
 * lead times); at least one.
 */
export function openOrders(unitsPerPeriod: number, periodSeconds: number, lines: readonly { qty: number; leadTime: number }[]): number {
  const qty = median(lines.map((l) => l.qty));
  const leadTime = lines.reduce((s, l) => s + l.leadTime, 0) / lines.length;
  return Math.max(1, Math.round(((unitsPerPeriod / qty) * leadTime) / periodSeconds));
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Reports the entries of the scenario's own `list` whose id the export's `added` has too. */
function clash(problems: ErpScenarioProblem[], path: (string | number)[], list: unknown, added: readonly { id: string }[], message: (id: string) => string): void {
  if (!Array.isArray(list)) return;
  const ids = new Set(added.map((a) => a.id));
  list.forEach((e, i) => {
    const id = record(e)?.id;
    if (typeof id === 'string' && ids.has(id)) problems.push({ path: [...path, i, 'id'], message: message(id) });
  });
}

/** The scenario's list with the export's entries after it; a list that is not one is left for the schema to report. */
function append(list: unknown, added: readonly unknown[]): unknown {
  if (list === undefined) return [...added];
  return Array.isArray(list) ? [...list, ...added] : list;
}

function record(v: unknown): Raw | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : undefined;
}
