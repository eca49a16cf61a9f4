import type { RunContext } from './context.js';
import { wireSupply } from './wire-supply.js';
import { wireRobotics } from './wire-robotics.js';
import { wireLedger } from './wire-ledger.js';

/**
 * Subsystems beyond production and maintenance, each wired only when the
 * scenario declares it. The ledger goes last: it records what the others say.
 */
export function wireExtensions(ctx: RunContext): void {
  if (ctx.scenario.inventory) wireSupply(ctx);
  if (ctx.scenario.cobots) wireRobotics(ctx);
  if (ctx.scenario.ledger.enabled) wireLedger(ctx);
}
