import type { OperatorCommand } from '../agents/operator/command.js';
import type { Vocabulary } from '../agents/operator/grammar.js';
import { validateCommand } from '../agents/operator/validate.js';
import type { CobotView, OperatorView } from '../agents/operator/view.js';
import type { CobotModel } from '../agents/cobot/planning.js';
import type { TaskBoard } from '../agents/robotics/task-board.js';
import type { TaskSpec } from '../agents/robotics/task-spec.js';
import type { Pose } from '../agents/ports/robot-port.js';
import { send } from '../agents/host/effects.js';
import type { Envelope } from '../agents/protocol/envelope.js';
import { Address, type RunContext } from './context.js';
import { expandMachines } from './machines.js';
import { interpretText, type ChatEndpoint } from './operator-nl.js';

/**
 * Operator commands into a running plant, at the kernel's current time:
 * typed (the viewer, a REST call) or as text (the grammar, or a language
 * model when an endpoint is configured). Every command is validated against
 * the plant as it is at that instant, and only an accepted one is sent, as
 * `operator.command` from `operator` to the robotics coordinator, so it is
 * in the event log like every other message and a replay sees it.
 */
export const OPERATOR = 'operator';

export type OperatorResult =
  | { accepted: true; command: OperatorCommand; time: number; source: Source; note?: string }
  | { accepted: false; reason: string; time: number; source: Source; command?: unknown };

type Source = 'typed' | 'grammar' | 'model';

interface CobotContext {
  id: string;
  model: CobotModel;
  pose: Pose;
  place?: string;
  battery: number;
  current?: { spec: TaskSpec };
  queue: { spec: TaskSpec }[];
}

/** The plant as validation sees it, read from the agents' snapshots now. */
export function operatorView(ctx: RunContext): OperatorView {
  const cobots: CobotView[] = ctx.host
    .all()
    .filter((a) => a.kind === 'cobot')
    .map((a) => {
      const c = a.actor.getSnapshot().context as CobotContext;
      return {
        id: c.id,
        home: c.model.home.id,
        state: a.state(),
        pose: c.pose,
        place: c.place,
        battery: c.battery,
        batteryWh: c.model.batteryWh,
        drainWhPerMetre: c.model.drainWhPerMetre,
        lowBattery: c.model.lowBattery,
        tasks: [...(c.current ? [c.current] : []), ...c.queue].map((j) => j.spec.task),
      };
    });
  const robotics = ctx.host.get(Address.robotics)?.actor.getSnapshot().context as { board: TaskBoard; paused: string[] } | undefined;
  const board = robotics?.board;
  return {
    cobots,
    places: ctx.layout.all().map(({ id, kind, x, y }) => ({ id, kind, x, y })),
    machines: expandMachines(ctx.scenario).flatMap((m) => (m.station ? [{ id: m.id, station: m.station }] : [])),
    tasks: Object.entries(board?.tasks ?? {}).map(([id, t]) => ({ id, holder: t.holder, waiting: board!.backlog.includes(id), from: t.spec.from, fromPose: t.spec.fromPose })),
    paused: robotics?.paused ?? [],
    locks: Object.entries(board?.locks ?? {}).flatMap(([station, ls]) => ls.slice(0, 1).map((l) => ({ station, ...l }))),
  };
}

/** The names text may use: for the grammar's resolution and the model's prompt. */
export function vocabulary(view: OperatorView): Vocabulary {
  return { cobots: view.cobots.map((c) => c.id), places: view.places.map((p) => p.id), tasks: view.tasks.map((t) => t.id) };
}

/** Validates a typed command now and, if accepted, sends it to the robotics coordinator. */
export function submitCommand(ctx: RunContext, command: unknown, source: Source = 'typed', note?: string): OperatorResult {
  const time = ctx.kernel.now;
  if (!ctx.host.get(Address.robotics)) return { accepted: false, reason: 'this plant has no cobots', time, source, command };
  const v = validateCommand(command, operatorView(ctx));
  if (!v.ok) return { accepted: false, reason: v.reason, time, source, command };
  ctx.host.sendFrom(OPERATOR, send(Address.robotics, 'operator.command', v.order));
  const notes = [note, v.note].filter((n): n is string => n !== undefined);
  return { accepted: true, command: v.command, time, source, ...(notes.length ? { note: notes.join('; ') } : {}) };
}

/**
 * Reads text (model or grammar), then validates and sends as `submitCommand`.
 * With a model the answer can take wall-clock time; the command enters the
 * plant at the kernel time reached when it is read, and is validated then.
 */
export async function submitText(ctx: RunContext, text: string, options: { endpoint?: ChatEndpoint } = {}): Promise<OperatorResult> {
  const read = await interpretText(text, vocabulary(operatorView(ctx)), options.endpoint);
  if (!read.ok) return { accepted: false, reason: read.reason, time: ctx.kernel.now, source: read.source };
  return submitCommand(ctx, read.command, read.source, read.note);
}

/**
 * Listens for the coordinator's late refusals (the plant changed between
 * validation and delivery). Without a listener they are only in the log.
 */
export function onOperatorRefusal(ctx: RunContext, listener: (payload: Envelope<'operator.refused'>['payload'], time: number) => void): () => void {
  return ctx.bus.attach(OPERATOR, [], (env) => {
    if (env.type === 'operator.refused') listener((env as Envelope<'operator.refused'>).payload, env.time);
  });
}
