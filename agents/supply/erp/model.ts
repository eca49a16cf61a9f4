import { z } from 'zod';
import { Duration } from '../../../sim/duration-schema.js';
import { LeadTime } from './lead-time.js';

/**
 * The ERP data model: the master and transactional data an ERP export gives
 * the supply agents, as flat tables (one per CSV file, see `import.ts`).
 * Distances and coordinates are metres, speeds m/s, times seconds from the
 * run's start (or durations with a unit: `90s`, `15m`, `8h`, `3d`), money
 * in the plant's currency. Cross-references are checked by `checkErp`.
 */

export const ErpId = z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/i, 'an id of letters, digits, ., - and _');

export const ErpItemSchema = z
  .object({
    id: ErpId.describe('Item (part, material, product) number.'),
    description: z.string().default('').describe('Free text.'),
    unit: z.string().min(1).default('pcs').describe('Unit of measure of quantities of this item.'),
    unitCost: z.number().nonnegative().describe('Standard cost per unit.'),
    type: z.enum(['purchased', 'manufactured', 'end']).describe('purchased: bought from suppliers; manufactured: made from its BOM; end: a finished product sold to customers (made from its BOM).'),
    holdingRate: z.number().nonnegative().default(0.25).describe('Holding cost per year as a fraction of unit cost.'),
  })
  .strict();

export const BomLineSchema = z
  .object({
    parent: ErpId.describe('The item made.'),
    child: ErpId.describe('A component it is made from.'),
    qtyPer: z.number().positive().describe('Units of the child per unit of the parent.'),
  })
  .strict();

export const LOCATION_KINDS = ['warehouse', 'plant', 'depot', 'supplier', 'customer', 'junction'] as const;

export const LocationSchema = z
  .object({
    id: ErpId,
    kind: z.enum(LOCATION_KINDS).describe('junction: a road crossing with no stock.'),
    x: z.number().describe('m, east'),
    y: z.number().describe('m, north'),
    name: z.string().optional().describe('Free text.'),
  })
  .strict();

export const StockSchema = z
  .object({
    item: ErpId,
    location: ErpId,
    onHand: z.number().nonnegative().describe('Units physically there.'),
    reserved: z.number().nonnegative().default(0).describe('Units of onHand promised to orders already.'),
  })
  .strict();

export const ErpSupplierSchema = z
  .object({
    id: ErpId,
    location: ErpId.describe('A location of kind supplier.'),
    capacity: z.number().positive().describe('Units it can ship per period, all items together.'),
    period: Duration.default(86400).describe('The capacity period (default 1d).'),
    reliability: z.number().min(0).max(1).default(1).describe('Probability an order ships within its quoted lead time.'),
  })
  .strict();

export const SupplierItemSchema = z
  .object({
    supplier: ErpId,
    item: ErpId,
    price: z.number().nonnegative().describe('Price per unit.'),
    leadTime: LeadTime,
    minOrderQty: z.number().positive().default(1).describe('Smallest quantity it accepts in one order.'),
  })
  .strict();

export const CustomerSchema = z
  .object({
    id: ErpId,
    location: ErpId.describe('A location of kind customer.'),
    name: z.string().optional(),
  })
  .strict();

export const CustomerOrderSchema = z
  .object({
    id: ErpId.describe('Order (line) number; unique.'),
    customer: ErpId,
    item: ErpId,
    qty: z.number().positive(),
    due: Duration.describe('Due time: seconds from the run\'s start, or a duration such as 3d.'),
    priority: z.number().int().min(0).max(9).default(0).describe('0–9, higher first.'),
  })
  .strict();

export const TruckSchema = z
  .object({
    id: ErpId,
    depot: ErpId.describe('A location of kind depot.'),
    capacity: z.number().positive().describe('Units it carries at once.'),
    costPerKm: z.number().nonnegative(),
    costPerHour: z.number().nonnegative(),
    speed: z.number().positive().default(15).describe('m/s on roads without their own speed.'),
  })
  .strict();

export const RoadSchema = z
  .object({
    from: ErpId.describe('A location.'),
    to: ErpId.describe('A location; roads run both ways.'),
    length: z.number().positive().optional().describe('m; the straight line between the coordinates when omitted.'),
    speed: z.number().positive().optional().describe('m/s; the truck\'s own speed when omitted.'),
  })
  .strict();

/** The tables of the model, in import order; each is a CSV file of the export. */
export const ERP_TABLES = {
  items: ErpItemSchema,
  bom: BomLineSchema,
  locations: LocationSchema,
  stock: StockSchema,
  suppliers: ErpSupplierSchema,
  supplierItems: SupplierItemSchema,
  customers: CustomerSchema,
  orders: CustomerOrderSchema,
  trucks: TruckSchema,
  roads: RoadSchema,
} as const;

export type ErpTable = keyof typeof ERP_TABLES;

const shape = Object.fromEntries(Object.entries(ERP_TABLES).map(([k, s]) => [k, z.array(s).default([])])) as {
  [K in ErpTable]: z.ZodDefault<z.ZodArray<(typeof ERP_TABLES)[K]>>;
};

/** The tables as one document, each row checked but not the cross-references. */
export const ErpTablesSchema = z.object(shape).strict();

/** The whole model as one document (`erp.json`), cross-references checked. */
export const ErpDataSchema = ErpTablesSchema.superRefine((d, ctx) => {
    for (const p of checkErp(d as ErpData)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
  });

export type ErpItem = z.infer<typeof ErpItemSchema>;
export type BomLine = z.infer<typeof BomLineSchema>;
export type Location = z.infer<typeof LocationSchema>;
export type Stock = z.infer<typeof StockSchema>;
export type ErpSupplier = z.infer<typeof ErpSupplierSchema>;
export type SupplierItem = z.infer<typeof SupplierItemSchema>;
export type Customer = z.infer<typeof CustomerSchema>;
export type CustomerOrder = z.infer<typeof CustomerOrderSchema>;
export type Truck = z.infer<typeof TruckSchema>;
export type Road = z.infer<typeof RoadSchema>;
export type ErpData = { [K in ErpTable]: z.infer<(typeof ERP_TABLES)[K]>[] };

/** One thing wrong with the data: `path` is [table, row index, field]. */
export interface ErpProblem {
  path: (string | number)[];
  message: string;
  /** The table an unknown id was looked up in (a problem to drop when rows of that table were refused). */
  refersTo?: ErpTable;
}

/** Depots are the locations of kind depot. */
export function depots(d: ErpData): Location[] {
  return d.locations.filter((l) => l.kind === 'depot');
}

/**
 * Everything the row schemas cannot see: ids used twice, unknown items and
 * locations, locations of the wrong kind, BOM cycles (the cycle is named).
 * Returns every problem; an empty list means the data hangs together.
 */
export function checkErp(d: ErpData): ErpProblem[] {
  const out: ErpProblem[] = [];
  const need = (ok: boolean, path: (string | number)[], message: string) => {
    if (!ok) out.push({ path, message });
  };
  const index = <T>(table: ErpTable, rows: T[], key: (r: T) => string, what: string) => {
    const seen = new Map<string, number>();
    rows.forEach((r, i) => {
      const k = key(r);
      const first = seen.get(k);
      if (first !== undefined) out.push({ path: [table, i], message: `${what} ${k} is given twice (also at row ${first + 1} of ${table})` });
      else seen.set(k, i);
    });
    return seen;
  };
  const items = new Map(d.items.map((i) => [i.id, i]));
  const locations = new Map(d.locations.map((l) => [l.id, l]));
  const suppliers = new Set(d.suppliers.map((s) => s.id));
  const customers = new Set(d.customers.map((c) => c.id));
  index('items', d.items, (i) => i.id, 'item');
  index('locations', d.locations, (l) => l.id, 'location');
  index('suppliers', d.suppliers, (s) => s.id, 'supplier');
  index('customers', d.customers, (c) => c.id, 'customer');
  index('orders', d.orders, (o) => o.id, 'order');
  index('trucks', d.trucks, (t) => t.id, 'truck');
  index('stock', d.stock, (s) => `${s.item} at ${s.location}`, 'stock of');
  index('bom', d.bom, (b) => `${b.parent} → ${b.child}`, 'BOM line');
  index('supplierItems', d.supplierItems, (s) => `${s.item} from ${s.supplier}`, 'price of');
  const unknown = (ok: boolean, path: (string | number)[], message: string, refersTo: ErpTable) => {
    if (!ok) out.push({ path, message, refersTo });
  };
  const item = (id: string, path: (string | number)[]) => unknown(items.has(id), path, `unknown item "${id}"`, 'items');
  const location = (id: string, path: (string | number)[], kinds?: readonly string[]) => {
    const l = locations.get(id);
    unknown(l !== undefined, path, `unknown location "${id}"`, 'locations');
    if (l && kinds) need(kinds.includes(l.kind), path, `location "${id}" is a ${l.kind}; expected ${kinds.join(' or ')}`);
  };
  d.bom.forEach((b, i) => {
    item(b.parent, ['bom', i, 'parent']);
    item(b.child, ['bom', i, 'child']);
    const p = items.get(b.parent);
    if (p) need(p.type !== 'purchased', ['bom', i, 'parent'], `item "${b.parent}" is purchased: it has no bill of materials`);
  });
  for (const c of bomCycles(d.bom)) out.push({ path: ['bom', c.row, 'child'], message: `BOM cycle: ${c.cycle.join(' → ')}` });
  d.stock.forEach((s, i) => {
    item(s.item, ['stock', i, 'item']);
    location(s.location, ['stock', i, 'location'], ['warehouse', 'plant', 'depot']);
  });
  d.suppliers.forEach((s, i) => location(s.location, ['suppliers', i, 'location'], ['supplier']));
  d.supplierItems.forEach((s, i) => {
    unknown(suppliers.has(s.supplier), ['supplierItems', i, 'supplier'], `unknown supplier "${s.supplier}"`, 'suppliers');
    item(s.item, ['supplierItems', i, 'item']);
  });
  const sourced = new Set(d.supplierItems.map((s) => s.item));
  d.items.forEach((it, i) => {
    if (it.type === 'purchased') unknown(sourced.has(it.id), ['items', i, 'type'], `purchased item "${it.id}" has no supplier (add it to supplierItems)`, 'supplierItems');
  });
  d.customers.forEach((c, i) => location(c.location, ['customers', i, 'location'], ['customer']));
  d.orders.forEach((o, i) => {
    unknown(customers.has(o.customer), ['orders', i, 'customer'], `unknown customer "${o.customer}"`, 'customers');
    item(o.item, ['orders', i, 'item']);
  });
  d.trucks.forEach((t, i) => location(t.depot, ['trucks', i, 'depot'], ['depot']));
  d.roads.forEach((r, i) => {
    location(r.from, ['roads', i, 'from']);
    location(r.to, ['roads', i, 'to']);
    need(r.from !== r.to, ['roads', i, 'to'], `a road from "${r.from}" to itself`);
  });
  return out;
}

/**
 * The cycles of a bill of materials (an item that is, through its
 * components, made from itself), each once, with the BOM row closing it.
 */
export function bomCycles(bom: readonly BomLine[]): { cycle: string[]; row: number }[] {
  const children = new Map<string, { child: string; row: number }[]>();
  bom.forEach((b, row) => {
    const list = children.get(b.parent) ?? [];
    list.push({ child: b.child, row });
    children.set(b.parent, list);
  });
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const found: { cycle: string[]; row: number }[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const { child, row } of children.get(node) ?? []) {
      const s = state.get(child);
      if (s === 'open') found.push({ cycle: [...stack.slice(stack.indexOf(child)), child], row });
      else if (s === undefined) visit(child);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const parent of children.keys()) if (!state.has(parent)) visit(parent);
  return found;
}
