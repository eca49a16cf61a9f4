import { createServer } from 'node:net';
import { setErrorLogger, setWarningLogger } from 'node-opcua';

/** node-opcua logs warnings (node version, endpoint matching) to the console; tests keep only their own output. */
export function quietOpcua(): void {
  setWarningLogger(() => {});
  setErrorLogger(() => {});
}

/** A TCP port free on loopback a moment ago (node-opcua cannot listen on port 0 and report it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts something on a free port, trying another if a race took the port meanwhile. */
export async function onFreePort<T>(start: (port: number) => Promise<T>): Promise<T> {
  let last: unknown;
  for (let i = 0; i < 5; i++) {
    try {
      return await start(await freePort());
    } catch (e) {
      last = e;
      if (!/in use/.test((e as Error).message)) throw e;
    }
  }
  throw last;
}
