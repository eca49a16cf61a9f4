/**
 * Starts a local Anvil node (from the @foundry-rs/anvil npm package) for tests and local runs.
 * Port 0 lets Anvil pick a free port; the real one is read from its "Listening on" line.
 * With `stateFile`, Anvil loads the chain from that file at start and dumps it on exit
 * (`--state`), so stop() sends SIGTERM and waits for the process to finish writing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { HDNodeWallet } from 'ethers';

const require = createRequire(import.meta.url);

/** Anvil's default mnemonic: its 10 funded dev accounts derive from it (m/44'/60'/0'/0/i). */
export const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk';

export interface AnvilOptions {
  /** 0 (default) = a free port chosen by Anvil. */
  port?: number;
  host?: string;
  chainId?: number;
  /** Seconds between blocks; omitted = a block per transaction (automine). */
  blockTime?: number;
  /** Load chain state from this file if it exists and dump it there on exit. */
  stateFile?: string;
  /** Also dump state every N seconds (guards against a crash losing everything since start). */
  stateInterval?: number;
  accounts?: number;
  /** Max time to wait for JSON-RPC to answer. */
  startTimeoutMs?: number;
  /** Override the binary (else resolved from @foundry-rs/anvil-<platform>). */
  binary?: string;
}

export interface AnvilAccount {
  address: string;
  privateKey: string;
}

export interface AnvilNode {
  url: string;
  port: number;
  chainId: number;
  accounts: AnvilAccount[];
  /** Graceful: SIGTERM, wait for exit (state dumped), SIGKILL only if it hangs. */
  stop(): Promise<void>;
  /** A crash: SIGKILL, no state dump (what was mined since the last `stateInterval` dump is lost). */
  kill(): Promise<void>;
}

const PLATFORM_PACKAGES: Record<string, string> = {
  'linux-x64': '@foundry-rs/anvil-linux-amd64',
  'linux-arm64': '@foundry-rs/anvil-linux-arm64',
  'darwin-x64': '@foundry-rs/anvil-darwin-amd64',
  'darwin-arm64': '@foundry-rs/anvil-darwin-arm64',
  'win32-x64': '@foundry-rs/anvil-win32-amd64',
};

/** Path of the anvil binary shipped by the platform package of @foundry-rs/anvil. */
export function anvilBinary(): string {
  const key = `${process.platform}-${process.arch}`;
  const pkg = PLATFORM_PACKAGES[key];
  if (!pkg) throw new Error(`no Anvil binary package known for ${key}; install Foundry and pass options.binary`);
  let pkgJson: string;
  try {
    pkgJson = require.resolve(`${pkg}/package.json`);
  } catch {
    throw new Error(`Anvil binary package ${pkg} is not installed (it comes with @foundry-rs/anvil; run npm install)`);
  }
  const bin = join(dirname(pkgJson), 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
  if (!existsSync(bin)) throw new Error(`${pkg} is installed but has no binary at ${bin}`);
  return bin;
}

/** The default dev accounts (same keys Anvil funds), derived from the default mnemonic. */
export function anvilAccounts(count = 10): AnvilAccount[] {
  const root = HDNodeWallet.fromPhrase(ANVIL_MNEMONIC, undefined, "m/44'/60'/0'/0");
  return Array.from({ length: count }, (_, i) => {
    const w = root.deriveChild(i);
    return { address: w.address, privateKey: w.privateKey };
  });
}

async function rpcAnswers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    });
    return res.ok;
  } catch {
    return false;
  }
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function startAnvil(options: AnvilOptions = {}): Promise<AnvilNode> {
  const host = options.host ?? '127.0.0.1';
  const chainId = options.chainId ?? 31337;
  const accountCount = options.accounts ?? 10;
  const args = ['--host', host, '--port', String(options.port ?? 0), '--chain-id', String(chainId), '--accounts', String(accountCount)];
  if (options.blockTime !== undefined) args.push('--block-time', String(options.blockTime));
  if (options.stateFile) {
    mkdirSync(dirname(options.stateFile), { recursive: true });
    args.push('--state', options.stateFile);
    if (options.stateInterval !== undefined) args.push('--state-interval', String(options.stateInterval));
  }
  const child = spawn(options.binary ?? anvilBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    if (!(await waitExit(child, 15_000))) {
      child.kill('SIGKILL');
      await waitExit(child, 5_000);
    }
  };

  try {
    const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
    let port = 0;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`anvil exited before listening:\n${output.slice(-2000)}`);
      if (!port) port = Number(/Listening on [^\s:]+:(\d+)/.exec(output)?.[1] ?? 0);
      if (port && (await rpcAnswers(`http://${host}:${port}`))) break;
      if (Date.now() > deadline) throw new Error(`anvil did not answer JSON-RPC in time:\n${output.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const kill = async (): Promise<void> => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await waitExit(child, 5_000);
    };
    return { url: `http://${host}:${port}`, port, chainId, accounts: anvilAccounts(accountCount), stop, kill };
  } catch (err) {
    await stop();
    throw err;
  }
}
