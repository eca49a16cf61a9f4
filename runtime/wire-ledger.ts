import type { RunContext } from './context.js';

/** Wires the ledger subsystem into a run (being written: see the open issue). */
export function wireLedger(_ctx: RunContext): void {}
