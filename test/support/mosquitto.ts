import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
  /** SIGHUP: Mosquitto reads its password and ACL files, and its CRL, again. */
  reload: () => void;
  /**
   * Stops the broker and starts it again on the same port with the same
   * config (fault injection: a broker restart). SIGTERM lets Mosquitto save
   * its persistence file on the way out; SIGKILL loses whatever came after
   * the last autosave. `downMs` keeps it down that long before the start.
   */
  restart: (how?: { signal?: 'SIGTERM' | 'SIGKILL'; downMs?: number }) => Promise<void>;
  /** How many times the broker was started (1 before any restart). */
  readonly starts: number;
  stop: () => Promise<void>;
}

export interface MosquittoOptions {
  /** mosquitto_passwd file: clients must log in (anonymous refused). */
  passwordFile?: string;
  /** ACL file (Mosquitto format). */
  aclFile?: string;
  /**
   * Keep retained messages, persistent sessions and the QoS 1 messages queued
   * for them in a file in the broker's temp dir (`persistence true`), saved
   * every `autosaveSeconds` (default 1) and at a clean shutdown, so they
   * survive `restart()`. Without it nothing is persisted.
   */
  persistence?: boolean | { autosaveSeconds?: number };
  /**
   * A TLS listener (`mqtts://`): the broker's certificate and key files and,
   * with `caFile`, client certificates required and their common name used as
   * the username (`require_certificate`, `use_identity_as_username`); with
   * `crlFile`, that CA's revocation list (`crlfile`, read again on `reload`).
   */
  tls?: { certFile: string; keyFile: string; caFile?: string; crlFile?: string };
}

/**
 * Starts a real Mosquitto on a free loopback port with a throw-away config
 * (anonymous clients unless a password file is given, nothing persisted
 * unless asked) and waits until it accepts connections. Tests that need it
 * fail with a clear message when the binary is missing rather than skipping:
 * a skipped broker test proves nothing.
 */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  if (!existsSync(MOSQUITTO)) throw new Error(`${MOSQUITTO} is missing: install it with scripts/install-system-deps.sh (apt-get install mosquitto)`);
  let lastLog = '';
  // The free port is found by binding 0 and releasing it; another process may take it meanwhile, so try again.
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'hf-mosquitto-'));
    // Started as root, Mosquitto drops to the `mosquitto` user, which must be able to write its persistence file here.
    if (options.persistence) chmodSync(dir, 0o777);
    const config = join(dir, 'mosquitto.conf');
    writeFileSync(config, configLines(port, dir, options).join('\n'));
    let log = '';
    let broker = await launch(config, port, (d) => (log += d), 5000);
    if (broker) {
      let starts = 1;
      const stopBroker = async (signal: 'SIGTERM' | 'SIGKILL') => {
        const b = broker;
        if (!b) return;
        if (b.child.exitCode === null && b.child.signalCode === null) b.child.kill(signal);
        await b.exited;
      };
      return {
        url: `${options.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
        port,
        log: () => log,
        reload: () => void broker?.child.kill('SIGHUP'),
        get starts() {
          return starts;
        },
        restart: async ({ signal = 'SIGTERM', downMs = 0 } = {}) => {
          await stopBroker(signal);
          if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
          // The same port: clients reconnect to the address they know. It was ours a moment ago; allow for a slow machine.
          broker = undefined;
          for (let tries = 0; tries < 3 && !broker; tries++) broker = await launch(config, port, (d) => (log += d), 15_000);
          if (!broker) throw new Error(`mosquitto did not start again on port ${port}: ${log.trim().split('\n').slice(-5).join(' | ') || 'no output'}`);
          starts++;
        },
        stop: async () => {
          await stopBroker('SIGTERM');
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    rmSync(dir, { recursive: true, force: true });
    lastLog = log.trim();
  }
  throw new Error(`mosquitto did not start on a loopback port: ${lastLog || 'no output'}`);
}

/** The broker's config: loopback listener, access files, persistence in `dir` when asked, errors and warnings to stderr. */
function configLines(port: number, dir: string, options: MosquittoOptions): string[] {
  const access = [
    `allow_anonymous ${options.passwordFile === undefined}`,
    ...(options.passwordFile !== undefined ? [`password_file ${options.passwordFile}`] : []),
    ...(options.aclFile !== undefined ? [`acl_file ${options.aclFile}`] : []),
  ];
  const p = options.persistence;
  const persistence = p
    ? ['persistence true', `persistence_location ${dir}/`, 'persistence_file mosquitto.db', `autosave_interval ${(typeof p === 'object' ? p.autosaveSeconds : undefined) ?? 1}`]
    : ['persistence false'];
  const t = options.tls;
  const tls = t
    ? [
        `certfile ${t.certFile}`,
        `keyfile ${t.keyFile}`,
        ...(t.caFile !== undefined ? [`cafile ${t.caFile}`, 'require_certificate true', 'use_identity_as_username true'] : []),
        ...(t.crlFile !== undefined ? [`crlfile ${t.crlFile}`] : []),
      ]
    : [];
  return [`listener ${port} 127.0.0.1`, ...tls, ...access, ...persistence, 'log_dest stderr', 'log_type error', 'log_type warning', ''];
}

/** Spawns Mosquitto with `config` and waits until it listens on `port`; undefined (and the process gone) when it does not. */
async function launch(config: string, port: number, onLog: (text: string) => void, timeoutMs: number): Promise<{ child: ChildProcess; exited: Promise<void> } | undefined> {
  const child = spawn(MOSQUITTO, ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => onLog(d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (await listening(port, child, timeoutMs)) return { child, exited };
  if (child.exitCode === null) child.kill('SIGKILL');
  await exited;
  return undefined;
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
