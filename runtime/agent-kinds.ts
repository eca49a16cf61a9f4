import type { AnyStateMachine } from 'xstate';
import { cobot } from '../agents/cobot/cobot.js';
import { supplier } from '../agents/supplier/supplier.js';
import { truck } from '../agents/truck/truck.js';

/**
 * The agent kinds an agent host can run in another process, by kind name.
 * Each takes its work by contract-net, so when its host is lost what it won
 * goes back to auction (`agent.lost`); their inputs are plain data.
 */
export const HostableKinds: Readonly<Record<string, AnyStateMachine>> = { cobot, supplier, truck };

export const isHostableKind = (kind: string): boolean => Object.hasOwn(HostableKinds, kind);
