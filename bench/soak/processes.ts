import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../runtime/paths.js';

/** Resident set of a process from /proc/<pid>/status (VmRSS), MB; undefined once it is gone. */
export function rssOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Children of this process whose command name is `name` (`startMosquitto` does not expose its pid). */
export function childPidsNamed(name: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …: comm may hold spaces, so read after the last ')'.
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (comm === name && ppid === process.pid) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Load averages (1, 5, 15 min) from /proc/loadavg: the 2 cores are shared with other work. */
export function loadAverage(): [number, number, number] {
  const [a, b, c] = readFileSync('/proc/loadavg', 'utf8').split(' ').map(Number);
  return [a, b, c];
}

/** An agent host as its own process: the compiled CLI, as a user runs it (docs/live-runs.md). */
export class AgentHostChild {
  private output = '';
  private readonly exited: Promise<void>;

  private constructor(
    readonly id: string,
    readonly agents: string,
    private readonly child: ChildProcess,
  ) {
    child.stdout!.on('data', (d: Buffer) => this.keep(d));
    child.stderr!.on('data', (d: Buffer) => this.keep(d));
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** `extra`: more flags (`--identity … --principals … --keyring …` for a signed run). */
  static start(scenarioFile: string, id: string, agents: string, url: string, extra: readonly string[] = []): AgentHostChild {
    const bin = join(projectRoot(), 'bin', 'hyperfactory.js');
    const child = spawn(process.execPath, [bin, 'agent-host', scenarioFile, '--agents', agents, '--mqtt', url, '--host-id', id, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    return new AgentHostChild(id, agents, child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get exitCode(): number | null {
    return this.child.exitCode;
  }

  /** Its last 4 KB of output (problems it named, its goodbye). */
  tail(): string {
    return this.output;
  }

  /** SIGTERM (the host says offline and stops), SIGKILL after 5 s. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }

  /** Resolves when it has exited by itself (the plant's run finished), or after `ms`. */
  async exit(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([this.exited.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)))]);
    clearTimeout(timer);
    return done;
  }

  private keep(d: Buffer): void {
    this.output = (this.output + d.toString()).slice(-4096);
  }
}
