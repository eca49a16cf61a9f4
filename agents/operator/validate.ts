import { OperatorCommandSchema, type OperatorCommand, type OperatorOrder, type Rejection } from './command.js';
import { resolveName, unknownName } from './names.js';
import { gridDistance, type CobotView, type OperatorView } from './view.js';

/**
 * Checks a command against the plant as it is now: the names exist and mean
 * what the verb needs (a cobot, a place, an open task), and the cobot can do
 * it (not out of order, not paused or suspended by maintenance, able to reach
 * the place on its battery). Anything else is a rejection with a reason an
 * operator can act on; only an accepted command is ever sent.
 */
export interface Accepted {
  ok: true;
  /** The command with every name resolved to its id. */
  command: OperatorCommand;
  /** What the robotics coordinator is sent. */
  order: OperatorOrder;
  /** Something worth telling the operator about an accepted command. */
  note?: string;
}

export type Validation = Accepted | Rejection;

const reject = (reason: string): Rejection => ({ ok: false, reason });
const pct = (x: number) => `${Math.round(x * 100)}%`;
const wh = (x: number) => `${x.toFixed(1)} Wh`;

/** What a name is, when it is not what the command needs. */
function otherKind(view: OperatorView, name: string, except: string): string | undefined {
  const kinds: [string, string[]][] = [
    ['a cobot', view.cobots.map((c) => c.id)],
    ['a place', view.places.map((p) => p.id)],
    ['a machine', view.machines.map((m) => m.id)],
    ['a task', view.tasks.map((t) => t.id)],
  ];
  for (const [kind, ids] of kinds) {
    if (kind === except) continue;
    const id = resolveName(name, ids);
    if (!id) continue;
    const machine = view.machines.find((m) => m.id === id);
    return machine ? `"${id}" is a machine, not a place; it stands at ${machine.station}` : `"${id}" is ${kind}, not ${except}`;
  }
  return undefined;
}

function findCobot(view: OperatorView, name: string): CobotView | Rejection {
  const id = resolveName(name, view.cobots.map((c) => c.id));
  if (id) return view.cobots.find((c) => c.id === id)!;
  return reject(otherKind(view, name, 'a cobot') ?? unknownName('cobot', name, view.cobots.map((c) => c.id)));
}

/** Why the cobot cannot take orders now (fault, pause, maintenance lock), if it cannot. */
function unavailable(view: OperatorView, c: CobotView): string | undefined {
  if (c.fault) return `${c.id} is out of order (${c.fault})`;
  if (view.paused.includes(c.id)) return `${c.id} is paused; resume it first`;
  const lock = view.locks.find((l) => l.station === c.home);
  if (lock) return `${c.id} is suspended while ${lock.station} is locked for work order ${lock.workOrder}${lock.machine ? ` (${lock.machine})` : ''}`;
  if (c.state.startsWith('suspended')) return `${c.id} is suspended`;
  return undefined;
}

const isRejection = (x: CobotView | Rejection): x is Rejection => 'ok' in x;

export function validateCommand(input: unknown, view: OperatorView): Validation {
  const parsed = OperatorCommandSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return reject(`not a command: ${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`);
  }
  const command = parsed.data;
  const cobot = findCobot(view, command.cobot);
  if (isRejection(cobot)) return cobot;
  const energy = cobot.battery * cobot.batteryWh;

  switch (command.verb) {
    case 'pause': {
      if (view.paused.includes(cobot.id)) return reject(`${cobot.id} is already paused`);
      const lock = view.locks.find((l) => l.station === cobot.home);
      const accepted = { verb: 'pause' as const, cobot: cobot.id };
      return { ok: true, command: accepted, order: { command: accepted }, note: lock ? `${cobot.id} stays stopped after ${lock.station} is unlocked` : undefined };
    }
    case 'resume': {
      const lock = view.locks.find((l) => l.station === cobot.home);
      if (!view.paused.includes(cobot.id)) {
        return reject(lock ? `${cobot.id} is not paused: it is suspended while ${lock.station} is locked for work order ${lock.workOrder}, and resumes when the cell is unlocked` : `${cobot.id} is not paused`);
      }
      const accepted = { verb: 'resume' as const, cobot: cobot.id };
      return { ok: true, command: accepted, order: { command: accepted }, note: lock ? `${cobot.id} resumes when ${lock.station} is unlocked (work order ${lock.workOrder})` : undefined };
    }
    case 'charge': {
      const why = unavailable(view, cobot);
      if (why) return reject(why);
      if (cobot.state === 'charging') return reject(`${cobot.id} is charging already`);
      if (cobot.state === 'moving.toCharger') return reject(`${cobot.id} is on its way to a charger already`);
      if (cobot.battery >= 0.999) return reject(`${cobot.id}'s battery is full`);
      const accepted = { verb: 'charge' as const, cobot: cobot.id };
      return { ok: true, command: accepted, order: { command: accepted } };
    }
    case 'move': {
      const why = unavailable(view, cobot);
      if (why) return reject(why);
      const placeId = resolveName(command.place, view.places.map((p) => p.id));
      if (!placeId) {
        if (/charg/i.test(command.place)) return reject(`unknown place "${command.place}"; to send ${cobot.id} to a charger, say "charge ${cobot.id}"`);
        return reject(otherKind(view, command.place, 'a place') ?? unknownName('place', command.place, view.places.map((p) => p.id)));
      }
      const place = view.places.find((p) => p.id === placeId)!;
      const pose = { x: place.x, y: place.y };
      if (cobot.place === place.id && cobot.state === 'idle') return reject(`${cobot.id} is at ${place.id} already`);
      if (view.reachable && !view.reachable(cobot.pose, pose)) return reject(`${place.id} cannot be reached from where ${cobot.id} is`);
      const need = gridDistance(cobot.pose, pose) * cobot.drainWhPerMetre;
      if (need > energy) return reject(`${cobot.id} cannot reach ${place.id} on its battery: it needs ${wh(need)} and has ${wh(energy)} (${pct(cobot.battery)}); charge it first`);
      const accepted = { verb: 'move' as const, cobot: cobot.id, place: place.id };
      const busy = cobot.tasks.length > 0 ? `${cobot.id}'s ${cobot.tasks.length} task(s) go back to auction` : undefined;
      return { ok: true, command: accepted, order: { command: accepted, pose }, note: busy };
    }
    case 'assign': {
      const why = unavailable(view, cobot);
      if (why) return reject(why);
      const taskId = resolveName(command.task, view.tasks.map((t) => t.id));
      if (!taskId) return reject(otherKind(view, command.task, 'a task') ?? unknownName('open task', command.task, view.tasks.map((t) => t.id)));
      const task = view.tasks.find((t) => t.id === taskId)!;
      if (task.holder === cobot.id) return reject(`${task.id} is ${cobot.id}'s already`);
      if (task.holder) return reject(`${task.id} is held by ${task.holder}; only a task waiting for a cobot can be assigned`);
      if (!task.waiting) return reject(`${task.id} is being auctioned right now; ask again once it is settled`);
      if (cobot.battery < cobot.lowBattery / 2) return reject(`${cobot.id}'s battery is critical (${pct(cobot.battery)}); it takes no tasks`);
      if (task.fromPose && view.reachable && !view.reachable(cobot.pose, task.fromPose)) return reject(`${task.from ?? task.id} cannot be reached from where ${cobot.id} is`);
      const accepted = { verb: 'assign' as const, task: task.id, cobot: cobot.id };
      return { ok: true, command: accepted, order: { command: accepted } };
    }
  }
}
