/**
 * The outbox's chain side: anchors batches of twin events in `MaintenanceLog`
 * with ethers v6.
 *
 * - `submit` sends `anchor(root, count)` and returns the hash without
 *   waiting for a block, so the outbox can write its `sent` line at once; the
 *   receipt is collected on this or a later flush.
 * - `anchored` asks the contract (`isAnchored(root)`), so a batch sent just
 *   before a crash is recognised instead of sent twice. The contract also
 *   refuses a repeated root (`DuplicateBatch`), so "exactly once" never rests
 *   on this side alone.
 * - A node that cannot be reached (refused, reset, timed out, 5xx) raises
 *   `ChainUnavailableError`. The outbox catches submitter errors per batch and
 *   retries on the next flush, and stops the current flush at the first one
 *   of these (`chainUnavailable`), since every other batch would fail the same way.
 */
import { Contract, JsonRpcProvider, Network, NonceManager, Wallet, type TransactionReceipt } from 'ethers';
import { loadArtifact } from '../../contracts/artifacts.js';
import type { BatchRecord, Submitter } from './outbox/outbox.js';
import { machineKey, PLANT_MANUFACTURER } from './lease-access.js';

/** The node did not answer: nothing is known about the call; retry later. */
export class ChainUnavailableError extends Error {
  override name = 'ChainUnavailableError';
  /** Read by the outbox (duck-typed, so the outbox needs no ethers import). */
  readonly chainUnavailable = true;
  constructor(
    readonly rpcUrl: string,
    readonly operation: string,
    override readonly cause: unknown,
  ) {
    super(`chain at ${rpcUrl} unavailable during ${operation}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** Node / ethers error codes that mean "no answer" rather than "the chain said no". */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'TIMEOUT',
  'NETWORK_ERROR',
  'SERVER_ERROR',
]);

/** True when an error (or its cause chain) says the node could not be reached. */
export function isUnavailable(err: unknown): boolean {
  type Link = { code?: unknown; cause?: unknown; error?: unknown; message?: unknown };
  for (let e = err as Link | undefined, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    if (typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code)) return true;
    if (typeof e.message === 'string' && /fetch failed|socket hang up|ECONNREFUSED|ECONNRESET/.test(e.message)) return true;
    e = (e.cause ?? e.error) as Link | undefined;
  }
  return false;
}

export interface ChainSubmitterOptions {
  rpcUrl: string;
  /** TwinRegistry address: with it, `setTwinStates` records machines' current states (same operator key). */
  registry?: string;
  /** Key of an account holding OPERATOR_ROLE on MaintenanceLog. */
  operatorKey: string;
  /** MaintenanceLog address (deployment.json → addresses.MaintenanceLog). */
  address: string;
  /** Chain id (skips network detection, which ethers retries forever while the node is down). */
  chainId?: number;
}

/** A batch as MaintenanceLog holds it (its `BatchAnchored` log adds who sent it and in which block). */
export interface AnchoredBatch {
  index: number;
  root: string;
  count: number;
  anchoredAt: number;
}

export interface AnchoredLog extends AnchoredBatch {
  anchoredBy: string;
  blockNumber: number;
  txHash: string;
}

/**
 * Read-only access to MaintenanceLog (no key needed: auditing, `twin verify`),
 * with a node that cannot be reached reported as ChainUnavailableError.
 */
export class MaintenanceLogReader {
  readonly provider: JsonRpcProvider;
  /** MaintenanceLog, connected to the provider (the submitter connects it to its signer). */
  readonly log: Contract;

  constructor(
    readonly rpcUrl: string,
    readonly address: string,
    chainId = 31337,
    signerKey?: string,
  ) {
    this.provider = new JsonRpcProvider(rpcUrl, Network.from(chainId), { staticNetwork: true, cacheTimeout: -1 });
    this.signer = signerKey === undefined ? undefined : new NonceManager(new Wallet(signerKey, this.provider));
    this.log = new Contract(address, loadArtifact('MaintenanceLog').abi as never, this.signer ?? this.provider);
  }

  protected readonly signer: NonceManager | undefined;

  /** False when there is no contract code at the address (deployment.json from another chain). */
  async deployed(): Promise<boolean> {
    return (await this.call('getCode', () => this.provider.getCode(this.address))) !== '0x';
  }

  /** Where and when a root was anchored; undefined when the contract does not hold it. */
  async anchorOf(root: string): Promise<AnchoredBatch | undefined> {
    try {
      const [index, count, anchoredAt] = (await this.log.getFunction('anchorOf')(root)) as [bigint, bigint, bigint];
      return { index: Number(index), root: root.toLowerCase(), count: Number(count), anchoredAt: Number(anchoredAt) };
    } catch (err) {
      if (this.revertName(err) === 'UnknownBatch') return undefined;
      throw this.wrap('anchorOf', err);
    }
  }

  async batchCount(): Promise<number> {
    return Number(await this.call('batchCount', () => this.log.getFunction('batchCount')()));
  }

  /** Every anchored batch in order, from the contract's `BatchAnchored` logs. */
  async anchoredBatches(fromBlock = 0): Promise<AnchoredLog[]> {
    const logs = await this.call('getLogs', () => this.log.queryFilter(this.log.filters.BatchAnchored!(), fromBlock));
    return logs
      .map((l) => {
        const args = (l as unknown as { args: [bigint, string, bigint, string] }).args;
        return { index: Number(args[0]), root: args[1].toLowerCase(), count: Number(args[2]), anchoredBy: args[3], anchoredAt: 0, blockNumber: l.blockNumber, txHash: l.transactionHash };
      })
      .sort((a, b) => a.index - b.index);
  }

  /** `MaintenanceLog.verify`: the contract's own Merkle check of one event. */
  async verify(root: string, leaf: string, proof: string[]): Promise<boolean> {
    return Boolean(await this.call('verify', () => this.log.getFunction('verify')(root, leaf, proof)));
  }

  close(): void {
    this.provider.destroy();
  }

  protected async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.wrap(operation, err);
    }
  }

  protected wrap(operation: string, err: unknown): unknown {
    return isUnavailable(err) && !(err instanceof ChainUnavailableError) ? new ChainUnavailableError(this.rpcUrl, operation, err) : err;
  }

  protected revertName(err: unknown): string | undefined {
    const e = err as { code?: string; revert?: { name?: string }; data?: string };
    if (e?.revert?.name) return e.revert.name;
    if (typeof e?.data === 'string' && e.data.length >= 10) {
      try {
        return this.log.interface.parseError(e.data)?.name;
      } catch {
        return undefined;
      }
    }
    return undefined;
  }
}

export class ChainSubmitter extends MaintenanceLogReader implements Submitter {
  /** The operator's signer: sends go through it. */
  declare protected readonly signer: NonceManager;

  private readonly registry: Contract | undefined;

  constructor(readonly options: ChainSubmitterOptions) {
    super(options.rpcUrl, options.address, options.chainId ?? 31337, options.operatorKey);
    // Through the same NonceManager as the anchors: two managers on one key would hand out the same nonce.
    this.registry = options.registry === undefined ? undefined : new Contract(options.registry, loadArtifact('TwinRegistry').abi as never, this.signer);
  }

  /**
   * `TwinRegistry.setTwinState` for each machine registered under
   * `PLANT_MANUFACTURER` (unregistered ones are skipped), waiting for the
   * transactions to be mined.
   */
  async setTwinStates(states: ReadonlyMap<string, string>): Promise<void> {
    const registry = this.registry;
    if (!registry) return;
    const sent = [];
    for (const [machine, hash] of states) {
      const tokenId = (await this.call('tokenOfMachine', () => registry.getFunction('tokenOfMachine')(machineKey(PLANT_MANUFACTURER, machine)))) as bigint;
      if (tokenId === 0n) continue;
      try {
        sent.push(await registry.getFunction('setTwinState')(tokenId, hash));
      } catch (err) {
        this.signer.reset();
        throw this.wrap('setTwinState', err);
      }
    }
    for (const tx of sent) await this.call('setTwinState', () => (tx as { wait(): Promise<unknown> }).wait());
  }

  async submit(batch: BatchRecord): Promise<{ txHash: string }> {
    try {
      const tx = await this.log.getFunction('anchor')(batch.root, batch.eventIds.length);
      return { txHash: tx.hash as string };
    } catch (err) {
      // NonceManager counted a nonce before the send failed (refused, reverted
      // in gas estimation); without a resync every later send would leave a gap.
      this.signer.reset();
      throw this.wrap('anchor', err);
    }
  }

  async receipt(txHash: string): Promise<{ blockNumber: number; status: 'success' | 'reverted' } | undefined> {
    const r = await this.call('receipt', () => this.provider.getTransactionReceipt(txHash));
    if (r) return { blockNumber: r.blockNumber, status: r.status === 1 ? 'success' : 'reverted' };
    // No receipt. If the node no longer knows the transaction at all (dropped,
    // or a chain restarted from a state saved before it was mined), waiting is
    // useless: report it as not anchored so the outbox puts the batch back to
    // pending; `anchored()` is asked again before it is resent.
    const tx = await this.call('receipt', () => this.provider.getTransaction(txHash));
    return tx ? undefined : { blockNumber: -1, status: 'reverted' };
  }

  resync(): void {
    this.signer.reset();
  }

  async anchored(root: string): Promise<boolean> {
    return Boolean(await this.call('isAnchored', () => this.log.getFunction('isAnchored')(root)));
  }

  /** Full receipt (gas figures for the bench). */
  fullReceipt(txHash: string): Promise<TransactionReceipt | null> {
    return this.call('receipt', () => this.provider.getTransactionReceipt(txHash));
  }
}
