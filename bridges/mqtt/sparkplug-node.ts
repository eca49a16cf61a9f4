import { get as getSparkplug } from 'sparkplug-payload';
import { oneLine } from '../../agents/protocol/one-line.js';
import type { LogRecord } from '../../sim/log/event-log.js';
import type { LiveSource } from './plant-bridge.js';
import { MqttPort } from './mqtt-port.js';

/**
 * The live plant as a Sparkplug B edge node (Eclipse Sparkplug 3.0), for
 * SCADA hosts: the plant is the edge node, each machine a device. Payloads
 * are encoded by npm `sparkplug-payload` (Cirrus Link's protobuf codec).
 *
 * - NBIRTH on connect (seq 0, `bdSeq`, the `Node Control/Rebirth` metric);
 *   NDEATH with the same `bdSeq` is the connection's MQTT will, and is sent
 *   on a clean close too. After a lost connection the client reconnects by
 *   itself: a new session, so `bdSeq` + 1, a new will and a new birth.
 * - A device's DBIRTH (all its metrics) before its first DDATA; DDATA for
 *   every telemetry sample. `seq` counts every node message 0…255 and wraps.
 * - A host's rebirth request (NCMD with `Node Control/Rebirth` = true) gets
 *   a new NBIRTH (seq 0) and every DBIRTH again. An NCMD that does not decode
 *   is counted and ignored.
 */
const sparkplug = getSparkplug('spBv1.0')!;
type Metric = { name: string; type: 'Double' | 'Boolean' | 'UInt64'; value: number | boolean; timestamp?: number };

export const SPARKPLUG_NAMESPACE = 'spBv1.0';
export const REBIRTH_METRIC = 'Node Control/Rebirth';

export interface SparkplugStats {
  births: number;
  data: number;
  rebirths: number;
  /** NCMD messages that did not decode or asked for nothing this node does. */
  rejectedCommands: number;
}

export const sparkplugTopic = (group: string, type: 'NBIRTH' | 'NDEATH' | 'DBIRTH' | 'DDATA' | 'NCMD', node: string, device?: string) =>
  `${SPARKPLUG_NAMESPACE}/${group}/${type}/${node}${device ? `/${device}` : ''}`;

export class SparkplugNode {
  readonly stats: SparkplugStats = { births: 0, data: 0, rebirths: 0, rejectedCommands: 0 };
  private seq = 0;
  /** Each device's latest metrics: what a (re)birth certificate carries. */
  private readonly devices = new Map<string, Metric[]>();
  private closed = false;

  private constructor(
    private readonly port: MqttPort,
    private readonly group: string,
    private readonly node: string,
    private bdSeq: number,
    private readonly onProblem: (line: string) => void,
  ) {}

  /** Connects with NDEATH as the will, sends NBIRTH, and follows the plant's telemetry. */
  static async start(source: LiveSource, o: { url: string; group: string; node: string; bdSeq?: number; onProblem?: (line: string) => void }): Promise<SparkplugNode> {
    const bdSeq = o.bdSeq ?? 0;
    const port = await MqttPort.connect({
      url: o.url,
      clientId: `hyperfactory-${o.node}-sparkplug`,
      will: { topic: sparkplugTopic(o.group, 'NDEATH', o.node), payload: deathPayload(bdSeq) },
      onError: (e) => o.onProblem?.(`sparkplug: ${e.message}`),
    });
    const node = new SparkplugNode(port, o.group, o.node, bdSeq, o.onProblem ?? (() => {}));
    await port.subscribe(sparkplugTopic(o.group, 'NCMD', o.node), (_topic, bytes) => node.onCommand(bytes));
    await node.birth();
    // A new session is a new birth: bdSeq goes up, and the next session's will carries it.
    port.onReconnect(
      () => void node.birth(),
      () => {
        node.bdSeq = (node.bdSeq + 1) % 256;
        port.setWill({ topic: sparkplugTopic(o.group, 'NDEATH', o.node), payload: deathPayload(node.bdSeq) });
      },
    );
    source.onRecord((r) => node.onRecord(r));
    return node;
  }

  /** NBIRTH and every known device's DBIRTH, numbered in one go so no DDATA slips in between. */
  private async birth(): Promise<void> {
    this.seq = 0;
    const sent = [
      this.publish('NBIRTH', undefined, [
        { name: 'bdSeq', type: 'UInt64', value: this.bdSeq },
        { name: REBIRTH_METRIC, type: 'Boolean', value: false },
      ]),
    ];
    for (const [device, metrics] of this.devices) sent.push(this.publish('DBIRTH', device, metrics));
    await Promise.all(sent);
  }

  private onRecord(r: LogRecord): void {
    if (this.closed || r.type !== 'telemetry.sample') return;
    const p = r.payload as { machine?: unknown; signals?: unknown };
    if (typeof p.machine !== 'string' || !p.signals || typeof p.signals !== 'object') return;
    const metrics: Metric[] = Object.entries(p.signals as Record<string, number>).map(([name, value]) => ({ name, type: 'Double', value }));
    const known = this.devices.has(p.machine);
    this.devices.set(p.machine, metrics);
    void this.publish(known ? 'DDATA' : 'DBIRTH', p.machine, metrics);
  }

  private onCommand(bytes: Uint8Array): void {
    const command = readNodeCommand(bytes);
    if (command.rebirth) {
      this.stats.rebirths++;
      void this.birth();
      return;
    }
    this.stats.rejectedCommands++;
    this.onProblem(`sparkplug: ${command.problem}`);
  }

  private async publish(type: 'NBIRTH' | 'DBIRTH' | 'DDATA' | 'NDEATH', device: string | undefined, metrics: Metric[]): Promise<void> {
    const payload = sparkplug.encodePayload({ timestamp: Date.now(), metrics, ...(type === 'NDEATH' ? {} : { seq: this.nextSeq() }) });
    if (type === 'DDATA') this.stats.data++;
    else if (type !== 'NDEATH') this.stats.births++;
    try {
      await this.port.publish(sparkplugTopic(this.group, type, this.node, device), payload);
    } catch (e) {
      this.onProblem(`sparkplug: ${type} failed: ${(e as Error).message}`);
    }
  }

  private nextSeq(): number {
    const s = this.seq;
    this.seq = (this.seq + 1) % 256;
    return s;
  }

  /** Cuts the node's connection as a network failure would (fault injection): the will, then a reconnect and a new birth. */
  dropConnection(): void {
    this.port.dropConnection();
  }

  /** Sends NDEATH (the host must not wait for the will) and disconnects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.port.publish(sparkplugTopic(this.group, 'NDEATH', this.node), deathPayload(this.bdSeq)).catch(() => {});
    await this.port.close();
  }
}

/**
 * What an NCMD payload asks of this node: a rebirth, or why it is refused
 * (it does not decode, or names nothing this node does). Never throws: the
 * bytes come from any client of the broker.
 */
export function readNodeCommand(bytes: Uint8Array): { rebirth: true } | { rebirth: false; problem: string } {
  let metrics: { name?: string | null; value?: unknown }[];
  try {
    metrics = sparkplug.decodePayload(bytes).metrics ?? [];
  } catch (e) {
    return { rebirth: false, problem: `NCMD does not decode: ${oneLine(e instanceof Error ? e.message : String(e))}` };
  }
  if (metrics.some((m) => m.name === REBIRTH_METRIC && m.value === true)) return { rebirth: true };
  // The names are the sender's: quoted (a line break in one must not forge a
  // log line) and only the first few (a command may name thousands).
  const shown = metrics.slice(0, 10).map((m) => oneLine(JSON.stringify(m.name ?? null).slice(0, 80)));
  const more = metrics.length > shown.length ? `, … ${metrics.length - shown.length} more` : '';
  return { rebirth: false, problem: `NCMD with nothing this node does (metrics: ${shown.join(', ') || 'none'}${more})` };
}

function deathPayload(bdSeq: number): Uint8Array {
  return sparkplug.encodePayload({ timestamp: Date.now(), metrics: [{ name: 'bdSeq', type: 'UInt64', value: bdSeq }] });
}
