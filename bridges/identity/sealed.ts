import { sign, verify } from 'node:crypto';
import type { Identity } from './identity.js';
import type { Principal, Principals } from './principals.js';

/**
 * A message sealed by its sender: the payload travels inside a frame that
 * names the signer and carries an Ed25519 signature over the topic, the
 * signer, a nonce and the payload bytes.
 *
 *     {"v":1,"by":"host-a","n":1764160000000001,"sig":"<base64>","body":"<payload, UTF-8>"}
 *
 * Binding the topic means a frame cannot be replayed onto another topic;
 * the nonce (microseconds of the sender's clock, strictly rising per sender)
 * means it cannot be replayed on the same one. Verification names why a
 * frame is refused: malformed, unknown-signer, revoked, bad-signature,
 * replay, role.
 */
export type RefusalReason = 'malformed' | 'unknown-signer' | 'revoked' | 'bad-signature' | 'replay' | 'role';
export type Opened = { ok: true; signer: Principal; body: Uint8Array } | { ok: false; reason: RefusalReason; detail: string };

const DOMAIN = 'hyperfactory-link/1';
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function signedBytes(topic: string, by: string, n: number, body: string): Buffer {
  return Buffer.from(`${DOMAIN}\n${topic}\n${by}\n${n}\n${body}`, 'utf8');
}

/** Seals payloads as one identity; nonces rise strictly even within one millisecond. */
export class Sealer {
  private last = 0;
  constructor(readonly identity: Identity) {}

  seal(topic: string, payload: Uint8Array): Uint8Array {
    const body = decoder.decode(payload);
    const n = Math.max(Date.now() * 1000, this.last + 1);
    this.last = n;
    const sig = sign(null, signedBytes(topic, this.identity.id, n, body), this.identity.privateKey).toString('base64');
    return encoder.encode(JSON.stringify({ v: 1, by: this.identity.id, n, sig, body }));
  }
}

/** Opens frames against the principals file, remembering each signer's last nonce per topic. */
export class Opener {
  private readonly last = new Map<string, number>();
  constructor(private readonly principals: Principals) {}

  /**
   * `roles`: the signer must hold one of them. `replay: false` skips the
   * nonce check (a retained last will, sealed when the connection opened,
   * arrives after messages sealed later; it is still signed).
   */
  open(topic: string, bytes: Uint8Array, roles: readonly string[], options: { replay?: boolean } = {}): Opened {
    let frame: { v?: unknown; by?: unknown; n?: unknown; sig?: unknown; body?: unknown };
    try {
      frame = JSON.parse(decoder.decode(bytes)) as typeof frame;
    } catch {
      return { ok: false, reason: 'malformed', detail: 'not a sealed frame (JSON)' };
    }
    if (!frame || frame.v !== 1 || typeof frame.by !== 'string' || !Number.isSafeInteger(frame.n) || typeof frame.sig !== 'string' || typeof frame.body !== 'string')
      return { ok: false, reason: 'malformed', detail: 'not a sealed frame (v, by, n, sig, body)' };
    const { by, n, sig, body } = frame as { by: string; n: number; sig: string; body: string };
    const who = this.principals.lookup(by);
    if (!who.ok) return { ok: false, reason: who.reason, detail: `signer "${by}" is ${who.reason === 'revoked' ? 'revoked' : 'not in the principals file'}` };
    let good = false;
    try {
      good = verify(null, signedBytes(topic, by, n, body), who.principal.publicKey, Buffer.from(sig, 'base64'));
    } catch {
      good = false;
    }
    if (!good) return { ok: false, reason: 'bad-signature', detail: `the signature is not "${by}"'s over this topic and payload` };
    if (!roles.some((r) => who.principal.roles.has(r))) return { ok: false, reason: 'role', detail: `"${by}" is not a ${roles.join(' or ')}` };
    if (options.replay !== false) {
      const key = `${by}\u0000${topic}`;
      const last = this.last.get(key);
      if (last !== undefined && n <= last) return { ok: false, reason: 'replay', detail: `nonce ${n} from "${by}" is not after ${last}` };
      this.last.set(key, n);
    }
    return { ok: true, signer: who.principal, body: encoder.encode(body) };
  }
}

/** What a process needs to speak and listen on a sealed link. */
export interface LinkSecurity {
  sealer: Sealer;
  opener: Opener;
}
