import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy between a client and a server (an agent host and its
 * broker), to cut the link as a network failure would: `cut()` destroys every
 * connection at once, both sides, without a goodbye (the broker publishes the
 * client's will) and refuses new ones (accepted, then destroyed at once),
 * until `restore()`.
 */
export interface TcpProxy {
  /** The port clients connect to, on 127.0.0.1. */
  port: number;
  /** How many connections it has passed through (refused ones not counted). */
  readonly accepted: number;
  /** How many it refused while cut. */
  readonly refused: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host?: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let isCut = false;
  let accepted = 0;
  let refused = 0;
  const server: Server = createServer((client) => {
    if (isCut) {
      refused++;
      client.destroy();
      return;
    }
    accepted++;
    const upstream = createConnection({ host: target.host ?? '127.0.0.1', port: target.port });
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('tcp proxy: no port');
  return {
    port: address.port,
    get accepted() {
      return accepted;
    },
    get refused() {
      return refused;
    },
    cut() {
      isCut = true;
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      pairs.clear();
    },
    restore() {
      isCut = false;
    },
    close: async () => {
      isCut = true;
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      pairs.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
