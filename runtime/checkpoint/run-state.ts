import type { KernelState } from '../../sim/clock/kernel.js';
import type { LogPosition } from '../../sim/log/event-log.js';
import type { StreamState } from '../../sim/random/stream.js';
import type { RunContext } from '../context.js';

/**
 * The state of a simulation run at one instant, as a checkpoint holds it:
 * every agent's XState persisted snapshot, the kernel's state, every random
 * stream's state and where the event log stands.
 */
export interface RunState {
  /** Simulated time of the checkpoint, in seconds: everything before it has run, nothing at or after it. */
  t: number;
  kernel: KernelState;
  random: Record<string, StreamState>;
  log: LogPosition;
  /** Agent id → its actor's persisted snapshot (as plain JSON; see `plainSnapshot`). */
  actors: Record<string, unknown>;
}

/** Captures the run's state; call between kernel steps, never inside one. */
export function captureRunState(run: RunContext): RunState {
  const actors: Record<string, unknown> = {};
  const agents = run.host.all().sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const agent of agents) actors[agent.id] = plainSnapshot(agent.id, agent.actor.getPersistedSnapshot());
  return { t: run.kernel.now, kernel: run.kernel.state(), random: run.streams.snapshot(), log: run.log.position(), actors };
}

/**
 * A persisted snapshot as JSON data. Maps and Sets in a context are written as
 * tagged entry lists (JSON.stringify would write `{}` and hide a difference).
 */
export function plainSnapshot(agent: string, snapshot: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(snapshot, tagCollections)) as unknown;
  } catch (e) {
    throw new Error(`agent ${agent}: its persisted snapshot is not plain data (${e instanceof Error ? e.message : String(e)})`);
  }
}

function tagCollections(_key: string, value: unknown): unknown {
  if (value instanceof Map) return { $map: [...value.entries()] };
  if (value instanceof Set) return { $set: [...value.values()] };
  return value;
}

/**
 * Where a rebuilt run differs from its checkpoint, first differences first
 * (at most `limit`); empty when they agree. Each line names what differs.
 */
export function differences(expected: RunState, actual: RunState, limit = 5): string[] {
  const out: string[] = [];
  const note = (line: string) => out.length < limit && out.push(line);
  if (expected.t !== actual.t) note(`time: ${actual.t} s, the checkpoint's ${expected.t} s`);
  for (const key of ['now', 'processed', 'sequence', 'pending', 'queueDigest'] as const) {
    if (expected.kernel[key] !== actual.kernel[key]) note(`kernel ${key}: ${String(actual.kernel[key])}, the checkpoint's ${String(expected.kernel[key])}`);
  }
  if (expected.log.records !== actual.log.records || expected.log.sha256 !== actual.log.sha256) {
    note(`event log: ${actual.log.records} records (sha256 ${actual.log.sha256.slice(0, 12)}…), the checkpoint's ${expected.log.records} (${expected.log.sha256.slice(0, 12)}…)`);
  }
  for (const name of union(Object.keys(expected.random), Object.keys(actual.random))) {
    const a = expected.random[name];
    const b = actual.random[name];
    if (!a || !b || a.some((word, i) => word !== b[i])) note(`random stream "${name}": ${b ? 'state differs' : 'not created'}${a ? '' : ' (not in the checkpoint)'}`);
  }
  for (const id of union(Object.keys(expected.actors), Object.keys(actual.actors))) {
    if (!(id in actual.actors)) note(`agent ${id}: not running after the replay`);
    else if (!(id in expected.actors)) note(`agent ${id}: running, but not in the checkpoint`);
    else {
      const where = firstDifference(expected.actors[id], actual.actors[id], '');
      if (where !== undefined) note(`agent ${id}: its snapshot differs at ${where || 'the top'}`);
    }
  }
  return out;
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}

/** The path of the first difference between two JSON values, or undefined when equal. */
function firstDifference(a: unknown, b: unknown, path: string): string | undefined {
  if (a === b) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return path;
  const keys = union(Object.keys(a), Object.keys(b));
  for (const key of keys) {
    const where = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], path ? `${path}.${key}` : key);
    if (where !== undefined) return where;
  }
  return undefined;
}
