import { existsSync, mkdirSync, openSync, closeSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Scenario } from '../scenarios/schema.js';
import { KeyringFileError, loadKeyring, writeKeyring, type Keyring } from '../bridges/identity/keyring.js';
import { BRIDGES, BRIDGE_ENTRY, agentEntry, newSigner, scenarioAgents, writeFleet } from './commands/identity-fleet.js';
import { UsageError } from './errors.js';
import { parsePrincipals, PrincipalsFileError } from '../bridges/identity/principals.js';
import { processAlive } from '../bridges/evm/data-lock.js';

/**
 * The keys a plant signs its envelopes with when it is given none: `serve`
 * signs by default, so a live plant is never unsigned by oversight. They
 * live in a folder (default `data/identity/<scenario name>`) laid out as
 * `identity fleet` writes it for a plant without hosts — `plant.id.json`,
 * `plant.keyring.json` (0600) and `principals.json`, which an operator edits
 * to revoke a bridge or an agent without a restart — made on the first
 * start and reused after, so a site keeps its keys. A scenario that gained
 * agents since gets keys for them; no key is ever replaced.
 */
export interface SiteIdentity {
  dir: string;
  identityFile: string;
  principalsFile: string;
  keyringFile: string;
  /** The folder was made by this call. */
  made: boolean;
  /** Agents and bridges given keys by this call in a folder that existed. */
  added: string[];
}

/** The default folder of a scenario's site identity. */
export const defaultIdentityDir = (scenario: Scenario): string => join('data', 'identity', scenario.name);

const FILES = ['plant.id.json', 'plant.keyring.json', 'principals.json'] as const;

/** Makes or reads the site identity in `dir` for `scenario` (loaded from `scenarioFile`). */
export function siteIdentity(scenarioFile: string, scenario: Scenario, dir: string): SiteIdentity {
  const files = { identityFile: join(dir, FILES[0]), keyringFile: join(dir, FILES[1]), principalsFile: join(dir, FILES[2]) };
  const made = !existsSync(dir) && makeFolder(scenarioFile, dir);
  const missing = FILES.filter((f) => !existsSync(join(dir, f)));
  if (missing.length > 0) throw new UsageError(`${dir}: no ${missing.join(', ')}; a site identity has plant.id.json, plant.keyring.json and principals.json ("hyperfactory identity fleet" writes them), or give an empty --identity-dir`);
  return { dir, ...files, made, added: made ? [] : addMissing(scenario, files, dir) };
}

/** Writes the fleet into a fresh folder beside `dir` and renames it into place, so concurrent first starts agree on one. */
function makeFolder(scenarioFile: string, dir: string): boolean {
  const parent = dirname(dir);
  const draft = join(parent, `.${randomBytes(6).toString('hex')}.identity-draft`);
  try {
    mkdirSync(parent, { recursive: true });
  } catch (e) {
    throw new UsageError(`cannot make ${parent} for the site identity (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  writeFleet(scenarioFile, draft, []);
  try {
    renameSync(draft, dir);
    return true;
  } catch (e) {
    rmSync(draft, { recursive: true, force: true });
    const code = (e as NodeJS.ErrnoException).code;
    // Another process made it first: use theirs.
    if (code === 'ENOTEMPTY' || code === 'EEXIST') return false;
    throw new UsageError(`cannot make ${dir} (${code ?? (e as Error).message})`);
  }
}

type Files = { identityFile: string; keyringFile: string; principalsFile: string };

/** Gives keys to the scenario's agents and the bridges that have none yet; returns their ids. */
function addMissing(scenario: Scenario, files: Files, dir: string): string[] {
  const needed = [...scenarioAgents(scenario).map((a) => ({ id: a.id, entry: agentEntry(a.kind, []) })), ...BRIDGES.map((id) => ({ id, entry: BRIDGE_ENTRY }))];
  const before = readSite(files).keyring;
  if (needed.every((n) => before.has(n.id))) return [];
  return withLock(join(dir, '.lock'), () => {
    // Read again under the lock: another process may have added them meanwhile.
    const { keyring, doc } = readSite(files);
    const principals = doc.principals as Record<string, unknown>;
    const added: string[] = [];
    const keys = new Map(keyring);
    for (const n of needed) {
      if (keys.has(n.id)) continue;
      // A principal this keyring cannot sign for was put there by someone: never replaced.
      if (Object.hasOwn(principals, n.id)) throw new UsageError(`${files.principalsFile} names "${n.id}" but ${files.keyringFile} has no key for it: add its key, or remove the entry to have one made`);
      const made = newSigner(n.entry);
      principals[n.id] = made.principal;
      keys.set(n.id, made.privateKey);
      added.push(n.id);
    }
    // The keyring first: a key without its principal is refused as unknown until the principals file follows, never forged.
    replaceFile(files.keyringFile, (tmp) => writeKeyring(tmp, keys));
    replaceFile(files.principalsFile, (tmp) => writeFileSync(tmp, `${JSON.stringify(doc, null, 2)}\n`, { flag: 'wx' }));
    return added;
  });
}

function readSite(files: Files): { keyring: Keyring; doc: Record<string, unknown> } {
  let keyring;
  try {
    keyring = loadKeyring(files.keyringFile);
  } catch (e) {
    if (e instanceof KeyringFileError) throw new UsageError(e.message);
    throw e;
  }
  let text: string;
  try {
    text = readFileSync(files.principalsFile, 'utf8');
    // Checked as the watcher will read it; the raw document is what gets new entries.
    parsePrincipals(files.principalsFile, text);
  } catch (e) {
    if (e instanceof PrincipalsFileError) throw new UsageError(e.message);
    throw new UsageError(`principals file ${files.principalsFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return { keyring, doc: JSON.parse(text) as Record<string, unknown> };
}

/** Writes through a temporary file and renames it over `file`: a reader sees the old file or the new one, never half. */
function replaceFile(file: string, write: (tmp: string) => void): void {
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    write(tmp);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new UsageError(`cannot write ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** Runs `body` holding `lockFile` (made exclusively, with this pid); a lock whose process is gone is taken over. */
function withLock<T>(lockFile: string, body: () => T): T {
  let fd: number | undefined;
  for (let tries = 0; fd === undefined; tries++) {
    try {
      fd = openSync(lockFile, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || tries > 0) throw new UsageError(`cannot lock ${lockFile} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      const holder = Number(readFileSync(lockFile, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && processAlive(holder)) throw new UsageError(`${lockFile}: process ${holder} is adding keys to this site identity; start again when it is done`);
      rmSync(lockFile, { force: true });
    }
  }
  try {
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    return body();
  } finally {
    rmSync(lockFile, { force: true });
  }
}
