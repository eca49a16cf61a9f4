import type { TaskSpec } from './task-spec.js';

/**
 * The robotics coordinator's books, as plain immutable data: which tasks are
 * open and who holds them, which wait for a cobot, which cells are locked by
 * maintenance, and which tasks were handed back because of a lock (so their
 * new holder can be reported as a reassignment).
 */
export interface CobotHome {
  id: string;
  home: string;
}

export interface StationLock {
  workOrder: string;
  machine?: string;
}

export interface OpenTask {
  spec: TaskSpec;
  /** The cobot that last won the task. */
  holder?: string;
}

/** A task a suspended cobot gives back: reported as `task.reassigned` once someone else wins it. */
export interface HandBack {
  fromCobot: string;
  station: string;
  workOrder: string;
  machine?: string;
}

export interface TaskBoard {
  tasks: Record<string, OpenTask>;
  /** Tasks no cobot took, oldest first: announced again later. */
  backlog: string[];
  locks: Record<string, StationLock[]>;
  handedBack: Record<string, HandBack>;
}

export const emptyBoard = (): TaskBoard => ({ tasks: {}, backlog: [], locks: {}, handedBack: {} });

export function openTask(board: TaskBoard, spec: TaskSpec): TaskBoard {
  return { ...board, tasks: { ...board.tasks, [spec.task]: { spec } } };
}

/** The lock a cobot is under (the first on its home station), if any. */
export function lockOf(board: TaskBoard, cobots: readonly CobotHome[], cobot: string): (StationLock & { station: string }) | undefined {
  const home = cobots.find((c) => c.id === cobot)?.home;
  const lock = home ? board.locks[home]?.[0] : undefined;
  return lock && home ? { ...lock, station: home } : undefined;
}

/**
 * A winner for `task`. Returns the reassignment to report when the task had
 * been handed back by a suspended cobot. A winner that is itself suspended
 * (its bid crossed the lock) will hand the task back too, so that is noted.
 */
export function awarded(board: TaskBoard, cobots: readonly CobotHome[], task: string, winner: string): [TaskBoard, (HandBack & { toCobot: string }) | undefined] {
  const open = board.tasks[task];
  if (!open) return [board, undefined];
  const handedBack = { ...board.handedBack };
  const previous = handedBack[task];
  let report: (HandBack & { toCobot: string }) | undefined;
  if (previous && previous.fromCobot !== winner) {
    report = { ...previous, toCobot: winner };
    delete handedBack[task];
  }
  const lock = lockOf(board, cobots, winner);
  if (lock) handedBack[task] = { fromCobot: winner, ...lock };
  return [{ ...board, tasks: { ...board.tasks, [task]: { ...open, holder: winner } }, handedBack }, report];
}

export function completed(board: TaskBoard, task: string): TaskBoard {
  const tasks = { ...board.tasks };
  const handedBack = { ...board.handedBack };
  delete tasks[task];
  delete handedBack[task];
  return { ...board, tasks, handedBack };
}

/** A negotiation ended without a winner: the task waits in the backlog. */
export function unassigned(board: TaskBoard, task: string): TaskBoard {
  if (!board.tasks[task] || board.backlog.includes(task)) return board;
  return { ...board, backlog: [...board.backlog, task] };
}

/** Empties the backlog; returns the specs to announce again. */
export function drainBacklog(board: TaskBoard): [TaskBoard, TaskSpec[]] {
  const specs = board.backlog.map((t) => board.tasks[t]?.spec).filter((s): s is TaskSpec => s !== undefined);
  return [{ ...board, backlog: [] }, specs];
}

/**
 * A station locked for a work order. Returns the cobots to suspend (only on
 * the station's first lock) after noting the tasks they hold as handed back.
 */
export function lock(board: TaskBoard, cobots: readonly CobotHome[], station: string, l: StationLock): [TaskBoard, string[]] {
  const existing = board.locks[station] ?? [];
  if (existing.some((x) => x.workOrder === l.workOrder)) return [board, []];
  const locks = { ...board.locks, [station]: [...existing, l] };
  if (existing.length > 0) return [{ ...board, locks }, []];
  const suspended = cobots.filter((c) => c.home === station).map((c) => c.id);
  const handedBack = { ...board.handedBack };
  for (const [task, open] of Object.entries(board.tasks)) {
    if (open.holder && suspended.includes(open.holder) && !board.backlog.includes(task)) {
      handedBack[task] = { fromCobot: open.holder, station, ...l };
    }
  }
  return [{ ...board, locks, handedBack }, suspended];
}

/** A station's lock released. Returns the cobots to resume (once the station's last lock is gone). */
export function unlock(board: TaskBoard, cobots: readonly CobotHome[], station: string, workOrder: string): [TaskBoard, string[]] {
  const existing = board.locks[station];
  if (!existing) return [board, []];
  const rest = existing.filter((x) => x.workOrder !== workOrder);
  const locks = { ...board.locks };
  if (rest.length > 0) {
    locks[station] = rest;
    return [{ ...board, locks }, []];
  }
  delete locks[station];
  return [{ ...board, locks }, cobots.filter((c) => c.home === station).map((c) => c.id)];
}
