import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, TLSSocket, type Server as TlsServer } from 'node:tls';
import { Aedes, type Client as AedesClient } from 'aedes';
import { BrokerAccess, type BrokerAccessOptions } from './access/broker-access.js';
import type { ServerTls } from '../access/server-tls.js';

export interface EmbeddedBrokerOptions {
  /** TCP port; 0 (the default) lets the system pick a free one. */
  port?: number;
  /** Interface to listen on; loopback by default, so nothing outside this machine can connect without `access`. */
  host?: string;
  /** Who may connect and what they may publish and receive: Mosquitto's password and ACL files (`access/`). */
  access?: BrokerAccessOptions;
  /**
   * Listen with TLS (`mqtts://`), as a Mosquitto listener's `certfile`,
   * `keyfile`, `cafile` and `crlfile`: with a CA, clients must present a
   * certificate it signed (`require_certificate true`) and are known by its
   * common name (`use_identity_as_username true`: the password file is not
   * consulted for them; the ACL applies to that name). Renewed files apply
   * without a restart; a client the new CRL revokes is disconnected.
   */
  tls?: ServerTls;
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
    const certified = certificateName(client);
    if (certified !== undefined) {
      (client as AedesClient & { hyperfactoryUser?: string }).hyperfactoryUser = certified;
      done(null, true);
      return;
    }
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

/** The common name of a client's verified certificate (the TLS handshake has checked it against the CA), if any. */
function certificateName(client: AedesClient): string | undefined {
  const socket = (client as AedesClient & { conn?: unknown }).conn;
  if (!(socket instanceof TLSSocket) || !socket.authorized) return undefined;
  const cn = socket.getPeerCertificate().subject?.CN;
  const name = Array.isArray(cn) ? cn[0] : cn;
  return typeof name === 'string' && name !== '' ? name : undefined;
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
  private readonly unserve: (() => void) | undefined;

  private constructor(
    private readonly aedes: Aedes,
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
    private readonly access: BrokerAccess | undefined,
    private readonly serverTls: { files: ServerTls; server: TlsServer } | undefined,
  ) {
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    if (serverTls) {
      const secure = new Set<TLSSocket>();
      serverTls.server.on('secureConnection', (socket) => {
        secure.add(socket);
        socket.on('close', () => secure.delete(socket));
      });
      // A revocation ends the sessions of certificates it lists, not only their next handshake (Mosquitto waits for that).
      this.unserve = serverTls.files.serve(serverTls.server, (revokes) => {
        for (const s of secure) {
          const serial = s.getPeerX509Certificate()?.serialNumber;
          if (serial !== undefined && revokes(serial)) s.destroy();
        }
      });
    }
  }

  /** Whether clients connect over TLS (`mqtts://`). */
  get tls(): boolean {
    return this.serverTls !== undefined;
  }

  static async start(options: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
    const host = options.host ?? '127.0.0.1';
    // Client certificates name users for the ACL, so they need the policy even without access files (which grants all).
    const access = options.access || options.tls?.requiresClientCertificates ? new BrokerAccess(options.access ?? {}) : undefined;
    const aedes = await Aedes.createBroker();
    if (access) enforce(aedes, access);
    // A client's protocol error is its problem: aedes drops that connection; the broker carries on.
    aedes.on('clientError', () => {});
    aedes.on('connectionError', () => {});
    const tls = options.tls;
    const tlsServer = tls ? createTlsServer(tls.serverOptions, aedes.handle) : undefined;
    const server = tlsServer ?? createServer(aedes.handle);
    // A failed handshake (no certificate, an unknown CA, plain MQTT on the TLS port) is that client's problem.
    server.on('tlsClientError', () => {});
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
    return new EmbeddedBroker(aedes, server, host, (server.address() as AddressInfo).port, access, tls && tlsServer ? { files: tls, server: tlsServer } : undefined);
  }

  /** Where clients connect: `mqtt://127.0.0.1:PORT` (`mqtts://` with TLS); a broker on every interface is reached on loopback. */
  get url(): string {
    const host = this.host === '0.0.0.0' ? '127.0.0.1' : this.host === '::' ? '::1' : this.host;
    return `${this.tls ? 'mqtts' : 'mqtt'}://${host.includes(':') ? `[${host}]` : host}:${this.port}`;
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
      this.unserve?.();
    })();
    return this.stopped;
  }
}
