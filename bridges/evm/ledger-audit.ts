/**
 * Audits the local twin log (the outbox journal) against the chain
 * (MaintenanceLog roots): what `hyperfactory twin verify` and `twin history` read.
 *
 * The journal is read here line by line rather than through `Outbox`: the
 * outbox refuses to open a journal whose records were altered (that is its
 * job), but an audit must go on and say *which* event was altered.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TwinEvent } from '../../agents/ports/ledger-port.js';
import { buildTree, twinLeaf, verifyProof } from '../../agents/ledger/merkle/merkle.js';
import { MemoryNonceStore, twinEventMessage, verifyTwinEvent, type LedgerDomain } from '../../agents/ledger/signing/typed-events.js';
import type { MaintenanceLogReader } from './chain-submitter.js';
import type { DeploymentRecord } from './deploy.js';
import type { Seal } from './outbox/outbox.js';

/** Files of the chain data folder (`data/chain` by default, see docs/ledger.md). */
export const chainFiles = (dataDir: string) => ({
  outbox: join(dataDir, 'outbox.ndjson'),
  deployment: join(dataDir, 'deployment.json'),
  state: join(dataDir, 'anvil-state.json'),
});

export interface LocalEvent {
  seq: number;
  /** 1-based line in the journal. */
  line: number;
  event: TwinEvent;
  /** The leaf written when the event was queued (absent in older journals). */
  recordedLeaf?: string;
  /** The leaf the record hashes to now; undefined if it no longer can be encoded. */
  leaf?: string;
  batchId?: string;
  /** Its reporter's signature, when the event was signed. */
  seal?: Seal;
}

export interface LocalBatch {
  batchId: string;
  root: string;
  eventIds: string[];
  status: 'pending' | 'sent' | 'confirmed';
  blockNumber?: number;
}

export interface LocalLog {
  events: LocalEvent[];
  batches: Map<string, LocalBatch>;
}

export class LocalLogError extends Error {
  override name = 'LocalLogError';
}

/** Reads the journal without judging it; a line that is not JSON is an error naming the line (a torn last line is skipped). */
export function readLocalLog(path: string): LocalLog {
  if (!existsSync(path)) throw new LocalLogError(`${path}: no such file (no local twin log)`);
  const lines = readFileSync(path, 'utf8').split('\n');
  const tail = lines.pop();
  void tail; // '' normally; otherwise a torn last line whose writer never got an acknowledgement
  const events: LocalEvent[] = [];
  const byId = new Map<string, LocalEvent>();
  const batches = new Map<string, LocalBatch>();
  lines.forEach((raw, i) => {
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      throw new LocalLogError(`${path}:${i + 1}: not JSON`);
    }
    if (v.k === 'event') {
      const event = v.event as TwinEvent;
      let leaf: string | undefined;
      try {
        leaf = twinLeaf(event);
      } catch {
        leaf = undefined;
      }
      const e: LocalEvent = {
        seq: Number(v.seq),
        line: i + 1,
        event,
        ...(typeof v.leaf === 'string' ? { recordedLeaf: v.leaf.toLowerCase() } : {}),
        ...(leaf ? { leaf } : {}),
        ...(v.seal && typeof v.seal === 'object' ? { seal: v.seal as Seal } : {}),
      };
      events.push(e);
      if (typeof event?.id === 'string') byId.set(event.id, e);
    } else if (v.k === 'batch') {
      const b: LocalBatch = { batchId: String(v.batchId), root: String(v.root).toLowerCase(), eventIds: (v.eventIds as string[]) ?? [], status: 'pending' };
      batches.set(b.batchId, b);
      for (const id of b.eventIds) {
        const e = byId.get(id);
        if (e) e.batchId = b.batchId;
      }
    } else if (v.k === 'sent' || v.k === 'confirmed' || v.k === 'reverted' || v.k === 'lost') {
      const b = batches.get(String(v.batchId));
      if (!b) return;
      b.status = v.k === 'reverted' || v.k === 'lost' ? 'pending' : v.k;
      if (v.k !== 'confirmed') delete b.blockNumber;
      if (v.k === 'confirmed' && typeof v.blockNumber === 'number') b.blockNumber = v.blockNumber;
    }
  });
  return { events, batches };
}

export function readDeployment(dataDir: string): DeploymentRecord {
  const file = chainFiles(dataDir).deployment;
  if (!existsSync(file)) throw new LocalLogError(`${file}: no such file (no contracts deployed from this data folder)`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as DeploymentRecord;
  } catch {
    throw new LocalLogError(`${file}: not a deployment record`);
  }
}

export { MaintenanceLogReader } from './chain-submitter.js';

export type MismatchReason = 'not-anchored' | 'tampered' | 'proof-fails' | 'bad-signature';

export interface Mismatch {
  id: string;
  machine: string;
  reason: MismatchReason;
  detail: string;
}

export interface VerifyReport {
  verified: boolean;
  events: number;
  mismatches: Mismatch[];
}

/**
 * Checks each local event (all, or one machine's): its record must still hash
 * to the leaf written when it was queued (else `tampered`), its signature (when
 * `signatures` is given and it was signed) must come from its machine's key
 * with a nonce above the signer's previous one (else `bad-signature`: forged,
 * altered after signing, or replayed), its batch's root
 * must be anchored (else `not-anchored`), and its Merkle proof, built from the
 * batch's recorded leaves, must reach that anchored root (else `proof-fails`:
 * the local batch differs from what was anchored).
 */
export interface SignatureCheck {
  /** EIP-712 domain of the deployment (chain id, MaintenanceLog address). */
  domain: LedgerDomain;
  /** Expected signer address by machine id (and `plant`); a seal is checked against its own signer when its id is missing. */
  signers: ReadonlyMap<string, string>;
}

export async function verifyLocalLog(log: LocalLog, chain: Pick<MaintenanceLogReader, 'anchorOf'>, machine?: string, signatures?: SignatureCheck): Promise<VerifyReport> {
  const selected = log.events.filter((e) => machine === undefined || (e.event?.machine ?? '') === machine);
  const mismatches: Mismatch[] = [];
  const nonces = new MemoryNonceStore();
  const roots = new Map<string, Awaited<ReturnType<MaintenanceLogReader['anchorOf']>>>();
  const trees = new Map<string, ReturnType<typeof buildTree> | undefined>();
  const byId = new Map(log.events.map((e) => [e.event?.id, e]));
  for (const e of selected) {
    const id = String(e.event?.id);
    const m = (reason: MismatchReason, detail: string) => mismatches.push({ id, machine: e.event?.machine ?? '', reason, detail });
    if (e.leaf === undefined) {
      m('tampered', `line ${e.line}: the record can no longer be hashed to a leaf`);
      continue;
    }
    if (e.recordedLeaf !== undefined && e.recordedLeaf !== e.leaf) {
      m('tampered', `line ${e.line}: the record no longer hashes to the leaf written when it was queued`);
      continue;
    }
    if (signatures && e.seal) {
      // Staleness means nothing to an audit after the fact: the check runs at the signing time.
      const expected = signatures.signers.get(e.event.machine ?? 'plant') ?? e.seal.signer;
      const verdict = verifyTwinEvent(signatures.domain, twinEventMessage(e.event, e.seal), e.seal.signature, { expectedSigner: expected, nonces, maxSkewSeconds: 0, now: e.seal.timestamp });
      if (!verdict.ok) {
        m('bad-signature', `line ${e.line}: ${verdict.reason}: ${verdict.detail}`);
        continue;
      }
    }
    if (e.batchId === undefined) {
      m('not-anchored', 'not in a batch yet (still queued in the outbox)');
      continue;
    }
    const batch = log.batches.get(e.batchId)!;
    if (!roots.has(e.batchId)) roots.set(e.batchId, await chain.anchorOf(batch.root));
    const anchored = roots.get(e.batchId);
    if (!anchored) {
      m('not-anchored', `batch ${e.batchId} (root ${batch.root}, ${batch.status} locally) is not on chain`);
      continue;
    }
    if (!trees.has(e.batchId)) {
      const leaves = batch.eventIds.map((bid) => {
        const member = byId.get(bid);
        return member?.recordedLeaf ?? member?.leaf;
      });
      trees.set(e.batchId, leaves.every((l): l is string => l !== undefined) ? buildTree(leaves) : undefined);
    }
    const tree = trees.get(e.batchId);
    const i = batch.eventIds.indexOf(id);
    if (!tree || i < 0 || !verifyProof(anchored.root, e.leaf, tree.proof(i))) {
      m('proof-fails', `its proof does not reach the root of batch #${anchored.index} (${anchored.root}) on chain`);
    }
  }
  return { verified: mismatches.length === 0, events: selected.length, mismatches };
}
