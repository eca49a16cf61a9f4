/**
 * The ledger port on an EVM chain: what the ledger agent writes through in a
 * plant that records to MaintenanceLog.
 *
 * `append` answers at once (inside the kernel event that recorded the twin
 * event, so DES runs stay deterministic): the event is signed by its machine's
 * key (EIP-712, `signTwinEventSync`) and written durably to the outbox. The
 * chain side runs beside the plant on the wall clock: every `flushIntervalMs`
 * the outbox cuts batches and anchors them through the submitter, collects
 * receipts and retries what failed; `close` flushes what is left. Nothing is
 * lost when the process or the node stops (the outbox is on disk and is
 * reconciled against the chain on the next start) and nothing is anchored
 * twice (the outbox stores an id once; the chain refuses a root twice). Once
 * a machine's events are anchored, its twin token's state hash is set to the
 * leaf of its latest one.
 *
 * Runs share one outbox, and message ids repeat from run to run (`turbine-1:5`
 * in every run), so each run writes under its own key: the stored id is
 * `<run>/<message id>`. The receipt the agent gets (and the event log shows)
 * is the run's own: its position in this run and the Merkle leaf of the event
 * as the run reported it, so two runs of the same scenario and seed still log
 * byte-identical records.
 */
import type { Wallet } from 'ethers';
import type { LedgerPort, LedgerReceipt, TwinEvent } from '../../agents/ports/ledger-port.js';
import { twinLeaf } from '../../agents/ledger/merkle/merkle.js';
import { ledgerDomain, signTwinEventSync, twinEventMessage, type LedgerDomain } from '../../agents/ledger/signing/typed-events.js';
import type { FlushReport, Outbox, Submitter } from './outbox/outbox.js';
import { PLANT_SIGNER } from './chain-node.js';

export interface ChainLedgerOptions {
  outbox: Outbox;
  submitter: Submitter;
  /** Signing keys by machine id, and `plant` for events that name no machine. */
  keys: ReadonlyMap<string, Wallet>;
  /** EIP-712 domain (chain id and MaintenanceLog address pin signatures to this deployment). */
  domain: LedgerDomain;
  /** Wall-clock ms between flushes (default 5000). */
  flushIntervalMs?: number;
  /** Wall clock, ms (signing timestamps). */
  now?: () => number;
  /** Told once per change of the chain's state (unreachable, back) and of each failure kind. */
  onProblem?: (line: string) => void;
  onFlush?: (report: FlushReport) => void;
}

export class ChainLedger {
  private readonly nonces: Map<string, number>;
  private timer: NodeJS.Timeout | undefined;
  private lastProblem = '';
  private closed = false;
  /** The last flush could not reach the chain: the next one that does reconciles first. */
  private outage = false;
  /** Machines' latest anchored leaves not yet recorded in the twin registry. */
  private readonly twinStates = new Map<string, string>();

  constructor(private readonly options: ChainLedgerOptions) {
    this.nonces = options.outbox.lastNonces();
  }

  /** `ledgerDomain` of a deployment: chain id and MaintenanceLog address. */
  static domain(chainId: number, maintenanceLog: string): LedgerDomain {
    return ledgerDomain(chainId, maintenanceLog);
  }

  /**
   * Reconciles the outbox with the chain (batches it has lost go back to
   * pending), then flushes every `flushIntervalMs` until `close`.
   */
  async start(): Promise<void> {
    await this.reconcile();
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs ?? 5000);
    this.timer.unref();
  }

  /** The port one run writes through (see the file comment for `run`). */
  forRun(run: string): LedgerPort {
    const positions = new Map<string, number>();
    return {
      append: (event: TwinEvent): LedgerReceipt => {
        if (this.closed) throw new Error('ledger closed');
        const known = positions.get(event.id);
        const seq = known ?? positions.size;
        if (known === undefined) {
          this.record({ ...event, id: `${run}/${event.id}` });
          positions.set(event.id, seq);
        }
        return { event: event.id, seq, hash: twinLeaf(event), duplicate: known !== undefined };
      },
      close: () => {},
    };
  }

  /** One flush now (the timer's, or forced: cuts a batch of whatever waits). */
  async flush(force = false): Promise<FlushReport | undefined> {
    try {
      // A node that was down may have come back from an older state (killed
      // between two state dumps): what it lost is anchored again.
      if (this.outage && !(await this.reconcile())) return undefined;
      const report = await this.options.outbox.flush(this.options.submitter, { force });
      for (const [machine, leaf] of this.options.outbox.latestLeaves([...report.confirmed, ...report.reconciled])) this.twinStates.set(machine, leaf);
      if (report.errors.length === 0) await this.recordTwinStates();
      this.options.onFlush?.(report);
      this.outage = report.errors.length > 0;
      if (report.errors.length > 0) this.problem(`ledger: chain not reached (${report.errors[0]!.message}); events stay in the outbox and are sent when it answers`);
      else if (this.lastProblem !== '' && report.submitted.length + report.confirmed.length + report.reconciled.length > 0) this.problem('ledger: chain reached again; anchoring resumed');
      return report;
    } catch (e) {
      this.problem(`ledger: flush failed (${(e as Error).message})`);
      return undefined;
    }
  }

  /**
   * Stops the timer and flushes until every event is anchored or `timeoutMs`
   * passes (the node is down): what is left stays in the outbox for the next
   * start. Returns how many events are not anchored yet.
   */
  async close(timeoutMs = 20_000): Promise<number> {
    clearInterval(this.timer);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.flush(true);
      const left = this.options.outbox.counts().unconfirmed;
      if (left === 0 || Date.now() >= deadline) {
        this.closed = true;
        return left;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /**
   * Each machine's twin token records the leaf of its latest anchored event
   * as its current state, so the registry points into the anchored log.
   * A failure keeps them for the next flush.
   */
  private async recordTwinStates(): Promise<void> {
    if (this.twinStates.size === 0 || !this.options.submitter.setTwinStates) return;
    const states = new Map(this.twinStates);
    await this.options.submitter.setTwinStates(states);
    for (const [machine, leaf] of states) if (this.twinStates.get(machine) === leaf) this.twinStates.delete(machine);
  }

  /** Outbox against chain; false (and still in outage) when the chain does not answer. */
  private async reconcile(): Promise<boolean> {
    try {
      if (this.outage) this.options.submitter.resync?.();
      const lost = await this.options.outbox.reconcile(this.options.submitter);
      if (lost.length > 0) this.problem(`ledger: ${lost.length} batches confirmed earlier are not on the chain any more; anchoring them again`);
      this.outage = false;
      return true;
    } catch (e) {
      this.outage = true;
      this.problem(`ledger: chain not reached (${(e as Error).message}); events stay in the outbox and are sent when it answers`);
      return false;
    }
  }

  private record(stored: TwinEvent): void {
    const signerId = stored.machine !== undefined && this.options.keys.has(stored.machine) ? stored.machine : PLANT_SIGNER;
    const wallet = this.options.keys.get(signerId);
    if (!wallet) throw new Error(`no signing key for ${signerId} (keys.json of the chain data folder)`);
    const nonce = (this.nonces.get(wallet.address) ?? -1) + 1;
    const timestamp = Math.floor((this.options.now ?? Date.now)() / 1000);
    const signature = signTwinEventSync(wallet, this.options.domain, twinEventMessage(stored, { nonce, timestamp }));
    const { duplicate } = this.options.outbox.add(stored, { signer: wallet.address, nonce, timestamp, signature });
    if (!duplicate) this.nonces.set(wallet.address, nonce);
  }

  private problem(line: string): void {
    if (line === this.lastProblem) return;
    this.lastProblem = line.includes('resumed') ? '' : line;
    this.options.onProblem?.(line);
  }
}
