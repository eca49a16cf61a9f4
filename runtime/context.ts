import type { LedgerPort } from '../agents/ports/ledger-port.js';
import type { Kernel } from '../sim/clock/kernel.js';
import type { RandomStreams } from '../sim/random/streams.js';
import type { EventLog } from '../sim/log/event-log.js';
import type { AgentHost } from '../agents/host/agent-host.js';
import type { Bus } from '../agents/ports/bus.js';
import type { Layout } from '../world/layout/layout.js';
import type { MachineModel } from '../world/machines/machine-model.js';
import type { WorkModel } from '../world/work/work-model.js';
import type { Scenario } from '../scenarios/schema.js';
import type { KpiContributor } from './kpis.js';
import type { RobotFleet } from '../world/robots/fleet.js';
import type { FleetControl, RobotPortFactory } from './robot-control.js';

/** Well-known agent addresses of a plant run. */
export const Address = {
  maintenance: 'maintenance',
  supply: 'supply',
  robotics: 'robotics',
  ledger: 'ledger',
  suppliers: '#suppliers',
  trucks: '#trucks',
  cobots: '#cobots',
  telemetry: '#telemetry',
  /** Operator consoles and viewers: maintenance alerts. */
  operators: '#operators',
} as const;

/**
 * Everything one run is made of. The wiring modules of this folder (one per
 * subsystem) build their world processes and agents into it.
 */
export interface RunContext {
  scenario: Scenario;
  seed: number;
  horizon: number;
  kernel: Kernel;
  streams: RandomStreams;
  log: EventLog;
  /** The run's bus: the in-memory bus, wrapped in a signing bus in a live run with identities. */
  bus: Bus;
  host: AgentHost;
  layout: Layout;
  machines: Map<string, MachineModel>;
  work: WorkModel;
  /** The world cobots drive in: kinematic (`des`, fast) or matter-js (`physics`). */
  mode: 'des' | 'physics';
  /** How machines process job completions (see MachineParams.jobs). */
  jobs?: 'eager' | 'lazy';
  /** Subsystems' KPI parts, summed into the run's KPIs at the end. */
  kpis: KpiContributor[];
  /** The cobots' world, when the scenario has cobots (read by viewers, never by agents). */
  fleet?: RobotFleet;
  /** The ledger's hash-chained file; the ledger lives in memory when omitted. */
  ledgerPath?: string;
  /** Where the ledger agent writes instead of that file (a chain: `bridges/evm/chain-ledger.ts`). */
  ledgerPort?: LedgerPort;
  /** Machines with a `telemetryTopic` (MQTT) or `telemetryOpcua` get their telemetry from outside instead of their sensor model. */
  externalTelemetry?: boolean;
  /** Cobots' agents drive outside robots through this port instead of the simulated world. */
  robotPort?: RobotPortFactory;
  /** Who commands the simulated cobots and who hears them (bridges), when the scenario has cobots. */
  robots?: FleetControl;
  /** Releases what the run holds outside the kernel (inference workers), when it ends or fails. */
  closers: (() => void)[];
}
