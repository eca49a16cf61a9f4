import { describe, expect, it } from 'vitest';
import { TypedDataEncoder } from 'ethers';
import type { TwinEvent } from '../../ports/ledger-port.js';
import { devKey } from './keys.js';
import {
  ledgerDomain,
  MemoryNonceStore,
  payloadHash,
  signTelemetrySummary,
  signTwinEvent,
  signTwinEventSync,
  twinEventDigest,
  TwinEventTypes,
  twinEventMessage,
  verifyTelemetrySummary,
  verifyTwinEvent,
  type TelemetrySummaryMessage,
} from './typed-events.js';

const domain = ledgerDomain(31337, '0x5FbDB2315678afecb367f032d93F642f64180aa3');
const machine = devKey('test', 'm-1');
const other = devKey('test', 'm-2');
const NOW = 1_700_000_000;
const event: TwinEvent = { id: 'm-1:1', time: 12.5, type: 'repair.requested', machine: 'm-1', payload: { machine: 'm-1', code: 'E42' } };

function setup() {
  const nonces = new MemoryNonceStore();
  const opts = { expectedSigner: machine.address, nonces, maxSkewSeconds: 60, now: NOW };
  return { nonces, opts };
}

describe('EIP-712 twin events', () => {
  it('the written-out digest and the synchronous signature equal ethers\' generic ones', async () => {
    const cases = [
      twinEventMessage(event, { nonce: 0, timestamp: NOW }),
      twinEventMessage({ id: '', time: 0, type: '', payload: {} }, { nonce: 2n ** 64n - 1n, timestamp: 0 }),
      twinEventMessage({ id: 'run/ü/m-1:7', time: 1e9 + 0.25, type: 'parts.received', machine: 'Fräse ✓', payload: { a: [1] } }, { nonce: 41, timestamp: NOW }),
    ];
    for (const domainOf of [domain, ledgerDomain(1, '0x0000000000000000000000000000000000000001'), ledgerDomain(5)]) {
      for (const m of cases) {
        const { payload: _payload, ...fields } = m;
        expect(twinEventDigest(domainOf, m)).toBe(TypedDataEncoder.hash(domainOf, TwinEventTypes, fields));
        expect(signTwinEventSync(machine, domainOf, m)).toBe(await signTwinEvent(machine, domainOf, m));
      }
    }
    expect(() => twinEventDigest(domain, { ...cases[0]!, nonce: -1n })).toThrow(/out of range/);
  });

  it('accepts a good signature and commits its nonce', async () => {
    const { nonces, opts } = setup();
    const msg = twinEventMessage(event, { nonce: 1, timestamp: NOW - 5 });
    expect(msg.time).toBe(12_500n);
    const sig = await signTwinEvent(machine, domain, msg);
    expect(verifyTwinEvent(domain, msg, sig, opts)).toEqual({ ok: true, signer: machine.address });
    expect(nonces.last(machine.address)).toBe(1n);
  });

  it('hashes the payload independent of key order', () => {
    expect(payloadHash({ a: 1, b: { d: 2, c: 3 } })).toBe(payloadHash({ b: { c: 3, d: 2 }, a: 1 }));
  });

  it('rejects a wrong signer, and a signed field changed after signing', async () => {
    const { opts } = setup();
    const msg = twinEventMessage(event, { nonce: 1, timestamp: NOW });
    expect(verifyTwinEvent(domain, msg, await signTwinEvent(other, domain, msg), opts)).toMatchObject({ ok: false, reason: 'wrong-signer' });
    const sig = await signTwinEvent(machine, domain, msg);
    expect(verifyTwinEvent(domain, { ...msg, eventType: 'repair.completed' }, sig, opts)).toMatchObject({ ok: false, reason: 'wrong-signer' });
    // Another chain: same key, different domain.
    expect(verifyTwinEvent(ledgerDomain(1), msg, sig, opts)).toMatchObject({ ok: false, reason: 'wrong-signer' });
  });

  it('rejects a replay (same or older nonce) but not a rejected message retried', async () => {
    const { opts } = setup();
    const m2 = twinEventMessage(event, { nonce: 2, timestamp: NOW });
    const s2 = await signTwinEvent(machine, domain, m2);
    expect(verifyTwinEvent(domain, m2, s2, opts).ok).toBe(true);
    expect(verifyTwinEvent(domain, m2, s2, opts)).toMatchObject({ ok: false, reason: 'replay' });
    const m1 = twinEventMessage(event, { nonce: 1, timestamp: NOW });
    expect(verifyTwinEvent(domain, m1, await signTwinEvent(machine, domain, m1), opts)).toMatchObject({ ok: false, reason: 'replay' });
    // A stale message did not burn nonce 3.
    const m3 = twinEventMessage(event, { nonce: 3, timestamp: NOW - 3600 });
    const s3 = await signTwinEvent(machine, domain, m3);
    expect(verifyTwinEvent(domain, m3, s3, opts)).toMatchObject({ ok: false, reason: 'stale' });
    const m3b = twinEventMessage(event, { nonce: 3, timestamp: NOW });
    expect(verifyTwinEvent(domain, m3b, await signTwinEvent(machine, domain, m3b), opts).ok).toBe(true);
  });

  it('rejects a tampered payload', async () => {
    const { opts } = setup();
    const msg = twinEventMessage(event, { nonce: 1, timestamp: NOW });
    const sig = await signTwinEvent(machine, domain, msg);
    expect(verifyTwinEvent(domain, { ...msg, payload: { ...msg.payload, code: 'E00' } }, sig, opts)).toMatchObject({ ok: false, reason: 'tampered' });
  });

  it('rejects a stale or future timestamp', async () => {
    const { opts } = setup();
    for (const timestamp of [NOW - 61, NOW + 61]) {
      const msg = twinEventMessage(event, { nonce: 1, timestamp });
      expect(verifyTwinEvent(domain, msg, await signTwinEvent(machine, domain, msg), opts)).toMatchObject({ ok: false, reason: 'stale' });
    }
  });

  it('rejects malformed signatures and fields', async () => {
    const { opts } = setup();
    const msg = twinEventMessage(event, { nonce: 1, timestamp: NOW });
    const sig = await signTwinEvent(machine, domain, msg);
    for (const bad of ['0x', 'nothex', sig.slice(0, -2), `${sig.slice(0, -2)}05`])
      expect(verifyTwinEvent(domain, msg, bad, opts)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(verifyTwinEvent(domain, { ...msg, nonce: -1n }, sig, opts)).toMatchObject({ ok: false, reason: 'malformed', detail: expect.stringMatching(/nonce/) });
    expect(verifyTwinEvent(domain, { ...msg, payloadHash: '0x12' }, sig, opts)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(verifyTwinEvent(domain, { ...msg, time: 1n << 64n }, sig, opts)).toMatchObject({ ok: false, reason: 'malformed' });
  });
});

describe('EIP-712 telemetry summaries', () => {
  it('accepts a good one and rejects wrong signer, replay and stale', async () => {
    const { opts } = setup();
    const s: TelemetrySummaryMessage = { machine: 'm-1', from: 0n, to: 60_000n, count: 600n, digest: payloadHash({ mean: 1 }), nonce: 7n, timestamp: BigInt(NOW) };
    const sig = await signTelemetrySummary(machine, domain, s);
    expect(verifyTelemetrySummary(domain, s, await signTelemetrySummary(other, domain, s), opts)).toMatchObject({ reason: 'wrong-signer' });
    expect(verifyTelemetrySummary(domain, { ...s, count: 601n }, sig, opts)).toMatchObject({ reason: 'wrong-signer' });
    expect(verifyTelemetrySummary(domain, s, sig, { ...opts, now: NOW + 3600 })).toMatchObject({ reason: 'stale' });
    expect(verifyTelemetrySummary(domain, s, sig, opts).ok).toBe(true);
    expect(verifyTelemetrySummary(domain, s, sig, opts)).toMatchObject({ reason: 'replay' });
    expect(verifyTelemetrySummary(domain, { ...s, to: 0n, from: 5n }, sig, opts)).toMatchObject({ reason: 'malformed' });
  });
});
