import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { WatchedFile } from './watched-file.js';

/**
 * Who may do what on the plant's HTTP and socket.io surfaces (the viewer,
 * the ERP API): bearer tokens with roles, ranked
 *
 *     viewer   read the plant (and seek a replay)
 *     operator + pause, resume, speed, inject faults, command cobots, post ERP orders and counts
 *     admin    + reset the run
 *
 * from a tokens file that holds only SHA-256 hashes of the tokens, never the
 * tokens themselves (`hyperfactory identity token NAME --role R` makes one):
 *
 *     { "version": 1,
 *       "tokens": { "shift-lead": { "sha256": "<hex>", "role": "operator" } } }
 *
 * The file is watched: a token removed or demoted applies to the next
 * connection and request, without a restart. `serve`'s own token (the one
 * in the printed address) is the owner's, with the admin role.
 */
export const Roles = ['viewer', 'operator', 'admin'] as const;
export type AccessRole = (typeof Roles)[number];

export function atLeast(role: AccessRole, needed: AccessRole): boolean {
  return Roles.indexOf(role) >= Roles.indexOf(needed);
}

export class TokensFileError extends Error {
  override name = 'TokensFileError';
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`tokens file ${file}: ${detail}`);
  }
}

const sha256 = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

interface Entry {
  name: string;
  hash: Buffer;
  role: AccessRole;
}

export function parseTokens(file: string, text: string): Entry[] {
  const fail = (detail: string): never => {
    throw new TokensFileError(file, detail);
  };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return fail(`not JSON (${(e as Error).message})`);
  }
  const { version, tokens } = (doc ?? {}) as { version?: unknown; tokens?: unknown };
  if (version !== 1) fail(`unsupported version ${JSON.stringify(version)} (expected 1)`);
  if (!tokens || typeof tokens !== 'object' || Array.isArray(tokens)) fail('"tokens" must be an object of name → {sha256, role}');
  return Object.entries(tokens as Record<string, unknown>).map(([name, entry]) => {
    const { sha256: hex, role } = (entry ?? {}) as { sha256?: unknown; role?: unknown };
    if (typeof hex !== 'string' || !/^[0-9a-f]{64}$/i.test(hex)) fail(`tokens[${JSON.stringify(name)}].sha256 must be 64 hex digits (the SHA-256 of the token)`);
    if (!(Roles as readonly unknown[]).includes(role)) fail(`tokens[${JSON.stringify(name)}].role must be one of ${Roles.join(', ')}`);
    return { name, hash: Buffer.from(hex as string, 'hex'), role: role as AccessRole };
  });
}

export class AccessTokens {
  private readonly watched: WatchedFile<Entry[]> | undefined;
  private readonly owner: Entry | undefined;

  /** `owner`: a token given on the command line, with the admin role. */
  constructor(file: string | undefined, owner?: string, onReload?: (line: string) => void) {
    this.owner = owner === undefined ? undefined : { name: 'owner', hash: sha256(owner), role: 'admin' };
    this.watched = file === undefined ? undefined : new WatchedFile(file, parseTokens, (f, detail) => new TokensFileError(f, detail), onReload);
  }

  /** Reads the tokens file again now (the watcher does it within half a second of a change). */
  reload(): void {
    this.watched?.reload();
  }

  /** The name and role of a presented token (compared in constant time), or undefined. */
  roleOf(token: string): { name: string; role: AccessRole } | undefined {
    const h = sha256(token);
    const entries = this.watched?.value ?? [];
    const all = this.owner ? [this.owner, ...entries] : entries;
    const hit = all.find((e) => timingSafeEqual(e.hash, h));
    return hit ? { name: hit.name, role: hit.role } : undefined;
  }

  close(): void {
    this.watched?.close();
  }
}

/** A new random token and its tokens-file entry. */
export function newToken(role: AccessRole): { token: string; entry: { sha256: string; role: AccessRole } } {
  const token = randomBytes(24).toString('base64url');
  return { token, entry: { sha256: sha256(token).toString('hex'), role } };
}

