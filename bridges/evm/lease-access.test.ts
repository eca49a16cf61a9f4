import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Contract, NonceManager, Wallet, id, type JsonRpcProvider, type TransactionReceipt } from 'ethers';
import { loadArtifact } from '../../contracts/artifacts.js';
import { startAnvil, type AnvilNode } from './anvil.js';
import { deployContracts, type Deployment } from './deploy.js';
import { LeaseAccess, machineKey, PLANT_MANUFACTURER } from './lease-access.js';

const E18 = 10n ** 18n;

/** Real Anvil, real TwinRegistry: a machine registered as the plant does, leased for 60 s of chain time. */
describe('LeaseAccess on Anvil (TwinRegistry, ERC-4907)', () => {
  let anvil: AnvilNode;
  let dep: Deployment;
  let provider: JsonRpcProvider;
  const opened: LeaseAccess[] = [];
  const ADMIN = 0, OWNER = 1, LESSEE = 2, STRANGER = 3;
  const addr = (i: number): string => anvil.accounts[i]!.address;
  const signers: NonceManager[] = [];
  const send = async (name: 'HGPT' | 'TwinRegistry', who: number, fn: string, ...args: unknown[]): Promise<TransactionReceipt> => {
    const c = new Contract(dep.record.addresses[name], loadArtifact(name).abi as never, signers[who]);
    return (await (await c.getFunction(fn)(...args)).wait())!;
  };
  const access = (cacheMs = 0, manufacturer?: string): LeaseAccess => {
    const a = new LeaseAccess(anvil.url, dep.record.addresses.TwinRegistry, anvil.chainId, manufacturer, cacheMs);
    opened.push(a);
    return a;
  };
  let expires: bigint;

  beforeAll(async () => {
    anvil = await startAnvil();
    dep = await deployContracts({ rpcUrl: anvil.url, deployerKey: anvil.accounts[ADMIN]!.privateKey });
    provider = dep.provider;
    for (const a of anvil.accounts) signers.push(new NonceManager(new Wallet(a.privateKey, provider)));
    const registry = dep.contracts.TwinRegistry;
    const stake = (await registry.getFunction('stakePerMachine')()) as bigint;
    // The owner stakes and registers "press-1" under the plant's manufacturer, then offers it for lease.
    await send('HGPT', ADMIN, 'transfer', addr(OWNER), stake);
    await send('HGPT', OWNER, 'stake', stake);
    const rcpt = await send('TwinRegistry', OWNER, 'register', addr(OWNER), PLANT_MANUFACTURER, 'press-1', 'urn:hf:machine:press-1', id('state-press-1'));
    const registered = rcpt.logs.map((l) => registry.interface.parseLog(l)).find((l) => l?.name === 'MachineRegistered');
    const tokenId = registered!.args[0] as bigint;
    await send('TwinRegistry', OWNER, 'setLeaseRate', tokenId, 10n ** 15n);
    // The lessee pays in HGPT: funded by the admin, approves the registry, leases until now + 60 s.
    await send('HGPT', ADMIN, 'transfer', addr(LESSEE), 10n * E18);
    await send('HGPT', LESSEE, 'approve', dep.record.addresses.TwinRegistry, 10n * E18);
    expires = BigInt((await provider.getBlock('latest'))!.timestamp) + 60n;
    await send('TwinRegistry', LESSEE, 'lease', tokenId, expires);
  });

  afterAll(async () => {
    for (const a of opened) a.close();
    provider?.destroy();
    await anvil?.stop();
  });

  it('computes the registry key as the contract does', async () => {
    expect(await dep.contracts.TwinRegistry.getFunction('machineKey')('hyperfactory', 'press-1')).toBe(machineKey('hyperfactory', 'press-1'));
  });

  it('allows the lessee (with the expiry) and the owner, refuses a stranger and unknown machines with a reason', async () => {
    const a = access();
    expect(await a.allowed(addr(LESSEE), 'press-1')).toEqual({ ok: true, expires: Number(expires) });
    expect(await a.allowed(addr(LESSEE).toLowerCase(), 'press-1')).toMatchObject({ ok: true });
    expect(await a.allowed(addr(OWNER), 'press-1')).toEqual({ ok: true });
    expect(await a.allowed(addr(STRANGER), 'press-1')).toEqual({ ok: false, reason: expect.stringMatching(/neither owns machine "press-1" .* nor holds a live lease/) });
    expect(await a.allowed(addr(LESSEE), 'press-9')).toEqual({ ok: false, reason: 'machine "press-9" is not registered in the TwinRegistry (manufacturer "hyperfactory")' });
    expect(await a.allowed('not-an-address', 'press-1')).toEqual({ ok: false, reason: '"not-an-address" is not an Ethereum address' });
    // The mapping is (manufacturer, machine id): the same serial under another manufacturer is another machine.
    expect(await access(0, 'Siemens').allowed(addr(LESSEE), 'press-1')).toMatchObject({ ok: false, reason: expect.stringMatching(/not registered .*"Siemens"/) });
  });

  it('ends the lessee access once chain time passes the expiry (a cached answer lasts its cache time)', async () => {
    const fresh = access(0);
    const cached = access(3_600_000);
    expect(await cached.allowed(addr(LESSEE), 'press-1')).toMatchObject({ ok: true });
    await provider.send('evm_increaseTime', [61]);
    await provider.send('evm_mine', []);
    expect(await fresh.allowed(addr(LESSEE), 'press-1')).toEqual({ ok: false, reason: expect.stringMatching(/nor holds a live lease/) });
    expect(await fresh.allowed(addr(OWNER), 'press-1')).toEqual({ ok: true });
    // Within its cache time an answer is reused: why the viewer's frame loop does not call the chain per frame.
    expect(await cached.allowed(addr(LESSEE), 'press-1')).toMatchObject({ ok: true });
  });

  it('says "chain unavailable" without throwing once the node is gone', async () => {
    const a = access(0);
    expect(await a.allowed(addr(OWNER), 'press-1')).toEqual({ ok: true });
    await anvil.stop();
    const answer = await a.allowed(addr(OWNER), 'press-1');
    expect(answer).toEqual({ ok: false, reason: expect.stringMatching(/^chain unavailable: /) });
  });
});
