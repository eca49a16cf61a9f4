import { hostname } from 'node:os';
import { DataType, MessageSecurityMode, OPCUACertificateManager, OPCUAServer, SecurityPolicy, StatusCodes, nodesets } from 'node-opcua';
import type { LogListener, LogRecord } from '../../sim/log/event-log.js';
import type { RunContext } from '../../runtime/context.js';
import { expandMachines } from '../../runtime/machines.js';
import { telemetryChannels } from '../../runtime/ingest.js';
import { addMachine, writeDouble, type MachineDescription, type MachineNodes } from './machine-nodes.js';
import { plantNamespace } from './names.js';

/** What the server needs of a live plant: its event log as it is written, and the running context (machines). */
export interface OpcuaPlantSource {
  onRecord(listener: LogListener): void;
  readonly context: RunContext | undefined;
}

export interface OpcuaServerOptions {
  port: number;
  /** The interface to listen on; every interface when omitted. */
  host?: string;
  /** Names the plant namespace, product instance URIs and serial numbers. */
  plantName: string;
  /**
   * Also offer SecurityPolicy None (no signing, no encryption). Default: only
   * when listening on loopback. Secure endpoints (Basic256Sha256) need the
   * client's certificate trusted in the server's PKI folder.
   */
  allowUnsecured?: boolean;
  /** The server's PKI folder (own certificate, trusted and rejected clients); node-opcua's default when omitted. */
  pkiFolder?: string;
}

export interface OpcuaServerHandle {
  /** The URL clients connect to, e.g. `opc.tcp://127.0.0.1:4840`. */
  endpoint: string;
  server: OPCUAServer;
  /** The machines exposed, by id. */
  machines: ReadonlyMap<string, MachineNodes>;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * The plant's machines on OPC UA, so a SCADA system can connect to the
 * simulation as it would to a real line: the DI, IA and Machinery nodesets
 * are loaded and every machine stands in the standard Machines folder
 * (OPC 40001-1) with its identification, sensor variables, health outputs
 * and state, updated from the plant's event log as it is written. Read-only:
 * no client, anonymous or not, can write. Layout in `names.ts` and
 * `docs/opcua.md`.
 */
export async function startOpcuaServer(plant: OpcuaPlantSource, o: OpcuaServerOptions): Promise<OpcuaServerHandle> {
  const ctx = plant.context;
  if (!ctx) throw new Error('opcua: the plant has not started; start the server after creating the live plant');
  const unsecured = o.allowUnsecured ?? (o.host !== undefined && LOOPBACK.has(o.host));
  const wildcard = o.host === undefined || o.host === '0.0.0.0' || o.host === '::';
  const host = wildcard ? hostname() : o.host!;
  const server = new OPCUAServer({
    port: o.port,
    ...(wildcard ? {} : { host: o.host, hostname: o.host }),
    nodesets: [nodesets.standard, nodesets.di, nodesets.ia, nodesets.machinery],
    securityPolicies: unsecured ? [SecurityPolicy.None, SecurityPolicy.Basic256Sha256] : [SecurityPolicy.Basic256Sha256],
    securityModes: unsecured ? [MessageSecurityMode.None, MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt] : [MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt],
    allowAnonymous: true,
    isAuditing: false,
    // Exception-based: every write reaches a subscriber that asks for samplingInterval 0, none is folded.
    serverCapabilities: { minSupportedSampleRate: 0 },
    buildInfo: { productName: `HyperFactory ${o.plantName}`, manufacturerName: 'HyperFactory', softwareVersion: '0.1.0' },
    ...(o.pkiFolder ? { serverCertificateManager: new OPCUACertificateManager({ rootFolder: o.pkiFolder, automaticallyAcceptUnknownCertificate: false }) } : {}),
  });
  await server.initialize();
  const ns = server.engine.addressSpace!.registerNamespace(plantNamespace(o.plantName));
  const machines = new Map<string, MachineNodes>();
  for (const m of describeMachines(ctx)) {
    const nodes = addMachine(ns, o.plantName, m);
    machines.set(m.id, nodes);
    // The agent's state now: its last state record may be older than the server.
    const state = ctx.host.get(m.id)?.state();
    if (state) nodes.state.setValueFromSource({ dataType: DataType.String, value: state });
  }

  let closed = false;
  const stamps = new Map<string, number>();
  plant.onRecord((record) => {
    if (!closed) update(machines, stamps, record);
  });
  try {
    await server.start();
  } catch (e) {
    closed = true;
    await server.shutdown(0).catch(() => {});
    const busy = (e as NodeJS.ErrnoException).code === 'EADDRINUSE' || /EADDRINUSE/.test((e as Error).message);
    throw new Error(busy ? `opcua: port ${o.port} is in use` : `opcua: cannot listen on port ${o.port}: ${(e as Error).message}`);
  }
  return {
    endpoint: `opc.tcp://${host.includes(':') ? `[${host}]` : host}:${o.port}`,
    server,
    machines,
    close: async () => {
      if (closed) return;
      closed = true;
      await server.shutdown(0);
    },
  };
}

/** Every machine of the run with its sensor channels (and the unit of a scenario's health signal). */
export function describeMachines(ctx: RunContext): MachineDescription[] {
  return expandMachines(ctx.scenario).map((spec) => {
    const model = ctx.machines.get(spec.id);
    const signal = ctx.scenario.machineTypes[spec.type]?.signal;
    const channels = model ? telemetryChannels(model).map((name) => ({ name, ...(signal?.name === name && signal.unit ? { unit: signal.unit } : {}) })) : [];
    return { id: spec.id, type: spec.type, channels };
  });
}

/**
 * One record of the event log into the variables it changes. A sample's
 * channels share one SourceTimestamp, and each sample of a machine gets a
 * later one than the last (a fast plant writes several in a millisecond):
 * that is how a subscriber tells samples apart.
 */
function update(machines: ReadonlyMap<string, MachineNodes>, stamps: Map<string, number>, r: LogRecord): void {
  let now = new Date();
  if (r.type === 'state') {
    const m = typeof r.agent === 'string' ? machines.get(r.agent) : undefined;
    if (m && typeof r.state === 'string') m.state.setValueFromSource({ dataType: DataType.String, value: r.state }, StatusCodes.Good, now);
    return;
  }
  const p = (r.payload ?? {}) as Record<string, unknown>;
  const m = typeof p.machine === 'string' ? machines.get(p.machine) : undefined;
  if (!m) return;
  if (r.type === 'telemetry.sample') {
    const at = Math.max(now.getTime(), (stamps.get(p.machine as string) ?? 0) + 1);
    stamps.set(p.machine as string, at);
    now = new Date(at);
    const signals = (p.signals ?? {}) as Record<string, unknown>;
    for (const [name, value] of Object.entries(signals)) {
      const v = m.channels.get(name);
      if (v) writeDouble(v, value, now);
    }
  } else if (r.type === 'maintenance.prediction') {
    writeDouble(m.health.rulHours, p.rulHours, now);
    writeDouble(m.health.failureProbability, p.failureProbability, now);
    writeDouble(m.health.anomaly, p.anomaly, now);
    writeDouble(m.health.anomalyThreshold, p.anomalyThreshold, now);
  }
}
