import { createHash, type KeyObject } from 'node:crypto';
import type { Bus, Deliver } from '../../agents/ports/bus.js';
import type { Envelope } from '../../agents/protocol/envelope.js';
import { checkEnvelope, openerOf, signEnvelope, speaksFor, type EnvelopeRefusal } from './envelope-signature.js';
import type { Keyring } from './keyring.js';
import type { Principals } from './principals.js';

/** One refused envelope, as reported: who signed it (if anyone could tell), why, and what it was. */
export interface EnvelopeRefused {
  reason: EnvelopeRefusal;
  signer: string | undefined;
  from: string;
  type: string;
  id: string;
  detail: string;
}

export interface SigningBusStats {
  /** Envelopes this process signed with a key of its keyring. */
  signed: number;
  /** Envelopes whose signature checked out and that went on to the bus. */
  verified: number;
  /** Envelopes dropped, each reported. */
  rejected: number;
}

export interface EnvelopeSigningOptions {
  /** The private keys of the agents and bridges this process speaks for. */
  keyring: Keyring;
  /** Everyone's public keys and roles (watched: a revocation applies to the next envelope). */
  principals: Principals;
  /** Told of every refused envelope (a stderr line, an event-log record). */
  onRefused: (refused: EnvelopeRefused) => void;
  /** How many recent signatures are remembered to refuse a replayed envelope (default 65 536). */
  replayWindow?: number;
}

/**
 * The Bus port with every envelope signed by its sender and checked before
 * anyone receives it. Agents and bridges do not change: they send unsigned
 * envelopes as in a simulated run; this wrapper signs each one with its
 * sender's key from the keyring (the agent itself, a negotiation's opener,
 * or a bridge that speaks for it), and whatever enters the bus — signed here
 * or by another process (an agent host's agents, forwarded by the plant) —
 * is checked against the principals file. An envelope that is unsigned,
 * from an unknown or revoked signer, forged, altered, signed by someone who
 * may not speak for its sender or in the wrong role, or seen before, is
 * dropped, counted and reported; the run goes on. Live runs only: simulated
 * runs use the bare bus and stay byte-identical.
 */
/**
 * What the replay window remembers of a delivery: 16 bytes of SHA-256 over
 * recipient and signature, as a one-byte string. The window is full after
 * 65 536 deliveries and stays so; the key is what it costs: the signature
 * itself with its recipient (~130 characters) held 13 MB, this about 4.
 */
function replayKey(recipient: string, signature: string): string {
  return createHash('sha256').update(recipient).update('\u0000').update(signature).digest().toString('latin1', 0, 16);
}

export class SigningBus implements Bus {
  readonly stats: SigningBusStats = { signed: 0, verified: 0, rejected: 0 };
  /** Recent signatures (by `replayKey`), oldest first (a Map keeps insertion order). */
  private readonly seen = new Map<string, true>();
  private readonly window: number;

  constructor(
    private readonly inner: Bus,
    private readonly o: EnvelopeSigningOptions,
  ) {
    this.window = o.replayWindow ?? 65_536;
  }

  attach(address: string, groups: readonly string[], deliver: Deliver): () => void {
    return this.inner.attach(address, groups, deliver);
  }

  observe(listener: (envelope: Envelope) => void): () => void {
    return this.inner.observe(listener);
  }

  send(envelope: Envelope): void {
    const admitted = this.admit(envelope.signature === undefined ? this.sign(envelope) : envelope);
    if (admitted) this.inner.send(admitted);
  }

  /**
   * Checks an envelope that arrived from elsewhere and is handed to an agent
   * without this bus (an agent host's inbound messages): the envelope if it
   * may be delivered, undefined when it was refused (and reported).
   * `recipient`: a group message comes once per member, each copy delivered once.
   */
  admit(envelope: Envelope, recipient = ''): Envelope | undefined {
    const check = checkEnvelope(envelope, this.o.principals);
    if (!check.ok) return this.refuse(envelope, check.reason, check.signer, check.detail);
    const sig = replayKey(recipient, envelope.signature!);
    if (this.seen.has(sig)) return this.refuse(envelope, 'replay', check.signer, `envelope ${envelope.id} from "${envelope.from}" was delivered already`);
    this.seen.set(sig, true);
    if (this.seen.size > this.window) this.seen.delete(this.seen.keys().next().value as string);
    this.stats.verified++;
    return envelope;
  }

  /** The envelope signed by whoever of the keyring speaks for its sender; unchanged when nobody does (and refused as unsigned). */
  private sign(envelope: Envelope): Envelope {
    const signer = this.signerFor(envelope.from);
    if (!signer) return envelope;
    try {
      const signed = signEnvelope(envelope, signer.id, signer.key);
      this.stats.signed++;
      return signed;
    } catch {
      return envelope; // canonical JSON refused the payload (a non-finite number): it goes unsigned and is refused
    }
  }

  private signerFor(from: string): { id: string; key: KeyObject } | undefined {
    const { keyring, principals } = this.o;
    for (const id of [from, openerOf(from)]) {
      const key = id === undefined ? undefined : keyring.get(id);
      if (id !== undefined && key) return { id, key };
    }
    for (const [id, key] of keyring) {
      const who = principals.lookup(id);
      if (who.ok && who.principal.roles.has('bridge') && speaksFor(who.principal, from)) return { id, key };
    }
    return undefined;
  }

  private refuse(envelope: Envelope, reason: EnvelopeRefusal, signer: string | undefined, detail: string): undefined {
    this.stats.rejected++;
    this.o.onRefused({ reason, signer, from: envelope.from, type: envelope.type, id: envelope.id, detail });
    return undefined;
  }
}

/** What was refused and why, on one line: `envelope cobot.bid cobot-2:7 from "cobot-2" signed by "host-a": not-sender: …`. */
export function describeRefused(r: EnvelopeRefused): string {
  return `envelope ${r.type} ${r.id} from "${r.from}"${r.signer !== undefined ? ` signed by "${r.signer}"` : ''}: ${r.reason}: ${r.detail}`;
}

/** The stderr line of a refused envelope. */
export function refusedLine(r: EnvelopeRefused): string {
  return `refused ${describeRefused(r)}`;
}

/**
 * The bus of one live run with envelope signing: each refusal is told to
 * `onLine` and recorded in the event log (`envelope.refused`, simulated time
 * only: no wall clock enters the log).
 */
export function signingBusForRun(
  inner: Bus,
  run: { now: () => number; append: (record: { t: number; type: string; [field: string]: unknown }) => void },
  o: Omit<EnvelopeSigningOptions, 'onRefused'> & { onLine?: (line: string) => void },
): SigningBus {
  return new SigningBus(inner, {
    ...o,
    onRefused: (r) => {
      run.append({ t: run.now(), type: 'envelope.refused', reason: r.reason, ...(r.signer !== undefined ? { signer: r.signer } : {}), from: r.from, message: r.type, id: r.id });
      o.onLine?.(refusedLine(r));
    },
  });
}
