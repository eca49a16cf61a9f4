import type { LogRecord } from '../../sim/log/event-log.js';
import type { RunContext } from '../../runtime/context.js';
import { Address } from '../../runtime/context.js';
import type { TaskBoard } from '../../agents/robotics/task-board.js';

export interface TaskCheck {
  /** Transport tasks the world created and delivered (its KPIs). */
  created: number;
  delivered: number;
  /** Tasks the log shows announced (a `task.cfp`) and settled `completed`. */
  announced: number;
  completedInLog: number;
  /** Auctions that found no cobot (`task.settled` failed): such tasks wait in the backlog. */
  failedAuctions: number;
  /** Announced and not completed, by the log; and open on the robotics coordinator's board. */
  openInLog: number;
  openOnBoard: number;
  backlog: number;
  /** Open by the log but gone from the board: tasks that vanished (must be 0). */
  vanished: string[];
  /** On the board but never announced in the log (must be 0). */
  unannounced: string[];
  /** Delivered in the world, their `completed` not yet in the log (a cobot's report on its way): still on the board. */
  inFlight: number;
  /** created − delivered − (open on the board − in flight): tasks neither done nor pending (must be 0). */
  unaccounted: number;
}

/**
 * Follows every transport task through the event log, as the plant writes
 * it: announced by its first call for proposals, done when its negotiation
 * settles `completed`. At a check the tasks still open by the log must be
 * exactly those on the robotics coordinator's board, and the world's counts
 * must agree: every task created ends done or still pending, none vanished.
 * Memory: the open tasks only.
 */
export class TaskAudit {
  private readonly open = new Set<string>();
  private announced = 0;
  private completed = 0;
  private failed = 0;
  /** Tasks completed lately: a re-announcement of one of them would otherwise look like a new task. Bounded. */
  private readonly done = new Set<string>();

  /** The robotics coordinator, kept: at the end of a run the host lets go of its agents, the last snapshot stays readable. */
  private coordinator: { getSnapshot(): unknown } | undefined;

  /** Keeps the run's robotics coordinator for `check`. */
  watch(run: RunContext): void {
    this.coordinator = run.host.get(Address.robotics)?.actor;
  }

  /** For `LivePlant.onRecord`. */
  readonly listener = (r: LogRecord): void => {
    if (r.type !== 'task.cfp' && r.type !== 'task.settled') return;
    const p = r.payload as { outcome?: string; spec?: { task?: unknown } } | undefined;
    const task = p?.spec?.task;
    if (typeof task !== 'string') return;
    if (r.type === 'task.cfp') {
      if (!this.open.has(task) && !this.done.has(task)) {
        this.open.add(task);
        this.announced++;
      }
      return;
    }
    if (p?.outcome === 'failed') this.failed++;
    if (p?.outcome === 'completed' && this.open.delete(task)) {
      this.completed++;
      this.remember(task);
    }
  };

  private remember(task: string): void {
    this.done.add(task);
    if (this.done.size > 1000) this.done.delete(this.done.values().next().value as string);
  }

  check(kpis: { tasksCreated?: number; tasksCompleted?: number }): TaskCheck {
    const board = (this.coordinator?.getSnapshot() as { context?: { board?: TaskBoard } } | undefined)?.context?.board;
    const onBoard = new Set(Object.keys(board?.tasks ?? {}));
    const created = kpis.tasksCreated ?? 0;
    const delivered = kpis.tasksCompleted ?? 0;
    return {
      created,
      delivered,
      announced: this.announced,
      completedInLog: this.completed,
      failedAuctions: this.failed,
      openInLog: this.open.size,
      openOnBoard: onBoard.size,
      backlog: board?.backlog.length ?? 0,
      vanished: [...this.open].filter((t) => !onBoard.has(t)).slice(0, 50),
      unannounced: [...onBoard].filter((t) => !this.open.has(t)).slice(0, 50),
      inFlight: delivered - this.completed,
      unaccounted: created - delivered - (onBoard.size - (delivered - this.completed)),
    };
  }
}
