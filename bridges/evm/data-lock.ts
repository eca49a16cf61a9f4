import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One process at a time records into a chain data folder: two would run two
 * Anvils on one state file and interleave one outbox. The holder writes its
 * pid and node address to `<dataDir>/lock.json`; a lock whose process is gone
 * (a crash) is taken over. `twin history` / `twin verify` read the address to
 * ask the running node instead of starting a second one on the same state.
 */
export interface DataLock {
  pid: number;
  rpcUrl: string;
}

export class DataFolderBusyError extends Error {
  override name = 'DataFolderBusyError';
}

const lockFile = (dataDir: string): string => join(dataDir, 'lock.json');

/** Whether process `pid` is running (one of another user counts). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live holder of the folder, if any (a stale lock reads as none). */
export function readDataLock(dataDir: string): DataLock | undefined {
  const file = lockFile(dataDir);
  if (!existsSync(file)) return undefined;
  try {
    const lock = JSON.parse(readFileSync(file, 'utf8')) as DataLock;
    return Number.isInteger(lock.pid) && lock.pid !== process.pid && processAlive(lock.pid) ? lock : undefined;
  } catch {
    return undefined; // torn or foreign: not a holder
  }
}

/** Takes the folder for this process; throws DataFolderBusyError naming the holder. Returns the release. */
export function acquireDataLock(dataDir: string, rpcUrl: string): () => void {
  const holder = readDataLock(dataDir);
  if (holder) throw new DataFolderBusyError(`chain data folder ${dataDir} is in use by process ${holder.pid} (node ${holder.rpcUrl}); stop it or choose another --chain-data`);
  const file = lockFile(dataDir);
  writeFileSync(file, `${JSON.stringify({ pid: process.pid, rpcUrl } satisfies DataLock)}\n`);
  return () => {
    try {
      const lock = JSON.parse(readFileSync(file, 'utf8')) as DataLock;
      if (lock.pid === process.pid) rmSync(file, { force: true });
    } catch {
      // already gone
    }
  };
}
