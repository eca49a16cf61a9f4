import type { RunContext } from './context.js';

/**
 * Subsystems beyond production and maintenance (supply, robotics, ledger),
 * each wired only when the scenario declares it.
 */
export function wireExtensions(_ctx: RunContext): void {}
