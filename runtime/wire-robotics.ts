import type { RunContext } from './context.js';

/** Wires the robotics subsystem into a run (being written: see the open issue). */
export function wireRobotics(_ctx: RunContext): void {}
