import { BrowseDirection, MessageSecurityMode, NodeClassMask, OPCUAClient, SecurityPolicy, type ClientSession, type ReferenceDescription } from 'node-opcua';
import type { LocalMachinePort } from '../../agents/ports/local-machine-port.js';
import { EndpointLink } from './endpoint-link.js';
import { CONTROL, CONTROL_NAMES, MACHINERY_NS, MACHINES_FOLDER_ID } from './names.js';
import type { OpcuaTelemetryStats } from './telemetry-client.js';

/** How long one stop command may take end to end (connect, browse, call), ms. */
const STOP_TIMEOUT_MS = 15_000;

/**
 * Machines next to an agent host on one OPC UA endpoint (a machine
 * controller or a site gateway), as a `LocalMachinePort`: readings by
 * subscription through the same link the plant uses for OPC UA telemetry
 * (`EndpointLink`: browse by names, reconnect and resubscribe by itself), and
 * a stop as a call of the machine's `Control/Stop` method on a session of its
 * own, opened for the command: a fail-safe must not depend on a session that
 * may be half-dead after a network fault.
 */
export class OpcuaLocalMachines implements LocalMachinePort {
  readonly stats: OpcuaTelemetryStats = { samples: 0, rejected: 0, sessions: 0, subscriptions: 0 };
  private readonly listeners: ((machine: string, signals: Readonly<Record<string, number>>) => void)[] = [];
  private readonly link: EndpointLink;

  constructor(
    readonly endpoint: string,
    readonly machines: readonly string[],
    private readonly onProblem: (line: string) => void = () => {},
  ) {
    if (!/^opc\.tcp:\/\/[^\s/]+/.test(endpoint)) throw new RangeError(`OPC UA endpoint must look like opc.tcp://host:port, got "${endpoint}"`);
    this.link = new EndpointLink(
      endpoint,
      machines.map((m) => ({ id: m, endpoint, remoteName: m })),
      {
        security: 'None',
        stats: this.stats,
        onProblem,
        channelsOf: () => undefined,
        ingest: (machine, signals) => {
          for (const l of this.listeners) l(machine, signals);
          return { ok: true };
        },
      },
    );
  }

  /** Starts reading; a server that is down is waited for (the link retries by itself). */
  start(): this {
    this.link.start();
    return this;
  }

  onSample(listener: (machine: string, signals: Readonly<Record<string, number>>) => void): void {
    this.listeners.push(listener);
  }

  async stop(machine: string): Promise<void> {
    const client = OPCUAClient.create({
      applicationName: 'HyperFactory edge fail-safe',
      endpointMustExist: false,
      securityMode: MessageSecurityMode.None,
      securityPolicy: SecurityPolicy.None,
      connectionStrategy: { maxRetry: 2, initialDelay: 250, maxDelay: 1000 },
    });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${STOP_TIMEOUT_MS / 1000} s`)), STOP_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.call(client, machine), deadline]);
    } catch (e) {
      throw new Error(`opcua: stopping ${machine} at ${this.endpoint} failed: ${(e as Error).message.split('\n')[0]}`);
    } finally {
      clearTimeout(timer);
      await client.disconnect().catch(() => {});
    }
  }

  private async call(client: OPCUAClient, machine: string): Promise<void> {
    await client.connect(this.endpoint);
    const session = await client.createSession();
    try {
      const namespaces = await session.readNamespaceArray();
      const machinery = namespaces.indexOf(MACHINERY_NS);
      if (machinery < 0) throw new Error(`the server has no Machinery namespace (${MACHINERY_NS})`);
      const found = (await children(session, `ns=${machinery};i=${MACHINES_FOLDER_ID}`, NodeClassMask.Object)).find((r) => r.browseName.name === machine);
      if (!found) throw new Error(`no machine "${machine}" under Machines`);
      const control = (await children(session, found.nodeId.toString(), NodeClassMask.Object)).find((r) => r.browseName.name === CONTROL);
      if (!control) throw new Error(`Machines/${machine} has no ${CONTROL} object: the machine takes no commands`);
      const stop = (await children(session, control.nodeId.toString(), NodeClassMask.Method)).find((r) => r.browseName.name === CONTROL_NAMES.stop);
      if (!stop) throw new Error(`Machines/${machine}/${CONTROL} has no ${CONTROL_NAMES.stop} method`);
      const result = await session.call({ objectId: control.nodeId, methodId: stop.nodeId, inputArguments: [] });
      if (!result.statusCode.isGood()) throw new Error(`${CONTROL_NAMES.stop} answered ${result.statusCode.name}`);
    } finally {
      await session.close(true).catch(() => {});
    }
  }

  async close(): Promise<void> {
    await this.link.close();
  }
}

async function children(session: ClientSession, nodeId: string, mask: NodeClassMask): Promise<ReferenceDescription[]> {
  const result = await session.browse({ nodeId, browseDirection: BrowseDirection.Forward, referenceTypeId: 'HierarchicalReferences', includeSubtypes: true, nodeClassMask: mask, resultMask: 63 });
  if (!result.statusCode.isGood()) throw new Error(`browsing ${nodeId}: ${result.statusCode.name}`);
  return result.references ?? [];
}
