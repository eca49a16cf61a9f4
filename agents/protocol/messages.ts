import { z } from 'zod';
import { CobotOrderSchema, OperatorCommandSchema, OperatorOrderSchema } from '../operator/command.js';

/**
 * The message catalogue: every message type the agents exchange, with the
 * schema of its payload. Negotiations follow contract-net (FIPA): for a topic
 * X, `X.cfp` → `X.proposal` | `X.refused` → `X.awarded` | `X.rejected` →
 * `X.completed` | `X.failed`.
 */
const id = z.string().min(1).max(200);
const seconds = z.number().nonnegative().finite();
const money = z.number().finite();
const qty = z.number().int().positive();

/** Contract-net payloads, shared by every negotiated topic. */
const cfp = z.object({
  /** How long bidders have to answer, from the message's time. */
  bidWindowSeconds: seconds,
  round: z.number().int().positive(),
  spec: z.record(z.string(), z.unknown()),
});
const proposal = z.object({
  cost: money,
  finishTime: seconds,
  /** The bidder's cost before taking this job, as in Open-RMF's bid proposals. */
  previousCost: money.optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});
const refused = z.object({ reason: z.string().max(500) });
const awarded = z.object({ winner: id, cost: money, finishTime: seconds, spec: z.record(z.string(), z.unknown()) });
const rejected = z.object({});
const completed = z.object({ result: z.record(z.string(), z.unknown()).optional() });
const failed = z.object({ reason: z.string().max(500) });
/** Sent by a contract-net manager to the agent that opened it. */
const settled = z.object({
  outcome: z.enum(['awarded', 'completed', 'failed']),
  winner: id.optional(),
  cost: money.optional(),
  finishTime: seconds.optional(),
  rounds: z.number().int().nonnegative(),
  reason: z.string().max(500).optional(),
  spec: z.record(z.string(), z.unknown()),
});

const negotiationSchemas = { cfp, proposal, refused, awarded, rejected, completed, failed, settled };
type NegotiationVerb = keyof typeof negotiationSchemas;

/** The eight message types of one negotiated topic, typed as `<topic>.<verb>`. */
function negotiated<T extends string>(topic: T): { [V in NegotiationVerb as `${T}.${V}`]: (typeof negotiationSchemas)[V] } {
  return Object.fromEntries(
    Object.entries(negotiationSchemas).map(([verb, schema]) => [`${topic}.${verb}`, schema]),
  ) as { [V in NegotiationVerb as `${T}.${V}`]: (typeof negotiationSchemas)[V] };
}

/** Topics negotiated by contract-net. */
export const NegotiatedTopics = ['parts', 'delivery', 'task'] as const;
export type NegotiatedTopic = (typeof NegotiatedTopics)[number];

const machineRef = z.object({ machine: id });
const workOrder = z.object({ machine: id, workOrder: id });
const partLine = z.object({ item: id, qty });
/** One stop of a truck's plan (agents/supply/fleet/types.ts). */
const stop = z.object({
  job: id,
  kind: z.enum(['pickup', 'delivery']),
  place: id,
  qty: z.number().positive().finite(),
  ready: seconds,
  due: seconds,
  service: seconds,
  priority: z.number().positive().finite().optional(),
});

export const PayloadSchemas = {
  ...negotiated('parts'),
  ...negotiated('delivery'),
  ...negotiated('task'),

  // Production machines
  'machine.failed': machineRef.extend({ component: z.string().optional() }),
  'machine.restored': machineRef,
  'telemetry.sample': machineRef.extend({ signals: z.record(z.string(), z.number().finite()) }),

  /**
   * A predictive model's reading of a machine's latest sensor window: RUL,
   * the probability of failing within the horizon, and the anomaly score with
   * its alarm level.
   */
  'maintenance.prediction': machineRef.extend({
    rulHours: z.number().finite().nonnegative(),
    failureProbability: z.number().min(0).max(1),
    horizonHours: z.number().finite().positive(),
    /** The model's typical RUL error (held-out RMSE), hours. */
    rulSpreadHours: z.number().finite().positive().optional(),
    /** Per component: P(that component fails within the horizon); they sum to failureProbability. */
    components: z.record(z.string(), z.number().min(0).max(1)).optional(),
    anomaly: z.number().finite().nonnegative().optional(),
    anomalyThreshold: z.number().finite().nonnegative().optional(),
  }),

  /** The maintenance coordinator's alerts for operators: raised or cleared, one message per change. */
  'maintenance.alert': machineRef.extend({
    kind: z.enum(['anomaly', 'failure-risk']),
    state: z.enum(['raised', 'cleared']),
    text: z.string(),
    value: z.number().finite().optional(),
    threshold: z.number().finite().optional(),
    component: z.string().optional(),
  }),

  // Maintenance
  'repair.requested': machineRef,
  'repair.assigned': workOrder.extend({ kind: z.enum(['repair', 'preventive']) }),
  'repair.completed': workOrder.extend({ technician: id, kind: z.enum(['repair', 'preventive']) }),
  'maintenance.requested': workOrder.extend({
    reason: z.enum(['condition', 'time', 'prediction']),
    signal: z.string().optional(),
    value: z.number().finite().optional(),
    /** prediction: P(failure before the planned start) and that start, hours from the request. */
    failureProbability: z.number().min(0).max(1).optional(),
    startHours: z.number().finite().nonnegative().optional(),
    parts: z.array(partLine),
  }),
  'maintenance.started': workOrder.extend({ technician: id }),
  'maintenance.completed': workOrder.extend({ technician: id, kind: z.enum(['repair', 'preventive']) }),

  // Supply
  'parts.requested': partLine.extend({
    workOrder: id.optional(),
    machine: id.optional(),
    reason: z.enum(['maintenance', 'reorder', 'repair']),
  }),
  'parts.shipped': partLine.extend({ order: id, origin: id }),
  'parts.available': partLine.extend({ workOrder: id.optional(), machine: id.optional() }),
  /** From the supply coordinator to operators: a purchase order's parts are in the warehouse (a twin event when they are for a machine). */
  'parts.received': partLine.extend({ order: id, truck: id, workOrder: id.optional(), machine: id.optional() }),
  /** From a supplier when it starts an order: the date it will be ready for pickup (kernel seconds). */
  'parts.confirmed': partLine.extend({ order: id, origin: id, readyAt: seconds }),
  /** From a supplier whose order will miss its confirmed date: the new one. */
  'parts.delayed': partLine.extend({ order: id, origin: id, readyAt: seconds }),
  /** An ERP's count of an item at the warehouse: it replaces the stock on hand (backorders it covers are served). */
  'stock.counted': z.object({ item: id, onHand: z.number().int().nonnegative() }),
  /** A customer's order line for the warehouse to deliver (from the scenario's demand or the ERP API). */
  'customer.ordered': z.object({ order: id, customer: id, place: id, item: id, qty, due: seconds, priority: z.number().int().min(0).max(9).default(0) }),

  // Truck dispatch (agents/supply/fleet): trucks keep multi-stop plans.
  /** From the supply coordinator: a truck's new plan after a re-optimisation (its loaded jobs stay in the first trip). */
  'route.revised': z.object({
    /** Counts the coordinator's revisions of this truck; the truck's reports echo the last one it applied. */
    revision: z.number().int().nonnegative(),
    trips: z.array(z.array(stop)).max(1000),
    /** The stop the truck is driving to or serving, when its times changed (a supplier's delay). */
    current: stop.optional(),
  }),
  /** From a truck whenever its plan or position changes: where and when it is next free, its plan by job id. */
  'truck.progress': z.object({
    at: id,
    /** The job of the stop it is driving to or serving. */
    current: id.optional(),
    /** The last `route.revised` applied (0: none). */
    revision: z.number().int().nonnegative(),
    freeAt: seconds,
    trips: z.array(z.array(id)),
    loaded: z.array(id),
    available: z.boolean(),
  }),
  /** From a truck: a job's stop is served (a pickup loaded at the supplier, a delivery handed to the customer). */
  'delivery.served': z.object({ job: id, kind: z.enum(['pickup', 'delivery']), lateSeconds: seconds }),
  /** From a truck back home: picked-up parts unloaded at the warehouse. */
  'delivery.unloaded': z.object({ jobs: z.array(id) }),

  // Robotics
  'task.reassigned': z.object({
    task: id,
    station: id,
    fromCobot: id,
    toCobot: id.optional(),
    reason: z.string().max(500),
    workOrder: id.optional(),
    machine: id.optional(),
  }),
  /** People work in a cobot cell: cobots homed there stop and hand their tasks back. */
  'station.locked': z.object({ station: id, workOrder: id, machine: id.optional() }),
  'station.unlocked': z.object({ station: id, workOrder: id, machine: id.optional() }),
  'cobot.suspend': z.object({ station: id, workOrder: id.optional(), machine: id.optional() }),
  'cobot.resume': z.object({ station: id }),

  // Operator commands (validated before they are sent: agents/operator/validate.ts)
  /** To the robotics coordinator: a validated command, a move's place resolved to a pose. */
  'operator.command': OperatorOrderSchema,
  /** From the robotics coordinator: the plant changed between validation and delivery; the command was not carried out. */
  'operator.refused': z.object({ command: OperatorCommandSchema, reason: z.string().max(500) }),
  /** To a cobot: drive to a place now, or go and charge (its tasks go back to their auctions). */
  'cobot.command': CobotOrderSchema,

  // Live runs across processes
  /** To open negotiations (`#negotiations`): an agent's process is gone; what it won goes back to auction. */
  'agent.lost': z.object({ agent: id, reason: z.string().max(500) }),
  /** To the coordinator of a lost agent's kind (`robotics` for cobots): it runs again, on `host`; what waits for it can be announced now. */
  'agent.back': z.object({ agent: id, host: id }),

  // Ledger
  'ledger.recorded': z.object({ event: id, eventType: z.string(), seq: z.number().int().nonnegative(), hash: z.string() }),
} as const satisfies Record<string, z.ZodType>;

export type MessageType = keyof typeof PayloadSchemas;
export type Payload<T extends MessageType> = z.infer<(typeof PayloadSchemas)[T]>;
export type AnyPayload = { [T in MessageType]: Payload<T> }[MessageType];
