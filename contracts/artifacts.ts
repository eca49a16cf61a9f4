import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifactsDir } from './paths.js';

/** What the deployer needs from a compiled contract. */
export interface Artifact {
  contractName: string;
  abi: unknown[];
  /** Creation bytecode, 0x-prefixed. */
  bytecode: string;
  /** Runtime bytecode, 0x-prefixed (lets a deployment check the code at an address). */
  deployedBytecode: string;
}

/** The contracts the project deploys, in deployment order. */
export const CONTRACT_NAMES = ['HGPT', 'TwinRegistry', 'MaintenanceLog', 'MaintenanceMarket'] as const;
export type ContractName = (typeof CONTRACT_NAMES)[number];

/** Load a committed artifact from contracts/artifacts/<name>.json (no compile at run time). */
export function loadArtifact(name: string, dir: string = artifactsDir()): Artifact {
  const path = join(dir, `${name}.json`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`contract artifact ${path} is missing: run "npm run build && node dist/contracts/build.js"`);
  }
  return JSON.parse(text) as Artifact;
}
