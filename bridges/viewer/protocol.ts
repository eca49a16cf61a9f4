import { z } from 'zod';

/**
 * The viewer protocol (socket.io), version 1. The page in `viewer/` knows
 * the plant only through these types.
 *
 * Server → client:
 * - `hello` once on connect: protocol version, role, what is shown;
 * - `snapshot` once after `hello` and after a reset or a seek: the whole view;
 * - `delta` afterwards: only what changed since the last frame the client
 *   acknowledged. Each `snapshot` and `delta` carries an acknowledgement
 *   callback; the server sends the next frame only when the client has drawn
 *   the previous one, so a slow browser gets fewer, larger deltas instead of
 *   a growing queue.
 *
 * Client → server (each with an acknowledgement callback answering `Ack`):
 * - `control`: pause, resume, speed, fault, reset, command, seek (operator role;
 *   a lessee: only `fault` on a machine it leases);
 * - `machine.detail`: a machine's series and history (any role; a lessee: its machines).
 *
 * The client authenticates with `auth: { token }` in the socket.io handshake;
 * without a valid operator token it is read-only. When the server accepts
 * lessees, `auth: { lessee: LesseeAuth }` signs in as the holder of an address
 * (see `bridges/viewer/lessee.ts`): the client then sees and commands only the
 * machines that address owns or leases (ERC-4907) at the time of each frame.
 */
export const VIEWER_PROTOCOL_VERSION = 1;

export type Role = 'viewer' | 'operator' | 'admin' | 'lessee';

/** A lessee's sign-in: `signature` is personal_sign (EIP-191) of `lesseeSignInMessage(address, issuedAt, challenge)`. */
export const LesseeAuthSchema = z.object({
  address: z.string().min(1).max(100),
  /** ISO time (`Date.toISOString()`), within ±5 minutes of the server's clock. */
  issuedAt: z.string().min(1).max(40),
  /** A one-time challenge from the server (`GET /lessee/challenge`). */
  challenge: z.string().min(1).max(100),
  signature: z.string().min(1).max(300),
});
export type LesseeAuth = z.infer<typeof LesseeAuthSchema>;

export interface Hello {
  protocol: typeof VIEWER_PROTOCOL_VERSION;
  role: Role;
  /** The signed-in address (checksummed), for the lessee role only. */
  account?: string;
  /** `live`: a running plant; `replay`: a recorded event log, seekable. */
  source: 'live' | 'replay';
  scenario: string;
  seed: number;
  policy: string;
  /** Simulated seconds the run lasts. */
  horizon: number;
}

/** Static floor: drawn once per snapshot. Coordinates in metres, y down. */
export interface FloorView {
  places: { id: string; kind: string; x: number; y: number }[];
  /** Bounds of the factory floor (far-away logistics places such as depots are left out). */
  bounds: { minX: number; minY: number; maxX: number; maxY: number };
  /** Occupied cells of the cobots' grid (walls, racks), as rectangles. */
  obstacles: { x: number; y: number; w: number; h: number }[];
}

/** The logistics map: suppliers' works, truck depots and the plant's goods-in dock, in metres (kilometres apart). */
export interface LogisticsMap {
  places: { id: string; kind: 'supplier' | 'depot' | 'plant'; x: number; y: number }[];
}

export type MachineState = 'running' | 'failed' | 'repair' | 'maintenance' | 'waiting' | 'idle';

export interface MachineView {
  id: string;
  type: string;
  station?: string;
  x: number;
  y: number;
  state: MachineState;
  /**
   * Condition in [0, 1] read from the health signal: 1 at its healthy
   * baseline, 0 at the alarm threshold (or at the end of its rise). Absent
   * when the machine has no signal.
   */
  health?: number;
  signal?: { name: string; unit: string; value: number; threshold?: number };
  /** Predictive-maintenance outputs, when a model serves this machine. */
  anomaly?: number;
  rulHours?: number;
  failure?: FailureOutlook;
  /** Open work order, if any. */
  workOrder?: string;
  /** Simulated time of the last state change. */
  since: number;
}

/** P(failure within the horizon), and how it splits over the machine's components when the model says. */
export interface FailureOutlook {
  probability: number;
  horizonHours: number;
  components?: Record<string, number>;
}

export interface CobotView {
  id: string;
  x: number;
  y: number;
  /** Agent state, e.g. `idle`, `moving.toPickup`, `handling.picking`, `charging`, `fault`. */
  state: string;
  /** Battery level in [0, 1]; absent in a replay (the event log does not record it). */
  battery?: number;
  task?: { id: string; from: string; to: string };
  /** The planned route ahead, as points (metres), first the robot's next waypoint. */
  path?: [number, number][];
}

export interface StockView {
  item: string;
  onHand: number;
  reorderPoint: number;
  onOrder: number;
}

export interface OrderView {
  id: string;
  item: string;
  qty: number;
  supplier?: string;
  status: 'calling' | 'awarded' | 'shipped' | 'delivered' | 'failed';
  /** Quotes received in the call for proposals: supplier, price, promised lead time (s). */
  quotes: { supplier: string; price: number; leadTime: number }[];
  since: number;
}

export interface TruckView {
  id: string;
  state: string;
  x: number;
  y: number;
  /** Stops still ahead: place ids, in order. */
  route: string[];
}

export interface LedgerEntry {
  seq: number;
  t: number;
  event: string;
  eventType: string;
  machine?: string;
  hash: string;
  /** `verified` once the hash chain (or the chain's receipt) confirms it. */
  verification: 'pending' | 'verified' | 'mismatch';
}

export interface Alert {
  id: string;
  t: number;
  severity: 'info' | 'warning' | 'critical';
  /** Machine, cobot or order the alert is about. */
  subject: string;
  text: string;
}

/** Names of KPIs as `run --json` reports them (unplannedDowntimeHours, oee, throughputUnits …). */
export type KpiView = Record<string, number>;

export interface Snapshot {
  seq: number;
  /** Simulated seconds. */
  t: number;
  speed: number;
  paused: boolean;
  finished: boolean;
  floor: FloorView;
  /** Where trucks drive: draw `trucks` (positions and routes by place id) on it. */
  map: LogisticsMap;
  machines: MachineView[];
  cobots: CobotView[];
  stock: StockView[];
  orders: OrderView[];
  trucks: TruckView[];
  /** The most recent entries, oldest first. */
  ledger: LedgerEntry[];
  /** The most recent alerts, oldest first: the history. */
  alerts: Alert[];
  /**
   * What needs attention now, newest first: the alerts still open (a machine
   * past its alarm level or broken until it runs again, a part out of stock
   * until it is delivered, a ledger mismatch for good).
   */
  attention: Alert[];
  kpis: KpiView;
}

/** Changes since the client's previous frame. Lists upsert by id; `removed` lists ids gone. */
export interface Delta {
  seq: number;
  t: number;
  speed: number;
  paused: boolean;
  finished: boolean;
  machines?: MachineView[];
  cobots?: CobotView[];
  stock?: StockView[];
  orders?: OrderView[];
  trucks?: TruckView[];
  removed?: { orders?: string[]; cobots?: string[]; machines?: string[]; trucks?: string[] };
  /** New or changed ledger entries and new alerts. */
  ledger?: LedgerEntry[];
  alerts?: Alert[];
  /** The whole list, when it changed. */
  attention?: Alert[];
  kpis?: KpiView;
}

export interface MachineDetail {
  id: string;
  type: string;
  /** Health-signal samples (simulated seconds, value), most recent last. */
  series: { name: string; unit: string; points: [number, number][] };
  /** Anomaly scores over time, when a model serves this machine. */
  anomaly?: [number, number][];
  rulHours?: number;
  failure?: FailureOutlook;
  /** Failures, repairs and services, oldest first. */
  history: { t: number; kind: string; text: string }[];
}

export type Ack<T = undefined> = { ok: true; value?: T } | { ok: false; reason: string };

export const ControlSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('pause') }),
  z.object({ action: z.literal('resume') }),
  z.object({ action: z.literal('speed'), speed: z.number().positive().max(1e7) }),
  z.object({ action: z.literal('fault'), machine: z.string().min(1).max(200) }),
  z.object({ action: z.literal('reset') }),
  /** An operator command as text (grammar or model) or typed (the robotics issue's commands): one of the two. */
  z.object({ action: z.literal('command'), text: z.string().min(1).max(500).optional(), command: z.unknown().optional() }),
  /** Replay only: jump to simulated time `t`. */
  z.object({ action: z.literal('seek'), t: z.number().nonnegative() }),
]);
export type Control = z.infer<typeof ControlSchema>;

export const DetailRequestSchema = z.object({ id: z.string().min(1).max(200) });
