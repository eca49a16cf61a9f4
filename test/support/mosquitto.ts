import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

/** Debian's Mosquitto (scripts/install-system-deps.sh installs it; so does CI). */
export const MOSQUITTO = '/usr/sbin/mosquitto';

export interface Mosquitto {
  url: string;
  port: number;
  /** What the broker logged (for failure messages). */
  log: () => string;
  /** SIGHUP: Mosquitto reads its password and ACL files again. */
  reload: () => void;
  stop: () => Promise<void>;
}

export interface MosquittoOptions {
  /** mosquitto_passwd file: clients must log in (anonymous refused). */
  passwordFile?: string;
  /** ACL file (Mosquitto format). */
  aclFile?: string;
}

/**
 * Starts a real Mosquitto on a free loopback port with a throw-away config
 * (anonymous clients unless a password file is given, nothing persisted) and waits until it accepts
 * connections. Tests that need it fail with a clear message when the
 * binary is missing rather than skipping: a skipped broker test proves nothing.
 */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  if (!existsSync(MOSQUITTO)) throw new Error(`${MOSQUITTO} is missing: install it with scripts/install-system-deps.sh (apt-get install mosquitto)`);
  let lastLog = '';
  // The free port is found by binding 0 and releasing it; another process may take it meanwhile, so try again.
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'hf-mosquitto-'));
    const config = join(dir, 'mosquitto.conf');
    const access = [
      `allow_anonymous ${options.passwordFile === undefined}`,
      ...(options.passwordFile !== undefined ? [`password_file ${options.passwordFile}`] : []),
      ...(options.aclFile !== undefined ? [`acl_file ${options.aclFile}`] : []),
    ];
    writeFileSync(config, [`listener ${port} 127.0.0.1`, ...access, 'persistence false', 'log_dest stderr', 'log_type error', 'log_type warning', ''].join('\n'));
    const child = spawn(MOSQUITTO, ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (await listening(port, child, 5000)) {
      return {
        url: `mqtt://127.0.0.1:${port}`,
        port,
        log: () => log,
        reload: () => void child.kill('SIGHUP'),
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
    lastLog = log.trim();
  }
  throw new Error(`mosquitto did not start on a loopback port: ${lastLog || 'no output'}`);
}


/** Polls until the port accepts a TCP connection, the process exits, or time runs out. */
async function listening(port: number, child: ChildProcess, timeoutMs: number): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
