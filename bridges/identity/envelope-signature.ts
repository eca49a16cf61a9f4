import { sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../../agents/ledger/canonical-json.js';
import type { Envelope } from '../../agents/protocol/envelope.js';
import { oneLine } from '../../agents/protocol/one-line.js';
import { idPattern } from '../mqtt/live/id-pattern.js';
import type { Principal, Principals } from './principals.js';

/**
 * Envelopes signed by their own sender, whichever process carries them.
 *
 * The `signature` field is `ed25519:<signer>:<base64 signature>`; the
 * signature covers a domain tag and the canonical JSON (RFC 8785, the
 * ledger's `canonicalJson`) of the envelope without its `signature`, so
 * every other field — id, times, from, to, conversation, type, payload — is
 * bound and survives a trip through JSON unchanged. Ed25519 is deterministic:
 * the same envelope always gets the same signature.
 *
 * Who may sign what (`check`): the signer must be a principal of the file,
 * not revoked; the signature must be its own; it must speak for `from` (be
 * `from`, be the opener of the negotiation `from` names — `cobot-1/task:3`
 * is opened by `cobot-1` — or be a bridge whose `speaksFor` covers `from`);
 * and it must hold a role allowed for the message type (`allowedRoles`).
 */
export type EnvelopeRefusal = 'unsigned' | 'malformed-signature' | 'unknown-signer' | 'revoked' | 'bad-signature' | 'not-sender' | 'role' | 'replay';

export type EnvelopeCheck = { ok: true; signer: string } | { ok: false; reason: EnvelopeRefusal; signer: string | undefined; detail: string };

const DOMAIN = 'hyperfactory-envelope/1\n';
const SIGNATURE = /^ed25519:([A-Za-z0-9._-]{1,100}):([A-Za-z0-9+/]{86}==)$/;

/** Message types only some roles may send; every other type: an agent or a bridge. */
const RESERVED: Readonly<Record<string, readonly string[]>> = {
  'agent.lost': ['plant'],
  'agent.back': ['plant'],
  'operator.command': ['bridge'],
  'customer.ordered': ['bridge'],
  'stock.counted': ['bridge'],
};
const DEFAULT_ROLES = ['agent', 'bridge'] as const;

export function allowedRoles(type: string): readonly string[] {
  return RESERVED[type] ?? DEFAULT_ROLES;
}

/** The bytes a signature covers: the domain tag and the envelope without its signature, canonical. */
export function signedBytes(envelope: Envelope): Buffer {
  return Buffer.from(DOMAIN + canonicalJson({ ...envelope, signature: undefined }), 'utf8');
}

/** The envelope with `signer`'s signature (a new object; the original is left alone). */
export function signEnvelope(envelope: Envelope, signer: string, key: KeyObject): Envelope {
  const sig = sign(null, signedBytes(envelope), key).toString('base64');
  return { ...envelope, signature: `ed25519:${signer}:${sig}` };
}

/** The negotiation's opener (`cobot-1` for `cobot-1/task:3`), or undefined for a plain id. */
export function openerOf(from: string): string | undefined {
  const slash = from.indexOf('/');
  return slash > 0 ? from.slice(0, slash) : undefined;
}

const patterns = new Map<string, (id: string) => boolean>();
function covers(pattern: string, id: string): boolean {
  let matches = patterns.get(pattern);
  if (!matches) {
    const p = idPattern(pattern);
    matches = p.ok ? p.matches : () => false;
    patterns.set(pattern, matches);
  }
  return matches(id);
}

/** True when `signer` may sign envelopes whose `from` is `from`. */
export function speaksFor(signer: Principal, from: string): boolean {
  if (signer.id === from || signer.id === openerOf(from)) return true;
  return signer.roles.has('bridge') && signer.speaksFor !== undefined && covers(signer.speaksFor, from);
}

/** Checks an envelope's signature against the principals file as it is now (revocation applies at once). */
export function checkEnvelope(envelope: Envelope, principals: Principals): EnvelopeCheck {
  if (envelope.signature === undefined) return { ok: false, reason: 'unsigned', signer: undefined, detail: 'the envelope carries no signature' };
  // Not a string (an envelope that skipped decodeEnvelope): malformed, not a TypeError from the regex.
  const m = typeof envelope.signature === 'string' ? SIGNATURE.exec(envelope.signature) : null;
  if (!m) return { ok: false, reason: 'malformed-signature', signer: undefined, detail: 'the signature is not "ed25519:<signer>:<base64>"' };
  const signer = m[1];
  const who = principals.lookup(signer);
  if (!who.ok) return { ok: false, reason: who.reason, signer, detail: `signer "${signer}" is ${who.reason === 'revoked' ? 'revoked' : 'not in the principals file'}` };
  let good = false;
  try {
    good = verify(null, signedBytes(envelope), who.principal.publicKey, Buffer.from(m[2], 'base64'));
  } catch {
    good = false; // a payload canonical JSON cannot hold (a non-finite number) is not what was signed
  }
  if (!good) return { ok: false, reason: 'bad-signature', signer, detail: `the signature is not "${signer}"'s over this envelope` };
  // `from` is the sender's text, quoted kept to one line (a line break could forge a log line).
  if (!speaksFor(who.principal, envelope.from)) return { ok: false, reason: 'not-sender', signer, detail: `"${signer}" may not speak for "${oneLine(envelope.from)}"` };
  const roles = allowedRoles(envelope.type);
  if (!roles.some((r) => who.principal.roles.has(r))) return { ok: false, reason: 'role', signer, detail: `"${signer}" is not a ${roles.join(' or ')}, which ${oneLine(envelope.type)} needs` };
  return { ok: true, signer };
}
