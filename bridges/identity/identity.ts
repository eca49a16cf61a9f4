import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * A process's own identity on the site's links: an id and its Ed25519
 * private key, from a file only that process reads:
 *
 *     { "id": "host-a", "privateKey": "-----BEGIN PRIVATE KEY-----\n…" }
 *
 * Its public half goes into the principals file under the same id.
 */
export interface Identity {
  id: string;
  privateKey: KeyObject;
}

export class IdentityFileError extends Error {
  override name = 'IdentityFileError';
}

export function loadIdentity(file: string): Identity {
  let doc: { id?: unknown; privateKey?: unknown };
  try {
    doc = JSON.parse(readFileSync(file, 'utf8')) as typeof doc;
  } catch (e) {
    throw new IdentityFileError(`identity file ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not JSON (${(e as Error).message})`}`);
  }
  if (typeof doc?.id !== 'string' || doc.id.length === 0) throw new IdentityFileError(`identity file ${file}: "id" must be the principal's id`);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(String(doc.privateKey));
  } catch {
    throw new IdentityFileError(`identity file ${file}: "privateKey" is not a PEM private key`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new IdentityFileError(`identity file ${file}: the key is ${privateKey.asymmetricKeyType}, expected ed25519`);
  return { id: doc.id, privateKey };
}

/** A new identity: the file content for its holder and the principals-file entry for everyone else. */
export function newIdentity(id: string, roles: string[]): { identity: Identity; identityFile: string; principal: { publicKey: string; roles: string[] } } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  return { identity: { id, privateKey }, identityFile: `${JSON.stringify({ id, privateKey: privatePem }, null, 2)}\n`, principal: { publicKey: publicPem, roles } };
}
