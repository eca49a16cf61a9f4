import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { FederationPort, MessageHandler } from '../../agents/ports/federation-port.js';
import { filterProblem, topicMatches, topicProblem } from './topic-filter.js';

export interface MqttPortOptions {
  /** The broker: `mqtt://host:port` (or `mqtts://`, `ws://`). */
  url: string;
  /** Unique per connection: a broker drops the older of two clients with the same id. */
  clientId: string;
  /**
   * 4 = MQTT 3.1.1 (what the embedded broker speaks), 5 = MQTT 5 (Mosquitto,
   * EMQX, HiveMQ); `auto` (the default) asks for 5 and falls back to 3.1.1
   * when the broker refuses the protocol version.
   */
  protocolVersion?: 4 | 5 | 'auto';
  /**
   * Seconds of silence before the client pings; the broker drops a client
   * silent for 1.5× this. Long CPU-bound work in the same thread (training)
   * keeps the client from pinging, so callers that do it raise this.
   */
  keepalive?: number;
  /** Giving up on the first connection after this many milliseconds (default 10 s). */
  connectTimeoutMs?: number;
  /** A handler threw, or the connection reported an error after it was up: told here, never thrown into the client. */
  onError?: (error: Error) => void;
  /**
   * Keep the session across lost connections for this many seconds: the
   * broker holds the client's subscriptions and queues QoS 1 messages for it
   * while it is away, and delivers them when it is back (same client id).
   * Without it every connection starts clean.
   */
  sessionExpirySeconds?: number;
  /** The broker publishes this if the connection dies without a goodbye (MQTT's last will), e.g. a retained "offline". */
  will?: { topic: string; payload: string | Uint8Array; retain?: boolean };
  /** Credentials the broker checks (a Mosquitto password_file, or the embedded broker's `access`). */
  credentials?: MqttCredentials;
}

/** How a client proves who it is to the broker: a username and password, and for `mqtts://` the TLS material (PEM). */
export interface MqttCredentials {
  username?: string;
  password?: string;
  /** CA certificate(s) to trust instead of the system's (a site's own CA). */
  ca?: string | Buffer;
  /** Client certificate and key, for brokers that require them (`require_certificate`). */
  cert?: string | Buffer;
  key?: string | Buffer;
  /**
   * Reads the TLS material again (its files): called before every reconnection, so a certificate renewed on disk
   * (short-lived certificates, or one the CA revoked and re-issued) is what the next handshake shows. A throw keeps
   * the material in use, reported.
   */
  reread?: () => Pick<MqttCredentials, 'ca' | 'cert' | 'key'>;
}

let processCredentials: MqttCredentials | undefined;

/**
 * This process's own identity on the site's broker (a plant, an agent host,
 * a federation site: each has its own user in the broker's password file and
 * its own grants in its ACL). Every connection of the process presents it
 * unless the connection names its own `credentials`; the command line sets it
 * once (`--mqtt-user`, `HYPERFACTORY_MQTT_PASSWORD`, `--mqtt-ca`…).
 */
export function setProcessCredentials(credentials: MqttCredentials | undefined): void {
  processCredentials = credentials;
}

/** The broker could not be reached or refused the connection. */
export class MqttConnectError extends Error {
  override name = 'MqttConnectError';
}

/**
 * The FederationPort over an MQTT client (mqtt.js v5): QoS 1 both ways, so
 * a message is delivered at least once while the connection lives; a lost
 * connection is re-established and its subscriptions renewed by the client.
 *
 * One client holds several subscriptions but receives one stream of
 * messages. With overlapping filters a broker may send a message once per
 * matching subscription (Mosquitto does), so under MQTT 5 each filter gets a
 * subscription identifier and a copy goes only to the handlers of the
 * filters it names: every handler sees a message once. MQTT 3.1.1 has no
 * identifiers; a copy goes to every matching handler, and overlapping
 * filters on one connection may see a message twice (QoS 1 allows
 * duplicates anyway; the protocols on top must tolerate them).
 */
export class MqttPort implements FederationPort {
  private readonly filters = new Map<string, { id: number; handlers: MessageHandler[]; ready: Promise<void> }>();
  private nextId = 1;
  private closed = false;

  private constructor(
    private readonly client: MqttClient,
    private readonly onError: (error: Error) => void,
  ) {
    client.on('message', (topic, payload, packet) => {
      const ids = packet.properties?.subscriptionIdentifier;
      const named = ids === undefined ? undefined : new Set(Array.isArray(ids) ? ids : [ids]);
      const handlers = new Set<MessageHandler>();
      for (const [filter, sub] of this.filters) {
        if (named ? named.has(sub.id) : topicMatches(filter, topic)) for (const h of sub.handlers) handlers.add(h);
      }
      for (const h of handlers) {
        try {
          h(topic, payload);
        } catch (e) {
          this.onError(e instanceof Error ? e : new Error(String(e)));
        }
      }
    });
    client.on('error', (e) => this.onError(e));
  }

  /** Connects, or fails with one line naming the broker and why. */
  static async connect(o: MqttPortOptions): Promise<MqttPort> {
    const version = o.protocolVersion ?? 'auto';
    if (version !== 'auto') return MqttPort.connectWith(o, version);
    try {
      return await MqttPort.connectWith(o, 5);
    } catch (e) {
      // MQTT 5's CONNACK reason 0x84, or 3.1.1's return code 1, both read "Unsupported/Unacceptable protocol version".
      if (e instanceof MqttConnectError && /protocol version/i.test(e.message)) return MqttPort.connectWith(o, 4);
      throw e;
    }
  }

  private static async connectWith(o: MqttPortOptions, protocolVersion: 4 | 5): Promise<MqttPort> {
    const credentials = o.credentials ?? processCredentials;
    const options: IClientOptions = {
      clientId: o.clientId,
      protocolVersion,
      keepalive: o.keepalive ?? 60,
      clean: !o.sessionExpirySeconds,
      ...(o.sessionExpirySeconds && protocolVersion === 5 ? { properties: { sessionExpiryInterval: o.sessionExpirySeconds } } : {}),
      connectTimeout: o.connectTimeoutMs ?? 10_000,
      reconnectPeriod: 1000,
      ...(credentials?.username !== undefined ? { username: credentials.username } : {}),
      ...(credentials?.password !== undefined ? { password: credentials.password } : {}),
      ...(credentials?.ca !== undefined ? { ca: credentials.ca } : {}),
      ...(credentials?.cert !== undefined ? { cert: credentials.cert } : {}),
      ...(credentials?.key !== undefined ? { key: credentials.key } : {}),
      ...(o.will ? { will: { topic: o.will.topic, payload: typeof o.will.payload === 'string' ? Buffer.from(o.will.payload) : Buffer.from(o.will.payload), qos: 1 as const, retain: o.will.retain ?? false } } : {}),
    };
    let client: MqttClient;
    try {
      client = connect(o.url, options);
    } catch (e) {
      throw new MqttConnectError(`cannot connect to the MQTT broker ${o.url}: ${(e as Error).message}`);
    }
    await new Promise<void>((resolve, reject) => {
      const fail = (why: string) => {
        cleanup();
        client.on('error', () => {}); // late errors of an abandoned client
        client.end(true);
        reject(new MqttConnectError(`cannot connect to the MQTT broker ${o.url}: ${why}`));
      };
      const onConnect = () => {
        cleanup();
        resolve();
      };
      const onError = (e: Error) => fail(e.message || (e as NodeJS.ErrnoException).code || String(e));
      const onClose = () => fail('the connection closed before the broker accepted it');
      const timer = setTimeout(() => fail(`no answer within ${options.connectTimeout} ms`), options.connectTimeout);
      const cleanup = () => {
        clearTimeout(timer);
        client.off('connect', onConnect);
        client.off('error', onError);
        client.off('close', onClose);
      };
      client.on('connect', onConnect);
      client.on('error', onError);
      client.on('close', onClose);
    });
    const onError = o.onError ?? ((e: Error) => process.stderr.write(`mqtt ${o.clientId}: ${e.message}\n`));
    const reread = credentials?.reread;
    if (reread) {
      // mqtt.js emits 'reconnect' just before it builds the next connection from `client.options`.
      client.on('reconnect', () => {
        try {
          Object.assign(client.options, reread());
        } catch (e) {
          onError(new Error(`the client certificate files cannot be read again (${(e as Error).message}); the previous ones are used`));
        }
      });
    }
    return new MqttPort(client, onError);
  }

  /** Publishes at QoS 1; `retain` keeps it on the broker as the topic's last value for late subscribers. */
  async publish(topic: string, payload: Uint8Array, options: { retain?: boolean } = {}): Promise<void> {
    if (this.closed) throw new Error(`publish to ${topic}: the MQTT connection is closed`);
    const problem = topicProblem(topic);
    if (problem) throw new RangeError(`publish: ${problem}`);
    await this.client.publishAsync(topic, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), { qos: 1, retain: options.retain ?? false });
  }

  async subscribe(filter: string, handler: MessageHandler): Promise<() => Promise<void>> {
    if (this.closed) throw new Error(`subscribe to ${filter}: the MQTT connection is closed`);
    const problem = filterProblem(filter);
    if (problem) throw new RangeError(`subscribe: ${problem}`);
    let sub = this.filters.get(filter);
    if (sub) sub.handlers.push(handler);
    else {
      const id = this.nextId++;
      const v5 = this.client.options.protocolVersion === 5;
      // Routed before the broker confirms, so nothing sent right after the confirmation is missed.
      const created: { id: number; handlers: MessageHandler[]; ready: Promise<void> } = { id, handlers: [handler], ready: Promise.resolve() };
      created.ready = this.client.subscribeAsync(filter, v5 ? { qos: 1, properties: { subscriptionIdentifier: id } } : { qos: 1 }).then(
        (grants) => {
          // 0x80 (MQTT 3.1.1) or an MQTT 5 reason code ≥ 0x80 (0x87: not authorized).
          if (grants.some((g) => g.qos >= 128)) throw new Error(`the broker refused the subscription to ${filter}`);
        },
        // mqtt.js rejects some refusals itself ("Subscribe error: Unspecified error" for a 3.1.1 SUBACK 0x80).
        (e: Error) => {
          throw new Error(`the broker refused the subscription to ${filter} (${e.message})`);
        },
      );
      this.filters.set(filter, (sub = created));
    }
    try {
      await sub.ready;
    } catch (e) {
      this.filters.delete(filter);
      throw e;
    }
    const owner = sub;
    return async () => {
      const i = owner.handlers.indexOf(handler);
      if (i < 0) return;
      owner.handlers.splice(i, 1);
      if (owner.handlers.length > 0 || this.filters.get(filter) !== owner) return;
      this.filters.delete(filter);
      if (!this.closed) await this.client.unsubscribeAsync(filter);
    };
  }

  /**
   * Calls `listener` each time the client is connected again after losing
   * the connection (not for the first connection); `beforeReconnect` runs when
   * the connection is lost, before the client tries again, so a new will can
   * be set for the next session.
   */
  onReconnect(listener: () => void, beforeReconnect?: () => void): void {
    this.client.on('close', () => {
      if (!this.closed) beforeReconnect?.();
    });
    this.client.on('connect', () => {
      if (!this.closed) listener();
    });
  }

  /** Replaces the will the next connection registers (the current session keeps its own). */
  setWill(will: { topic: string; payload: string | Uint8Array; retain?: boolean }): void {
    this.client.options.will = { topic: will.topic, payload: Buffer.from(will.payload), qos: 1, retain: will.retain ?? false };
  }

  /**
   * Cuts the TCP connection without saying goodbye, as a network failure
   * would: the broker publishes the will and the client reconnects by itself
   * (fault injection and tests).
   */
  dropConnection(): void {
    this.client.stream.destroy();
  }

  /** Sends what is in flight, then disconnects; safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.filters.clear();
    await this.client.endAsync();
  }
}
