import {
  AttributeIds,
  BrowseDirection,
  DataChangeFilter,
  DataChangeTrigger,
  MessageSecurityMode,
  NodeClass,
  NodeClassMask,
  OPCUAClient,
  SecurityPolicy,
  TimestampsToReturn,
  type ClientSession,
  type ClientSubscription,
  type DataValue,
  type ReferenceDescription,
} from 'node-opcua';
import type { Ack } from '../viewer/protocol.js';
import { MACHINERY_NS, MACHINES_FOLDER_ID, MONITORING } from './names.js';
import { readingOf } from './sample-values.js';
import type { OpcuaFeed, OpcuaTelemetryStats } from './telemetry-client.js';

export type OpcuaSecurity = 'None' | 'Sign' | 'SignAndEncrypt';

interface LinkOptions {
  security: OpcuaSecurity;
  stats: OpcuaTelemetryStats;
  onProblem: (line: string) => void;
  /** The plant machine's channels; undefined while the plant is between runs (then the plant checks). */
  channelsOf: (machine: string) => readonly string[] | undefined;
  ingest: (machine: string, signals: Record<string, number>) => Ack<unknown>;
}

/** Bounded retry: 0.25 s, doubling to 2 s, forever. */
const RETRY = { initialDelay: 250, maxDelay: 2000, maxRetry: -1 };

/**
 * One OPC UA server and the plant machines fed from it: a client whose
 * secure channel node-opcua re-opens by itself (connectionStrategy), and a
 * session and subscription this link rebuilds by browsing again whenever
 * the connection comes back, the session closes or the subscription ends.
 * Every rebuild starts a new generation: values of an older subscription
 * are ignored, so a sample is never ingested twice.
 */
export class EndpointLink {
  private client: OPCUAClient | undefined;
  private session: ClientSession | undefined;
  private subscription: ClientSubscription | undefined;
  private generation = 0;
  private closed = false;
  private chain: Promise<void> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | undefined;
  /** Values of the current generation not yet ingested: machine → source time → channels. */
  private pending = new Map<string, Map<number, Record<string, number>>>();
  private flushQueued = false;
  /** The current outage has been reported. */
  private told = false;
  private lastFailure: string | undefined;

  constructor(
    readonly endpoint: string,
    private readonly feeds: readonly OpcuaFeed[],
    private readonly o: LinkOptions,
  ) {}

  start(): void {
    const client = OPCUAClient.create({
      applicationName: 'HyperFactory telemetry',
      endpointMustExist: false,
      securityMode: MessageSecurityMode[this.o.security],
      securityPolicy: this.o.security === 'None' ? SecurityPolicy.None : SecurityPolicy.Basic256Sha256,
      connectionStrategy: RETRY,
      keepSessionAlive: true,
      requestedSessionTimeout: 60_000,
    });
    this.client = client;
    client.on('connection_lost', () => {
      this.told = true;
      // What the old subscription still delivers is stale; the next generation takes over.
      this.generation++;
      this.o.onProblem(`opcua: connection to ${this.endpoint} lost; reconnecting`);
    });
    client.on('connection_reestablished', () => this.rebuild());
    // The first failed attempt of an outage is worth a line; the retries after it are not.
    client.on('backoff', () => {
      if (this.told || this.closed) return;
      this.told = true;
      this.o.onProblem(`opcua: ${this.endpoint} does not answer; retrying every ${RETRY.maxDelay / 1000} s at most`);
    });
    client
      .connect(this.endpoint)
      .then(() => this.rebuild())
      .catch((e: unknown) => {
        if (!this.closed) this.o.onProblem(`opcua: cannot connect to ${this.endpoint}: ${message(e)}`);
      });
  }

  /** Queues a rebuild of session and subscription; a failed one is tried again after a bounded delay. */
  private rebuild(): void {
    if (this.closed) return;
    this.chain = this.chain.then(async () => {
      if (this.closed) return;
      try {
        await this.subscribe();
      } catch (e) {
        if (this.closed) return;
        // Said once per cause: a server that stays wrong is not worth a line every two seconds.
        const line = `opcua: subscribing at ${this.endpoint} failed: ${message(e)}; retrying`;
        if (line !== this.lastFailure) this.o.onProblem(line);
        this.lastFailure = line;
        // The session may be what failed (one the server no longer knows): the retry starts a fresh one.
        const session = this.session;
        this.session = undefined;
        void session?.close(true).catch(() => {});
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.rebuild(), RETRY.maxDelay);
      }
    });
  }

  private async subscribe(): Promise<void> {
    const gen = ++this.generation;
    this.pending.clear();
    const old = this.subscription;
    this.subscription = undefined;
    if (old) await old.terminate().catch(() => {});
    const session = await this.ensureSession();
    const namespaces = await session.readNamespaceArray();
    const machinery = namespaces.indexOf(MACHINERY_NS);
    if (machinery < 0) throw new Error(`the server has no Machinery namespace (${MACHINERY_NS})`);
    const remote = await children(session, `ns=${machinery};i=${MACHINES_FOLDER_ID}`, NodeClassMask.Object);

    const items: { nodeId: string; machine: string; channel: string }[] = [];
    for (const feed of this.feeds) {
      const where = `${this.endpoint} Machines/${feed.remoteName}`;
      const machine = remote.find((r) => r.browseName.name === feed.remoteName);
      if (!machine) {
        this.reject(`no machine "${feed.remoteName}" under Machines on ${this.endpoint} (there: ${remote.map((r) => r.browseName.name).join(', ') || 'none'}); ${feed.id} gets no telemetry`);
        continue;
      }
      const monitoring = (await children(session, machine.nodeId.toString(), NodeClassMask.Object)).find((r) => r.browseName.name === MONITORING);
      if (!monitoring) {
        this.reject(`${where} has no ${MONITORING} object; ${feed.id} gets no telemetry`);
        continue;
      }
      const channels = this.o.channelsOf(feed.id);
      for (const v of await children(session, monitoring.nodeId.toString(), NodeClassMask.Variable)) {
        const name = v.browseName.name ?? '';
        if (channels && !channels.includes(name)) {
          this.reject(`${where}/${MONITORING}/${name} is not a channel of ${feed.id} (channels: ${channels.join(', ') || 'none'}); not subscribed`);
          continue;
        }
        items.push({ nodeId: v.nodeId.toString(), machine: feed.id, channel: name });
      }
    }
    this.told = false;
    this.lastFailure = undefined;
    if (items.length === 0) return;

    const subscription = await session.createSubscription2({ requestedPublishingInterval: 100, requestedLifetimeCount: 600, requestedMaxKeepAliveCount: 20, maxNotificationsPerPublish: 0, publishingEnabled: true, priority: 1 });
    this.o.stats.subscriptions++;
    if (gen !== this.generation || this.closed) {
      await subscription.terminate().catch(() => {});
      return;
    }
    this.subscription = subscription;
    subscription.on('terminated', () => {
      if (this.subscription === subscription && !this.closed) this.rebuild();
    });
    const group = await subscription.monitorItems(
      items.map((i) => ({ nodeId: i.nodeId, attributeId: AttributeIds.Value })),
      // Every write is a reading, even one equal to the last: trigger on the source timestamp too.
      { samplingInterval: 0, queueSize: 100, discardOldest: true, filter: new DataChangeFilter({ trigger: DataChangeTrigger.StatusValueTimestamp }) },
      TimestampsToReturn.Both,
    );
    group.on('changed', (_item, dv: DataValue, index: number) => {
      try {
        if (gen === this.generation && !this.closed) this.onValue(items[index], dv);
      } catch (e) {
        this.reject(`value of ${items[index]?.channel} could not be read: ${message(e)}`);
      }
    });
  }

  private async ensureSession(): Promise<ClientSession> {
    if (this.session && !this.session.isReconnecting && this.session.sessionId) return this.session;
    const client = this.client!;
    const session = await client.createSession();
    this.o.stats.sessions++;
    this.session = session;
    session.on('session_closed', () => {
      if (this.session !== session || this.closed) return;
      this.session = undefined;
      this.rebuild();
    });
    return session;
  }

  private onValue(item: { machine: string; channel: string }, dv: DataValue): void {
    const reading = readingOf(item.channel, dv);
    if (!reading) return;
    if (!reading.ok) return this.reject(`${item.machine}: ${reading.reason}; dropped`);
    const at = dv.sourceTimestamp?.getTime() ?? dv.serverTimestamp?.getTime() ?? 0;
    const byTime = this.pending.get(item.machine) ?? new Map<number, Record<string, number>>();
    this.pending.set(item.machine, byTime);
    byTime.set(at, { ...(byTime.get(at) ?? {}), [item.channel]: reading.value });
    if (!this.flushQueued) {
      this.flushQueued = true;
      // One publish response carries a sample's channels together: flush once it is all read.
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushQueued = false;
    const pending = this.pending;
    this.pending = new Map();
    if (this.closed) return;
    for (const [machine, byTime] of pending) {
      for (const at of [...byTime.keys()].sort((a, b) => a - b)) {
        const ack = this.o.ingest(machine, byTime.get(at)!);
        if (ack.ok) this.o.stats.samples++;
        else this.reject(`sample for ${machine} refused by the plant: ${ack.reason}`);
      }
    }
  }

  private reject(reason: string): void {
    this.o.stats.rejected++;
    this.o.onProblem(`opcua: ${reason}`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.generation++;
    clearTimeout(this.retryTimer);
    // A rebuild waiting on a dead connection is not waited for long: closing the client ends it.
    await Promise.race([this.chain.catch(() => {}), new Promise((r) => setTimeout(r, 2000).unref())]);
    const session = this.session;
    this.session = undefined;
    if (session) await session.close(true).catch(() => {});
    await this.client?.disconnect().catch(() => {});
  }
}

/** The forward hierarchical children of a node, of the given node classes. */
async function children(session: ClientSession, nodeId: string, mask: NodeClassMask): Promise<ReferenceDescription[]> {
  const result = await session.browse({ nodeId, browseDirection: BrowseDirection.Forward, referenceTypeId: 'HierarchicalReferences', includeSubtypes: true, nodeClassMask: mask, resultMask: 63 });
  if (!result.statusCode.isGood()) throw new Error(`browsing ${nodeId}: ${result.statusCode.name}`);
  return (result.references ?? []).filter((r) => r.nodeClass === NodeClass.Object || r.nodeClass === NodeClass.Variable);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message.split('\n')[0] : String(e);
}
