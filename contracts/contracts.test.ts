import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Contract, NonceManager, Wallet, id, type JsonRpcProvider, type TransactionReceipt } from 'ethers';
import { startAnvil, type AnvilNode } from '../bridges/evm/anvil.js';
import { deployContracts, ROLES, type Deployment } from '../bridges/evm/deploy.js';
import { buildBatch, buildTree, hashPair, standardLeafHash, TWIN_LEAF_TYPES, twinLeafValues, verifyProof } from '../agents/ledger/merkle/merkle.js';
import type { TwinEvent } from '../agents/ports/ledger-port.js';
import { CONTRACT_NAMES, loadArtifact, type ContractName } from './artifacts.js';
import { artifactJson, compileContracts, SolidityCompileError } from './build.js';
import { artifactsDir } from './paths.js';

const E18 = 10n ** 18n;

describe('contract artifacts', () => {
  it('the committed artifacts equal a fresh solc-js compile', () => {
    const fresh = compileContracts();
    expect(Object.keys(fresh).sort()).toEqual([...CONTRACT_NAMES].sort());
    for (const name of CONTRACT_NAMES) {
      expect(readFileSync(join(artifactsDir(), `${name}.json`), 'utf8'), `${name}.json is stale: rebuild`).toBe(artifactJson(fresh[name]!));
    }
  });

  it('reports solc errors as file:line:col', () => {
    const root = mkdtempSync(join(tmpdir(), 'solc-'));
    try {
      mkdirSync(join(root, 'contracts', 'src'), { recursive: true });
      writeFileSync(join(root, 'package.json'), '{}');
      writeFileSync(join(root, 'contracts', 'src', 'Bad.sol'), '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.24;\ncontract Bad { function f() public { x = 1; } }\n');
      let caught: unknown;
      try {
        compileContracts(root);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(SolidityCompileError);
      expect((caught as Error).message).toMatch(/contracts\/src\/Bad\.sol:3:\d+: error \(DeclarationError\)/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('Merkle tree (OpenZeppelin StandardMerkleTree layout)', () => {
  it('two leaves: root is the sorted-pair hash; a single leaf is its own root', () => {
    const a = standardLeafHash(['uint256'], [1n]);
    const b = standardLeafHash(['uint256'], [2n]);
    expect(buildTree([a, b]).root).toBe(hashPair(a, b));
    const one = buildTree([a]);
    expect(one.root).toBe(a);
    expect(one.proof(0)).toEqual([]);
  });
});

describe('HyperFactory contracts on Anvil', () => {
  let anvil: AnvilNode;
  let dep: Deployment;
  let provider: JsonRpcProvider;
  const signers: NonceManager[] = [];
  // Account roles in these tests.
  const ADMIN = 0, OPERATOR = 1, VENDOR = 2, AUDITOR = 3, SITE = 4, OWNER = 5, STRANGER = 6;
  const addr = (i: number): string => anvil.accounts[i]!.address;
  const at = (name: ContractName, who: number): Contract => new Contract(dep.record.addresses[name], loadArtifact(name).abi as never, signers[who]);
  const send = async (name: ContractName, who: number, fn: string, ...args: unknown[]): Promise<TransactionReceipt> => {
    const tx = await at(name, who).getFunction(fn)(...args);
    return (await tx.wait())!;
  };
  /** Expect a transaction to revert with the named custom error (decoded from the ABI). */
  const reverts = async (name: ContractName, who: number, fn: string, args: unknown[], error: string): Promise<void> => {
    let caught: { data?: string; message?: string } | undefined;
    try {
      await send(name, who, fn, ...args);
    } catch (err) {
      caught = err as typeof caught;
    } finally {
      // NonceManager counts the nonce before gas estimation fails; resync with the node.
      signers[who]!.reset();
    }
    expect(caught, `${name}.${fn} by account ${who} should revert`).toBeDefined();
    // Gas estimation fails before the contract can decode: decode the revert data with the ABI.
    // Errors bubble across contracts (registry → HGPT), so try every contract's ABI.
    const decoded = caught!.data ? CONTRACT_NAMES.map((n) => at(n, who).interface.parseError(caught!.data!)).find((e) => e) : null;
    expect(decoded?.name, `${name}.${fn} revert (${caught!.message?.slice(0, 200)})`).toBe(error);
  };
  const unauthorized = (name: ContractName, who: number, fn: string, args: unknown[]): Promise<void> =>
    reverts(name, who, fn, args, 'AccessControlUnauthorizedAccount');
  const balance = async (i: number): Promise<bigint> => (await at('HGPT', ADMIN).getFunction('balanceOf')(addr(i))) as bigint;
  const fund = async (i: number, amount: bigint): Promise<void> => void (await send('HGPT', ADMIN, 'transfer', addr(i), amount));
  const registerMachine = async (who: number, serial: string): Promise<bigint> => {
    const rcpt = await send('TwinRegistry', who, 'register', addr(who), 'Siemens', serial, `urn:hf:machine:${serial}`, id(`state-${serial}`));
    const log = rcpt.logs.map((l) => at('TwinRegistry', who).interface.parseLog(l)).find((l) => l?.name === 'MachineRegistered');
    return log!.args[0] as bigint;
  };

  beforeAll(async () => {
    anvil = await startAnvil();
    dep = await deployContracts({
      rpcUrl: anvil.url,
      deployerKey: anvil.accounts[ADMIN]!.privateKey,
      roles: { operators: [addr(OPERATOR)], vendors: [addr(VENDOR)], auditors: [addr(AUDITOR)] },
    });
    provider = dep.provider;
    for (const a of anvil.accounts) signers.push(new NonceManager(new Wallet(a.privateKey, provider)));
  });
  afterAll(async () => {
    provider?.destroy();
    await anvil?.stop();
  });

  it('wires roles: operator everywhere, vendor and auditor in the market, registry may lock stakes', async () => {
    for (const name of CONTRACT_NAMES) expect(await at(name, ADMIN).getFunction('hasRole')(ROLES.OPERATOR, addr(OPERATOR))).toBe(true);
    expect(await at('MaintenanceMarket', ADMIN).getFunction('hasRole')(ROLES.VENDOR, addr(VENDOR))).toBe(true);
    expect(await at('MaintenanceLog', ADMIN).getFunction('hasRole')(ROLES.AUDITOR, addr(AUDITOR))).toBe(true);
    expect(await at('HGPT', ADMIN).getFunction('hasRole')(ROLES.REGISTRY, dep.record.addresses.TwinRegistry)).toBe(true);
    expect(await at('TwinRegistry', ADMIN).getFunction('supportsInterface')('0xad092b5c')).toBe(true); // IERC4907
  });

  it('owner-only functions revert for everyone else and work for the admin', async () => {
    for (const who of [OPERATOR, VENDOR, AUDITOR, STRANGER]) {
      await unauthorized('HGPT', who, 'mint', [addr(who), 1n]);
      await unauthorized('HGPT', who, 'setInferencePrice', [1n]);
      await unauthorized('HGPT', who, 'setTreasury', [addr(who)]);
      await unauthorized('TwinRegistry', who, 'setStakePerMachine', [0n]);
      for (const name of CONTRACT_NAMES) await unauthorized(name, who, 'grantRole', [ROLES.OPERATOR, addr(who)]);
    }
    await send('HGPT', ADMIN, 'mint', addr(SITE), 5n);
    expect(await balance(SITE)).toBe(5n);
    await send('MaintenanceLog', ADMIN, 'grantRole', ROLES.AUDITOR, addr(STRANGER));
    await send('MaintenanceLog', ADMIN, 'revokeRole', ROLES.AUDITOR, addr(STRANGER));
  });

  it('operator-only functions revert for vendor, auditor and strangers', async () => {
    for (const who of [ADMIN, VENDOR, AUDITOR, STRANGER]) {
      await unauthorized('HGPT', who, 'rewardRound', [addr(SITE), 1n]);
      await unauthorized('TwinRegistry', who, 'setTwinState', [1n, id('x')]);
      await unauthorized('MaintenanceLog', who, 'anchor', [id(`root-${who}`), 1n]);
      await unauthorized('MaintenanceMarket', who, 'postJob', [1n, id('spec'), 1n]);
      await unauthorized('MaintenanceMarket', who, 'award', [1n, addr(VENDOR)]);
      await unauthorized('MaintenanceMarket', who, 'cancel', [1n]);
    }
    // Only the registry contract may lock or release stakes, not even the operator or admin.
    for (const who of [ADMIN, OPERATOR, STRANGER]) {
      await unauthorized('HGPT', who, 'lockStake', [addr(who), 0n]);
      await unauthorized('HGPT', who, 'releaseStake', [addr(who), 0n]);
    }
  });

  it('federated-learning rewards: the operator mints to the contributing site', async () => {
    const before = await balance(SITE);
    const rcpt = await send('HGPT', OPERATOR, 'rewardRound', addr(SITE), 7n * E18);
    expect(await balance(SITE)).toBe(before + 7n * E18);
    expect(rcpt.logs.map((l) => at('HGPT', ADMIN).interface.parseLog(l)?.name)).toContain('RoundRewarded');
  });

  it('metering: payInference moves units × price to the treasury and emits InferencePaid', async () => {
    const price = (await at('HGPT', ADMIN).getFunction('inferencePrice')()) as bigint;
    await fund(SITE, 1n * E18);
    const [site0, treasury0] = [await balance(SITE), await balance(ADMIN)];
    const rcpt = await send('HGPT', SITE, 'payInference', 25n);
    expect(await balance(SITE)).toBe(site0 - 25n * price);
    expect(await balance(ADMIN)).toBe(treasury0 + 25n * price);
    const ev = rcpt.logs.map((l) => at('HGPT', ADMIN).interface.parseLog(l)).find((l) => l?.name === 'InferencePaid');
    expect(ev?.args.toArray()).toEqual([addr(SITE), 25n, 25n * price]);
    await reverts('HGPT', SITE, 'payInference', [0n], 'ZeroAmount');
  });

  it('registration requires staked HGPT, locks it, and one token per machine', async () => {
    const stake = (await at('TwinRegistry', ADMIN).getFunction('stakePerMachine')()) as bigint;
    await fund(OWNER, 1000n * E18);
    await reverts('TwinRegistry', OWNER, 'register', [addr(OWNER), 'Siemens', 'SN-1', 'urn:x', id('s')], 'InsufficientFreeStake');
    await send('HGPT', OWNER, 'stake', stake);
    const tokenId = await registerMachine(OWNER, 'SN-1');
    expect(await at('TwinRegistry', ADMIN).getFunction('ownerOf')(tokenId)).toBe(addr(OWNER));
    const identity = await at('TwinRegistry', ADMIN).getFunction('identityOf')(tokenId);
    expect([identity.manufacturer, identity.serialNumber, identity.productInstanceUri, identity.stateHash]).toEqual(['Siemens', 'SN-1', 'urn:hf:machine:SN-1', id('state-SN-1')]);
    // The whole stake is locked now: no second machine, no unstaking.
    await reverts('TwinRegistry', OWNER, 'register', [addr(OWNER), 'Siemens', 'SN-2', 'urn:x', id('s')], 'InsufficientFreeStake');
    await reverts('HGPT', OWNER, 'unstake', [1n], 'InsufficientFreeStake');
    await send('HGPT', OWNER, 'stake', stake);
    await reverts('TwinRegistry', OWNER, 'register', [addr(OWNER), 'Siemens', 'SN-1', 'urn:y', id('s')], 'MachineAlreadyRegistered');
    // Twin state: operator only.
    await send('TwinRegistry', OPERATOR, 'setTwinState', tokenId, id('state-2'));
    expect((await at('TwinRegistry', ADMIN).getFunction('identityOf')(tokenId)).stateHash).toBe(id('state-2'));
    await unauthorized('TwinRegistry', OWNER, 'setTwinState', [tokenId, id('state-3')]);
    // Retiring releases the stake.
    const second = await registerMachine(OWNER, 'SN-2');
    await reverts('TwinRegistry', STRANGER, 'retire', [second], 'NotOwnerOrApproved');
    await send('TwinRegistry', OWNER, 'retire', second);
    await send('HGPT', OWNER, 'unstake', stake);
    expect(await at('HGPT', ADMIN).getFunction('staked')(addr(OWNER))).toBe(stake);
  });

  it('leasing (ERC-4907): the lessee pays HGPT and its access ends when the lease expires', async () => {
    const registry = at('TwinRegistry', ADMIN);
    const stake = (await registry.getFunction('stakePerMachine')()) as bigint;
    await send('HGPT', OWNER, 'stake', stake);
    const tokenId = await registerMachine(OWNER, 'SN-LEASE');
    const rate = 10n ** 15n;
    await reverts('TwinRegistry', SITE, 'lease', [tokenId, 2n ** 40n], 'NotForLease');
    await reverts('TwinRegistry', STRANGER, 'setLeaseRate', [tokenId, rate], 'NotOwnerOrApproved');
    await send('TwinRegistry', OWNER, 'setLeaseRate', tokenId, rate);

    await fund(SITE, 100n * E18);
    await send('HGPT', SITE, 'approve', dep.record.addresses.TwinRegistry, 100n * E18);
    const now = BigInt((await provider.getBlock('latest'))!.timestamp);
    const expires = now + 3600n;
    const [site0, owner0] = [await balance(SITE), await balance(OWNER)];
    const rcpt = await send('TwinRegistry', SITE, 'lease', tokenId, expires);
    const minedAt = BigInt((await provider.getBlock(rcpt.blockNumber))!.timestamp);
    const cost = rate * (expires - minedAt);
    expect(await balance(SITE)).toBe(site0 - cost);
    expect(await balance(OWNER)).toBe(owner0 + cost);
    expect(await registry.getFunction('userOf')(tokenId)).toBe(addr(SITE));
    expect(await registry.getFunction('userExpires')(tokenId)).toBe(expires);
    expect(await registry.getFunction('hasAccess')(tokenId, addr(SITE))).toBe(true);

    // The owner can neither override nor escape a paid lease; strangers cannot set users at all.
    await reverts('TwinRegistry', OWNER, 'setUser', [tokenId, addr(STRANGER), expires + 10n], 'LeaseActive');
    await reverts('TwinRegistry', OWNER, 'transferFrom', [addr(OWNER), addr(STRANGER), tokenId], 'LeaseActive');
    await reverts('TwinRegistry', STRANGER, 'setUser', [tokenId, addr(STRANGER), expires], 'NotOwnerOrApproved');
    await reverts('TwinRegistry', STRANGER, 'lease', [tokenId, expires + 10n], 'LeaseActive');

    await provider.send('evm_increaseTime', [3601]);
    await provider.send('evm_mine', []);
    expect(await registry.getFunction('userOf')(tokenId)).toBe('0x0000000000000000000000000000000000000000');
    expect(await registry.getFunction('hasAccess')(tokenId, addr(SITE))).toBe(false);
    expect(await registry.getFunction('hasAccess')(tokenId, addr(OWNER))).toBe(true);

    // After expiry the owner may grant use again (free ERC-4907 setUser) and transfer clears it.
    const later = BigInt((await provider.getBlock('latest'))!.timestamp) + 100n;
    await send('TwinRegistry', OWNER, 'setUser', tokenId, addr(STRANGER), later);
    expect(await registry.getFunction('userOf')(tokenId)).toBe(addr(STRANGER));
  });

  it('maintenance log: operator anchors Merkle roots, events verify against them, tampered ones do not', async () => {
    // The batches the ledger's outbox builds (agents/ledger/merkle): twin events as leaves.
    const events: TwinEvent[] = [1, 2, 3, 4, 5].map((n) => ({ id: `ev-${n}`, time: n * 60, type: n % 2 ? 'repair.requested' : 'repair.completed', machine: 'press-1', payload: { n } }));
    const tree = buildBatch(events);
    await unauthorized('MaintenanceLog', AUDITOR, 'anchor', [tree.root, 5n]);
    const rcpt = await send('MaintenanceLog', OPERATOR, 'anchor', tree.root, 5n);
    const log = at('MaintenanceLog', ADMIN);
    const anchored = log.interface.parseLog(rcpt.logs[0]!)!.args;
    expect(anchored[2]).toBe(5n);
    expect(anchored[3]).toBe(addr(OPERATOR));
    const [index, count] = (await log.getFunction('anchorOf')(tree.root)) as [bigint, bigint, bigint];
    expect([index, count]).toEqual([anchored[0], 5n]);
    // Append-only: the same batch cannot be anchored again, and nothing empty or unknown counts.
    await reverts('MaintenanceLog', OPERATOR, 'anchor', [tree.root, 5n], 'DuplicateBatch');
    await reverts('MaintenanceLog', OPERATOR, 'anchor', [id('other-root'), 0n], 'EmptyBatch');
    await reverts('MaintenanceLog', ADMIN, 'anchorOf', [id('never')], 'UnknownBatch');

    for (let i = 0; i < events.length; i++) {
      const leaf = tree.leaves[i]!;
      const proof = tree.proof(i);
      expect(verifyProof(tree.root, leaf, proof)).toBe(true);
      expect(await log.getFunction('verify')(tree.root, leaf, proof)).toBe(true);
    }
    const tampered = standardLeafHash(TWIN_LEAF_TYPES, twinLeafValues({ ...events[2]!, payload: { n: 99 } }));
    const proof = tree.proof(2);
    expect(await log.getFunction('verify')(tree.root, tampered, proof)).toBe(false);
    expect(await log.getFunction('verify')(id('never'), tree.leaves[2]!, proof)).toBe(false);
    expect(verifyProof(tree.root, tampered, proof)).toBe(false);

    // Auditor-only attestation.
    for (const who of [ADMIN, OPERATOR, VENDOR, STRANGER]) await unauthorized('MaintenanceLog', who, 'attest', [tree.root]);
    await send('MaintenanceLog', AUDITOR, 'attest', tree.root);
    expect(await log.getFunction('attested')(tree.root, addr(AUDITOR))).toBe(true);
    await reverts('MaintenanceLog', AUDITOR, 'attest', [id('never')], 'UnknownBatch');
  });

  it('marketplace: escrowed job, vendor-only bids, award, confirmation pays the vendor once', async () => {
    const market = dep.record.addresses.MaintenanceMarket;
    const budget = 1000n * E18;
    const price = 600n * E18;
    await fund(OPERATOR, budget);
    await send('HGPT', OPERATOR, 'approve', market, budget);
    const op0 = await balance(OPERATOR);
    const rcpt = await send('MaintenanceMarket', OPERATOR, 'postJob', 1n, id('replace bearing'), budget);
    const jobId = at('MaintenanceMarket', ADMIN).interface.parseLog(rcpt.logs.at(-1)!)!.args[0] as bigint;
    expect(await balance(OPERATOR)).toBe(op0 - budget);

    for (const who of [ADMIN, OPERATOR, AUDITOR, STRANGER]) await unauthorized('MaintenanceMarket', who, 'bid', [jobId, price]);
    await reverts('MaintenanceMarket', VENDOR, 'bid', [jobId, budget + 1n], 'BadPrice');
    await send('MaintenanceMarket', VENDOR, 'bid', jobId, price);
    await reverts('MaintenanceMarket', OPERATOR, 'award', [jobId, addr(STRANGER)], 'NoBid');
    await reverts('MaintenanceMarket', OPERATOR, 'confirmCompletion', [jobId], 'WrongStatus');
    await send('MaintenanceMarket', OPERATOR, 'award', jobId, addr(VENDOR));

    for (const who of [ADMIN, VENDOR, STRANGER]) await reverts('MaintenanceMarket', who, 'confirmCompletion', [jobId], 'NotConfirmer');
    const vendor0 = await balance(VENDOR);
    await send('MaintenanceMarket', AUDITOR, 'confirmCompletion', jobId);
    expect(await balance(VENDOR)).toBe(vendor0 + price);
    expect(await balance(OPERATOR)).toBe(op0 - price); // unused budget refunded
    await reverts('MaintenanceMarket', OPERATOR, 'confirmCompletion', [jobId], 'WrongStatus');
    await reverts('MaintenanceMarket', AUDITOR, 'confirmCompletion', [jobId], 'WrongStatus');
  });
});

describe('Anvil state persistence', () => {
  it('a restarted Anvil with the same state file keeps the deployment and the registered machine', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anvil-state-'));
    const stateFile = join(dir, 'anvil-state.json');
    try {
      let node = await startAnvil({ stateFile });
      const key = node.accounts[0]!.privateKey;
      let dep = await deployContracts({ rpcUrl: node.url, deployerKey: key, dataDir: dir });
      expect(dep.reused).toBe(false);
      const hgpt = dep.contracts.HGPT;
      await (await hgpt.getFunction('stake')(100n * E18)).wait();
      const owner = node.accounts[0]!.address;
      await (await dep.contracts.TwinRegistry.getFunction('register')(owner, 'ABB', 'SN-P', 'urn:p', id('p'))).wait();
      dep.provider.destroy();
      await node.stop();
      expect(existsSync(stateFile)).toBe(true);

      node = await startAnvil({ stateFile });
      try {
        dep = await deployContracts({ rpcUrl: node.url, deployerKey: key, dataDir: dir });
        expect(dep.reused).toBe(true);
        expect(await dep.contracts.TwinRegistry.getFunction('ownerOf')(1n)).toBe(owner);
        expect((await dep.contracts.TwinRegistry.getFunction('identityOf')(1n)).serialNumber).toBe('SN-P');
        dep.provider.destroy();
      } finally {
        await node.stop();
      }

      // A fresh chain (no state) has no code at the recorded addresses: deploy afresh.
      node = await startAnvil();
      try {
        dep = await deployContracts({ rpcUrl: node.url, deployerKey: key, dataDir: join(dir) });
        expect(dep.reused).toBe(false);
        dep.provider.destroy();
      } finally {
        await node.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
