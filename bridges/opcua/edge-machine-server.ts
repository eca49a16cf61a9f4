import { AccessLevelFlag, DataType, MessageSecurityMode, OPCUAServer, SecurityPolicy, StatusCodes, nodesets, type Namespace, type UAVariable } from 'node-opcua';
import { addMachine, writeDouble, type MachineNodes } from './machine-nodes.js';
import { CONTROL, CONTROL_NAMES, controlNodeIds, plantNamespace } from './names.js';

/** One machine the server simulates: its id (browse name), type and sensor channels. */
export interface EdgeMachineSpec {
  id: string;
  type: string;
  channels: readonly string[];
}

export interface EdgeMachineServerOptions {
  port: number;
  /** Interface to listen on (loopback by default: SecurityPolicy None is offered there only). */
  host?: string;
  /** Names the namespace (`urn:hyperfactory:<plantName>`) and the serial numbers. */
  plantName: string;
  machines: readonly EdgeMachineSpec[];
}

/** A simulated machine at the edge, as its controller (PLC) would show it. */
export interface EdgeMachine {
  readonly id: string;
  /** False once stopped through its Control/Stop method, until Control/Start. */
  readonly running: boolean;
  /** How many times it was stopped through its control (a stop of a stopped machine counts too). */
  readonly stops: number;
  /** Writes one sensor reading (all channels share one source timestamp). A stopped machine reads no load and no power. */
  sample(signals: Readonly<Record<string, number>>): void;
}

export interface EdgeMachineServer {
  endpoint: string;
  machines: ReadonlyMap<string, EdgeMachine>;
  close(): Promise<void>;
}

/** Channels that fall to zero while a machine stands still. */
const STILL = ['load', 'powerKw'];

/**
 * A stand-in for machines next to an agent host, each with its own OPC UA
 * endpoint the way a machine controller offers one: the same layout as the
 * plant's server (Machines/<id>/Monitoring, Health, State; `machine-nodes.ts`)
 * plus a Control object whose Stop and Start methods the simulated machine
 * obeys (State becomes `stopped`, Running false, load and power fall to zero).
 * Sensor values are written by whoever drives the simulation (`sample`), so a
 * test can drive a machine into a critical anomaly. Anonymous sessions;
 * SecurityPolicy None on loopback only.
 */
export async function startEdgeMachineServer(o: EdgeMachineServerOptions): Promise<EdgeMachineServer> {
  if (o.machines.length === 0) throw new RangeError('edge machine server: give at least one machine');
  const host = o.host ?? '127.0.0.1';
  const loopback = host === '127.0.0.1' || host === 'localhost' || host === '::1';
  const server = new OPCUAServer({
    port: o.port,
    host,
    hostname: host,
    nodesets: [nodesets.standard, nodesets.di, nodesets.ia, nodesets.machinery],
    securityPolicies: loopback ? [SecurityPolicy.None, SecurityPolicy.Basic256Sha256] : [SecurityPolicy.Basic256Sha256],
    securityModes: loopback ? [MessageSecurityMode.None, MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt] : [MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt],
    allowAnonymous: true,
    isAuditing: false,
    serverCapabilities: { minSupportedSampleRate: 0 },
    buildInfo: { productName: `HyperFactory edge machines ${o.plantName}`, manufacturerName: 'HyperFactory', softwareVersion: '0.1.0' },
  });
  await server.initialize();
  const ns = server.engine.addressSpace!.registerNamespace(plantNamespace(o.plantName));
  const machines = new Map<string, EdgeMachine>();
  for (const spec of o.machines) {
    if (machines.has(spec.id)) throw new RangeError(`edge machine server: machine "${spec.id}" given twice`);
    const nodes = addMachine(ns, o.plantName, { id: spec.id, type: spec.type, channels: spec.channels.map((name) => ({ name })) });
    machines.set(spec.id, simulate(ns, spec, nodes));
  }
  try {
    await server.start();
  } catch (e) {
    await server.shutdown(0).catch(() => {});
    const busy = /EADDRINUSE/.test(String((e as Error).message)) || (e as NodeJS.ErrnoException).code === 'EADDRINUSE';
    throw new Error(busy ? `opcua: port ${o.port} is in use` : `opcua: cannot listen on port ${o.port}: ${(e as Error).message}`);
  }
  let closed = false;
  return {
    endpoint: `opc.tcp://${host.includes(':') ? `[${host}]` : host}:${o.port}`,
    machines,
    close: async () => {
      if (closed) return;
      closed = true;
      await server.shutdown(0);
    },
  };
}

/** Adds the Control object and returns the machine that obeys it. */
function simulate(ns: Namespace, spec: EdgeMachineSpec, nodes: MachineNodes): EdgeMachine {
  const id = (s: string) => `ns=${ns.index};s=${s}`;
  const machineNode = ns.addressSpace.findNode(id(spec.id))!;
  const control = ns.addObject({ browseName: CONTROL, nodeId: id(controlNodeIds.control(spec.id)), componentOf: machineNode, description: 'Local commands the machine obeys' });
  const running: UAVariable = ns.addVariable({
    browseName: CONTROL_NAMES.running,
    nodeId: id(controlNodeIds.method(spec.id, CONTROL_NAMES.running)),
    componentOf: control,
    dataType: 'Boolean',
    minimumSamplingInterval: 0,
    accessLevel: AccessLevelFlag.CurrentRead,
    userAccessLevel: AccessLevelFlag.CurrentRead,
  });
  let isRunning = true;
  let stops = 0;
  const last: Record<string, number> = {};
  const show = () => {
    const now = new Date();
    running.setValueFromSource({ dataType: DataType.Boolean, value: isRunning }, StatusCodes.Good, now);
    nodes.state.setValueFromSource({ dataType: DataType.String, value: isRunning ? 'running' : 'stopped' }, StatusCodes.Good, now);
  };
  const write = (signals: Readonly<Record<string, number>>) => {
    const now = new Date();
    for (const [name, value] of Object.entries(signals)) {
      const v = nodes.channels.get(name);
      if (!v) throw new RangeError(`edge machine ${spec.id}: no channel "${name}" (channels: ${[...nodes.channels.keys()].join(', ')})`);
      last[name] = value;
      writeDouble(v, isRunning || !STILL.includes(name) ? value : 0, now);
    }
  };
  const method = (name: string, run: boolean) => {
    const m = ns.addMethod(control, { browseName: name, nodeId: id(controlNodeIds.method(spec.id, name)), inputArguments: [], outputArguments: [] });
    // node-opcua tells a promise-returning method from a callback one by its two parameters.
    m.bindMethod(async (_inputs: unknown, _context: unknown) => {
      if (!run) stops++;
      if (isRunning !== run) {
        isRunning = run;
        show();
        // The readings follow the new state at once: a stopped machine draws no power.
        const still = Object.fromEntries(STILL.filter((c) => nodes.channels.has(c) && last[c] !== undefined).map((c) => [c, last[c]]));
        if (Object.keys(still).length > 0) write(still);
      }
      return { statusCode: StatusCodes.Good, outputArguments: [] };
    });
  };
  method(CONTROL_NAMES.stop, false);
  method(CONTROL_NAMES.start, true);
  show();
  return {
    id: spec.id,
    get running() {
      return isRunning;
    },
    get stops() {
      return stops;
    },
    sample: write,
  };
}
