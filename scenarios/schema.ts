import { z } from 'zod';
import { Duration, DurationDistribution } from '../sim/duration-schema.js';
import { DistributionSchema } from '../sim/random/distributions.js';
import { DegradationSpecSchema } from '../world/degradation/degradation-spec.js';
import { MaintenancePolicies } from '../agents/maintenance/policies.js';
import { planFloor } from '../world/floor/build-floor.js';
import { buildRoadGraph, disconnectedPairs } from '../world/layout/road-graph.js';

/**
 * The scenario file format (YAML). Times are seconds, or durations written
 * with a unit (`90s`, `15m`, `8h`, `30d`). Distances are metres, money is in
 * the plant's currency. `npx hyperfactory validate FILE` checks a file against
 * this schema and the cross-references below.
 */

export { Duration, DurationDistribution };

const Id = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'an id of letters, digits, - and _');

export const PlaceSchema = z
  .object({
    id: Id,
    kind: z.enum(['station', 'dock', 'charger', 'depot', 'storage', 'base']),
    x: z.number(),
    y: z.number(),
  })
  .strict();

export const RoadSchema = z
  .object({
    from: Id.describe('A place or a junction.'),
    to: Id.describe('A place or a junction; roads run both ways.'),
    length: z.number().positive().optional().describe('m; the straight line between the two ends when omitted.'),
  })
  .strict()
  .describe('A road trucks drive on. Places joined by roads are the shortest road path apart; other places the Manhattan distance.');

export const JunctionSchema = z
  .object({ id: Id, x: z.number(), y: z.number() })
  .strict()
  .describe('A road crossing: a node of the road network that is not a place (nobody works or stops there).');

export const LayoutSchema = z
  .object({
    places: z.array(PlaceSchema).default([]),
    roads: z.array(RoadSchema).default([]).describe('The road network between places far apart (suppliers, customers, depots).'),
    junctions: z.array(JunctionSchema).default([]).describe('Road crossings the roads run through.'),
  })
  .strict();

export const SignalSchema = z
  .object({
    name: z.string(),
    unit: z.string().optional(),
    baseline: z.number(),
    rise: z.number(),
    exponent: z.number().positive().default(2),
    noiseSd: z.number().nonnegative().default(0),
  })
  .strict()
  .describe('A health signal that rises with wear: baseline + rise · worn^exponent + noise.');

export const PartLineSchema = z.object({ item: Id, qty: z.number().int().positive().default(1) }).strict();

export const MachineTypeSchema = z
  .object({
    processTime: DurationDistribution.describe('Time per job; jobs run back to back while the machine is up.'),
    timeToFailure: DurationDistribution.optional().describe('Busy time from renewal to failure (a machine without `degradation`).'),
    degradation: DegradationSpecSchema.optional().describe('Components that wear and the sensors that show it; replaces timeToFailure and signal.'),
    repairTime: DurationDistribution,
    serviceTime: DurationDistribution.optional().describe('Planned service duration; defaults to the repair time.'),
    signal: SignalSchema.optional(),
    spareParts: z.array(PartLineSchema).default([]),
    unitValue: z.number().nonnegative().default(0),
  })
  .strict()
  .superRefine((t, ctx) => {
    if ((t.timeToFailure === undefined) === (t.degradation === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['timeToFailure'], message: 'give either timeToFailure or degradation (exactly one)' });
    }
    if (t.degradation && t.signal) ctx.addIssue({ code: 'custom', path: ['signal'], message: 'a machine with degradation has its sensors; drop signal' });
  });

export const MachineGroupSchema = z
  .object({
    id: Id.describe('The machine id, or the prefix of `count` ids (`cnc` → cnc-1, cnc-2, …).'),
    type: Id,
    count: z.number().int().positive().optional(),
    station: Id.optional().describe('The place the machine stands at (and the cobot cell it belongs to).'),
    telemetryTopic: z
      .string()
      .regex(/^[^+#]+$/, 'an MQTT topic without wildcards')
      .optional()
      .describe('Live runs on MQTT (serve): the machine takes its telemetry from this topic instead of its simulated sensors; `{id}` stands for the machine id. Simulated runs keep the sensor model.'),
    telemetryOpcua: z
      .object({
        endpoint: z
          .string()
          .regex(/^opc\.tcp:\/\/(\[[0-9a-f:.]+\]|[^\s/:[\]]+)(:\d{1,5})?(\/\S*)?$/i, 'an OPC UA endpoint URL such as opc.tcp://host:4840')
          .describe('The OPC UA server that exposes the machine (OPC 40001 Machines folder).'),
        machine: z.string().min(1).optional().describe('The machine\'s browse name under Machines on that server; defaults to its own id; `{id}` stands for the machine id.'),
      })
      .strict()
      .optional()
      .describe('Live runs (serve): the machine takes its telemetry from the sensor variables of a machine on an OPC UA server (subscription) instead of its simulated sensors. Simulated runs keep the sensor model.'),
  })
  .strict()
  .refine((g) => !(g.telemetryTopic && g.telemetryOpcua), { message: 'give telemetryTopic or telemetryOpcua, not both', path: ['telemetryOpcua'] });

export const TechniciansSchema = z
  .object({
    count: z.number().int().positive(),
    idPrefix: Id.default('tech'),
    base: Id.optional().describe('Where technicians wait; with a layout, they walk to the machine.'),
    hourlyRate: z.number().nonnegative().default(0),
    walkingSpeed: z.number().positive().default(1.2),
  })
  .strict();

export const StopCostsSchema = z
  .object({
    planned: z.number().nonnegative().describe('Cost of a planned service: labour, parts, production lost while down.'),
    unplanned: z.number().nonnegative().describe('Cost of a failure: repair, parts, the longer lost production, damage.'),
  })
  .strict()
  .refine((c) => c.unplanned >= c.planned, { message: 'an unplanned stop cannot cost less than a planned one' });

export const PredictiveSchema = z
  .object({
    models: z
      .record(
        Id,
        z
          .object({
            rul: z.string().min(1).describe('TCN model file (RUL, P(failure within the horizon)), relative to the scenario file.'),
            anomaly: z.string().min(1).optional().describe('Autoencoder model file (anomaly score and alarm threshold).'),
          })
          .strict(),
      )
      .describe('Per machine type, the models trained on its simulated fleet (`hyperfactory pdm fleet`). Machines of other types fall back to the threshold.'),
    leadTime: Duration.default(2 * 86400).describe('Book a service once its cheapest start is this close (time to get parts and crew).'),
    lookAhead: Duration.default(7 * 86400).describe('Latest service start the window search considers.'),
    step: Duration.default(3600).describe('Spacing of the candidate service starts.'),
    costs: z
      .record(Id, StopCostsSchema)
      .optional()
      .describe('Per machine type: planned and unplanned stop costs; derived from repair and service times, production value, labour and parts when omitted.'),
  })
  .strict();

export const MaintenanceSchema = z
  .object({
    policy: z.enum(MaintenancePolicies).default('run-to-failure'),
    serviceInterval: Duration.optional().describe('time-based: interval between planned services of a machine.'),
    threshold: z.object({ signal: z.string(), value: z.number() }).strict().optional().describe('condition-based: service when the signal reaches this value.'),
    predictive: PredictiveSchema.optional().describe('predictive: the models and how their predictions become services.'),
    telemetryInterval: Duration.default(3600),
  })
  .strict();

export const ItemSchema = z
  .object({
    id: Id,
    unitCost: z.number().nonnegative(),
    holdingRate: z.number().nonnegative().default(0.25).describe('Holding cost per year as a fraction of unit cost.'),
    initialStock: z.number().int().nonnegative().default(0),
    reorderPoint: z.number().int().min(-1).default(-1).describe('Order when stock position falls to this level; -1: never.'),
    orderQuantity: z.number().int().positive().default(1),
  })
  .strict();

export const InventoryPlanningSchema = z
  .object({
    period: Duration.default(86400).describe('Length of one demand period.'),
    review: z.number().int().positive().default(7).describe('Periods between two reviews of every item’s policy.'),
    fillRate: z.number().gt(0).lt(1).default(0.95).describe('Fraction of demand to serve from stock.'),
    orderingCost: z.number().nonnegative().default(50).describe('Fixed cost of one purchase order (sets the order size, EOQ).'),
    minHistory: z.number().int().positive().default(28).describe('Periods of demand history before the forecast replaces the fixed reorder point.'),
  })
  .strict()
  .describe('Forecast-driven purchasing: each review, every item gets an (s, S) policy from its demand forecast and its suppliers’ lead times.');

export const InventorySchema = z
  .object({
    warehouse: Id.describe('Place where parts are stored and delivered to.'),
    items: z.array(ItemSchema).min(1),
    planning: InventoryPlanningSchema.optional(),
  })
  .strict();

export const SupplierSchema = z
  .object({
    id: Id,
    location: Id,
    capacity: z.number().int().positive().default(5).describe('Orders it can have open at once.'),
    reliability: z.number().min(0).max(1).default(1).describe('Probability an order ships within its quoted lead time.'),
    items: z
      .array(z.object({ item: Id, price: z.number().nonnegative(), leadTime: DurationDistribution }).strict())
      .min(1),
  })
  .strict();

export const TruckSchema = z
  .object({
    id: Id,
    depot: Id,
    speed: z.number().positive().default(15).describe('m/s'),
    capacity: z.number().positive().default(1000),
    costPerKm: z.number().nonnegative().default(1),
    costPerHour: z.number().nonnegative().default(30),
    breakdownRate: z.number().nonnegative().default(0).describe('Breakdowns per hour of driving (stream trucks/<id>/breakdown); the truck stands where it arrives. 0: never.'),
    repairTime: DurationDistribution.default({ dist: 'constant', value: 4 * 3600 }).describe('Time a broken-down truck stands.'),
  })
  .strict();

export const CustomerSchema = z
  .object({
    id: Id,
    location: Id.describe('Place the warehouse delivers to.'),
    interarrival: DurationDistribution.optional().describe('Time between two order lines of this customer (its demand stream, with items); omit both for a customer with only explicit `orders`.'),
    items: z
      .array(z.object({ item: Id, weight: z.number().positive().default(1), qty: DistributionSchema.describe('Units per order line (rounded, at least 1).') }).strict())
      .min(1)
      .optional()
      .describe('What it orders; an order line picks one item in proportion to its weight.'),
    dueIn: Duration.default(2 * 86400).describe('Delivery wanted this long after the order (demand stream).'),
  })
  .strict();

/** A customer that places order lines of its own (a demand stream), not only explicit `orders`. */
export type StreamCustomer = z.infer<typeof CustomerSchema> & Required<Pick<z.infer<typeof CustomerSchema>, 'interarrival' | 'items'>>;

export function hasDemandStream(c: z.infer<typeof CustomerSchema>): c is StreamCustomer {
  return c.interarrival !== undefined && c.items !== undefined;
}

export const OrderLineSchema = z
  .object({
    id: Id.describe('Order (line) id; unique among the orders.'),
    customer: Id,
    item: Id,
    qty: z.number().int().positive().describe('Units.'),
    due: Duration.describe('Delivery wanted this long after the line enters (at).'),
    priority: z.number().int().min(0).max(9).default(0).describe('0–9, higher first.'),
    at: Duration.default(0).describe('When the line enters the plant, from the run\'s start.'),
  })
  .strict();

export const ErpSectionSchema = z
  .object({
    path: z.string().min(1).describe('Folder of the ERP export (CSV files and/or erp.json), relative to the scenario file.'),
    warehouse: Id.optional().describe('The export\'s location that is the scenario\'s warehouse (its stock is the initial stock); default: its only location of kind warehouse.'),
    planning: z
      .boolean()
      .default(true)
      .describe('Add inventory.planning when the scenario has none: an export has no fixed reorder points, so purchasing must come from the demand forecast.'),
  })
  .strict()
  .describe('Take the supply chain (places, roads, items, suppliers, trucks, customers, orders) from an ERP export; see docs/erp.md.');

export const SupplyPolicies = ['dynamic', 'daily', 'static'] as const;
export type SupplyPolicy = (typeof SupplyPolicies)[number];

export const LogisticsSchema = z
  .object({
    policy: z
      .enum(SupplyPolicies)
      .default('dynamic')
      .describe(
        'dynamic: trucks bid on every job as it comes (marginal cost in their multi-stop plans), the plan is re-optimised after events, and purchasing follows inventory.planning; static: weekly routes planned once when they leave, fixed reorder points, a truck put to a job at once only for parts a stopped machine waits for; daily: static, with routes planned every day.',
      ),
    debounce: Duration.default(300).describe('dynamic: quiet time after the last event before the fleet plan is re-optimised.'),
    iterations: z.number().int().positive().default(300).describe('dynamic: ALNS iterations per re-optimisation.'),
    departure: Duration.default(6 * 3600).describe('static, daily: when the routes leave, from the start of each week (static) or day (daily).'),
    pickupAllowance: Duration.default(86400).describe('Due time of a pickup after its parts are ready.'),
    urgentDue: Duration.default(4 * 3600).describe('Due time of a pickup for a stopped machine after its parts are ready.'),
    serviceTime: Duration.default(900).describe('Time a truck spends at a stop.'),
    maxHold: Duration.default(12 * 3600).describe('Longest a truck waits at home before a planned trip, so jobs coming in meanwhile ride along; it leaves when its stops would get later. 0: leave at once.'),
    urgentDispatch: z
      .enum(['rl', 'cheapest'])
      .default('rl')
      .describe(
        'Who takes an urgent pickup (parts a stopped machine waits for): cheapest, the trucks bid and cheapest insertion wins; rl, the coordinator quotes every truck and a learned policy picks one (agents/supply/dispatch/fleet-*.ts; the auction when no truck can take the job). Default rl: the winner of bench/dispatch/fleet-run.ts (bench/results/dispatch-fleet.json: -35 per day, 95 % CI [-43, -27], on 400 held-out days without re-planning; no significant difference when the fleet is re-planned after every job).',
      ),
  })
  .strict();

export const CobotsSchema = z
  .object({
    count: z.number().int().positive(),
    idPrefix: Id.default('cobot'),
    homes: z.array(Id).min(1).describe('Stations the cobots are homed at, assigned round-robin.'),
    speed: z.number().positive().default(1.0).describe('m/s: nominal speed; plans move one floor cell per cellSize / speed seconds.'),
    batteryWh: z.number().positive().default(500),
    drainWhPerMetre: z.number().nonnegative().default(0.5),
    loadedDrainWhPerMetre: z.number().nonnegative().optional().describe('Drain while carrying a load; drainWhPerMetre when omitted.'),
    idleDrainW: z.number().nonnegative().default(20),
    chargeW: z.number().positive().default(300),
    lowBattery: z.number().min(0).max(1).default(0.2).describe('Fraction at which a cobot goes to charge.'),
    radius: z.number().positive().default(0.35).describe('m: the body, a disc (physics mode); under half a floor cell.'),
    mass: z.number().positive().default(60).describe('kg (physics mode)'),
    maxSpeed: z.number().positive().optional().describe('m/s (physics mode): 1.25 × speed when omitted, so a robot held back can catch up.'),
    maxAcceleration: z.number().positive().default(1).describe('m/s² (physics mode)'),
    breakdownRate: z.number().nonnegative().default(0).describe('Breakdowns per cobot per hour (stream cobots/<id>/breakdown); 0: never.'),
    repairTime: DurationDistribution.default({ dist: 'constant', value: 1800 }).describe('Time a broken cobot stands before it works again.'),
  })
  .strict();

/** A rectangle on the floor: the cells whose centres lie in [x, x + width) × [y, y + height), metres. */
export const FloorRectSchema = z
  .object({ id: z.string().optional(), x: z.number(), y: z.number(), width: z.number().positive(), height: z.number().positive() })
  .strict();

export const FloorSchema = z
  .object({
    cellSize: z.number().positive().default(1).describe('m per cell side; one cell holds one cobot.'),
    origin: z.object({ x: z.number(), y: z.number() }).strict().optional().describe('Centre of cell (0, 0), m.'),
    width: z.number().positive().optional().describe('m; with height. Derived from the places (plus margin) when omitted.'),
    height: z.number().positive().optional(),
    margin: z.number().int().nonnegative().default(2).describe('Free cells around the places when the extent is derived.'),
    obstacles: z.array(FloorRectSchema).default([]).describe('Racks, columns, machine footprints: blocked.'),
    walls: z.array(z.object({ x1: z.number(), y1: z.number(), x2: z.number(), y2: z.number() }).strict()).default([]),
    aisles: z.array(FloorRectSchema).default([]).describe('Kept free even under obstacles and walls (doors, cross-aisles); never parking.'),
    parking: z.array(FloorRectSchema).default([]).describe('Where idle cobots park; any free cell away from places and aisles when empty.'),
  })
  .strict()
  .describe('The cobots\' floor: an occupancy grid the cobots plan on.');

export const TaskStreamSchema = z
  .object({
    id: Id,
    from: Id,
    to: Id,
    interarrival: DurationDistribution,
    handlingTime: DurationDistribution.default({ dist: 'constant', value: 30 }),
  })
  .strict();

export const ScenarioSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    seed: z.number().int().nonnegative().default(1),
    horizon: Duration,
    mode: z.enum(['des', 'physics']).default('des').describe('World the cobots drive in: kinematic (des) or matter-js (physics); `run --mode` overrides.'),
    erp: ErpSectionSchema.optional(),
    layout: LayoutSchema.default({ places: [], roads: [], junctions: [] }),
    machineTypes: z.record(Id, MachineTypeSchema),
    machines: z.array(MachineGroupSchema).min(1),
    technicians: TechniciansSchema,
    maintenance: MaintenanceSchema.default({ policy: 'run-to-failure', telemetryInterval: 3600 }),
    inventory: InventorySchema.optional(),
    suppliers: z.array(SupplierSchema).default([]),
    trucks: z.array(TruckSchema).default([]),
    customers: z.array(CustomerSchema).default([]).describe('Customers the warehouse delivers to; their orders are demand for the inventory.'),
    orders: z.array(OrderLineSchema).default([]).describe('The order book: explicit customer order lines, each entering the plant at its time `at`.'),
    logistics: LogisticsSchema.prefault({}).describe('How trucks are dispatched and parts bought.'),
    cobots: CobotsSchema.optional(),
    floor: FloorSchema.optional(),
    tasks: z.array(TaskStreamSchema).default([]),
    ledger: z.object({ enabled: z.boolean().default(true) }).strict().default({ enabled: true }),
  })
  .strict()
  .superRefine(checkReferences);

export type Scenario = z.infer<typeof ScenarioSchema>;
export type MachineType = z.infer<typeof MachineTypeSchema>;

/** Cross-references a schema cannot express: every id a section names must exist. */
function checkReferences(s: unknown, ctx: z.RefinementCtx): void {
  const sc = s as Scenario;
  const places = new Set(sc.layout.places.map((p) => p.id));
  const items = new Set(sc.inventory?.items.map((i) => i.id) ?? []);
  const need = (cond: boolean, path: (string | number)[], message: string) => {
    if (!cond) ctx.addIssue({ code: 'custom', path, message });
  };
  const seen = new Set<string>();
  const unique = (id: string, path: (string | number)[]) => {
    need(!seen.has(id), path, `id "${id}" is used twice`);
    seen.add(id);
  };
  sc.layout.places.forEach((p, i) => unique(p.id, ['layout', 'places', i, 'id']));
  sc.layout.junctions.forEach((j, i) => unique(j.id, ['layout', 'junctions', i, 'id']));
  checkRoads(sc, need);
  sc.machines.forEach((m, i) => {
    need(m.type in sc.machineTypes, ['machines', i, 'type'], `unknown machine type "${m.type}" (types: ${Object.keys(sc.machineTypes).join(', ')})`);
    if (m.station) need(places.has(m.station), ['machines', i, 'station'], `unknown place "${m.station}"`);
    if (m.count === undefined) unique(m.id, ['machines', i, 'id']);
  });
  if (sc.technicians.base) need(places.has(sc.technicians.base), ['technicians', 'base'], `unknown place "${sc.technicians.base}"`);
  const m = sc.maintenance;
  if (m.policy === 'time-based') need(m.serviceInterval !== undefined, ['maintenance', 'serviceInterval'], 'the time-based policy needs a serviceInterval');
  if (m.policy === 'condition-based') need(m.threshold !== undefined, ['maintenance', 'threshold'], 'the condition-based policy needs a threshold');
  if (m.policy === 'predictive') need(m.predictive !== undefined, ['maintenance', 'predictive'], 'the predictive policy needs maintenance.predictive (its models)');
  for (const type of Object.keys(m.predictive?.models ?? {})) {
    const t = sc.machineTypes[type];
    need(t !== undefined, ['maintenance', 'predictive', 'models', type], `unknown machine type "${type}" (types: ${Object.keys(sc.machineTypes).join(', ')})`);
    if (t) need(t.degradation !== undefined, ['maintenance', 'predictive', 'models', type], `machine type "${type}" has no degradation section: there is nothing for a model to predict`);
  }
  for (const type of Object.keys(m.predictive?.costs ?? {})) {
    need(type in sc.machineTypes, ['maintenance', 'predictive', 'costs', type], `unknown machine type "${type}"`);
  }
  if (m.predictive) need(m.predictive.leadTime < m.predictive.lookAhead, ['maintenance', 'predictive', 'leadTime'], 'leadTime must be shorter than lookAhead');
  for (const [name, t] of Object.entries(sc.machineTypes)) {
    t.spareParts.forEach((p, i) =>
      need(items.has(p.item), ['machineTypes', name, 'spareParts', i, 'item'], `unknown item "${p.item}" (declare it under inventory.items)`),
    );
  }
  if (sc.inventory) need(places.has(sc.inventory.warehouse), ['inventory', 'warehouse'], `unknown place "${sc.inventory.warehouse}"`);
  sc.suppliers.forEach((sup, i) => {
    unique(sup.id, ['suppliers', i, 'id']);
    need(places.has(sup.location), ['suppliers', i, 'location'], `unknown place "${sup.location}"`);
    sup.items.forEach((it, j) => need(items.has(it.item), ['suppliers', i, 'items', j, 'item'], `unknown item "${it.item}"`));
  });
  sc.trucks.forEach((t, i) => {
    unique(t.id, ['trucks', i, 'id']);
    need(places.has(t.depot), ['trucks', i, 'depot'], `unknown place "${t.depot}"`);
  });
  if (sc.suppliers.length > 0) need(sc.trucks.length > 0, ['trucks'], 'suppliers need at least one truck to deliver their parts');
  sc.customers.forEach((c, i) => {
    unique(c.id, ['customers', i, 'id']);
    need(places.has(c.location), ['customers', i, 'location'], `unknown place "${c.location}"`);
    need((c.interarrival === undefined) === (c.items === undefined), ['customers', i, c.items ? 'interarrival' : 'items'], 'a demand stream needs interarrival and items together (omit both for a customer with only explicit orders)');
    c.items?.forEach((it, j) => need(items.has(it.item), ['customers', i, 'items', j, 'item'], `unknown item "${it.item}" (declare it under inventory.items)`));
  });
  checkOrders(sc, items, need);
  if (sc.customers.length > 0) {
    need(sc.inventory !== undefined, ['customers'], 'customers need an inventory (a warehouse) to order from');
    need(sc.trucks.length > 0, ['customers'], 'customers need at least one truck to deliver their orders');
  }
  sc.cobots?.homes.forEach((h, i) => need(places.has(h), ['cobots', 'homes', i], `unknown place "${h}"`));
  sc.tasks.forEach((t, i) => {
    need(places.has(t.from), ['tasks', i, 'from'], `unknown place "${t.from}"`);
    need(places.has(t.to), ['tasks', i, 'to'], `unknown place "${t.to}"`);
  });
  if (sc.tasks.length > 0) need(sc.cobots !== undefined, ['tasks'], 'tasks need cobots to do them');
  if (sc.floor) need(sc.cobots !== undefined, ['floor'], 'a floor needs cobots to drive on it');
  if (sc.cobots && sc.cobots.homes.every((h) => places.has(h)) && sc.tasks.every((t) => places.has(t.from) && places.has(t.to))) {
    const cellSize = sc.floor?.cellSize ?? 1;
    const c = sc.cobots;
    need(c.radius < cellSize / 2, ['cobots', 'radius'], `a cobot of radius ${c.radius} m does not fit a ${cellSize} m floor cell (needs radius < cellSize / 2)`);
    for (const { path, message } of planFloor(floorSpec(sc), cobotPlaces(sc), c.count).problems) {
      // A place is named by id in the floor's problems; the scenario's path has its index.
      const at = path[0] === 'layout' ? ['layout', 'places', sc.layout.places.findIndex((p) => p.id === path[2])] : path;
      need(false, at, message);
    }
  }
}

type Need = (cond: boolean, path: (string | number)[], message: string) => void;

/** Roads join known places and junctions, and every place on the road network reaches every other. */
function checkRoads(sc: Scenario, need: Need): void {
  const { places, junctions, roads } = sc.layout;
  const nodes = new Set([...places.map((p) => p.id), ...junctions.map((j) => j.id)]);
  let known = true;
  roads.forEach((r, i) => {
    for (const end of ['from', 'to'] as const) {
      known &&= nodes.has(r[end]);
      need(nodes.has(r[end]), ['layout', 'roads', i, end], `unknown place or junction "${r[end]}"`);
    }
    need(r.from !== r.to, ['layout', 'roads', i, 'to'], `a road from "${r.from}" to itself`);
  });
  if (!known || roads.length === 0) return;
  const ends = new Set(roads.flatMap((r) => [r.from, r.to]));
  const graph = buildRoadGraph([...places, ...junctions], roads);
  for (const [a, b] of disconnectedPairs(graph, places.map((p) => p.id).filter((id) => ends.has(id)))) {
    need(false, ['layout', 'roads'], `no road joins "${a}" and "${b}" (places on the road network must all be joined; a place on no road is measured straight)`);
  }
}

/** Order lines name a customer and an item that exist, with ids of their own. */
function checkOrders(sc: Scenario, items: ReadonlySet<string>, need: Need): void {
  const customers = new Set(sc.customers.map((c) => c.id));
  // Demand streams number their lines <customer>-<n>: an explicit order must not take such an id.
  const streams = sc.customers.filter(hasDemandStream).map((c) => c.id);
  const seen = new Map<string, number>();
  sc.orders.forEach((o, i) => {
    const first = seen.get(o.id);
    need(first === undefined, ['orders', i, 'id'], `order "${o.id}" is given twice (also orders[${first}])`);
    if (first === undefined) seen.set(o.id, i);
    const stream = streams.find((c) => o.id.startsWith(`${c}-`) && /^\d+$/.test(o.id.slice(c.length + 1)));
    need(stream === undefined, ['orders', i, 'id'], `order id "${o.id}" clashes with the lines of customer ${stream}'s demand stream (${stream}-1, ${stream}-2, …)`);
    need(customers.has(o.customer), ['orders', i, 'customer'], `unknown customer "${o.customer}" (declare it under customers)`);
    need(items.has(o.item), ['orders', i, 'item'], `unknown item "${o.item}" (declare it under inventory.items)`);
  });
}

/** The floor section, with the defaults of a scenario that has none. */
export function floorSpec(sc: Scenario): z.infer<typeof FloorSchema> {
  return sc.floor ?? { cellSize: 1, margin: 2, obstacles: [], walls: [], aisles: [], parking: [] };
}

/** The places cobots drive to: their homes, the ends of their tasks, the chargers. */
export function cobotPlaces(sc: Scenario): Scenario['layout']['places'] {
  const used = new Set<string>([...(sc.cobots?.homes ?? []), ...sc.tasks.flatMap((t) => [t.from, t.to])]);
  return sc.layout.places.filter((p) => used.has(p.id) || p.kind === 'charger');
}
