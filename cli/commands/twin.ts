import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { KeyFileError, loadKeys } from '../../agents/ledger/signing/keys.js';
import { ledgerDomain } from '../../agents/ledger/signing/typed-events.js';
import { startAnvil, type AnvilNode } from '../../bridges/evm/anvil.js';
import { ChainUnavailableError } from '../../bridges/evm/chain-submitter.js';
import { readDataLock } from '../../bridges/evm/data-lock.js';
import {
  chainFiles,
  LocalLogError,
  MaintenanceLogReader,
  readDeployment,
  readLocalLog,
  verifyLocalLog,
  type LocalLog,
  type SignatureCheck,
} from '../../bridges/evm/ledger-audit.js';
import { parseCommand } from '../args.js';
import { UsageError } from '../errors.js';

export const twinHelp = `hyperfactory twin history MACHINE [--data DIR] [--rpc URL] [--json]
hyperfactory twin verify (MACHINE | --all) [--data DIR] [--rpc URL] [--json]
  Reads the local twin log (DIR/outbox.ndjson, DIR default data/chain) and the
  MaintenanceLog contract recorded in DIR/deployment.json. history lists a
  machine's events in time order with their anchoring state. verify checks every
  event's leaf and Merkle proof against its anchored root, and its EIP-712
  signature against its machine's key (DIR/keys.json), and prints
  {verified, events, mismatches}; a mismatch names the event and why
  (not-anchored, tampered, proof-fails, bad-signature); exit code 1 when not
  verified.
  Without --rpc: the node of the serve or run recording into DIR right now
  (DIR/lock.json), else an Anvil started from DIR/anvil-state.json for the
  duration of the command.`;

/** Runs `fn` against the chain: the given node, or Anvil from the data folder's state file. */
async function withChain<T>(command: string, dataDir: string, rpc: string | undefined, fn: (chain: MaintenanceLogReader) => Promise<T>): Promise<T> {
  const deployment = readDeployment(dataDir);
  let node: AnvilNode | undefined;
  // A serve or run recording into this folder right now: ask its node rather than start a second one on its state.
  rpc ??= readDataLock(dataDir)?.rpcUrl;
  if (rpc === undefined) {
    const state = chainFiles(dataDir).state;
    if (!existsSync(state)) throw new UsageError(`${command}: no chain state at ${state}; pass --rpc URL of a running node`);
    node = await startAnvil({ stateFile: state, chainId: deployment.chainId });
  }
  const chain = new MaintenanceLogReader(rpc ?? node!.url, deployment.addresses.MaintenanceLog, deployment.chainId);
  try {
    if (!(await chain.deployed())) throw new UsageError(`${command}: no MaintenanceLog at ${deployment.addresses.MaintenanceLog} on ${chain.rpcUrl} (deployment.json is from another chain)`);
    return await fn(chain);
  } catch (e) {
    if (e instanceof ChainUnavailableError) throw new UsageError(`${command}: chain at ${e.rpcUrl} does not answer (${(e.cause as Error)?.message ?? e.message})`);
    throw e;
  } finally {
    chain.close();
    await node?.stop();
  }
}

function load(command: string, dataDir: string): LocalLog {
  try {
    return readLocalLog(chainFiles(dataDir).outbox);
  } catch (e) {
    if (e instanceof LocalLogError) throw new UsageError(`${command}: ${e.message}`);
    throw e;
  }
}

async function history(machine: string, dataDir: string, rpc: string | undefined, json: boolean): Promise<number> {
  const log = load('twin history', dataDir);
  const events = log.events.filter((e) => (e.event.machine ?? '') === machine).sort((a, b) => a.event.time - b.event.time || a.seq - b.seq);
  if (events.length === 0) throw new UsageError(`twin history: no events for machine "${machine}" in ${chainFiles(dataDir).outbox}`);
  const rows = await withChain('twin history', dataDir, rpc, async (chain) => {
    const anchored = new Map<string, number | undefined>();
    for (const b of new Set(events.map((e) => e.batchId).filter((b): b is string => b !== undefined))) anchored.set(b, (await chain.anchorOf(log.batches.get(b)!.root))?.index);
    return events.map((e) => {
      const index = e.batchId === undefined ? undefined : anchored.get(e.batchId);
      return {
        id: e.event.id,
        seq: e.seq,
        time: e.event.time,
        type: e.event.type,
        payload: e.event.payload,
        batchId: e.batchId ?? null,
        anchored: index !== undefined,
        batchIndex: index ?? null,
        blockNumber: (e.batchId && log.batches.get(e.batchId)?.blockNumber) ?? null,
      };
    });
  });
  if (json) process.stdout.write(`${JSON.stringify(rows)}\n`);
  else {
    const lines = rows.map((r) => `${String(r.seq).padStart(6)}  ${r.time.toFixed(3).padStart(16)}  ${r.type.padEnd(20)}  ${r.id}  ${r.anchored ? `anchored #${r.batchIndex}` : r.batchId ? 'batched, not anchored' : 'queued'}`);
    process.stdout.write(`${machine}: ${rows.length} events\n${lines.join('\n')}\n`);
  }
  return 0;
}

async function verify(machine: string | undefined, dataDir: string, rpc: string | undefined, json: boolean): Promise<number> {
  const log = load('twin verify', dataDir);
  if (machine !== undefined && !log.events.some((e) => (e.event?.machine ?? '') === machine)) throw new UsageError(`twin verify: no events for machine "${machine}" in ${chainFiles(dataDir).outbox}`);
  const report = await withChain('twin verify', dataDir, rpc, (chain) => verifyLocalLog(log, chain, machine, signatureCheck(dataDir)));
  if (json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else {
    process.stdout.write(`${report.verified ? 'verified' : 'NOT verified'}: ${report.events} events, ${report.mismatches.length} mismatches\n`);
    for (const m of report.mismatches) process.stdout.write(`  ${m.id}: ${m.reason}: ${m.detail}\n`);
  }
  return report.verified ? 0 : 1;
}

/**
 * Signatures are checked against the deployment's EIP-712 domain and, where
 * the data folder has keys.json, against each machine's own address.
 */
function signatureCheck(dataDir: string): SignatureCheck {
  const deployment = readDeployment(dataDir);
  const keysFile = join(dataDir, 'keys.json');
  let signers = new Map<string, string>();
  if (existsSync(keysFile)) {
    try {
      signers = new Map([...loadKeys(keysFile)].map(([id, wallet]) => [id, wallet.address]));
    } catch (e) {
      if (e instanceof KeyFileError) throw new UsageError(`twin verify: ${e.message}`);
      throw e;
    }
  }
  return { domain: ledgerDomain(deployment.chainId, deployment.addresses.MaintenanceLog), signers };
}

/** `hyperfactory twin …`; returns the exit code (1 = verification failed, which is not a usage error). */
export async function twinCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand('twin', argv, {
    data: { type: 'string' },
    rpc: { type: 'string' },
    all: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  const [sub, ...rest] = positionals;
  const dataDir = values.data ?? 'data/chain';
  if (rest.length > 1) throw new UsageError(`twin ${sub}: unexpected argument "${rest[1]}"`);
  if (sub === 'history') {
    if (rest.length === 0) throw new UsageError('twin history: missing MACHINE');
    if (values.all) throw new UsageError('twin history: --all is for verify; give one MACHINE');
    return history(rest[0], dataDir, values.rpc, values.json);
  }
  if (sub === 'verify') {
    if (values.all === (rest.length === 1)) throw new UsageError('twin verify: give either a MACHINE or --all');
    return verify(rest[0], dataDir, values.rpc, values.json);
  }
  throw new UsageError(sub === undefined ? 'twin: missing subcommand (history, verify)' : `twin: unknown subcommand "${sub}" (subcommands: history, verify)`);
}
