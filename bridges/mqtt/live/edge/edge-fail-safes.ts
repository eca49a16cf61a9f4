import { LinkWatch, type LinkState } from '../../../../agents/host/edge/link-watch.js';
import { MachineGuards } from '../../../../agents/host/edge/machine-guard.js';
import type { CriticalLimit } from '../../../../agents/host/edge/critical-limits.js';
import type { LocalMachinePort } from '../../../../agents/ports/local-machine-port.js';
import { BacklogAckSchema, MAX_BACKLOG_RECORDS, readLive, type FromHost } from '../live-messages.js';
import { EdgeJournal, type EdgeRecord } from './edge-journal.js';

/** How long the host waits for the plant to acknowledge a backlog before it sends it again, wall ms. */
export const BACKLOG_RESEND_MS = 5000;

export interface EdgeFailSafesOptions {
  /** The journal file (created when missing; what it holds from an earlier run is sent first). */
  journal: string;
  /** Longest silence of the plant before the host counts itself cut off, wall ms. */
  linkTimeoutMs: number;
  /** Machines next to the host it keeps safe on its own. */
  guard?: { port: LocalMachinePort; machines: readonly string[]; limits: readonly CriticalLimit[] };
}

/** What the fail-safes need of their agent host process. */
export interface EdgeHostHooks {
  host: string;
  /** The host's simulated time now (it follows the plant's clock), seconds. */
  now: () => number;
  /** Publishes straight to the plant, whatever the link state. */
  publish: (message: FromHost) => Promise<void>;
  /** Tells every hosted cobot the link is lost or back (`CobotLinkEvent`). */
  tellCobots: (type: 'link.lost' | 'link.back') => void;
  /** One line for the operator: link changes and problems. */
  say: (line: string) => void;
}

/**
 * An agent host's local fail-safes (docs/live-runs.md, "Local fail-safes"):
 * a link watch that knows when the host is cut off from the plant; while it
 * is, guards that stop a guarded machine on a critical reading, hosted
 * cobots told to hold, and everything that happens kept in a durable
 * journal instead of being sent. When the link is back the journal's
 * records go to the plant in order, again until it acknowledges them (it
 * logs each once), and only then is the host linked again.
 */
export class EdgeFailSafes {
  readonly journal: EdgeJournal;
  readonly watch: LinkWatch;
  readonly guards: MachineGuards | undefined;
  /** The broker connection was lost since the plant last had this host: its will fired, the plant has taken its agents back. */
  private forfeited = false;
  /** Had the host been linked before (a first contact is no "link back")? */
  private everLinked = false;
  /** Highest record sequence number published on this link (records above it are still to send). */
  private sentUpTo = -1;
  private resend: NodeJS.Timeout | undefined;
  private lastClockWallMs = -Infinity;
  private closed = false;

  constructor(
    o: EdgeFailSafesOptions,
    private readonly h: EdgeHostHooks,
  ) {
    this.journal = EdgeJournal.open(o.journal, h.host, h.say);
    this.guards = o.guard ? new MachineGuards({ ...o.guard, record: (type, fields) => this.keep(type, fields) }) : undefined;
    this.watch = new LinkWatch({ timeoutMs: o.linkTimeoutMs }, (to, from, cause) => this.changed(to, from, cause));
    // A host starts isolated: until the plant is heard, its machines are its own to keep safe.
    this.guards?.isolated();
  }

  get state(): LinkState {
    return this.watch.state;
  }

  /** Whether the host's messages, effects and states go to the plant now (else they are journaled). */
  live(): boolean {
    return this.watch.state !== 'isolated';
  }

  /** The plant's clock arrived; a retained clock replayed after a reconnect (no newer than the last) is no sign of life. */
  clock(wallMs: number): void {
    if (wallMs <= this.lastClockWallMs) return;
    this.lastClockWallMs = wallMs;
    this.heard();
  }

  /** Something else came from the plant (an assignment, a message for an agent). */
  heard(): void {
    this.watch.send({ type: 'plant.heard' });
  }

  mqttUp(): void {
    this.watch.send({ type: 'mqtt.up' });
  }

  mqttDown(): void {
    this.forfeited = true;
    this.watch.send({ type: 'mqtt.down' });
  }

  /** True once after the host's will fired: the plant re-auctioned its agents' work, so they start afresh. */
  takeForfeit(): boolean {
    const f = this.forfeited;
    this.forfeited = false;
    return f;
  }

  /**
   * Keeps one record; sent at once when linked, with the backlog when the link
   * is back otherwise. A journal that cannot be written (disk full) is said in
   * one line: the fail-safes themselves still act.
   */
  keep(type: string, fields: Record<string, unknown> = {}): EdgeRecord | undefined {
    let rec: EdgeRecord;
    try {
      rec = this.journal.append(type, this.h.now(), fields);
    } catch (e) {
      this.h.say(`agent host ${this.h.host}: ${type} not journaled: ${(e as Error).message.split('\n')[0]}`);
      return undefined;
    }
    if (this.watch.state === 'linked') this.flush();
    return rec;
  }

  /** A message for the plant while cut off: kept as what happened, never replayed into the plant's run. */
  keepWhileCut(message: FromHost): void {
    if (message.kind === 'state') this.keep('state', { agent: message.agent, state: message.state });
    else if (message.kind === 'effect') this.keep('effect', { agent: message.agent, effect: message.effect });
    else if (message.kind === 'message') {
      const e = message.envelope as { id?: unknown; from?: unknown; to?: unknown; type?: unknown; conversation?: unknown };
      this.keep('message', { envelope: { id: e.id, from: e.from, to: e.to, type: e.type, conversation: e.conversation } });
    }
  }

  /** The plant's acknowledgement of a backlog (already checked as coming from the plant). */
  ack(body: Uint8Array): string | undefined {
    const read = readLive(BacklogAckSchema, body);
    if (!read.ok) return `backlog ack: ${read.reason}`;
    if (read.value.journal !== this.journal.id) return `backlog ack for journal ${read.value.journal}, not this host's ${this.journal.id}`;
    const last = this.journal.all().at(-1)?.seq ?? -1;
    this.journal.delivered(Math.min(read.value.upTo, last));
    if (this.journal.pending().length > 0) return undefined;
    clearTimeout(this.resend);
    this.resend = undefined;
    if (this.watch.state === 'resyncing') this.watch.send({ type: 'backlog.delivered' });
    return undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.resend);
    this.watch.stop();
    await this.guards?.close();
  }

  private changed(to: LinkState, from: LinkState, cause: string): void {
    this.h.say(`agent host ${this.h.host}: link ${from} → ${to} (${cause})`);
    if (to === 'isolated') {
      clearTimeout(this.resend);
      this.resend = undefined;
      this.sentUpTo = -1;
      if (from === 'linked' || from === 'resyncing') this.keep('link.lost', { cause });
      this.guards?.isolated();
      this.h.tellCobots('link.lost');
    } else if (to === 'resyncing') {
      if (this.everLinked) this.keep('link.back', { cause, agentsTakenBack: this.forfeited });
      this.flush();
    } else {
      this.everLinked = true;
      this.guards?.linked();
      // Agents the plant took back start afresh with its next assignment; the others go on.
      if (!this.forfeited) this.h.tellCobots('link.back');
      this.journal.compact();
    }
  }

  /** Publishes the records not yet sent, in order; sends everything unacknowledged again if no acknowledgement comes. */
  private flush(): void {
    if (this.closed || this.watch.state === 'isolated') return;
    const pending = this.journal.pending();
    if (pending.length === 0) {
      if (this.watch.state === 'resyncing') this.watch.send({ type: 'backlog.delivered' });
      return;
    }
    const fresh = pending.filter((r) => r.seq > this.sentUpTo);
    for (let i = 0; i < fresh.length; i += MAX_BACKLOG_RECORDS) {
      const records = fresh.slice(i, i + MAX_BACKLOG_RECORDS);
      this.h.publish({ kind: 'backlog', host: this.h.host, journal: this.journal.id, records }).catch((e: Error) => this.h.say(`agent host ${this.h.host}: backlog to the plant: ${e.message}`));
    }
    if (fresh.length > 0) this.sentUpTo = fresh.at(-1)!.seq;
    if (this.resend) return;
    this.resend = setTimeout(() => {
      this.resend = undefined;
      // Unacknowledged: everything pending goes again (the plant drops what it has).
      this.sentUpTo = -1;
      this.flush();
    }, BACKLOG_RESEND_MS);
    this.resend.unref();
  }
}
