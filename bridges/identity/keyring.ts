import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { oneLine } from '../../agents/protocol/one-line.js';
import type { Identity } from './identity.js';

/**
 * The private keys of the principals one process speaks for (its agents and
 * bridges), so that each envelope is signed by its own sender:
 *
 *     { "version": 1,
 *       "keys": { "cobot-1": "-----BEGIN PRIVATE KEY-----\n…",
 *                 "erp":     "-----BEGIN PRIVATE KEY-----\n…" } }
 *
 * Ed25519, PKCS#8 PEM; the public halves are in the principals file under
 * the same ids. The file holds secrets: it must not be readable by group or
 * others (mode 0600, as `hyperfactory identity fleet` writes it), or it is
 * refused. An agent host's keyring holds only the agents it may carry, so
 * it cannot sign for the others.
 */
export class KeyringFileError extends Error {
  override name = 'KeyringFileError';
}

const ID = /^[A-Za-z0-9._-]{1,100}$/;

const KeyringSchema = z
  .object({
    version: z.literal(1),
    keys: z.record(z.string(), z.string()),
  })
  .strict();

/** Private keys by principal id. */
export type Keyring = ReadonlyMap<string, KeyObject>;

/** Reads and checks a keyring file; every problem is one line naming the file and the entry. */
export function loadKeyring(file: string): Keyring {
  const fail = (detail: string): never => {
    // Details quote the file (V8's JSON error, ids, schema paths): kept to one line.
    throw new KeyringFileError(`keyring file ${file}: ${oneLine(detail)}`);
  };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
    if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0)
      fail(`readable by group or others (mode ${(statSync(file).mode & 0o777).toString(8)}); it holds private keys: chmod 600 it`);
  } catch (e) {
    if (e instanceof KeyringFileError) throw e;
    return fail((e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return fail(`not JSON (${(e as Error).message})`);
  }
  const parsed = KeyringSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail(`${issue.path.length ? issue.path.map(String).join('.') : '(file)'}: ${issue.message} (expected {"version": 1, "keys": {id: PEM}})`);
  }
  const keys = new Map<string, KeyObject>();
  // The file's own entries: the schema's copy drops a "__proto__" key unchecked.
  for (const [id, pem] of Object.entries((doc as { keys: Record<string, unknown> }).keys)) {
    if (!ID.test(id)) fail(`keys[${JSON.stringify(id)}]: an id is 1–100 letters, digits, ".", "_" or "-"`);
    if (typeof pem !== 'string') fail(`keys[${JSON.stringify(id)}]: expected a PEM string`);
    let key: KeyObject;
    try {
      key = createPrivateKey(pem as string);
    } catch {
      return fail(`keys[${JSON.stringify(id)}] is not a PEM private key`);
    }
    if (key.asymmetricKeyType !== 'ed25519') fail(`keys[${JSON.stringify(id)}] is ${key.asymmetricKeyType}, expected ed25519`);
    keys.set(id, key);
  }
  return keys;
}

/** Writes a keyring (mode 0600); `exclusive` refuses to overwrite, as a key is never overwritten. */
export function writeKeyring(file: string, keys: Iterable<[string, KeyObject]>, exclusive = true): void {
  const doc = { version: 1, keys: Object.fromEntries([...keys].map(([id, key]) => [id, key.export({ type: 'pkcs8', format: 'pem' }).toString()])) };
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600, flag: exclusive ? 'wx' : 'w' });
}

/** A keyring with one process identity added (the plant signs `agent.lost` as itself). */
export function withIdentity(keyring: Keyring, identity: Identity | undefined): Keyring {
  if (!identity || keyring.has(identity.id)) return keyring;
  return new Map([...keyring, [identity.id, identity.privateKey]]);
}
