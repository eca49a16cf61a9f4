import { getAddress, isHexString, keccak256, Signature, toUtf8Bytes, TypedDataEncoder, verifyTypedData, type SigningKey, type TypedDataDomain, type TypedDataField } from 'ethers';
import type { TwinEvent } from '../../ports/ledger-port.js';
import { canonicalJson } from '../canonical-json.js';

/**
 * EIP-712 typed signatures for what machines and agents report to the ledger:
 * twin events and telemetry summaries. A signature binds the signer's key to
 * every field, a per-signer `nonce` makes each signature usable once, and a
 * `timestamp` bounds how old it may be, so a verifier rejects a forged
 * signer, a replay and a stale message without trusting the transport.
 *
 * Units (all `uint64`, held as bigint):
 * - `time`: the event's own time in integer **milliseconds** (the port's
 *   `TwinEvent.time` is seconds; `twinEventMessage` rounds `time · 1000`).
 * - `timestamp`: when it was signed, Unix **seconds** (wall clock of the signer).
 * - `from`/`to` of a telemetry summary: milliseconds, like `time`.
 */

/** The domain: fixed name and version; `chainId` (and the contract, once deployed) pin signatures to one deployment. */
export interface LedgerDomain {
  name: 'HyperFactory';
  version: '1';
  chainId: bigint;
  verifyingContract?: string;
}

export function ledgerDomain(chainId: bigint | number, verifyingContract?: string): LedgerDomain {
  return {
    name: 'HyperFactory',
    version: '1',
    chainId: BigInt(chainId),
    ...(verifyingContract !== undefined ? { verifyingContract: getAddress(verifyingContract) } : {}),
  };
}

export const TwinEventTypes: Record<string, TypedDataField[]> = {
  TwinEvent: [
    { name: 'id', type: 'string' },
    { name: 'machine', type: 'string' },
    { name: 'eventType', type: 'string' },
    { name: 'time', type: 'uint64' },
    { name: 'payloadHash', type: 'bytes32' },
    { name: 'nonce', type: 'uint64' },
    { name: 'timestamp', type: 'uint64' },
  ],
};

export const TelemetrySummaryTypes: Record<string, TypedDataField[]> = {
  TelemetrySummary: [
    { name: 'machine', type: 'string' },
    { name: 'from', type: 'uint64' },
    { name: 'to', type: 'uint64' },
    { name: 'count', type: 'uint64' },
    { name: 'digest', type: 'bytes32' },
    { name: 'nonce', type: 'uint64' },
    { name: 'timestamp', type: 'uint64' },
  ],
};

/** The signed fields of a twin event. */
export interface TwinEventMessage {
  id: string;
  machine: string;
  eventType: string;
  /** Event time, ms. */
  time: bigint;
  payloadHash: string;
  nonce: bigint;
  /** Signing time, Unix s. */
  timestamp: bigint;
}

/** A twin event message with the payload it commits to (the payload itself is not signed, its hash is). */
export interface SignableTwinEvent extends TwinEventMessage {
  payload: Record<string, unknown>;
}

export interface TelemetrySummaryMessage {
  machine: string;
  /** Window start, ms. */
  from: bigint;
  /** Window end, ms. */
  to: bigint;
  count: bigint;
  /** Hash of the summarised samples (how they are digested is the reporter's business). */
  digest: string;
  nonce: bigint;
  timestamp: bigint;
}

/** keccak256 of the payload's canonical JSON: independent of key order. */
export function payloadHash(payload: Record<string, unknown>): string {
  return keccak256(toUtf8Bytes(canonicalJson(payload)));
}

/** The port's twin event as a signable message (machine '' when the event names none). */
export function twinEventMessage(event: TwinEvent, stamp: { nonce: bigint | number; timestamp: bigint | number }): SignableTwinEvent {
  return {
    id: event.id,
    machine: event.machine ?? '',
    eventType: event.type,
    time: BigInt(Math.round(event.time * 1000)),
    payloadHash: payloadHash(event.payload),
    nonce: BigInt(stamp.nonce),
    timestamp: BigInt(stamp.timestamp),
    payload: event.payload,
  };
}

/** What can sign typed data: an ethers `Wallet` or any `Signer`. */
export interface TypedDataSigner {
  signTypedData(domain: TypedDataDomain, types: Record<string, TypedDataField[]>, value: Record<string, unknown>): Promise<string>;
}

const twinFields = ({ id, machine, eventType, time, payloadHash, nonce, timestamp }: TwinEventMessage): Record<string, unknown> => ({
  id,
  machine,
  eventType,
  time,
  payloadHash,
  nonce,
  timestamp,
});
const summaryFields = ({ machine, from, to, count, digest, nonce, timestamp }: TelemetrySummaryMessage): Record<string, unknown> => ({
  machine,
  from,
  to,
  count,
  digest,
  nonce,
  timestamp,
});

export function signTwinEvent(wallet: TypedDataSigner, domain: LedgerDomain, event: TwinEventMessage): Promise<string> {
  return wallet.signTypedData(domain, TwinEventTypes, twinFields(event));
}

const TWIN_EVENT_TYPEHASH = keccak256(toUtf8Bytes(TypedDataEncoder.from(TwinEventTypes).encodeType('TwinEvent')));
const domainSeparators = new Map<string, string>();

/**
 * The EIP-712 digest of a twin event, `TypedDataEncoder.hash(domain,
 * TwinEventTypes, event)` with the struct hash written out (its fields are
 * fixed): ethers' generic encoder took ~0.5 ms per event on the ledger's hot
 * path. The test checks both agree.
 */
export function twinEventDigest(domain: LedgerDomain, event: TwinEventMessage): string {
  const key = `${domain.chainId}:${domain.verifyingContract ?? ''}`;
  let separator = domainSeparators.get(key);
  if (separator === undefined) domainSeparators.set(key, (separator = TypedDataEncoder.hashDomain(domain)));
  const word = (v: bigint) => v.toString(16).padStart(64, '0');
  const text = (v: string) => keccak256(toUtf8Bytes(v)).slice(2);
  if (!isUint64(event.time) || !isUint64(event.nonce) || !isUint64(event.timestamp) || !isBytes32(event.payloadHash)) throw new RangeError(`twin event ${event.id}: a field is out of range for EIP-712`);
  const struct = keccak256(
    `${TWIN_EVENT_TYPEHASH}${text(event.id)}${text(event.machine)}${text(event.eventType)}${word(event.time)}${event.payloadHash.slice(2).toLowerCase()}${word(event.nonce)}${word(event.timestamp)}`,
  );
  return keccak256(`0x1901${separator.slice(2)}${struct.slice(2)}`);
}

/**
 * The same signature as `signTwinEvent`, computed synchronously from the key:
 * the ledger port seals an event inside the kernel event that recorded it, so
 * a DES run never waits on a promise and stays deterministic.
 */
export function signTwinEventSync(key: { signingKey: SigningKey }, domain: LedgerDomain, event: TwinEventMessage): string {
  return key.signingKey.sign(twinEventDigest(domain, event)).serialized;
}

export function signTelemetrySummary(wallet: TypedDataSigner, domain: LedgerDomain, summary: TelemetrySummaryMessage): Promise<string> {
  return wallet.signTypedData(domain, TelemetrySummaryTypes, summaryFields(summary));
}

/**
 * The last nonce accepted per signer. Verification commits a nonce only when
 * everything else checks out, so a rejected message never burns one. Keep it
 * durable (alongside the outbox) in production, or a restart reopens replays.
 */
export interface NonceStore {
  last(signer: string): bigint | undefined;
  commit(signer: string, nonce: bigint): void;
}

export class MemoryNonceStore implements NonceStore {
  private readonly nonces = new Map<string, bigint>();
  last(signer: string): bigint | undefined {
    return this.nonces.get(getAddress(signer));
  }
  commit(signer: string, nonce: bigint): void {
    this.nonces.set(getAddress(signer), nonce);
  }
}

export interface VerifyOptions {
  expectedSigner: string;
  nonces: NonceStore;
  /** Largest accepted |now − timestamp|, seconds. */
  maxSkewSeconds: number;
  /** The verifier's clock, Unix seconds (passed in: agents take time from the kernel, not the wall clock). */
  now: number | bigint;
}

export type RejectReason = 'wrong-signer' | 'replay' | 'tampered' | 'stale' | 'malformed';
export type VerifyResult = { ok: true; signer: string } | { ok: false; reason: RejectReason; detail: string };

const UINT64_MAX = (1n << 64n) - 1n;
const isUint64 = (v: unknown): boolean => typeof v === 'bigint' && v >= 0n && v <= UINT64_MAX;
const isBytes32 = (v: unknown): boolean => typeof v === 'string' && isHexString(v, 32);

/**
 * Checks a signed twin event, cheapest and most specific reason first:
 * malformed (bad field or signature encoding) → tampered (payload does not
 * hash to `payloadHash`) → wrong-signer (the key that signed is not the
 * expected one; a change to any *signed* field also lands here, because the
 * recovered address changes) → stale → replay. On success the nonce is
 * committed.
 */
export function verifyTwinEvent(domain: LedgerDomain, event: SignableTwinEvent, signature: string, options: VerifyOptions): VerifyResult {
  const shape = checkShape(
    [
      ['id', typeof event.id === 'string'],
      ['machine', typeof event.machine === 'string'],
      ['eventType', typeof event.eventType === 'string'],
      ['time', isUint64(event.time)],
      ['payloadHash', isBytes32(event.payloadHash)],
      ['payload', !!event.payload && typeof event.payload === 'object' && !Array.isArray(event.payload)],
    ],
    event,
  );
  if (shape) return shape;
  let actual: string;
  try {
    actual = payloadHash(event.payload);
  } catch (e) {
    return { ok: false, reason: 'malformed', detail: `payload: ${(e as Error).message}` };
  }
  if (actual !== event.payloadHash.toLowerCase()) return { ok: false, reason: 'tampered', detail: `payload hashes to ${actual}, signed ${event.payloadHash}` };
  return verifySigned(domain, TwinEventTypes, twinFields(event), event, signature, options);
}

export function verifyTelemetrySummary(domain: LedgerDomain, summary: TelemetrySummaryMessage, signature: string, options: VerifyOptions): VerifyResult {
  const shape = checkShape(
    [
      ['machine', typeof summary.machine === 'string'],
      ['from', isUint64(summary.from)],
      ['to', isUint64(summary.to)],
      ['count', isUint64(summary.count)],
      ['digest', isBytes32(summary.digest)],
    ],
    summary,
  );
  if (shape) return shape;
  if (summary.to < summary.from) return { ok: false, reason: 'malformed', detail: 'window ends before it starts' };
  return verifySigned(domain, TelemetrySummaryTypes, summaryFields(summary), summary, signature, options);
}

function checkShape(checks: [string, boolean][], stamped: { nonce: unknown; timestamp: unknown }): VerifyResult | undefined {
  const all: [string, boolean][] = [...checks, ['nonce', isUint64(stamped.nonce)], ['timestamp', isUint64(stamped.timestamp)]];
  const bad = all.find(([, ok]) => !ok);
  return bad ? { ok: false, reason: 'malformed', detail: `field ${bad[0]} is missing or out of range` } : undefined;
}

function verifySigned(
  domain: LedgerDomain,
  types: Record<string, TypedDataField[]>,
  fields: Record<string, unknown>,
  stamped: { nonce: bigint; timestamp: bigint },
  signature: string,
  options: VerifyOptions,
): VerifyResult {
  let signer: string;
  try {
    // 65 bytes only (OZ's ECDSA.recover refuses the 64-byte compact form); Signature.from refuses bad v and high s.
    if (!isHexString(signature, 65)) throw new Error('not 65 bytes of hex');
    Signature.from(signature);
    signer = verifyTypedData(domain, types, fields, signature);
  } catch (e) {
    return { ok: false, reason: 'malformed', detail: `signature: ${(e as Error).message.split(' (')[0]}` };
  }
  let expected: string;
  try {
    expected = getAddress(options.expectedSigner);
  } catch {
    return { ok: false, reason: 'malformed', detail: `expected signer ${options.expectedSigner} is not an address` };
  }
  if (signer !== expected) return { ok: false, reason: 'wrong-signer', detail: `signed by ${signer}, expected ${expected}` };
  const skew = BigInt(options.now) - stamped.timestamp;
  if (skew > BigInt(options.maxSkewSeconds) || -skew > BigInt(options.maxSkewSeconds))
    return { ok: false, reason: 'stale', detail: `timestamp ${stamped.timestamp} is ${skew}s from now (max ${options.maxSkewSeconds}s)` };
  const last = options.nonces.last(signer);
  if (last !== undefined && stamped.nonce <= last) return { ok: false, reason: 'replay', detail: `nonce ${stamped.nonce} ≤ last seen ${last}` };
  options.nonces.commit(signer, stamped.nonce);
  return { ok: true, signer };
}
