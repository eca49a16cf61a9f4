import type { LedgerEntry } from '../../bridges/viewer/protocol.js';
import { GENESIS, recordHash } from '../../bridges/ledger-file/record.js';
import type { TwinEvent } from '../../agents/ports/ledger-port.js';
import { twinLeaf } from '../../agents/ledger/merkle/merkle.js';

/**
 * Checks the ledger's records as the log reports them, independently of the
 * ledger: each `ledger.recorded` hash is recomputed from the twin event it
 * was written for (seen earlier in the log) and the previous record's hash,
 * exactly as the hash-chained ledger builds its records; a chain ledger's
 * record is instead the event's Merkle leaf (`bridges/evm/chain-ledger.ts`),
 * recomputed from the event alone. A hash-chain record whose event or
 * predecessor was not seen (a view started mid-run) stays `pending`.
 */
export class LedgerCheck {
  private readonly events = new Map<string, TwinEvent>();
  private readonly hashes = new Map<number, string>();

  constructor(private readonly kept = 200) {}

  /** A twin event as the bus delivered it (before the ledger records it). */
  sawEvent(event: TwinEvent): void {
    this.events.set(event.id, event);
  }

  /** The ledger reports record `seq` with `hash` for `eventId`: verified, mismatch or pending. */
  check(seq: number, hash: string, eventId: string): { verification: LedgerEntry['verification']; event?: TwinEvent } {
    const event = this.events.get(eventId);
    this.events.delete(eventId);
    const prev = seq === 0 ? GENESIS : this.hashes.get(seq - 1);
    this.hashes.set(seq, hash);
    this.hashes.delete(seq - this.kept);
    if (event && hash === twinLeaf(event)) return { verification: 'verified', event };
    if (!event || prev === undefined) return { verification: 'pending', event };
    const expected = recordHash({ seq, id: event.id, time: event.time, type: event.type, ...(event.machine !== undefined ? { machine: event.machine } : {}), payload: event.payload, prev });
    return { verification: expected === hash ? 'verified' : 'mismatch', event };
  }
}
