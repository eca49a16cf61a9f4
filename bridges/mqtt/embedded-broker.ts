import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';

export interface EmbeddedBrokerOptions {
  /** TCP port; 0 (the default) lets the system pick a free one. */
  port?: number;
  /** Interface to listen on; loopback by default, so nothing outside this machine can connect (there is no authentication). */
  host?: string;
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
  ) {
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(options: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
    const host = options.host ?? '127.0.0.1';
    const aedes = await Aedes.createBroker();
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
      const code = (e as NodeJS.ErrnoException).code;
      throw new Error(`the embedded MQTT broker cannot listen on ${host}:${options.port ?? 0} (${code ?? (e as Error).message})`);
    }
    return new EmbeddedBroker(aedes, server, host, (server.address() as AddressInfo).port);
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
    })();
    return this.stopped;
  }
}
