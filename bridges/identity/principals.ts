import { createPublicKey, type KeyObject } from 'node:crypto';
import { WatchedFile } from '../access/watched-file.js';
import { idPattern } from '../mqtt/live/id-pattern.js';

/**
 * Who may speak on a site's links, and as what: the principals file.
 *
 *     { "version": 1,
 *       "principals": {
 *         "plant":  { "publicKey": "-----BEGIN PUBLIC KEY-----\n…", "roles": ["plant"] },
 *         "host-a": { "publicKey": "-----BEGIN PUBLIC KEY-----\n…", "roles": ["agent-host"] } },
 *       "revoked": ["host-c"] }
 *
 * Agents and bridges that sign envelopes (`bridges/identity/envelope-signature.ts`)
 * are principals too: `{"publicKey": …, "roles": ["agent"], "kind": "cobot",
 * "hosts": ["host-a"]}`, `{"publicKey": …, "roles": ["bridge"], "speaksFor": "machine-*"}`.
 *
 * Keys are Ed25519 (SPKI PEM; `hyperfactory identity new` makes a pair). The
 * file is watched: a principal added, removed or revoked applies to the next
 * message, without a restart; a file that no longer reads keeps the previous
 * principals and says why.
 */
export interface Principal {
  id: string;
  publicKey: KeyObject;
  roles: ReadonlySet<string>;
  /** An agent's kind (`cobot`), for people and for `identity fleet`; informational. */
  kind?: string;
  /** An agent: the agent hosts that may carry it (the plant places it on no other). Absent: any host. */
  hosts?: readonly string[];
  /** A bridge: the agent ids (globs, `machine-*`) whose envelopes it may sign besides its own. */
  speaksFor?: string;
}

export class PrincipalsFileError extends Error {
  override name = 'PrincipalsFileError';
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`principals file ${file}: ${detail}`);
  }
}

const ID = /^[A-Za-z0-9._-]{1,100}$/;

export function parsePrincipals(file: string, text: string): { principals: Map<string, Principal>; revoked: Set<string> } {
  const fail = (detail: string): never => {
    throw new PrincipalsFileError(file, detail);
  };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return fail(`not JSON (${(e as Error).message})`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return fail('expected {"version": 1, "principals": {...}, "revoked": [...]}');
  const { version, principals, revoked } = doc as Record<string, unknown>;
  if (version !== 1) fail(`unsupported version ${JSON.stringify(version)} (expected 1)`);
  if (!principals || typeof principals !== 'object' || Array.isArray(principals)) fail('"principals" must be an object of id → {publicKey, roles}');
  if (revoked !== undefined && (!Array.isArray(revoked) || !revoked.every((r) => typeof r === 'string'))) fail('"revoked" must be a list of ids');
  const out = new Map<string, Principal>();
  for (const [id, entry] of Object.entries(principals as Record<string, unknown>)) {
    const where = `principals[${JSON.stringify(id)}]`;
    if (!ID.test(id)) fail(`${where}: an id is 1–100 letters, digits, ".", "_" or "-"`);
    const { publicKey, roles, kind, hosts, speaksFor } = (entry ?? {}) as { publicKey?: unknown; roles?: unknown; kind?: unknown; hosts?: unknown; speaksFor?: unknown };
    if (typeof publicKey !== 'string') fail(`${where}.publicKey must be a PEM public key`);
    let key: KeyObject;
    try {
      key = createPublicKey(publicKey as string);
    } catch {
      return fail(`${where}.publicKey is not a PEM public key`);
    }
    if (key.asymmetricKeyType !== 'ed25519') fail(`${where}.publicKey is ${key.asymmetricKeyType}, expected ed25519`);
    if (!Array.isArray(roles) || roles.length === 0 || !roles.every((r) => typeof r === 'string' && r.length > 0)) fail(`${where}.roles must be a non-empty list of role names`);
    if (kind !== undefined && (typeof kind !== 'string' || kind.length === 0)) fail(`${where}.kind must be an agent kind such as "cobot"`);
    if (hosts !== undefined && (!Array.isArray(hosts) || !hosts.every((h) => typeof h === 'string' && ID.test(h)))) fail(`${where}.hosts must be a list of agent-host ids`);
    if (speaksFor !== undefined && (typeof speaksFor !== 'string' || !idPattern(speaksFor).ok)) fail(`${where}.speaksFor must be an agent-id pattern such as "machine-*"`);
    out.set(id, {
      id,
      publicKey: key,
      roles: new Set(roles as string[]),
      ...(kind !== undefined ? { kind: kind as string } : {}),
      ...(hosts !== undefined ? { hosts: hosts as string[] } : {}),
      ...(speaksFor !== undefined ? { speaksFor: speaksFor as string } : {}),
    });
  }
  return { principals: out, revoked: new Set((revoked as string[] | undefined) ?? []) };
}

export class Principals {
  private readonly watched: WatchedFile<{ principals: Map<string, Principal>; revoked: Set<string> }>;

  constructor(
    readonly file: string,
    onReload?: (line: string) => void,
  ) {
    this.watched = new WatchedFile(file, parsePrincipals, (f, detail) => new PrincipalsFileError(f, detail), onReload);
  }

  /** Reads the file again now (also done by the watcher); on an error the previous principals stay. */
  reload(): void {
    this.watched.reload();
  }

  /** The principal, or why it may not speak. */
  lookup(id: string): { ok: true; principal: Principal } | { ok: false; reason: 'unknown-signer' | 'revoked' } {
    const state = this.watched.value;
    if (state.revoked.has(id)) return { ok: false, reason: 'revoked' };
    const principal = state.principals.get(id);
    return principal ? { ok: true, principal } : { ok: false, reason: 'unknown-signer' };
  }

  close(): void {
    this.watched.close();
  }
}

