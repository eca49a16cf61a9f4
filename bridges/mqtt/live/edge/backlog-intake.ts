import type { EventLog } from '../../../../sim/log/event-log.js';
import type { EdgeRecord } from './edge-journal.js';

export interface BacklogIntakeStats {
  /** Records written to the plant's event log. */
  logged: number;
  /** Records it had already (a send retried): dropped. */
  duplicates: number;
  /** Records whose id is not of the journal named, or out of order: dropped, each named to `onProblem`. */
  rejected: number;
}

/**
 * The plant's side of an edge host's backlog: what the host did while cut
 * off arrives when its link is back, and goes into the plant's event log as
 * `edge.late` records (logged at the plant's time now, carrying the original
 * wall and simulated times), each once. A host sends a journal's records in
 * order and again until the plant acknowledges them, so a record at or
 * below the highest sequence number logged for its journal is a duplicate.
 */
export class BacklogIntake {
  readonly stats: BacklogIntakeStats = { logged: 0, duplicates: 0, rejected: 0 };
  /** Highest sequence number logged, per journal. */
  private readonly logged = new Map<string, number>();

  constructor(private readonly onProblem: (line: string) => void = () => {}) {}

  /** Logs the new records of one backlog message; returns the highest sequence number the plant now has of that journal. */
  take(log: EventLog, now: number, host: string, journal: string, records: readonly EdgeRecord[]): number | undefined {
    let last = this.logged.get(journal) ?? -1;
    for (const r of records) {
      if (r.id !== `${journal}:${r.seq}`) {
        this.stats.rejected++;
        this.onProblem(`live run: refused backlog record ${JSON.stringify(r.id)} of host "${host}": not of journal ${journal}`);
        continue;
      }
      if (r.seq <= last) {
        this.stats.duplicates++;
        continue;
      }
      if (r.seq !== last + 1 && last >= 0) this.onProblem(`live run: backlog of host "${host}" skips from record ${last} to ${r.seq} (journal ${journal}); logged as it is`);
      const { id, seq, wallMs, t, type, ...fields } = r;
      log.append({ t: now, type: 'edge.late', host, id, seq, what: type, wallMs, hostT: t, ...fields });
      last = seq;
      this.stats.logged++;
    }
    if (last >= 0) this.logged.set(journal, last);
    return last >= 0 ? last : undefined;
  }
}
