import { pbkdf2Sync, createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * A Mosquitto password file (`mosquitto_passwd`), read so the embedded broker
 * admits exactly whom a Mosquitto with the same file admits:
 *
 *     alice:$7$101$<salt base64>$<hash base64>    PBKDF2-SHA512 (Mosquitto ≥ 2.0)
 *     bob:$6$<salt base64>$<hash base64>          SHA-512 of password ‖ salt (Mosquitto 1.x)
 *
 * Blank lines and `#` comments are skipped; anything else that is not
 * `user:hash` in one of these forms is an error naming the file and line.
 */
export class AccessFileError extends Error {
  override name = 'AccessFileError';
  constructor(
    readonly file: string,
    readonly line: number,
    detail: string,
  ) {
    super(`${file}:${line}: ${detail}`);
  }
}

type Hash = { kind: 7; iterations: number; salt: Buffer; hash: Buffer } | { kind: 6; salt: Buffer; hash: Buffer };

export class PasswordFile {
  private constructor(private readonly users: ReadonlyMap<string, Hash>) {}

  static read(file: string): PasswordFile {
    return PasswordFile.parse(file, readFileSync(file, 'utf8'));
  }

  static parse(file: string, text: string): PasswordFile {
    const users = new Map<string, Hash>();
    text.split('\n').forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const colon = line.indexOf(':');
      if (colon <= 0) throw new AccessFileError(file, i + 1, 'expected user:hash');
      const user = line.slice(0, colon);
      const parts = line.slice(colon + 1).split('$');
      const b64 = (s: string | undefined) => (s !== undefined && /^[A-Za-z0-9+/]+={0,2}$/.test(s) ? Buffer.from(s, 'base64') : undefined);
      let hash: Hash | undefined;
      if (parts[1] === '7' && parts.length === 5 && /^\d+$/.test(parts[2]!)) {
        const [salt, digest] = [b64(parts[3]), b64(parts[4])];
        if (salt && digest) hash = { kind: 7, iterations: Number(parts[2]), salt, hash: digest };
      } else if (parts[1] === '6' && parts.length === 4) {
        const [salt, digest] = [b64(parts[2]), b64(parts[3])];
        if (salt && digest) hash = { kind: 6, salt, hash: digest };
      }
      if (!hash) throw new AccessFileError(file, i + 1, `user "${user}": not a mosquitto_passwd hash ($7$ or $6$)`);
      if (users.has(user)) throw new AccessFileError(file, i + 1, `user "${user}" appears twice`);
      users.set(user, hash);
    });
    return new PasswordFile(users);
  }

  has(user: string): boolean {
    return this.users.has(user);
  }

  /** True when `password` is the user's; constant-time in the hash comparison. */
  verify(user: string, password: Buffer | string): boolean {
    const h = this.users.get(user);
    if (!h) return false;
    const pw = typeof password === 'string' ? Buffer.from(password, 'utf8') : password;
    const actual = h.kind === 7 ? pbkdf2Sync(pw, h.salt, h.iterations, h.hash.length, 'sha512') : createHash('sha512').update(pw).update(h.salt).digest();
    return actual.length === h.hash.length && timingSafeEqual(actual, h.hash);
  }
}
