import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../runtime/paths.js';
import type { LogRecord } from '../../sim/log/event-log.js';
import { waitUntil } from './wait.js';

/** The compiled CLI (`npx tsc -p tsconfig.build.json` builds it): agent hosts run as a user runs them. */
export const BIN = join(projectRoot(), 'bin', 'hyperfactory.js');

export interface AgentHostChild {
  child: ChildProcess;
  /** Its stdout and stderr so far (for failure messages). */
  output: () => string;
}

/** An agent host as its own process: `hyperfactory agent-host SCENARIO --agents PATTERN --mqtt URL --host-id ID`. */
export function startAgentHost(scenario: string, url: string, id: string, agents: string): AgentHostChild {
  let output = '';
  const child = spawn(process.execPath, [BIN, 'agent-host', scenario, '--agents', agents, '--mqtt', url, '--host-id', id], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}

/** A task's contract-net outcome as the plant's event log holds it (`task.settled` to the robotics coordinator). */
export interface Settled {
  outcome: 'awarded' | 'completed' | 'failed';
  winner?: string;
  spec: { task: string };
}

/**
 * Reads the tasks' lives out of a plant's event log: what was announced,
 * awarded, completed, and who holds what now. The log is the product's own
 * record, so "nothing lost, nothing doubled" is checked on what it recorded.
 */
export class TaskLedger {
  constructor(private readonly records: readonly LogRecord[]) {}

  private settled(): Settled[] {
    return this.records.filter((r) => r.type === 'task.settled').map((r) => r.payload as Settled);
  }

  /** Every task a call for proposals went out for (a task enters the log with its first auction). */
  announced(): Set<string> {
    const tasks = new Set<string>();
    for (const r of this.records) if (r.type === 'task.cfp') tasks.add((r.payload as { spec: { task: string } }).spec.task);
    return tasks;
  }

  /** Tasks whose negotiation settled `completed`, with how many times. */
  completions(): Map<string, number> {
    const n = new Map<string, number>();
    for (const s of this.settled()) if (s.outcome === 'completed') n.set(s.spec.task, (n.get(s.spec.task) ?? 0) + 1);
    return n;
  }

  /** `task.completed` messages per task: a cobot that carried a task twice says so twice. */
  doneMessages(): Map<string, number> {
    const n = new Map<string, number>();
    for (const r of this.records) {
      if (r.type !== 'task.completed') continue;
      const task = (r.payload as { result?: { task?: string } }).result?.task;
      if (task) n.set(task, (n.get(task) ?? 0) + 1);
    }
    return n;
  }

  /** Tasks awarded and not completed (nor failed back) yet: who holds each. */
  open(): Map<string, string> {
    const holder = new Map<string, string>();
    for (const s of this.settled()) {
      if (s.outcome === 'awarded') holder.set(s.spec.task, s.winner!);
      else holder.delete(s.spec.task);
    }
    return holder;
  }

  /**
   * Whether `task` was done among the first `records` records (before some event at that index): settled `completed`,
   * or its `task.completed` delivered. The log is in delivery order, so a negotiation that took the completion before
   * an `agent.lost` settles `completed` (and logs that) only after the loss.
   */
  completedBy(task: string, records: number): boolean {
    return this.records
      .slice(0, records)
      .some(
        (r) =>
          (r.type === 'task.settled' && (r.payload as Settled).outcome === 'completed' && (r.payload as Settled).spec.task === task) ||
          (r.type === 'task.completed' && (r.payload as { result?: { task?: string } }).result?.task === task),
      );
  }

  /** Whether `task` was awarded after the first `records` records. */
  awardedAfter(task: string, records: number): boolean {
    return this.records.slice(records).some((r) => r.type === 'task.settled' && (r.payload as Settled).outcome === 'awarded' && (r.payload as Settled).spec.task === task);
  }

  /** Winners of `task`'s awards, in order. */
  winners(task: string): string[] {
    return this.settled()
      .filter((s) => s.outcome === 'awarded' && s.spec.task === task)
      .map((s) => s.winner!);
  }

  /** Tasks settled more than once `completed`, or reported done more than once: must stay empty. */
  doubled(): string[] {
    const twice = new Set<string>();
    for (const [task, n] of this.completions()) if (n > 1) twice.add(task);
    for (const [task, n] of this.doneMessages()) if (n > 1) twice.add(task);
    return [...twice];
  }

  /** The log lines about `task` (for failure messages). */
  trail(task: string): string {
    return this.records
      .filter((r) => r.type.startsWith('task.') && JSON.stringify(r.payload).includes(`"${task}"`))
      .map((r) => JSON.stringify(r))
      .join('\n');
  }
}

export interface ServeChild {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Stops it as Ctrl-C does and waits for its exit. */
  stop: () => Promise<void>;
}

/** `hyperfactory serve ARGS` as its own process (from `cwd`, default the project root), once it printed its addresses (or exited). */
export async function startServe(args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 60_000, cwd = projectRoot()): Promise<ServeChild> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { cwd, env });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    await exited;
  };
  try {
    await waitUntil('serve to start', () => /Ctrl-C stops/.test(stdout) || child.exitCode !== null, timeoutMs);
  } catch (e) {
    await stop();
    throw e;
  }
  return { child, stdout: () => stdout, stderr: () => stderr, stop };
}
