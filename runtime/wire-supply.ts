import type { RunContext } from './context.js';

/** Wires the supply subsystem into a run (being written: see the open issue). */
export function wireSupply(_ctx: RunContext): void {}
