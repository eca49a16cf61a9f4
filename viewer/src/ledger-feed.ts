import type { LedgerEntry } from '../../bridges/viewer/protocol.js';
import { h, setText } from './dom.js';
import { shortHash, simTime } from './format.js';
import type { Changes, Store } from './state.js';

const MARK: Record<LedgerEntry['verification'], string> = { pending: '… pending', verified: '✓ verified', mismatch: '✗ mismatch' };

/** Twin events with their hash and verification, newest on top; rows are keyed by seq. */
export class LedgerFeed {
  private readonly rows = new Map<number, { li: HTMLElement; status: HTMLElement; hash: HTMLElement }>();
  private readonly list = h('ol', { class: 'feed' });

  constructor(root: HTMLElement, private readonly store: Store) {
    root.append(this.list);
  }

  update(c: Changes): void {
    if (c.snapshot) {
      this.rows.clear();
      this.list.replaceChildren();
    }
    if (!c.snapshot && !c.ledger) return;
    const ledger = this.store.state.ledger;
    const keep = new Set(ledger.map((e) => e.seq));
    for (const [seq, row] of this.rows) {
      if (!keep.has(seq)) {
        row.li.remove();
        this.rows.delete(seq);
      }
    }
    // Entries are oldest first; each new one goes on top.
    for (const e of ledger) {
      const row = this.rows.get(e.seq);
      if (row) {
        this.fill(row, e);
        continue;
      }
      const made = {
        li: h('li', { 'data-seq': e.seq }),
        hash: h('code', { class: 'hash' }),
        status: h('span', { class: 'verify' }),
      };
      made.li.title = e.event;
      made.li.append(
        h('div', { class: 'line' }, h('span', { class: 'event', text: e.eventType }), h('span', { class: 'subject', text: e.machine ?? '' })),
        h('div', { class: 'line' }, made.hash, h('span', { class: 'muted time', text: simTime(e.t) }), made.status));
      this.fill(made, e);
      this.rows.set(e.seq, made);
      const next = this.findNewer(e.seq);
      if (next) this.list.insertBefore(made.li, next.nextSibling);
      else this.list.prepend(made.li);
    }
  }

  /** The row just above where seq belongs (the smallest seq greater than it), if any. */
  private findNewer(seq: number): HTMLElement | undefined {
    let best: number | undefined;
    for (const s of this.rows.keys()) if (s > seq && (best === undefined || s < best)) best = s;
    return best === undefined ? undefined : this.rows.get(best)?.li;
  }

  private fill(row: { status: HTMLElement; hash: HTMLElement }, e: LedgerEntry): void {
    setText(row.hash, shortHash(e.hash));
    row.hash.title = e.hash;
    setText(row.status, MARK[e.verification]);
    row.status.className = `verify ${e.verification}`;
  }
}
