import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Aedes, type Client as AedesClient } from 'aedes';
import { BrokerAccess, type BrokerAccessOptions } from './access/broker-access.js';

export interface EmbeddedBrokerOptions {
  /** TCP port; 0 (the default) lets the system pick a free one. */
  port?: number;
  /** Interface to listen on; loopback by default, so nothing outside this machine can connect without `access`. */
  host?: string;
  /** Who may connect and what they may publish and receive: Mosquitto's password and ACL files (`access/`). */
  access?: BrokerAccessOptions;
}

/** Topic a refused publish is moved to: `$` topics match no wildcard and no ACL grants them, so nobody receives it. */
const REFUSED = '$refused';

/**
 * Enforces the access policy on aedes as Mosquitto does: a refused CONNECT
 * gets "not authorized" (return code 5); a publish outside the client's
 * write access is acknowledged and dropped (aedes would close the
 * connection on a refusal, and the client would reconnect and try again); a
 * subscription outside its read access is refused (SUBACK 0x80); every
 * delivery is checked for read access to the message's topic.
 */
function enforce(aedes: Aedes, access: BrokerAccess): void {
  const who = (client: AedesClient | null) => {
    const c = client as (AedesClient & { hyperfactoryUser?: string }) | null;
    return { clientId: c?.id ?? '', ...(c?.hyperfactoryUser !== undefined ? { username: c.hyperfactoryUser } : {}) };
  };
  aedes.authenticate = (client, username, password, done) => {
    const user = username === undefined || username === null || username === '' ? undefined : username;
    if (!access.authenticate(user, password ?? undefined)) {
      const err = Object.assign(new Error('not authorized'), { returnCode: 5 });
      done(err as never, false);
      return;
    }
    if (user !== undefined) (client as AedesClient & { hyperfactoryUser?: string }).hyperfactoryUser = user;
    done(null, true);
  };
  aedes.authorizePublish = (client, packet, done) => {
    // A will or a broker-side publish (no client) is the broker's own.
    if (client && (packet.topic.startsWith('$') || !access.canWrite(who(client), packet.topic))) {
      packet.topic = `${REFUSED}/${client.id}`;
      packet.retain = false;
    }
    done(null);
  };
  aedes.authorizeSubscribe = (client, sub, done) => done(null, access.canSubscribe(who(client), sub.topic) ? sub : null);
  aedes.authorizeForward = (client, packet) => (packet.topic.startsWith(REFUSED) || !access.canRead(who(client), packet.topic) ? null : packet);
}

/**
 * A real MQTT broker inside this process (aedes over a TCP listener), so a
 * run needs nothing installed: clients connect to it exactly as they would
 * to Mosquitto. It speaks MQTT 3.1.1 (aedes has no MQTT 5), which every
 * broker also accepts; `protocolVersion` tells clients what to ask for.
 */
export class EmbeddedBroker {
  readonly protocolVersion = 4 as const;
  private readonly sockets = new Set<Socket>();
  private stopped?: Promise<void>;

  private constructor(
    private readonly aedes: Aedes,
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
    private readonly access?: BrokerAccess,
  ) {
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(options: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
    const host = options.host ?? '127.0.0.1';
    const access = options.access ? new BrokerAccess(options.access) : undefined;
    const aedes = await Aedes.createBroker();
    if (access) enforce(aedes, access);
    // A client's protocol error is its problem: aedes drops that connection; the broker carries on.
    aedes.on('clientError', () => {});
    aedes.on('connectionError', () => {});
    const server = createServer(aedes.handle);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? 0, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      access?.close();
      const code = (e as NodeJS.ErrnoException).code;
      throw new Error(`the embedded MQTT broker cannot listen on ${host}:${options.port ?? 0} (${code ?? (e as Error).message})`);
    }
    return new EmbeddedBroker(aedes, server, host, (server.address() as AddressInfo).port, access);
  }

  /** Where clients connect: `mqtt://127.0.0.1:PORT`. */
  get url(): string {
    return `mqtt://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  /** Clients currently connected. */
  get clients(): number {
    return this.aedes.connectedClients;
  }

  /** Disconnects every client and closes the listener; safe to call twice. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
      for (const s of this.sockets) s.destroy();
      await new Promise<void>((resolve) => this.server.close(() => resolve()));
      this.access?.close();
    })();
    return this.stopped;
  }
}
