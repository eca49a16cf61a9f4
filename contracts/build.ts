/**
 * Compiles contracts/src/*.sol with solc-js (no compiler download) and writes
 * contracts/artifacts/<Name>.json = { contractName, abi, bytecode, deployedBytecode }.
 *
 * Output is deterministic (sorted sources, fixed settings, stable JSON), so the committed artifacts
 * can be checked against a fresh compile in tests. Run: `node dist/contracts/build.js` after `npm run build`.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Artifact } from './artifacts.js';
import { artifactsDir, contractsSrcDir, repoRoot } from './paths.js';

const require = createRequire(import.meta.url);

/** Anvil 1.7 defaults to the latest hardfork; cancun is supported by it and by every current chain. */
export const EVM_VERSION = 'cancun';
export const OPTIMIZER_RUNS = 200;

interface SolcError {
  severity: 'error' | 'warning' | 'info';
  type: string;
  message: string;
  formattedMessage?: string;
  sourceLocation?: { file: string; start: number; end: number };
}
interface SolcOutput {
  errors?: SolcError[];
  contracts?: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>>;
}

export class SolidityCompileError extends Error {
  constructor(readonly errors: string[]) {
    super(`Solidity compilation failed:\n${errors.join('\n')}`);
    this.name = 'SolidityCompileError';
  }
}

/** "file:line:col: message" for a solc diagnostic. */
function describe(err: SolcError, sources: Record<string, { content: string }>, root: string): string {
  const loc = err.sourceLocation;
  if (!loc) return `${err.severity}: ${err.message}`;
  const content = sources[loc.file]?.content ?? readImport(loc.file, root) ?? '';
  const before = content.slice(0, Math.max(0, loc.start));
  const line = before.split('\n').length;
  const col = before.length - before.lastIndexOf('\n');
  return `${loc.file}:${line}:${col}: ${err.severity} (${err.type}): ${err.message}`;
}

function readImport(path: string, root: string): string | undefined {
  // OpenZeppelin and any other package imports resolve from node_modules; never outside the repo.
  const candidates = [join(root, 'node_modules', path), join(root, path)];
  for (const file of candidates) {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      /* try the next */
    }
  }
  return undefined;
}

/** Compile every contracts/src/*.sol; returns artifacts for each contract (not library/interface) defined there. */
export function compileContracts(root: string = repoRoot()): Record<string, Artifact> {
  const solc = require('solc') as { compile(input: string, opts: { import(path: string): { contents: string } | { error: string } }): string };
  const srcDir = contractsSrcDir(root);
  const files = readdirSync(srcDir).filter((f) => f.endsWith('.sol')).sort();
  const sources: Record<string, { content: string }> = {};
  // Source unit names are repo-relative so the metadata (and thus the bytecode) is machine-independent.
  for (const f of files) sources[`contracts/src/${f}`] = { content: readFileSync(join(srcDir, f), 'utf8') };
  const input = {
    language: 'Solidity',
    sources,
    settings: {
      optimizer: { enabled: true, runs: OPTIMIZER_RUNS },
      evmVersion: EVM_VERSION,
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
    },
  };
  const output = JSON.parse(
    solc.compile(JSON.stringify(input), {
      import: (path) => {
        const contents = readImport(path, root);
        return contents === undefined ? { error: `import not found: ${path}` } : { contents };
      },
    }),
  ) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new SolidityCompileError(errors.map((e) => describe(e, sources, root)));

  const artifacts: Record<string, Artifact> = {};
  // Only the project's own contracts; imported OpenZeppelin units are compiled but not written out.
  for (const unit of Object.keys(output.contracts ?? {}).filter((u) => u in sources).sort()) {
    for (const [name, c] of Object.entries(output.contracts![unit]!)) {
      if (!c.evm.bytecode.object) continue; // interfaces and abstract contracts have no code
      if (c.abi.length === 0) continue; // constant-only libraries (Roles): nothing to deploy or call
      artifacts[name] = {
        contractName: name,
        abi: c.abi,
        bytecode: `0x${c.evm.bytecode.object}`,
        deployedBytecode: `0x${c.evm.deployedBytecode.object}`,
      };
    }
  }
  return artifacts;
}

/** Stable on-disk form of an artifact. */
export const artifactJson = (a: Artifact): string => `${JSON.stringify(a, null, 2)}\n`;

/** Compile and (re)write contracts/artifacts/; stale artifacts of removed contracts are deleted. */
export function buildContracts(root: string = repoRoot()): string[] {
  const artifacts = compileContracts(root);
  const out = artifactsDir(root);
  mkdirSync(out, { recursive: true });
  for (const f of readdirSync(out)) if (f.endsWith('.json') && !(f.slice(0, -5) in artifacts)) rmSync(join(out, f));
  for (const [name, a] of Object.entries(artifacts)) writeFileSync(join(out, `${name}.json`), artifactJson(a));
  return Object.keys(artifacts);
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  try {
    const started = process.hrtime.bigint();
    const names = buildContracts(repoRoot(dirname(fileURLToPath(import.meta.url))));
    const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
    console.log(`compiled ${names.join(', ')} → contracts/artifacts/ in ${ms} ms`);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  }
}
