/**
 * Deploys (or reuses) the HyperFactory contracts and wires their roles.
 *
 * The deployment is recorded in `<dataDir>/deployment.json`. On the next run, if the chain id
 * matches, the artifacts are unchanged and the code recorded at every address is still there
 * (e.g. Anvil restarted from its state file), the contracts are reused — so on-chain history
 * survives restarts. Otherwise they are deployed afresh and the file is rewritten.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Contract, ContractFactory, JsonRpcProvider, NonceManager, Wallet, keccak256, id, type Signer } from 'ethers';
import { CONTRACT_NAMES, loadArtifact, type Artifact, type ContractName } from '../../contracts/artifacts.js';

/** Role ids as the contracts compute them (contracts/src/Roles.sol). */
export const ROLES = {
  ADMIN: `0x${'00'.repeat(32)}`,
  OPERATOR: id('OPERATOR_ROLE'),
  VENDOR: id('VENDOR_ROLE'),
  AUDITOR: id('AUDITOR_ROLE'),
  REGISTRY: id('REGISTRY_ROLE'),
} as const;

export interface DeployParams {
  /** HGPT base units per inference unit. */
  inferencePrice: bigint;
  /** Minted to the deployer (admin) at deployment. */
  initialSupply: bigint;
  /** HGPT a registrant must stake per machine. */
  stakePerMachine: bigint;
  /** Receives inference payments; default the deployer. */
  treasury?: string;
}

export const DEFAULT_PARAMS: DeployParams = {
  inferencePrice: 10n ** 15n, // 0.001 HGPT per unit
  initialSupply: 10_000_000n * 10n ** 18n,
  stakePerMachine: 100n * 10n ** 18n,
};

export interface DeployOptions {
  rpcUrl: string;
  /** Private key of the deployer, who becomes admin (DEFAULT_ADMIN_ROLE) of every contract. */
  deployerKey: string;
  /** Folder for deployment.json; omitted = always deploy, nothing written. */
  dataDir?: string;
  params?: Partial<DeployParams>;
  roles?: { operators?: string[]; vendors?: string[]; auditors?: string[] };
  /** false = ignore an existing deployment.json. */
  reuse?: boolean;
}

export type Addresses = Record<ContractName, string>;

export interface DeploymentRecord {
  chainId: number;
  addresses: Addresses;
  /** keccak256 of the runtime code at each address right after deployment. */
  codeHashes: Addresses;
  /** keccak256 over the creation bytecode of all artifacts: a rebuild with changes forces a redeploy. */
  artifactsHash: string;
  deployer: string;
  block: number;
}

export interface Deployment {
  record: DeploymentRecord;
  reused: boolean;
  /** The deployer's signer (wrapped in a NonceManager: Anvil rejects back-to-back sends otherwise). */
  signer: Signer;
  provider: JsonRpcProvider;
  contracts: Record<ContractName, Contract>;
}

export const deploymentFile = (dataDir: string): string => join(dataDir, 'deployment.json');

function artifactsHash(artifacts: Record<ContractName, Artifact>): string {
  return keccak256(`0x${CONTRACT_NAMES.map((n) => artifacts[n].bytecode.slice(2)).join('')}`);
}

async function stillDeployed(provider: JsonRpcProvider, rec: DeploymentRecord, chainId: number, hash: string): Promise<boolean> {
  if (rec.chainId !== chainId || rec.artifactsHash !== hash) return false;
  for (const name of CONTRACT_NAMES) {
    const code = await provider.getCode(rec.addresses[name]);
    if (code === '0x' || keccak256(code) !== rec.codeHashes[name]) return false;
  }
  return true;
}

function readRecord(dataDir: string | undefined): DeploymentRecord | undefined {
  if (!dataDir || !existsSync(deploymentFile(dataDir))) return undefined;
  try {
    return JSON.parse(readFileSync(deploymentFile(dataDir), 'utf8')) as DeploymentRecord;
  } catch {
    return undefined; // unreadable: deploy afresh and overwrite
  }
}

/** Grant a role unless already held (so re-wiring a reused deployment is idempotent). */
async function ensureRole(contract: Contract, role: string, account: string): Promise<void> {
  if (await contract.getFunction('hasRole')(role, account)) return;
  const tx = await contract.getFunction('grantRole')(role, account);
  await tx.wait();
}

export async function deployContracts(options: DeployOptions): Promise<Deployment> {
  const provider = new JsonRpcProvider(options.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
  const wallet = new Wallet(options.deployerKey, provider);
  const signer = new NonceManager(wallet);
  const chainId = Number((await provider.getNetwork()).chainId);
  const params: DeployParams = { ...DEFAULT_PARAMS, ...options.params };
  const artifacts = Object.fromEntries(CONTRACT_NAMES.map((n) => [n, loadArtifact(n)])) as Record<ContractName, Artifact>;
  const hash = artifactsHash(artifacts);

  const previous = options.reuse === false ? undefined : readRecord(options.dataDir);
  let record: DeploymentRecord;
  let reused = false;
  if (previous && (await stillDeployed(provider, previous, chainId, hash))) {
    record = previous;
    reused = true;
  } else {
    const deploy = async (name: ContractName, ...args: unknown[]): Promise<string> => {
      const factory = new ContractFactory(artifacts[name].abi as never, artifacts[name].bytecode, signer);
      const c = await factory.deploy(...args);
      await c.waitForDeployment();
      return c.getAddress();
    };
    const admin = wallet.address;
    const hgpt = await deploy('HGPT', admin, params.treasury ?? admin, params.inferencePrice, params.initialSupply);
    const registry = await deploy('TwinRegistry', admin, hgpt, params.stakePerMachine);
    const log = await deploy('MaintenanceLog', admin);
    const market = await deploy('MaintenanceMarket', admin, hgpt);
    const addresses: Addresses = { HGPT: hgpt, TwinRegistry: registry, MaintenanceLog: log, MaintenanceMarket: market };
    const codeHashes = {} as Addresses;
    for (const name of CONTRACT_NAMES) codeHashes[name] = keccak256(await provider.getCode(addresses[name]));
    record = { chainId, addresses, codeHashes, artifactsHash: hash, deployer: admin, block: await provider.getBlockNumber() };
  }

  const contracts = Object.fromEntries(
    CONTRACT_NAMES.map((n) => [n, new Contract(record.addresses[n], artifacts[n].abi as never, signer)]),
  ) as Record<ContractName, Contract>;

  // Wiring. The registry alone may lock/release stakes; operators act on every contract;
  // vendors bid in the market; auditors attest batches and confirm completed jobs.
  await ensureRole(contracts.HGPT, ROLES.REGISTRY, record.addresses.TwinRegistry);
  for (const op of options.roles?.operators ?? []) {
    for (const name of CONTRACT_NAMES) await ensureRole(contracts[name], ROLES.OPERATOR, op);
  }
  for (const v of options.roles?.vendors ?? []) await ensureRole(contracts.MaintenanceMarket, ROLES.VENDOR, v);
  for (const a of options.roles?.auditors ?? []) {
    await ensureRole(contracts.MaintenanceLog, ROLES.AUDITOR, a);
    await ensureRole(contracts.MaintenanceMarket, ROLES.AUDITOR, a);
  }

  if (options.dataDir && !reused) {
    mkdirSync(options.dataDir, { recursive: true });
    const file = deploymentFile(options.dataDir);
    writeFileSync(`${file}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
    renameSync(`${file}.tmp`, file); // atomic: a crash never leaves half a deployment file
  }
  return { record, reused, signer, provider, contracts };
}
