import { setErrorLogger, setWarningLogger } from 'node-opcua';
import { freePort } from './free-port.js';
export { freePort } from './free-port.js';

/** node-opcua logs warnings (node version, endpoint matching) to the console; tests keep only their own output. */
export function quietOpcua(): void {
  setWarningLogger(() => {});
  setErrorLogger(() => {});
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
