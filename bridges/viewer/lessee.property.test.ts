import { fc, test } from '@fast-check/vitest';
import { Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { anyJson, mutatedJson, mutatedText, outcome, type Json } from '../../test/support/fuzz.js';
import { expectOneLine } from '../../test/support/one-line.js';
import { lesseeSignInMessage, verifyLesseeSignIn } from './lessee.js';
import { LesseeChallenges } from './lessee-challenge.js';

/**
 * Hardened input: `auth.lessee` in a socket.io handshake is whatever a
 * client sent. `verifyLesseeSignIn` returns the signer's checksummed
 * address, or throws a plain Error whose one-line message starts with
 * `lessee sign-in:`; never a TypeError or another exception.
 */

const NOW = Date.parse('2026-01-01T12:00:00.000Z');
const wallets = [Wallet.createRandom(), Wallet.createRandom()];

/** A fresh challenge book holding one issued challenge, and a sign-in for it. */
function signIn(w: number, skewMs: number): { challenges: LesseeChallenges; auth: { address: string; issuedAt: string; challenge: string; signature: string } } {
  const challenges = new LesseeChallenges(() => NOW);
  const { challenge } = challenges.issue();
  const wallet = wallets[w];
  const issuedAt = new Date(NOW + skewMs).toISOString();
  return { challenges, auth: { address: wallet.address, issuedAt, challenge, signature: wallet.signMessageSync(lesseeSignInMessage(wallet.address, issuedAt, challenge)) } };
}
const validSignIn = fc.tuple(fc.nat(1), fc.integer({ min: -240_000, max: 240_000 })).map(([w, skew]) => signIn(w, skew));

/** verifyLesseeSignIn's contract on one raw value. */
function verify(raw: unknown, challenges = new LesseeChallenges(() => NOW)): { ok: true; address: string } | { ok: false; error: Error } {
  const r = outcome(() => verifyLesseeSignIn(raw, challenges, NOW), Error);
  if (!r.ok) {
    // A plain Error, not a TypeError or other exception escaping from ethers or the schema.
    expect(Object.getPrototypeOf(r.error), r.error.stack).toBe(Error.prototype);
    expect(r.error.message).toMatch(/^lessee sign-in: \S/);
    expectOneLine(r.error.message);
    return { ok: false, error: r.error };
  }
  expect(wallets.map((w) => w.address)).toContain(r.value);
  return { ok: true, address: r.value };
}

const oddString = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: fc.constantFrom('\n', '\r', '\u0000', '\u2028', '"', '0', 'x', 'a', 'Z'), maxLength: 50 }), fc.string({ unit: 'binary', maxLength: 40 }));

describe('lessee sign-in, hardened', () => {
  test.prop([validSignIn], { numRuns: 40 })('a sign-in signed for an issued challenge within the window: its address, once', ({ challenges, auth }) => {
    expect(verify(auth, challenges)).toEqual({ ok: true, address: auth.address });
    // Replayed: the challenge is used up.
    expect(verify(auth, challenges).ok).toBe(false);
  });

  test.prop([validSignIn.chain(({ challenges, auth }) => mutatedJson(fc.constant(auth as unknown as Json), 3).map((raw) => ({ challenges, auth, raw })))], { numRuns: 150 })(
    'a sign-in with fields deleted, replaced, added or retyped: accepted only when what is signed is unchanged',
    ({ challenges, auth, raw }) => {
      const r = verify(raw, challenges);
      if (r.ok) {
        const got = raw as Record<string, unknown>;
        for (const k of ['issuedAt', 'challenge', 'signature'] as const) expect(got[k]).toBe(auth[k]);
      }
    },
  );

  test.prop([validSignIn.chain(({ challenges, auth }) => fc.constantFrom('address', 'issuedAt', 'challenge', 'signature' as const).chain((field) => mutatedText(fc.constant(auth[field]), 2).map((text) => ({ challenges, auth, field, text }))))], { numRuns: 150 })(
    'a sign-in with one field’s text edited: refused unless the edit left what is signed as it was',
    ({ challenges, auth, field, text }) => {
      const r = verify({ ...auth, [field]: text }, challenges);
      if (r.ok && field !== 'address') expect(text).toBe(auth[field]);
    },
  );

  test.prop([fc.oneof(anyJson, fc.record({ address: oddString, issuedAt: oddString, challenge: oddString, signature: oddString }), fc.record({ address: fc.constantFrom(...wallets.map((w) => w.address.toLowerCase())), issuedAt: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), challenge: oddString, signature: oddString }))], { numRuns: 300 })(
    'arbitrary values and strings: refused with a one-line lessee sign-in error',
    (raw) => {
      expect(verify(raw).ok).toBe(false);
    },
  );

  // Inputs the properties found, kept as examples.
  it('keeps the refusal one line when the address or issuedAt holds a line break (they were quoted raw; was two lines)', () => {
    const { auth } = signIn(0, 0);
    for (const raw of [{ ...auth, address: '0x\nforged' }, { ...auth, issuedAt: '2026\u2028x' }]) {
      const r = verify(raw);
      expect(r.ok || r.error.message).toMatch(/\\u(000a|2028)/);
    }
  });
});
