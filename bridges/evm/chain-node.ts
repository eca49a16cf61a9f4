/**
 * The chain a plant records to: by default an Anvil node the project starts on
 * loopback with its state in the data folder (so history survives restarts),
 * or any EVM JSON-RPC node given by URL and key (a permissioned Besu or
 * Quorum network, a testnet). Contracts are deployed on first start and
 * reused afterwards (`deploy.ts`); every machine of the scenario gets its twin
 * token (staked, `TwinRegistry.register`) the first time it is seen.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { id as keccakId, JsonRpcProvider, Network, Wallet, type Contract } from 'ethers';
import { parseKeys } from '../../agents/ledger/signing/keys.js';
import { startAnvil, type AnvilNode } from './anvil.js';
import { deployContracts, type DeploymentRecord } from './deploy.js';
import { chainFiles } from './ledger-audit.js';
import { machineKey, PLANT_MANUFACTURER } from './lease-access.js';
import { acquireDataLock, DataFolderBusyError, readDataLock } from './data-lock.js';

/** Manufacturer under which simulated machines are registered (serial number = machine id). */
export { PLANT_MANUFACTURER };
/** The key that signs twin events naming no machine. */
export const PLANT_SIGNER = 'plant';

export interface ChainOptions {
  /** Holds deployment.json, anvil-state.json, keys.json and the outbox. */
  dataDir: string;
  /** A running node; omitted = start Anvil on loopback from the data folder's state. */
  rpcUrl?: string;
  /** Deployer/operator key for `rpcUrl` (required with it; the embedded Anvil uses its first dev account). */
  key?: string;
  /** Machines to register as twin tokens (ids). */
  machines: readonly string[];
  /** Scenario name, for the machines' product instance URIs. */
  plant: string;
  /** Seconds between Anvil's state dumps (a crash loses at most this much; the outbox re-anchors it). */
  stateInterval?: number;
  /** Fixed Anvil port (tests that restart the node on the same address); default a free one. */
  port?: number;
}

export interface Chain {
  rpcUrl: string;
  chainId: number;
  deployment: DeploymentRecord;
  /** Sends anchors (holds OPERATOR_ROLE). */
  operatorKey: string;
  /** Signing keys of the machines and of the plant (`PLANT_SIGNER`), from keys.json. */
  keys: Map<string, Wallet>;
  /** Machines registered by this start (the others had tokens already). */
  registered: string[];
  /** The embedded node, when the project started one. */
  node?: AnvilNode;
  /** Stops the embedded node (its state is dumped to the data folder); a no-op for an outside node. */
  stop(): Promise<void>;
}

/** A chain configuration the user got wrong (bad key, unreachable URL): said without a stack trace. */
export class ChainConfigError extends Error {
  override name = 'ChainConfigError';
}

export async function openChain(options: ChainOptions): Promise<Chain> {
  mkdirSync(options.dataDir, { recursive: true });
  const holder = readDataLock(options.dataDir);
  if (holder) throw new DataFolderBusyError(`chain data folder ${options.dataDir} is in use by process ${holder.pid} (node ${holder.rpcUrl}); stop it or choose another --chain-data`);
  let node: AnvilNode | undefined;
  let rpcUrl = options.rpcUrl;
  let key = options.key;
  if (rpcUrl === undefined) {
    node = await startAnvil({ stateFile: chainFiles(options.dataDir).state, stateInterval: options.stateInterval ?? 2, ...(options.port !== undefined ? { port: options.port } : {}) });
    rpcUrl = node.url;
    key ??= node.accounts[0]!.privateKey;
  } else if (key === undefined) {
    throw new ChainConfigError(`a chain at ${rpcUrl} needs the operator's key (HYPERFACTORY_CHAIN_KEY)`);
  }
  const release = acquireDataLock(options.dataDir, rpcUrl);
  try {
    let operator: Wallet;
    try {
      operator = new Wallet(key);
    } catch {
      throw new ChainConfigError('the chain key is not a private key (0x followed by 64 hex digits)');
    }
    const deployment = await deployContracts({ rpcUrl, deployerKey: key, dataDir: options.dataDir, roles: { operators: [operator.address] } }).catch((e: unknown) => {
      const code = (e as { code?: string }).code;
      if (code === 'ECONNREFUSED' || /ECONNREFUSED|fetch failed/.test(String((e as Error)?.message))) throw new ChainConfigError(`chain at ${rpcUrl} does not answer`);
      throw e;
    });
    const keys = machineKeys(options.dataDir, [...options.machines, PLANT_SIGNER]);
    const registered = await registerMachines(deployment.contracts, operator.address, options.machines, options.plant);
    deployment.provider.destroy();
    const stop = async (): Promise<void> => {
      await node?.stop();
      release();
    };
    return { rpcUrl, chainId: deployment.record.chainId, deployment: deployment.record, operatorKey: key, keys, registered, ...(node ? { node } : {}), stop };
  } catch (e) {
    await node?.stop();
    release();
    throw e;
  }
}

/** The provider of a chain's JSON-RPC URL (static network: no detection retries while a node is down). */
export function chainProvider(chain: Pick<Chain, 'rpcUrl' | 'chainId'>): JsonRpcProvider {
  return new JsonRpcProvider(chain.rpcUrl, Network.from(chain.chainId), { staticNetwork: true, cacheTimeout: -1 });
}

/**
 * keys.json of the data folder: one secp256k1 key per machine and one for the
 * plant, created (mode 0600) for ids that have none yet, kept for ever after:
 * a machine's twin events are signed by the same key across runs.
 */
export function machineKeys(dataDir: string, ids: readonly string[]): Map<string, Wallet> {
  const file = join(dataDir, 'keys.json');
  const doc: { version: 1; keys: Record<string, { privateKey: string; address: string }> } = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as typeof doc)
    : { version: 1, keys: {} };
  const known = existsSync(file) ? parseKeys(file, doc) : new Map<string, Wallet>();
  const missing = ids.filter((id) => !known.has(id));
  if (missing.length > 0) {
    for (const id of missing) {
      const wallet = Wallet.createRandom();
      doc.keys[id] = { privateKey: wallet.privateKey, address: wallet.address };
      known.set(id, new Wallet(wallet.privateKey));
    }
    writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return known;
}

/** Registers every machine without a twin token: stakes HGPT for it, mints its token to the operator. */
async function registerMachines(contracts: Record<'HGPT' | 'TwinRegistry', Contract>, owner: string, machines: readonly string[], plant: string): Promise<string[]> {
  const registry = contracts.TwinRegistry;
  const fresh: string[] = [];
  for (const machine of machines) {
    if ((await registry.getFunction('tokenOfMachine')(machineKey(PLANT_MANUFACTURER, machine))) !== 0n) continue;
    fresh.push(machine);
  }
  if (fresh.length === 0) return [];
  const stake = (await registry.getFunction('stakePerMachine')()) as bigint;
  const free = (await contracts.HGPT.getFunction('freeStake')(owner)) as bigint;
  const need = stake * BigInt(fresh.length) - free;
  if (need > 0n) await (await contracts.HGPT.getFunction('stake')(need)).wait();
  for (const machine of fresh) {
    const tx = await registry.getFunction('register')(owner, PLANT_MANUFACTURER, machine, `urn:hyperfactory:${plant}:${machine}`, keccakId(`${machine}:registered`));
    await tx.wait();
  }
  return fresh;
}
