import { closeSync, existsSync, fsyncSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { AbiCoder, keccak256 } from 'ethers';
import type { LedgerPort, LedgerReceipt, TwinEvent } from '../../../agents/ports/ledger-port.js';
import { buildTree, twinLeaf, verifyProof } from '../../../agents/ledger/merkle/merkle.js';
import { oneLine } from '../../../agents/protocol/one-line.js';

/**
 * A durable outbox of twin events on their way to a chain, as an append-only
 * NDJSON journal (one fsync'd line per state change):
 *
 *     {"k":"event","seq":0,"event":{…TwinEvent},"seal"?:{signer,nonce,timestamp,signature},"leaf"?:"0x…"}
 *     {"k":"batch","batchId":"0x…","eventIds":[…],"root":"0x…"}
 *     {"k":"sent","batchId":"0x…","txHash":"0x…"}
 *     {"k":"confirmed","batchId":"0x…","txHash"?:"0x…","blockNumber"?:n}
 *     {"k":"reverted","batchId":"0x…","txHash":"0x…"}
 *     {"k":"lost","batchId":"0x…"}      (confirmed once, no longer on chain: resent)
 *
 * Why a journal: nothing is lost when the process or the chain stops (an event
 * is acknowledged only after its line is on disk), and replaying the journal
 * on open restores pending events and unconfirmed batches exactly. Nothing is
 * recorded twice: an event id is stored once, and before a batch is
 * (re)submitted the chain is asked whether its root is anchored already
 * (the crash window between a transaction being sent and its `sent` line
 * being written).
 *
 * A crash mid-write leaves at most a torn last line; it is cut off with a
 * warning (its writer never got an acknowledgement). Any other bad line is
 * an error naming the file and line: the journal is never guessed at.
 *
 * An event line records its Merkle leaf (older journals may lack it): an
 * event altered after it was queued no longer hashes to it, so the change is
 * caught here on open for events not yet anchored (the ones still to be sent)
 * and, for every event, by `hyperfactory twin verify`, pinned to that event
 * rather than only to its batch's root.
 */

export type BatchStatus = 'pending' | 'sent' | 'confirmed';

/**
 * Who vouches for an event: the EIP-712 signature of its reporter
 * (`agents/ledger/signing/typed-events.ts`) with the stamp that was signed.
 * Kept with the event so an audit can check it, and so a signer's nonces
 * continue after a restart (`lastNonces`).
 */
export interface Seal {
  signer: string;
  nonce: number;
  /** Unix seconds when it was signed. */
  timestamp: number;
  signature: string;
}

export interface BatchRecord {
  /** keccak256(abi.encode(uint64 batch number, bytes32 root)): unique and recomputable. */
  batchId: string;
  eventIds: string[];
  root: string;
  status: BatchStatus;
  txHash?: string;
  blockNumber?: number;
}

/** The chain side (implemented with ethers against MaintenanceLog elsewhere). */
export interface Submitter {
  submit(batch: BatchRecord): Promise<{ txHash: string }>;
  /** undefined while the transaction is not mined. */
  receipt(txHash: string): Promise<{ blockNumber: number; status: 'success' | 'reverted' } | undefined>;
  /** True when the chain holds this batch root already. */
  anchored(root: string): Promise<boolean>;
  /** Records each machine's current twin state (TwinRegistry), when the submitter can. */
  setTwinStates?(states: ReadonlyMap<string, string>): Promise<void>;
  /** Forget what the submitter assumes about the chain (its next nonce) after the node was down: it may have come back from an older state. */
  resync?(): void;
}

export interface OutboxOptions {
  path: string;
  /** Cut a batch once this many events wait. */
  maxBatchSize?: number;
  /** Cut a smaller batch once its oldest event waited this long, ms. */
  maxBatchAgeMs?: number;
  /** Wall clock, ms (injectable for tests). */
  now?: () => number;
  /** fsync every line (default true; off only for throwaway runs). */
  fsync?: boolean;
  onWarning?: (message: string) => void;
}

export class OutboxCorruptError extends Error {
  override name = 'OutboxCorruptError';
  constructor(
    readonly path: string,
    readonly line: number,
    detail: string,
  ) {
    // The detail may quote the journal (an event id): kept to one line.
    super(`outbox ${path}: line ${line}: ${oneLine(detail)}`);
  }
}

export interface FlushReport {
  submitted: string[];
  confirmed: string[];
  /** Anchored on chain before we knew it: confirmed without resubmitting. */
  reconciled: string[];
  reverted: string[];
  errors: { batchId: string; message: string }[];
}

interface StoredEvent {
  seq: number;
  event: TwinEvent;
  seal?: Seal;
  leaf: string;
  /** When it was queued (this process's clock; events replayed on open count from the open). */
  queuedAt: number;
  /** Journal line whose recorded leaf is still to be checked against the record (while opening). */
  uncheckedLine?: number;
  batchId?: string;
}

type Line =
  | { k: 'event'; seq: number; event: TwinEvent; seal?: Seal; leaf?: string }
  | { k: 'batch'; batchId: string; eventIds: string[]; root: string }
  | { k: 'sent'; batchId: string; txHash: string }
  | { k: 'confirmed'; batchId: string; txHash?: string; blockNumber?: number }
  | { k: 'reverted'; batchId: string; txHash: string }
  | { k: 'lost'; batchId: string };

export class Outbox {
  private readonly events = new Map<string, StoredEvent>();
  private readonly batches = new Map<string, BatchRecord>();
  private readonly maxBatchSize: number;
  private readonly maxBatchAgeMs: number;
  private readonly now: () => number;
  private flushing: Promise<FlushReport> | undefined;
  /** Set when opening cut off a torn last line. */
  readonly recovered: { line: number; bytes: number } | undefined;

  constructor(private readonly options: OutboxOptions) {
    this.maxBatchSize = options.maxBatchSize ?? 64;
    this.maxBatchAgeMs = options.maxBatchAgeMs ?? 30_000;
    this.now = options.now ?? Date.now;
    this.recovered = this.load();
    closeSync(openSync(options.path, 'a')); // an unusable path fails now, not at the first event
  }

  /** Queues an event durably; an id stored before is not stored again. */
  add(event: TwinEvent, seal?: Seal): { seq: number; leaf: string; duplicate: boolean } {
    const known = this.events.get(event.id);
    if (known) return { seq: known.seq, leaf: known.leaf, duplicate: true };
    const seq = this.events.size;
    const line: Extract<Line, { k: 'event' }> = { k: 'event', seq, event, ...(seal !== undefined ? { seal } : {}) };
    const stored = this.storeEvent(line); // validates (leaf hashing refuses what cannot be encoded) before writing
    line.leaf = stored.leaf;
    this.write(line);
    this.events.set(event.id, stored);
    return { seq, leaf: stored.leaf, duplicate: false };
  }

  has(id: string): boolean {
    return this.events.has(id);
  }

  /** The highest nonce each signer has used (a signer continues from there after a restart). */
  lastNonces(): Map<string, number> {
    const last = new Map<string, number>();
    for (const { seal } of this.events.values()) if (seal && seal.nonce > (last.get(seal.signer) ?? -1)) last.set(seal.signer, seal.nonce);
    return last;
  }

  /**
   * Each machine's latest event (by position in the outbox) among the given
   * batches, as its leaf: what the twin registry records as the machine's
   * current state once those batches are anchored.
   */
  latestLeaves(batchIds: readonly string[]): Map<string, string> {
    const latest = new Map<string, StoredEvent>();
    for (const id of batchIds) {
      for (const eventId of this.batches.get(id)?.eventIds ?? []) {
        const e = this.events.get(eventId)!;
        const machine = e.event.machine;
        if (machine !== undefined && (latest.get(machine)?.seq ?? -1) < e.seq) latest.set(machine, e);
      }
    }
    return new Map([...latest].map(([m, e]) => [m, e.leaf]));
  }

  /** Events queued, batched but not confirmed, and confirmed (for progress reports). */
  counts(): { events: number; unconfirmed: number; batches: number; confirmedBatches: number } {
    let confirmedEvents = 0;
    let confirmedBatches = 0;
    for (const b of this.batches.values()) {
      if (b.status !== 'confirmed') continue;
      confirmedBatches++;
      confirmedEvents += b.eventIds.length;
    }
    return { events: this.events.size, unconfirmed: this.events.size - confirmedEvents, batches: this.batches.size, confirmedBatches };
  }

  /** Events not yet in a batch, in order. */
  pending(): TwinEvent[] {
    return [...this.events.values()].filter((e) => e.batchId === undefined).map((e) => e.event);
  }

  listBatches(): BatchRecord[] {
    return [...this.batches.values()].map((b) => ({ ...b, eventIds: [...b.eventIds] }));
  }

  /**
   * Cuts batches from pending events: full ones always, the remainder when
   * its oldest event is older than `maxBatchAgeMs` or when `force`d.
   */
  cut(force = false): BatchRecord[] {
    const cut: BatchRecord[] = [];
    let waiting = [...this.events.values()].filter((e) => e.batchId === undefined);
    while (waiting.length > 0) {
      const full = waiting.length >= this.maxBatchSize;
      if (!full && !force && this.now() - waiting[0].queuedAt < this.maxBatchAgeMs) break;
      const chunk = waiting.slice(0, this.maxBatchSize);
      waiting = waiting.slice(chunk.length);
      const root = buildTree(chunk.map((e) => e.leaf)).root;
      const batchId = keccak256(AbiCoder.defaultAbiCoder().encode(['uint64', 'bytes32'], [this.batches.size, root]));
      const line: Line = { k: 'batch', batchId, eventIds: chunk.map((e) => e.event.id), root };
      this.write(line);
      this.apply(line, 0);
      cut.push(this.batches.get(batchId)!);
    }
    return cut;
  }

  /**
   * Cuts due batches, submits unsent ones (unless the chain has them already)
   * and collects receipts of sent ones. One flush at a time; a call during a
   * flush waits for it. Failures are reported per batch and retried next time.
   */
  flush(submitter: Submitter, options: { force?: boolean } = {}): Promise<FlushReport> {
    this.flushing ??= this.doFlush(submitter, options.force ?? false).finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async doFlush(submitter: Submitter, force: boolean): Promise<FlushReport> {
    const report: FlushReport = { submitted: [], confirmed: [], reconciled: [], reverted: [], errors: [] };
    this.cut(force);
    for (const batch of this.batches.values()) {
      try {
        if (batch.status === 'pending') {
          if (await submitter.anchored(batch.root)) {
            this.record({ k: 'confirmed', batchId: batch.batchId });
            report.reconciled.push(batch.batchId);
            continue;
          }
          const { txHash } = await submitter.submit({ ...batch, eventIds: [...batch.eventIds] });
          this.record({ k: 'sent', batchId: batch.batchId, txHash });
          report.submitted.push(batch.batchId);
        }
        if (batch.status === 'sent') {
          const receipt = await submitter.receipt(batch.txHash!);
          if (receipt?.status === 'success') {
            this.record({ k: 'confirmed', batchId: batch.batchId, txHash: batch.txHash!, blockNumber: receipt.blockNumber });
            report.confirmed.push(batch.batchId);
          } else if (receipt?.status === 'reverted') {
            this.record({ k: 'reverted', batchId: batch.batchId, txHash: batch.txHash! });
            report.reverted.push(batch.batchId);
          }
        }
      } catch (e) {
        report.errors.push({ batchId: batch.batchId, message: e instanceof Error ? e.message : String(e) });
        // The chain cannot be reached (a submitter's ChainUnavailableError):
        // every later batch would fail the same way, each after its own
        // timeout. Leave them as they are; the next flush resumes here.
        if ((e as { chainUnavailable?: unknown } | null)?.chainUnavailable === true) break;
      }
    }
    return report;
  }

  /**
   * Checks confirmed batches against the chain after a restart: a node that
   * came back from an older state (Anvil killed between state dumps, a
   * re-org) may no longer hold a root the outbox saw confirmed. Such batches
   * go back to pending (a `lost` line) and the next flush anchors them again.
   * Returns the batch ids put back.
   */
  async reconcile(submitter: Pick<Submitter, 'anchored'>): Promise<string[]> {
    const lost: string[] = [];
    for (const batch of this.batches.values()) {
      if (batch.status !== 'confirmed' || (await submitter.anchored(batch.root))) continue;
      this.record({ k: 'lost', batchId: batch.batchId });
      lost.push(batch.batchId);
    }
    return lost;
  }

  /** The proof that an event is in its batch's root (undefined before it is batched). */
  proof(eventId: string): { batchId: string; root: string; leaf: string; proof: string[]; status: BatchStatus } | undefined {
    const stored = this.events.get(eventId);
    if (stored?.batchId === undefined) return undefined;
    const batch = this.batches.get(stored.batchId)!;
    const tree = buildTree(batch.eventIds.map((id) => this.events.get(id)!.leaf));
    const proof = tree.proof(batch.eventIds.indexOf(eventId));
    if (!verifyProof(batch.root, stored.leaf, proof)) throw new Error(`outbox ${this.options.path}: batch ${batch.batchId} does not prove ${eventId}`);
    return { batchId: batch.batchId, root: batch.root, leaf: stored.leaf, proof, status: batch.status };
  }

  /**
   * Proofs of every event of a batch from one tree build (`proof()` rebuilds
   * the tree per event, which is quadratic when a whole batch is checked).
   */
  batchProofs(batchId: string): { eventId: string; leaf: string; proof: string[] }[] {
    const batch = this.batches.get(batchId);
    if (!batch) throw new Error(`outbox ${this.options.path}: no batch ${batchId}`);
    const tree = buildTree(batch.eventIds.map((id) => this.events.get(id)!.leaf));
    return batch.eventIds.map((eventId, i) => ({ eventId, leaf: tree.leaves[i], proof: tree.proof(i) }));
  }

  private record(line: Line): void {
    this.write(line);
    this.apply(line, 0);
  }

  private write(line: Line): void {
    const fd = openSync(this.options.path, 'a');
    try {
      writeSync(fd, `${JSON.stringify(line)}\n`);
      if (this.options.fsync ?? true) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  private storeEvent(line: Extract<Line, { k: 'event' }>, lineNo = 0): StoredEvent {
    const base = { seq: line.seq, event: line.event, queuedAt: this.now(), ...(line.seal !== undefined ? { seal: line.seal } : {}) };
    // While opening, a recorded leaf is taken as it is and checked at the end
    // of the open, for events not yet anchored only: hashing every event of a
    // long journal costs ~0.4 ms each, and an anchored event's record is
    // checked against the chain by `twin verify`.
    if (lineNo > 0 && line.leaf !== undefined) return { ...base, leaf: line.leaf.toLowerCase(), uncheckedLine: lineNo };
    return { ...base, leaf: lineNo > 0 ? this.leafOf(line.event, lineNo) : twinLeaf(line.event) };
  }

  /**
   * An event's leaf while opening: an event the outbox wrote always hashes,
   * so one that cannot (a time outside uint64 milliseconds, a payload nested
   * past the stack) was altered, and its line is named.
   */
  private leafOf(event: TwinEvent, lineNo: number): string {
    try {
      return twinLeaf(event);
    } catch (e) {
      throw new OutboxCorruptError(this.options.path, lineNo, `event ${event.id} cannot be hashed (${e instanceof Error ? e.message : String(e)})`);
    }
  }

  /** Applies one journal line to the in-memory state; `lineNo` > 0 while loading (for errors). */
  private apply(line: Line, lineNo: number): void {
    const fail = (detail: string) => {
      throw new OutboxCorruptError(this.options.path, lineNo, detail);
    };
    switch (line.k) {
      case 'event': {
        if (this.events.has(line.event.id)) fail(`event ${line.event.id} recorded twice`);
        if (line.seq !== this.events.size) fail(`event seq ${line.seq}, expected ${this.events.size}`);
        this.events.set(line.event.id, this.storeEvent(line, lineNo));
        return;
      }
      case 'batch': {
        if (this.batches.has(line.batchId)) fail(`batch ${line.batchId} recorded twice`);
        const members = line.eventIds.map((id) => this.events.get(id) ?? fail(`batch ${line.batchId} names unknown event ${id}`));
        for (const m of members) if (m.batchId !== undefined) fail(`event ${m.event.id} is in two batches`);
        if (members.length === 0 || buildTree(members.map((m) => m.leaf)).root !== line.root) fail(`batch ${line.batchId} root does not match its events`);
        for (const m of members) m.batchId = line.batchId;
        this.batches.set(line.batchId, { batchId: line.batchId, eventIds: [...line.eventIds], root: line.root, status: 'pending' });
        return;
      }
      default: {
        const batch = this.batches.get(line.batchId) ?? fail(`${line.k} for unknown batch ${line.batchId}`);
        if (line.k === 'sent') Object.assign(batch, { status: 'sent', txHash: line.txHash });
        else if (line.k === 'reverted' || line.k === 'lost') {
          batch.status = 'pending';
          delete batch.txHash;
          delete batch.blockNumber;
        } else {
          batch.status = 'confirmed';
          if (line.txHash !== undefined) batch.txHash = line.txHash;
          if (line.blockNumber !== undefined) batch.blockNumber = line.blockNumber;
        }
      }
    }
  }

  private load(): { line: number; bytes: number } | undefined {
    const { path } = this.options;
    if (!existsSync(path)) return undefined;
    // Lines are cut from the bytes, not from decoded text: a line that is not
    // UTF-8 decodes to a text of another length, and the torn line was cut at
    // the wrong offset. The outbox writes only UTF-8; a line that is not was altered.
    const data = readFileSync(path);
    const end = data.lastIndexOf(0x0a) + 1; // what follows the last newline is a torn line
    const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    let lines = 0;
    for (let start = 0; start < end; ) {
      const stop = data.indexOf(0x0a, start);
      const lineNo = ++lines;
      let raw: string;
      try {
        raw = utf8.decode(data.subarray(start, stop));
      } catch {
        throw new OutboxCorruptError(path, lineNo, 'not UTF-8');
      }
      this.apply(parseLine(path, raw, lineNo), lineNo);
      start = stop + 1;
    }
    for (const e of this.events.values()) {
      if (e.uncheckedLine === undefined) continue;
      const line = e.uncheckedLine;
      delete e.uncheckedLine;
      if (e.batchId !== undefined && this.batches.get(e.batchId)!.status === 'confirmed') continue;
      if (this.leafOf(e.event, line) !== e.leaf)
        throw new OutboxCorruptError(path, line, `event ${e.event.id} no longer hashes to its recorded leaf (the record was altered)`);
    }
    if (end === data.length) return undefined;
    const line = lines + 1;
    (this.options.onWarning ?? console.warn)(
      `outbox ${path}: line ${line} is incomplete (${data.length - end} bytes, a crash mid-write); cut off, ${lines} earlier lines kept`,
    );
    truncateSync(path, end);
    return { line, bytes: end };
  }
}

/** A record kind for a message: printed when short, else described (a value nested deep cannot be printed at all). */
function describeKind(k: unknown): string {
  if (typeof k === 'string') return k.length <= 40 ? JSON.stringify(k) : 'a long string';
  if (k === null || typeof k !== 'object') return String(k);
  return Array.isArray(k) ? 'an array' : 'an object';
}

const isHash = (v: unknown): v is string => typeof v === 'string' && /^0x[0-9a-fA-F]{64}$/.test(v);

function parseLine(path: string, raw: string, lineNo: number): Line {
  const fail = (detail: string): never => {
    throw new OutboxCorruptError(path, lineNo, detail);
  };
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return fail('not JSON');
  }
  if (!v || typeof v !== 'object') return fail('not an object');
  switch (v.k) {
    case 'event': {
      const e = v.event as Record<string, unknown> | undefined;
      if (!Number.isInteger(v.seq) || !e || typeof e !== 'object' || typeof e.id !== 'string' || typeof e.type !== 'string' || typeof e.time !== 'number' || !e.payload || typeof e.payload !== 'object')
        return fail('event line lacks seq, id, type, time or payload');
      if (e.machine !== undefined && typeof e.machine !== 'string') return fail('event line has a machine that is not a string');
      if (v.leaf !== undefined && !isHash(v.leaf)) return fail('event line has a malformed leaf');
      const seal = v.seal as Record<string, unknown> | undefined;
      if (seal !== undefined && (typeof seal !== 'object' || seal === null || typeof seal.signer !== 'string' || !Number.isInteger(seal.nonce) || !Number.isInteger(seal.timestamp) || typeof seal.signature !== 'string'))
        return fail('event line has a malformed seal (signer, nonce, timestamp, signature)');
      return v as unknown as Line;
    }
    case 'batch':
      if (!isHash(v.batchId) || !isHash(v.root) || !Array.isArray(v.eventIds) || !v.eventIds.every((id) => typeof id === 'string')) return fail('batch line lacks batchId, root or eventIds');
      return v as unknown as Line;
    case 'sent':
    case 'reverted':
      if (!isHash(v.batchId) || !isHash(v.txHash)) return fail(`${v.k} line lacks batchId or txHash`);
      return v as unknown as Line;
    case 'confirmed':
      if (!isHash(v.batchId)) return fail('confirmed line lacks batchId');
      // Optional, but what a batch record then carries: checked like the other lines' fields.
      if ((v.txHash !== undefined && !isHash(v.txHash)) || (v.blockNumber !== undefined && !(Number.isSafeInteger(v.blockNumber) && (v.blockNumber as number) >= 0)))
        return fail('confirmed line has a malformed txHash or blockNumber');
      return v as unknown as Line;
    case 'lost':
      if (!isHash(v.batchId)) return fail('lost line lacks batchId');
      return v as unknown as Line;
    default:
      return fail(`unknown record kind ${describeKind(v.k)}`);
  }
}

/**
 * The outbox as the ledger agent's port: an event counts as recorded once it
 * is durably queued (seq = its place in the outbox, hash = its Merkle leaf);
 * anchoring follows in batches via `flush`.
 */
export class OutboxLedger implements LedgerPort {
  constructor(readonly outbox: Outbox) {}
  append(event: TwinEvent): LedgerReceipt {
    const { seq, leaf, duplicate } = this.outbox.add(event);
    return { event: event.id, seq, hash: leaf, duplicate };
  }
  close(): void {}
}
