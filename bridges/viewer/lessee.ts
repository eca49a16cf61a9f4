/**
 * The viewer's lessee role: a client that proves it holds an Ethereum address
 * and is then shown, and may command, only the machines that address may use
 * (owner, or user of a live ERC-4907 lease). Who may use what is asked of a
 * `MachineAccess` (on a chain: `LeaseAccess` in bridges/evm/lease-access.ts);
 * this file only needs ethers to check the sign-in signature.
 *
 * Sign-in: the client fetches a one-time challenge (`GET /lessee/challenge`,
 * lessee-challenge.ts), signs (EIP-191 personal_sign) the exact text
 *
 *     HyperFactory lessee sign-in
 *     address: <checksummed address>
 *     issued: <issuedAt as Date.toISOString()>
 *     challenge: <the challenge>
 *
 * and sends `{ address, issuedAt, challenge, signature }` as `auth.lessee` in the
 * socket.io handshake. The server accepts it when the signature recovers that
 * address, `issuedAt` is within ±5 minutes of its clock, and the challenge is
 * one it issued in the last 2 minutes and not used yet: each challenge signs in
 * once, so a sign-in captured on the wire cannot be replayed (serve over TLS
 * beyond loopback all the same: frames are not encrypted otherwise).
 *
 * What a lessee's frames leave out (everything else is plant-wide: cobots,
 * stock, orders, trucks, floor, map, KPIs):
 * - `machines`: every machine it has no access to now (a revoked one arrives as `removed.machines`);
 * - `ledger`: entries naming a machine (`machine`) it has no access to;
 * - `alerts` and `attention`: alerts whose subject is, or whose text names, one of those.
 */
import { getAddress, verifyMessage } from 'ethers';
import { oneLine } from '../../agents/protocol/one-line.js';
import { LesseeAuthSchema, type Alert, type LesseeAuth, type Snapshot } from './protocol.js';
import type { LesseeChallenges } from './lessee-challenge.js';

export type AccessAnswer = { ok: true; expires?: number } | { ok: false; reason: string };

/** Whether `account` may see and command `machine` now. Implementations cache; they should not throw. */
export interface MachineAccess {
  allowed(account: string, machine: string): Promise<AccessAnswer>;
}

/** The viewer server's `lessees` option. */
export interface LesseeOptions {
  access: MachineAccess;
  /**
   * Let clients with neither the operator token nor a lessee sign-in in as
   * read-only viewers of the whole plant. Default false: with leasing on, the
   * machines' data is for their owners and lessees, so such clients are refused.
   */
  allowViewers?: boolean;
}

/** How far `issuedAt` may be from the server's clock, either way. */
export const SIGN_IN_WINDOW_MS = 5 * 60_000;

export function lesseeSignInMessage(address: string, issuedAt: string, challenge: string): string {
  return `HyperFactory lessee sign-in\naddress: ${address}\nissued: ${issuedAt}\nchallenge: ${challenge}`;
}

/** What a client puts in `auth.lessee`: signs the sign-in message for its address and the server's challenge, issued now. */
export async function signLesseeSignIn(signer: { address: string; signMessage(message: string): Promise<string> }, challenge: string, issued = new Date()): Promise<LesseeAuth> {
  const address = getAddress(signer.address);
  const issuedAt = issued.toISOString();
  return { address, issuedAt, challenge, signature: await signer.signMessage(lesseeSignInMessage(address, issuedAt, challenge)) };
}

/** Checks a handshake's `auth.lessee`; returns the checksummed address or throws an Error saying what is wrong. */
export function verifyLesseeSignIn(raw: unknown, challenges: LesseeChallenges, now = Date.now()): string {
  const parsed = LesseeAuthSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`lessee sign-in: expected auth.lessee = { address, issuedAt, challenge, signature } (strings; the challenge from GET /lessee/challenge)`);
  const { issuedAt, challenge, signature } = parsed.data;
  let address: string;
  try {
    address = getAddress(parsed.data.address);
  } catch {
    // What the client sent is quoted kept to one line (a line break could forge a log line).
    throw new Error(`lessee sign-in: "${oneLine(parsed.data.address)}" is not an Ethereum address`);
  }
  const issued = Date.parse(issuedAt);
  if (Number.isNaN(issued) || new Date(issued).toISOString() !== issuedAt) {
    throw new Error(`lessee sign-in: issuedAt must be an ISO time as Date.toISOString() writes it, got "${oneLine(issuedAt)}"`);
  }
  if (Math.abs(now - issued) > SIGN_IN_WINDOW_MS) {
    throw new Error(`lessee sign-in: issuedAt ${issuedAt} is more than 5 minutes from the server's time ${new Date(now).toISOString()}: sign in again`);
  }
  let signer: string;
  try {
    signer = verifyMessage(lesseeSignInMessage(address, issuedAt, challenge), signature);
  } catch {
    throw new Error('lessee sign-in: the signature is malformed');
  }
  if (signer !== address) throw new Error(`lessee sign-in: the signature is not by ${address} (personal_sign of the sign-in message expected)`);
  if (!challenges.consume(challenge)) throw new Error('lessee sign-in: the challenge is not one this server issued, was used already or expired: fetch a new one (GET /lessee/challenge)');
  return address;
}

/** The machines among `ids` that `account` may use now; an access that throws counts as no access. */
export async function allowedMachines(access: MachineAccess, account: string, ids: Iterable<string>): Promise<Set<string>> {
  const list = [...ids];
  const answers = await Promise.all(list.map((id) => access.allowed(account, id).catch((): AccessAnswer => ({ ok: false, reason: 'access check failed' }))));
  return new Set(list.filter((_, i) => answers[i]!.ok));
}

/** One machine: the refusal reason, or undefined when allowed. Names the lease so a lessee knows why. */
export async function refusal(access: MachineAccess, account: string, machine: string): Promise<string | undefined> {
  let answer: AccessAnswer;
  try {
    answer = await access.allowed(account, machine);
  } catch (e) {
    answer = { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
  return answer.ok ? undefined : `no live lease: ${account} has no access to machine "${machine}" (${answer.reason})`;
}

/** A frame as a lessee may see it (see the file comment for what is left out). */
export function lesseeView(view: Omit<Snapshot, 'seq'>, allowed: ReadonlySet<string>): Omit<Snapshot, 'seq'> {
  const hidden = view.machines.map((m) => m.id).filter((id) => !allowed.has(id));
  const hiddenSet = new Set(hidden);
  // A machine id as a whole word (ids contain '-', so "press-1" does not match inside "press-10").
  const names = hidden.length > 0 ? new RegExp(`(?:^|[^\\w-])(?:${hidden.map(escape).join('|')})(?![\\w-])`) : undefined;
  const alertOk = (a: Alert): boolean => !hiddenSet.has(a.subject) && !names?.test(a.text);
  return {
    ...view,
    machines: view.machines.filter((m) => allowed.has(m.id)),
    ledger: view.ledger.filter((e) => e.machine === undefined || allowed.has(e.machine)),
    alerts: view.alerts.filter(alertOk),
    attention: view.attention.filter(alertOk),
  };
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
