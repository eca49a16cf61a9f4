import { performance } from 'node:perf_hooks';
import { Kernel } from '../sim/clock/kernel.js';
import { RealtimeRunner } from '../sim/run/realtime.js';
import { RandomStreams } from '../sim/random/streams.js';
import { EventLog, type LogListener } from '../sim/log/event-log.js';
import { AgentHost, type RemotePlacement } from '../agents/host/agent-host.js';
import { MemoryBus } from '../bridges/memory/memory-bus.js';
import { signingBusForRun } from '../bridges/identity/signing-bus.js';
import { isMaintenancePolicy, MaintenancePolicies, type MaintenancePolicy } from '../agents/maintenance/policies.js';
import { Layout } from '../world/layout/layout.js';
import { WorkModel } from '../world/work/work-model.js';
import { SupplyPolicies, type Scenario, type SupplyPolicy } from '../scenarios/schema.js';
import type { RunContext } from './context.js';
import { combineKpis, emptyKpis, type Kpis } from './kpis.js';
import { wireMaintenance } from './wire-maintenance.js';
import { wireExtensions } from './extensions.js';
import { RunOptionError } from './run-option-error.js';
import type { RobotPortFactory } from './robot-control.js';
import type { LedgerPort } from '../agents/ports/ledger-port.js';
import type { Checkpoint } from './checkpoint/checkpoint-file.js';
import { Checkpointing, type CheckpointOptions } from './checkpoint/checkpointing.js';

export interface RunOptions {
  seed?: number;
  /** Maintenance policy; the scenario's own when omitted. */
  policy?: string;
  /** Supply policy (logistics.policy: dynamic or static); the scenario's own when omitted. */
  supplyPolicy?: string;
  /** Simulated seconds to run; the scenario's horizon when omitted. */
  until?: number;
  /** Write the event log (NDJSON) to this file. */
  logPath?: string;
  /** Check every message against the catalogue (slower; tests use it). */
  validateMessages?: boolean;
  /** Append the ledger's twin events to this hash-chained NDJSON file (in memory when omitted). */
  ledgerPath?: string;
  /** The port each run's ledger agent writes through instead (a chain), made when the run is built. */
  ledger?: (run: { scenario: string; seed: number }) => LedgerPort;
  /** The cobots' world: kinematic (`des`) or matter-js (`physics`); the scenario's `mode` when omitted. */
  mode?: 'des' | 'physics';
  /** One kernel event per job (`eager`) or job chains advanced when observed (`lazy`, default); same results. */
  jobs?: 'eager' | 'lazy';
  /** Machines with a `telemetryTopic` (MQTT) or `telemetryOpcua` take their telemetry from outside instead of their sensor model (live runs). */
  externalTelemetry?: boolean;
  /** Cobots' agents drive outside robots (ROS 2, VDA 5050) through this port instead of the simulated world. */
  robotPort?: RobotPortFactory;
  /** Live runs with identities: every envelope signed by its sender's key and checked before delivery (`bridges/identity/signing-bus.ts`). */
  signing?: Parameters<typeof signingBusForRun>[2];
  /** Places some agents in other processes (a live run over MQTT, `serve --remote-agents`). */
  placement?: (run: RunContext) => RemotePlacement;
  /** Sees every record of the event log as it is written, from the first (viewers). */
  observe?: LogListener;
  /** Called about 200 times over the run with the simulated time reached. */
  onProgress?: (simulatedSeconds: number, horizon: number) => void;
  /** Write checkpoints as the run goes (discrete-event runs: `runPlant`). */
  checkpoint?: CheckpointOptions;
  /** Resume from this checkpoint: the run replays to it, checks it, then goes on (`runPlant`). */
  resume?: Checkpoint;
}

export interface RunResult {
  scenario: string;
  seed: number;
  policy: string;
  /**
   * How the run went: as fast as possible with the cobots in the kinematic
   * world (`des`) or the matter-js world (`physics`), or paced by the wall
   * clock (`realtime`, in the world the options or the scenario chose).
   */
  mode: 'des' | 'physics' | 'realtime';
  simulatedSeconds: number;
  wallSeconds: number;
  events: number;
  logHash: string;
  kpis: Kpis;
  /**
   * Set when the run stopped at a checkpoint (`checkpoint.stopAt`) instead of
   * its horizon: the log stays partial, `logHash` covers it so far and the KPIs are to date.
   */
  stoppedAt?: number;
}

export { RunOptionError };

export function resolvePolicy(scenario: Scenario, name: string | undefined): MaintenancePolicy {
  const policy = name ?? scenario.maintenance.policy;
  if (!isMaintenancePolicy(policy)) {
    throw new RunOptionError(`unknown policy "${policy}" (policies: ${MaintenancePolicies.join(', ')})`);
  }
  if (policy === 'time-based' && scenario.maintenance.serviceInterval === undefined) {
    throw new RunOptionError(`policy time-based needs maintenance.serviceInterval in scenario "${scenario.name}"`);
  }
  if (policy === 'predictive' && scenario.maintenance.predictive === undefined) {
    throw new RunOptionError(`policy predictive needs maintenance.predictive (models per machine type) in scenario "${scenario.name}"`);
  }
  if (policy === 'condition-based' && scenario.maintenance.threshold === undefined) {
    throw new RunOptionError(`policy condition-based needs maintenance.threshold in scenario "${scenario.name}"`);
  }
  return policy;
}

/** Builds a run: the kernel, the world, the bus and every agent, at t = 0. */
/** The scenario with its supply policy replaced (`--axis supply`); unknown names are refused. */
export function withSupplyPolicy(scenario: Scenario, name: string | undefined): Scenario {
  if (name === undefined) return scenario;
  if (!(SupplyPolicies as readonly string[]).includes(name)) throw new RunOptionError(`unknown supply policy "${name}" (supply policies: ${SupplyPolicies.join(', ')})`);
  return { ...scenario, logistics: { ...scenario.logistics, policy: name as SupplyPolicy } };
}

export function buildRun(base: Scenario, options: RunOptions = {}): RunContext & { policy: MaintenancePolicy } {
  const scenario = withSupplyPolicy(base, options.supplyPolicy);
  const policy = resolvePolicy(scenario, options.policy);
  const seed = options.seed ?? scenario.seed;
  const horizon = options.until ?? scenario.horizon;
  const kernel = new Kernel();
  const streams = new RandomStreams(seed);
  const checkpointed = options.checkpoint !== undefined || options.resume !== undefined;
  const log = new EventLog(options.logPath, { resuming: options.resume !== undefined, keepPartial: checkpointed });
  if (options.observe) log.subscribe(options.observe);
  const memory = new MemoryBus(kernel, { validate: options.validateMessages });
  const bus = options.signing ? signingBusForRun(memory, { now: () => kernel.now, append: (r) => log.append(r) }, options.signing) : memory;
  const host = new AgentHost(kernel, bus, log);
  const layout = new Layout(scenario.layout.places, scenario.layout);
  const machines = new Map();
  const work = new WorkModel(kernel, machines, layout, { technician: () => {}, machine: () => {} }, scenario.technicians.walkingSpeed);
  const mode = options.mode ?? scenario.mode;
  const ctx: RunContext = { scenario, seed, horizon, kernel, streams, log, bus, host, layout, machines, work, kpis: [], ledgerPath: options.ledgerPath, ledgerPort: options.ledger?.({ scenario: scenario.name, seed }), mode, closers: [], externalTelemetry: options.externalTelemetry, robotPort: options.robotPort };

  const supply = scenario.inventory ? { supplyPolicy: scenario.logistics.policy } : {};
  log.append({ t: 0, type: 'run.started', scenario: scenario.name, seed, policy, ...supply, horizon, ...(mode === 'des' ? {} : { mode }) });
  bus.observe((env) => log.appendMessage(env));
  try {
    if (options.placement) host.placement = options.placement(ctx);
    wireMaintenance(ctx, policy);
    wireExtensions(ctx);
  } catch (e) {
    log.abort(); // nothing half written
    closeRun(ctx);
    throw e;
  }
  return { ...ctx, policy };
}

/** Runs a scenario in discrete-event mode, as fast as possible. */
export function runPlant(scenario: Scenario, options: RunOptions = {}): RunResult {
  const start = performance.now();
  const run = buildRun(scenario, options);
  try {
    const checkpoints = options.checkpoint || options.resume ? new Checkpointing(run, { policy: run.policy, supplyPolicy: options.supplyPolicy }, { ...options, logPath: options.logPath }) : undefined;
    // Where the kernel pauses: progress reports and checkpoints. Pausing changes nothing in the run.
    const steps = options.onProgress ? 200 : 1;
    const progress = new Set<number>();
    for (let i = 1; i < steps; i++) progress.add((run.horizon * i) / steps);
    const pauses = [...new Set([...progress, ...(checkpoints?.pauses() ?? [])])].filter((t) => t < run.horizon).sort((a, b) => a - b);
    for (const t of pauses) {
      run.kernel.runUntil(t);
      if (progress.has(t)) options.onProgress?.(run.kernel.now, run.horizon);
      if (checkpoints?.paused(t) === 'stop') return suspendRun(run, run.mode, start, t);
    }
    run.kernel.runUntil(run.horizon);
    options.onProgress?.(run.kernel.now, run.horizon);
    return finishRun(run, run.mode, start);
  } catch (e) {
    run.log.abort();
    closeRun(run);
    throw e;
  }
}

/**
 * Runs a scenario in real time scaled by `speed` (simulated seconds per wall
 * second), as the viewer and live bridges need. Without input from outside,
 * its event log is the discrete-event run's, byte for byte.
 */
export async function runPlantRealtime(
  scenario: Scenario,
  options: RunOptions & { speed: number; onRunner?: (runner: RealtimeRunner, run: RunContext) => void },
): Promise<RunResult> {
  const start = performance.now();
  const run = buildRun(scenario, options);
  try {
    const runner = new RealtimeRunner(run.kernel, { speed: options.speed, onTick: (t) => options.onProgress?.(t, run.horizon) });
    options.onRunner?.(runner, run);
    await runner.run(run.horizon);
    // Stopped before the horizon (Ctrl-C, a reset): the run ends where it got to.
    return finishRun(run, 'realtime', start, Math.min(run.kernel.now, run.horizon));
  } catch (e) {
    run.log.abort();
    closeRun(run);
    throw e;
  }
}

function finishRun(run: RunContext & { policy: MaintenancePolicy }, mode: RunResult['mode'], start: number, end = run.horizon): RunResult {
  const { log } = run;
  const kpis = combineKpis(
    emptyKpis(),
    run.kpis.map((k) => k(end)),
  );
  log.append({ t: end, type: 'run.finished', kpis });
  const { logHash, events } = log.finish();
  run.host.stopAll();
  closeRun(run);
  return {
    scenario: run.scenario.name,
    seed: run.seed,
    policy: run.policy,
    mode,
    simulatedSeconds: end,
    wallSeconds: (performance.now() - start) / 1000,
    events,
    logHash,
    kpis,
  };
}

/** Ends a run stopped at a checkpoint: the log stays partial on disk for `--resume`. */
function suspendRun(run: RunContext & { policy: MaintenancePolicy }, mode: RunResult['mode'], start: number, at: number): RunResult {
  const kpis = combineKpis(
    emptyKpis(),
    run.kpis.map((k) => k(at)),
  );
  const { records, sha256 } = run.log.suspend();
  run.host.stopAll();
  closeRun(run);
  return { scenario: run.scenario.name, seed: run.seed, policy: run.policy, mode, simulatedSeconds: at, wallSeconds: (performance.now() - start) / 1000, events: records, logHash: sha256, kpis, stoppedAt: at };
}

/** Releases what a run holds outside the kernel; safe to call twice. */
export function closeRun(run: RunContext): void {
  for (const close of run.closers.splice(0)) close();
}
