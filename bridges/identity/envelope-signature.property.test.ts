import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeEnvelope, type Envelope } from '../../agents/protocol/envelope.js';
import { PayloadSchemas, type MessageType } from '../../agents/protocol/messages.js';
import { anyJson, mutatedJson, mutatedText, type Json } from '../../test/support/fuzz.js';
import { expectOneLine } from '../../test/support/one-line.js';
import { checkEnvelope, signedBytes, signEnvelope, type EnvelopeCheck } from './envelope-signature.js';
import { Principals } from './principals.js';

/**
 * Hardened input: an envelope's `signature` field is whatever its sender
 * wrote, and every other field too. `checkEnvelope` never throws: the
 * signer, or a refusal reason of its list with a one-line detail. A
 * signature is accepted only over exactly the envelope it was made for.
 */

const dir = mkdtempSync(join(tmpdir(), 'hf-envelope-signature-prop-'));
const keys = new Map<string, KeyObject>();
const ROLES: Record<string, { roles: string[]; speaksFor?: string }> = {
  'cobot-1': { roles: ['agent'] },
  erp: { roles: ['bridge'], speaksFor: 'machine-*' },
  plant: { roles: ['plant'] },
  old: { roles: ['agent'] },
};
const file = join(dir, 'principals.json');
const doc = { version: 1, principals: {} as Record<string, unknown>, revoked: ['old'] };
for (const [id, p] of Object.entries(ROLES)) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  keys.set(id, privateKey);
  doc.principals[id] = { publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(), ...p };
}
// A key of nobody in the file.
keys.set('stranger', generateKeyPairSync('ed25519').privateKey);
writeFileSync(file, JSON.stringify(doc));
const principals = new Principals(file);
afterAll(() => {
  principals.close();
  rmSync(dir, { recursive: true, force: true });
});

const REASONS = ['unsigned', 'malformed-signature', 'unknown-signer', 'revoked', 'bad-signature', 'not-sender', 'role', 'replay'];
const types = Object.keys(PayloadSchemas) as MessageType[];
const signers = [...keys.keys()];
const from = fc.oneof(fc.constantFrom('cobot-1', 'cobot-1/task:3', 'machine-7', 'erp', 'plant', 'old'), fc.string({ minLength: 1, maxLength: 12 }), fc.string({ unit: fc.constantFrom('\n', '\u2028', '"', 'a', '/'), minLength: 1, maxLength: 6 }));
/** An envelope (as decodeEnvelope reads it; payloads need not be valid for the signature) signed by one of the keys. */
const signed = fc
  .record({
    id: fc.string({ minLength: 1, maxLength: 20 }),
    time: fc.double({ min: 0, max: 1e9, noNaN: true }).map((v) => v + 0),
    from,
    to: fc.string({ minLength: 1, maxLength: 10 }),
    conversation: fc.string({ minLength: 1, maxLength: 10 }),
    type: fc.constantFrom(...types),
    payload: fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  })
  .chain((e) => fc.constantFrom(...signers).map((signer) => ({ signer, envelope: signEnvelope(JSON.parse(JSON.stringify(e)) as Envelope, signer, keys.get(signer)!) })));

/** checkEnvelope's contract on one envelope. */
function check(envelope: Envelope): EnvelopeCheck {
  let r: EnvelopeCheck;
  try {
    r = checkEnvelope(envelope, principals);
  } catch (e) {
    throw new Error(`checkEnvelope threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }
  if (r.ok) {
    expect(ROLES[r.signer]).toBeDefined();
    expect(r.signer).not.toBe('old');
  } else {
    expect(REASONS).toContain(r.reason);
    expect(r.detail).toMatch(/\S/);
    expectOneLine(r.detail);
  }
  return r;
}

/** An envelope the decoder takes, or undefined. */
const decoded = (raw: unknown): Envelope | undefined => {
  const d = decodeEnvelope(raw);
  return d.ok ? d.envelope : undefined;
};

describe('envelope signatures, hardened', () => {
  test.prop([signed], { numRuns: 100 })('a signed envelope: its signer, or refused as unknown, revoked, not the sender or the wrong role', ({ signer, envelope }) => {
    const r = check(envelope);
    if (r.ok) expect(r.signer).toBe(signer);
    else expect(['unknown-signer', 'revoked', 'not-sender', 'role']).toContain(r.reason);
    // Through JSON it checks the same.
    expect(check(JSON.parse(JSON.stringify(envelope)) as Envelope)).toEqual(r);
  });

  test.prop([signed, fc.oneof(anyJson, fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 120 }))], { numRuns: 200 })('any signature field: a refusal, never a throw', ({ envelope }, signature) => {
    const r = check({ ...envelope, signature: signature as string });
    expect(r.ok).toBe(false);
  });

  test.prop([signed.chain(({ envelope }) => mutatedText(fc.constant(envelope.signature!), 3).map((signature) => ({ envelope, signature })))], { numRuns: 200 })(
    'a signature with characters edited, inserted or cut: refused unless it is the same signature',
    ({ envelope, signature }) => {
      const r = check({ ...envelope, signature });
      // Base64's last character carries 2 unused bits: a different text may decode to the same bytes.
      if (r.ok) expect(Buffer.from(signature.split(':')[2], 'base64')).toEqual(Buffer.from(envelope.signature!.split(':')[2], 'base64'));
    },
  );

  test.prop([signed.chain(({ envelope }) => mutatedJson(fc.constant(envelope as unknown as Json), 3).map((m) => ({ envelope, m })))], { numRuns: 200 })(
    'a signed envelope with fields deleted, replaced, added or retyped: accepted only when what is signed is unchanged',
    ({ envelope, m }) => {
      const e = decoded(m);
      if (!e) return;
      const r = check(e);
      if (r.ok) {
        expect(signedBytes(e).equals(signedBytes(envelope))).toBe(true);
        expect(e.signature).toBe(envelope.signature);
      }
    },
  );

  // Inputs the properties found, kept as examples.
  it('refuses a signature field that is not a string as malformed (an object without a prototype was a TypeError)', () => {
    const e = signEnvelope({ id: 'e', time: 0, from: 'cobot-1', to: 'x', conversation: 'c', type: types[0], payload: {} } as Envelope, 'cobot-1', keys.get('cobot-1')!);
    for (const signature of [Object.create(null), 5, null, ['ed25519'], {}]) expect(check({ ...e, signature: signature as string })).toMatchObject({ ok: false, reason: 'malformed-signature' });
  });

  it('keeps the refusal one line when from holds a line break (it was quoted raw; was two lines)', () => {
    const e = signEnvelope({ id: 'e', time: 0, from: 'a\nforged', to: 'x', conversation: 'c', type: types[0], payload: {} } as Envelope, 'cobot-1', keys.get('cobot-1')!);
    const r = check(e);
    expect(r.ok || r.detail).toMatch(/a\\u000aforged/);
  });
});
