/**
 * Who may see and command a machine, as the chain says (TwinRegistry, ERC-4907):
 * the token's owner, or the user of a live lease. The viewer server asks this
 * at every frame and every control of a lessee, so answers are cached for a
 * short while (`cacheMs`): a frame loop with many clients costs the node a few
 * calls per machine and account every `cacheMs`, and an expired lease takes
 * effect within that time. Lease expiry is the chain's `block.timestamp`, not
 * this host's clock, so nothing here compares times itself.
 *
 * `allowed()` never throws: a node that does not answer is "chain unavailable"
 * (access refused, i.e. fail closed), an unregistered machine says so.
 */
import { AbiCoder, Contract, FetchRequest, JsonRpcProvider, Network, getAddress, isError, keccak256, ZeroAddress } from 'ethers';
import { loadArtifact } from '../../contracts/artifacts.js';
import type { AccessAnswer, MachineAccess } from '../viewer/lessee.js';

/** The manufacturer under which the plant registers every scenario machine. */
export const PLANT_MANUFACTURER = 'hyperfactory';

export class LeaseAccess implements MachineAccess {
  readonly manufacturer: string;
  private readonly cacheMs: number;
  private readonly provider: JsonRpcProvider;
  private readonly registry: Contract;
  /** machine → token id; only non-zero ids are kept, and dropped when access is refused (the token may be retired). */
  private readonly tokens = new Map<string, bigint>();
  /** `account|machine` → the answer (or the call in flight) and when it was asked. */
  private readonly answers = new Map<string, { at: number; answer: Promise<AccessAnswer> }>();

  /**
   * @param manufacturer the plant registers every machine as (manufacturer, serialNumber = machine id)
   * @param cacheMs how long an answer (or a failure) is reused; 0 = ask the chain every time
   * @param timeoutMs per JSON-RPC request: a hung node must not hold frames for ethers' default 5 minutes
   */
  constructor(
    readonly rpcUrl: string,
    readonly registryAddress: string,
    chainId = 31337,
    manufacturer: string = PLANT_MANUFACTURER,
    cacheMs = 2000,
    timeoutMs = 5000,
  ) {
    this.manufacturer = manufacturer;
    this.cacheMs = cacheMs;
    const request = new FetchRequest(rpcUrl);
    request.timeout = timeoutMs;
    // cacheTimeout -1: ethers must not reuse a call result on its own; expiry is ours to time.
    this.provider = new JsonRpcProvider(request, Network.from(chainId), { staticNetwork: true, cacheTimeout: -1 });
    this.registry = new Contract(registryAddress, loadArtifact('TwinRegistry').abi as never, this.provider);
  }

  async allowed(account: string, machine: string): Promise<AccessAnswer> {
    let who: string;
    try {
      who = getAddress(account);
    } catch {
      return { ok: false, reason: `"${account}" is not an Ethereum address` };
    }
    const key = `${who}|${machine}`;
    const now = Date.now();
    const hit = this.answers.get(key);
    if (hit && now - hit.at < this.cacheMs) return hit.answer;
    const answer = this.ask(who, machine);
    if (this.cacheMs > 0) {
      if (this.answers.size > 10_000) this.sweep(now);
      this.answers.set(key, { at: now, answer });
    }
    return answer;
  }

  close(): void {
    this.provider.destroy();
  }

  private async ask(account: string, machine: string): Promise<AccessAnswer> {
    try {
      const tokenId = await this.tokenOf(machine);
      if (tokenId === 0n) return { ok: false, reason: `machine "${machine}" is not registered in the TwinRegistry (manufacturer "${this.manufacturer}")` };
      const [access, user, expires] = (await Promise.all([
        this.registry.getFunction('hasAccess')(tokenId, account),
        this.registry.getFunction('userOf')(tokenId),
        this.registry.getFunction('userExpires')(tokenId),
      ])) as [boolean, string, bigint];
      if (!access) {
        this.tokens.delete(machine);
        return { ok: false, reason: `${account} neither owns machine "${machine}" (token ${tokenId}) nor holds a live lease of it` };
      }
      // The owner has no expiry; a lessee's access ends at `expires` (chain time, seconds).
      return user !== ZeroAddress && getAddress(user) === account ? { ok: true, expires: Number(expires) } : { ok: true };
    } catch (err) {
      return { ok: false, reason: this.describe(err) };
    }
  }

  /** tokenOfMachine(machineKey(manufacturer, machine)): 0 for an unknown machine (token ids start at 1). */
  private async tokenOf(machine: string): Promise<bigint> {
    const known = this.tokens.get(machine);
    if (known !== undefined) return known;
    const id = (await this.registry.getFunction('tokenOfMachine')(machineKey(this.manufacturer, machine))) as bigint;
    if (id !== 0n) this.tokens.set(machine, id);
    return id;
  }

  /** A contract-level failure names the registry; anything else means the node did not answer. */
  private describe(err: unknown): string {
    if (isError(err, 'BAD_DATA') || isError(err, 'CALL_EXCEPTION')) {
      return `no usable TwinRegistry at ${this.registryAddress} on ${this.rpcUrl} (${(err as Error).message.slice(0, 120)})`;
    }
    return `chain unavailable: ${this.rpcUrl} does not answer (${err instanceof Error ? err.message.slice(0, 120) : String(err)})`;
  }

  private sweep(now: number): void {
    for (const [k, v] of this.answers) if (now - v.at >= this.cacheMs) this.answers.delete(k);
  }
}

/** TwinRegistry.machineKey, computed here to save a call: keccak256(abi.encode(manufacturer, serialNumber)). */
export function machineKey(manufacturer: string, serialNumber: string): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(['string', 'string'], [manufacturer, serialNumber]));
}
