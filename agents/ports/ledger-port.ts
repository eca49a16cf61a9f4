/**
 * A twin event as the ledger stores it: the digital-twin history of one
 * machine (anomalies, orders, deliveries, maintenance, calibration).
 */
export interface TwinEvent {
  /** The id of the message that reported the event; recording is idempotent on it. */
  id: string;
  time: number;
  type: string;
  machine?: string;
  payload: Record<string, unknown>;
}

export interface LedgerReceipt {
  event: string;
  /** Position of the event in the ledger. */
  seq: number;
  /** Hash that commits to the event (and, for a chain, to everything before it). */
  hash: string;
  /** True when the event had been recorded before: nothing was written twice. */
  duplicate: boolean;
}

/**
 * Where the ledger agent writes twin events: a local hash-chained file, or an
 * EVM chain. `append` may resolve later than it is called (a block to mine);
 * the ledger agent waits for the receipt.
 */
export interface LedgerPort {
  append(event: TwinEvent): LedgerReceipt | Promise<LedgerReceipt>;
  close(): void | Promise<void>;
}
