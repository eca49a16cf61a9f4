import type { Ack, Control } from '../viewer/protocol.js';
import type { LogListener, LogRecord } from '../../sim/log/event-log.js';
import { MqttPort } from './mqtt-port.js';
import { AccessFileError } from './access/password-file.js';
import { EmbeddedBroker, type EmbeddedBrokerOptions } from './embedded-broker.js';
import { parseCommandMessage, plantTopics } from './plant-topics.js';
import { oneLine } from '../../agents/protocol/one-line.js';

/** What the bridge needs of a live plant: its event log as it is written, and its controls. */
export interface LiveSource {
  onRecord(listener: LogListener): void;
  control(c: Control): Promise<Ack<unknown>>;
}

export interface PlantBridgeStats {
  published: number;
  commandsAccepted: number;
  /** Commands refused: malformed, oversized, or refused by the plant. */
  commandsRejected: number;
  publishErrors: number;
}

const WORK_ORDER_TYPES = new Set(['maintenance.requested', 'repair.requested', 'maintenance.completed', 'repair.completed']);
const encoder = new TextEncoder();

/**
 * The live plant on MQTT (topic layout v1, `plant-topics.ts`): telemetry,
 * predictions, alerts, work orders and agents' states out, at QoS 1;
 * operator commands in, each answered with its outcome. A bad command is
 * answered with the reason and counted; nothing else is affected. The
 * bridge only reads the event log and uses the plant's controls, so a run
 * with the bridge writes the same log as one without.
 */
export class PlantBridge {
  readonly stats: PlantBridgeStats = { published: 0, commandsAccepted: 0, commandsRejected: 0, publishErrors: 0 };
  private readonly topics;
  private closed = false;
  private unsubscribe: (() => Promise<void>) | undefined;

  private constructor(
    private readonly port: MqttPort,
    plant: string,
    private readonly onProblem: (line: string) => void,
  ) {
    this.topics = plantTopics(plant);
  }

  /**
   * Starts bridging: `port` should have been connected with the will
   * `{topic: plantTopics(plant).status, payload: 'offline', retain: true}`.
   */
  static async open(source: LiveSource, port: MqttPort, plant: string, o: { commands: boolean; onProblem?: (line: string) => void }): Promise<PlantBridge> {
    const bridge = new PlantBridge(port, plant, o.onProblem ?? (() => {}));
    bridge.unsubscribe = await port.subscribe(bridge.topics.commands, (_topic, bytes) => void bridge.onCommand(source, bytes, o.commands));
    await port.publish(bridge.topics.status, encoder.encode('online'), { retain: true });
    // The will said offline while the connection was down; back online once it is up again.
    port.onReconnect(() => void port.publish(bridge.topics.status, encoder.encode('online'), { retain: true }).catch(() => {}));
    source.onRecord((record) => bridge.onRecord(record));
    return bridge;
  }

  private onRecord(r: LogRecord): void {
    if (this.closed) return;
    const p = (r.payload ?? {}) as Record<string, unknown>;
    const machine = typeof p.machine === 'string' ? p.machine : undefined;
    if (r.type === 'telemetry.sample' && machine) this.send(this.topics.telemetry(machine), { t: r.t, signals: p.signals });
    else if (r.type === 'maintenance.prediction' && machine) this.send(this.topics.prediction(machine), { t: r.t, ...p });
    else if (r.type === 'maintenance.alert') this.send(this.topics.alerts, { t: r.t, ...p });
    else if (WORK_ORDER_TYPES.has(r.type)) this.send(this.topics.workOrders, { t: r.t, type: r.type, ...p });
    // Negotiations (ids with a slash) are conversations, not agents an outsider follows.
    else if (r.type === 'state' && typeof r.agent === 'string' && !r.agent.includes('/')) this.send(this.topics.state(r.agent), { t: r.t, state: r.state }, true);
  }

  private send(topic: string, body: unknown, retain = false): void {
    this.stats.published++;
    this.port.publish(topic, encoder.encode(JSON.stringify(body)), { retain }).catch((e: unknown) => {
      this.stats.publishErrors++;
      this.onProblem(`mqtt: publish to ${topic} failed: ${(e as Error).message}`);
    });
  }

  private async onCommand(source: LiveSource, bytes: Uint8Array, allowed: boolean): Promise<void> {
    const parsed = parseCommandMessage(bytes);
    // A read-only plant answers every command with a refusal (no operator), so a sender is not left waiting.
    const sender = parsed.ok ? parsed.message.id : parsed.id;
    if (!allowed) return this.answer({ ...(sender ? { id: sender } : {}), ok: false, reason: 'this plant is read-only: no commands' });
    if (!parsed.ok) return this.answer({ id: parsed.id, ok: false, reason: parsed.reason });
    const { id, text, command } = parsed.message;
    let ack: Ack<unknown>;
    try {
      ack = await source.control(text !== undefined ? { action: 'command', text } : ({ action: 'command', command } as Control));
    } catch (e) {
      ack = { ok: false, reason: (e as Error).message.split('\n')[0] };
    }
    this.answer(ack.ok ? { id, ok: true } : { id, ok: false, reason: ack.reason });
  }

  private answer(result: { id?: string; ok: boolean; reason?: string }): void {
    if (result.ok) this.stats.commandsAccepted++;
    else {
      this.stats.commandsRejected++;
      // The id is the sender's text: quoted on one line, so an id with a line break cannot forge a log line.
      this.onProblem(`mqtt: command${result.id ? ` "${oneLine(result.id)}"` : ''} refused: ${result.reason}`);
    }
    if (!this.closed) this.send(this.topics.commandResults, result);
  }

  /** Cuts the bridge's connection as a network failure would (fault injection): the will, then a reconnect. */
  dropConnection(): void {
    this.port.dropConnection();
  }

  /** Says `offline` (retained) and stops publishing; the connection is the caller's to close. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.unsubscribe?.();
    await this.port.publish(this.topics.status, encoder.encode('offline'), { retain: true });
    this.closed = true;
  }
}

/**
 * The plant's embedded broker: on `port` (default 1883), or on a free port
 * when that one is taken (another broker, another plant).
 */
export async function startEmbeddedBroker(port = 1883, settings: Omit<EmbeddedBrokerOptions, 'port'> = {}): Promise<EmbeddedBroker> {
  try {
    return await EmbeddedBroker.start({ ...settings, port });
  } catch (e) {
    if (e instanceof AccessFileError) throw e;
    return await EmbeddedBroker.start({ ...settings, port: 0 });
  }
}

/**
 * The plant's MQTT side for `serve`: connects to `url`, or starts the
 * embedded broker (on `embeddedPort`, or a free port when that one is
 * taken), and opens the bridge with the will that marks it offline.
 */
export async function startPlantMqtt(
  source: LiveSource,
  o: { plant: string; url?: string; embeddedPort?: number; commands: boolean; onProblem?: (line: string) => void },
): Promise<{ url: string; embedded: boolean; bridge: PlantBridge; port: MqttPort; close(): Promise<void> }> {
  const broker = o.url ? undefined : await startEmbeddedBroker(o.embeddedPort);
  const url = o.url ?? broker!.url;
  const status = plantTopics(o.plant).status;
  try {
    const port = await MqttPort.connect({
      url,
      clientId: `hyperfactory-${o.plant}-bridge`,
      // Commands sent while the connection is down wait at the broker for a minute.
      sessionExpirySeconds: 60,
      will: { topic: status, payload: 'offline', retain: true },
      onError: (e) => o.onProblem?.(`mqtt: ${e.message}`),
    });
    const bridge = await PlantBridge.open(source, port, o.plant, o);
    return {
      url,
      embedded: broker !== undefined,
      bridge,
      port,
      close: async () => {
        await bridge.close().catch(() => {});
        await port.close();
        await broker?.stop();
      },
    };
  } catch (e) {
    await broker?.stop();
    throw e;
  }
}
