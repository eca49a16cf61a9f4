import { assign, emit, enqueueActions, setup, stateIn } from 'xstate';
import { send, type MessageEvent, type SendEffect } from '../host/effects.js';
import type { Pose, RobotObservation } from '../ports/robot-port.js';
import { readTaskSpec, type TaskSpec } from '../robotics/task-spec.js';
import { chargeFirst, chargePlan, distance, nearestCharger, queuePlan, stagePlan, taskPlan, type CobotModel, type NamedPose, type PlanPoint, type TaskStage } from './planning.js';

export interface CobotInput {
  id: string;
  model: CobotModel;
  /** Battery level at the start, a fraction; full when omitted. */
  battery?: number;
}

/** A task this cobot won: its spec, and the manager it reports to. */
export interface CobotJob {
  spec: TaskSpec;
  manager: string;
  conversation: string;
}

interface CobotContext {
  id: string;
  model: CobotModel;
  /** Latest simulated time the cobot heard of (from messages and its body's reports). */
  now: number;
  /** The place it last arrived at; undefined once it drives off (and when it was stopped on the way). */
  place?: string;
  pose: Pose;
  battery: number;
  /** The task being done; queued tasks wait in `queue`, first come first served. */
  current?: CobotJob;
  queue: CobotJob[];
  /** Where the cobot is driving to. */
  goal?: NamedPose;
  /** Estimated end of the current task or charge; undefined when idle. */
  free?: PlanPoint;
  completed: number;
  /** The state it was in when its host lost the plant (`moving.toPickup`): where it resumes. */
  heldFrom?: string;
}

/** States a held cobot goes back to when the link returns (their entry starts the stage again from where the body stands). */
const RESUMABLE = ['moving.toPickup', 'moving.toDropoff', 'moving.toPlace', 'moving.toCharger', 'handling.picking', 'handling.placing', 'blocked', 'charging', 'suspended', 'faulted'] as const;


export type CobotEvent =
  | MessageEvent<'task.cfp'>
  | MessageEvent<'task.awarded'>
  | MessageEvent<'task.rejected'>
  | MessageEvent<'cobot.suspend'>
  | MessageEvent<'cobot.resume'>
  | MessageEvent<'cobot.command'>
  | RobotObservation
  | CobotLinkEvent;

/**
 * From the cobot's agent host at the edge (docs/live-runs.md, "Local
 * fail-safes"): the host lost its plant, or has it back. Never sent in a
 * simulated run or to a cobot the plant runs itself.
 */
export type CobotLinkEvent = { type: 'link.lost'; time: number } | { type: 'link.back'; time: number };

/** Effects of a cobot: messages, and commands to its body (see `RobotPort`). */
export type CobotEffect =
  | SendEffect
  | { type: 'robot.navigate'; robot: string; goal: string; pose: Pose }
  | { type: 'robot.perform'; robot: string; action: 'pick' | 'place' | 'charge'; task?: string }
  | { type: 'robot.hold'; robot: string };

/** How long a cobot whose goal was unreachable waits before it tries again, ms of simulated time. */
const BLOCKED_RETRY_MS = 30_000;

const timeOf = (event: CobotEvent): number => ('msg' in event ? event.msg.time : event.time);

/** Where the cobot is now, as a starting point for plans. */
const here = (c: CobotContext): PlanPoint => ({ time: c.now, pose: c.pose, energyWh: c.battery * c.model.batteryWh });

/** When the cobot could start new work: after its current task or charge, or now. */
const startOfQueue = (c: CobotContext): PlanPoint => (c.free ? { ...c.free, time: Math.max(c.free.time, c.now) } : here(c));

const jobOf = (event: MessageEvent<'task.awarded'>, spec: TaskSpec): CobotJob => ({ spec, manager: event.msg.from, conversation: event.msg.conversation });

const failed = (job: CobotJob, reason: string) => send(job.manager, 'task.failed', { reason }, job.conversation);

/**
 * A mobile cobot: bids for transport tasks with the time it would finish them
 * (so idle and near cobots win), does its tasks one by one (drive to the
 * pickup, pick, drive to the drop-off, place), charges when its battery runs
 * low, and hands its tasks back when people lock its cell or its body breaks
 * down (`robot.fault`: the managers re-auction them without it). It moves its
 * body only through effects; every duration comes back from the body as a
 * report.
 */
export const cobot = setup({
  types: {
    context: {} as CobotContext,
    input: {} as CobotInput,
    events: {} as CobotEvent,
    emitted: {} as CobotEffect,
  },
  guards: {
    cannotBid: ({ context, event }) =>
      context.battery < context.model.lowBattery / 2 || (event.type === 'task.cfp' && !readTaskSpec(event.msg.payload.spec)),
    unreadableAward: ({ event }) => event.type === 'task.awarded' && !readTaskSpec(event.msg.payload.spec),
    shouldCharge: ({ context }) =>
      context.queue.length > 0
        ? chargeFirst(context.model, here(context), context.queue[0].spec)
        : context.battery < context.model.lowBattery,
    hasQueue: ({ context }) => context.queue.length > 0,
    heldFrom: ({ context }, params: { path: string }) => context.heldFrom === params.path,
    chargeOrder: ({ event }) => event.type === 'cobot.command' && event.msg.payload.order === 'charge',
    blockedGoal: ({ context, event }) => event.type === 'robot.blocked' && event.goal === context.goal?.id,
  },
  actions: {
    tick: assign({ now: ({ context, event }) => Math.max(context.now, timeOf(event)) }),
    rememberWhere: assign((_, params: { path: string }) => ({ heldFrom: params.path })),
    forgetWhere: assign({ heldFrom: undefined }),
    setBattery: assign({ battery: ({ context, event }) => (event.type === 'robot.battery' ? event.level : context.battery) }),
    propose: emit(({ context, event }) => {
      const e = event as MessageEvent<'task.cfp'>;
      const spec = readTaskSpec(e.msg.payload.spec)!;
      const before = queuePlan(context.model, startOfQueue(context), context.queue.map((j) => j.spec));
      const after = taskPlan(context.model, before, spec);
      return send(
        e.msg.from,
        'task.proposal',
        { cost: after.time, finishTime: after.time, previousCost: before.time, details: { queue: context.queue.length + (context.current ? 1 : 0) } },
        e.msg.conversation,
      );
    }),
    refuse: emit(({ context, event }, params: { reason?: string }) => {
      const e = event as MessageEvent<'task.cfp'>;
      const reason = params.reason ?? (context.battery < context.model.lowBattery / 2 ? 'battery critical' : 'unreadable spec');
      return send(e.msg.from, 'task.refused', { reason }, e.msg.conversation);
    }),
    enqueue: assign({
      queue: ({ context, event }) => {
        const e = event as MessageEvent<'task.awarded'>;
        return [...context.queue, jobOf(e, readTaskSpec(e.msg.payload.spec)!)];
      },
    }),
    failBack: emit(({ event }, params: { reason: string }) => {
      const e = event as MessageEvent<'task.awarded'>;
      return send(e.msg.from, 'task.failed', { reason: params.reason }, e.msg.conversation);
    }),
    takeNext: assign(({ context }) => ({ current: context.queue[0], queue: context.queue.slice(1) })),
    /** Sets the goal for a stage and plans when the rest of the task will be done. */
    aim: assign(({ context }, params: { stage: TaskStage }) => {
      const spec = context.current!.spec;
      const goal = params.stage === 'toPickup' ? { id: spec.from, pose: spec.fromPose } : params.stage === 'toDropoff' ? { id: spec.to, pose: spec.toPose } : context.goal;
      const driving = params.stage === 'toPickup' || params.stage === 'toDropoff';
      return { goal, place: driving ? undefined : context.place, free: stagePlan(context.model, here(context), spec, params.stage) };
    }),
    aimAtCharger: assign(({ context }) => {
      const goal = nearestCharger(context.model, context.pose);
      return { goal, place: context.place === goal.id ? goal.id : undefined, free: chargePlan(context.model, here(context)) };
    }),
    navigate: emit(({ context }) => ({ type: 'robot.navigate' as const, robot: context.id, goal: context.goal!.id, pose: context.goal!.pose })),
    perform: emit(({ context }, params: { action: 'pick' | 'place' | 'charge' }) => ({
      type: 'robot.perform' as const,
      robot: context.id,
      action: params.action,
      task: params.action === 'charge' ? undefined : context.current!.spec.task,
    })),
    arrive: assign(({ context }) => ({ pose: context.goal?.pose ?? context.pose, place: context.goal?.id ?? context.place })),
    completeTask: enqueueActions(({ context, enqueue }) => {
      const job = context.current!;
      enqueue.emit(send(job.manager, 'task.completed', { result: { task: job.spec.task, cobot: context.id } }, job.conversation));
      enqueue.assign({ current: undefined, free: undefined, goal: undefined, completed: context.completed + 1 });
    }),
    rest: assign({ free: undefined, goal: undefined }),
    /** The body cannot reach the goal: the current task goes back to its manager; the queue stays. */
    giveUpGoal: enqueueActions(({ context, event, enqueue }) => {
      const reason = event.type === 'robot.blocked' ? `blocked: ${event.reason}` : 'blocked';
      if (context.current) enqueue.emit(failed(context.current, reason.slice(0, 500)));
      enqueue.assign({ current: undefined, free: undefined, goal: undefined });
    }),
    /** Stops the body and hands every task back to its manager, which re-auctions it without this cobot. */
    handBack: enqueueActions(({ context, enqueue }, params: { reason: string }) => {
      enqueue.emit({ type: 'robot.hold', robot: context.id });
      for (const job of [...(context.current ? [context.current] : []), ...context.queue]) enqueue.emit(failed(job, params.reason));
      enqueue.assign({ current: undefined, queue: [], free: undefined, goal: undefined });
    }),
    /** An operator's order: hand every task back, then head for the place (or the charger, aimed at on entry). */
    obey: enqueueActions(({ context, event, enqueue }) => {
      const order = (event as MessageEvent<'cobot.command'>).msg.payload;
      for (const job of [...(context.current ? [context.current] : []), ...context.queue]) enqueue.emit(failed(job, 'operator command'));
      const goal = order.order === 'move' ? { id: order.place, pose: order.pose } : undefined;
      const d = goal ? distance(context.pose, goal.pose) : 0;
      const energyWh = Math.max(0, context.battery * context.model.batteryWh - d * context.model.drainWhPerMetre);
      const free = goal ? { time: context.now + d / context.model.speed, pose: goal.pose, energyWh } : undefined;
      enqueue.assign({ current: undefined, queue: [], goal, free, place: undefined });
    }),
  },
}).createMachine({
  id: 'cobot',
  context: ({ input }) => ({
    id: input.id,
    model: input.model,
    now: 0,
    place: input.model.home.id,
    pose: input.model.home.pose,
    battery: input.battery ?? 1,
    queue: [],
    completed: 0,
  }),
  initial: 'idle',
  on: {
    'task.cfp': [
      { guard: 'cannotBid', actions: ['tick', { type: 'refuse', params: {} }] },
      { actions: ['tick', 'propose'] },
    ],
    'task.awarded': [
      { guard: 'unreadableAward', actions: ['tick', { type: 'failBack', params: { reason: 'unreadable spec' } }] },
      { actions: ['tick', 'enqueue'] },
    ],
    'robot.battery': { actions: ['tick', 'setBattery'] },
    'cobot.suspend': { target: '.suspended', actions: 'tick' },
    'robot.fault': { target: '.faulted', actions: 'tick' },
    'robot.lost': { target: '.lost', actions: 'tick' },
    'cobot.command': [
      { guard: 'chargeOrder', target: '.moving.toCharger', actions: ['tick', 'obey'] },
      { target: '.moving.toPlace', actions: ['tick', 'obey'] },
    ],
    // Where it was is remembered (the guards see the state before the transition): it resumes there.
    'link.lost': [
      ...RESUMABLE.map((path) => ({ guard: stateIn(`#cobot.${path}`), target: '.held', actions: ['tick' as const, { type: 'rememberWhere' as const, params: { path } }] })),
      { target: '.held', actions: ['tick', { type: 'rememberWhere', params: { path: 'idle' } }] },
    ],
  },
  states: {
    /**
     * Its host is cut off from the plant: the body stops where it is, the
     * cobot bids for nothing and starts nothing, and keeps its tasks; their
     * managers are in the plant, which decides (a plant that lost the host
     * re-auctions them, and the host starts its cobots afresh). With the link
     * back and the tasks still its own, it resumes what it was doing (the
     * entry of that state plans the move again from where the body stands).
     */
    held: {
      entry: emit(({ context }) => ({ type: 'robot.hold' as const, robot: context.id })),
      on: {
        'task.cfp': { actions: ['tick', { type: 'refuse', params: { reason: 'link lost' } }] },
        'task.awarded': { actions: ['tick', { type: 'failBack', params: { reason: 'link lost' } }] },
        'cobot.suspend': { actions: 'tick' },
        'cobot.command': { actions: 'tick' },
        'robot.fault': { actions: 'tick' },
        'link.lost': { actions: 'tick' },
        'link.back': [
          ...RESUMABLE.map((path) => ({ guard: { type: 'heldFrom' as const, params: { path } }, target: `#cobot.${path}`, actions: ['tick' as const, 'forgetWhere' as const] })),
          { target: 'idle', actions: ['tick', 'forgetWhere'] },
        ],
      },
    },
    idle: {
      entry: 'rest',
      always: [
        { guard: 'shouldCharge', target: 'moving.toCharger' },
        { guard: 'hasQueue', target: 'moving.toPickup', actions: 'takeNext' },
      ],
    },
    moving: {
      initial: 'toPickup',
      // A goal the body cannot reach (off the floor, a route that failed, an outside controller's abort).
      on: { 'robot.blocked': { guard: 'blockedGoal', target: 'blocked', actions: ['tick', 'giveUpGoal'] } },
      states: {
        toPickup: {
          entry: [{ type: 'aim', params: { stage: 'toPickup' } }, 'navigate'],
          on: { 'robot.arrived': { target: '#cobot.handling.picking', actions: ['tick', 'arrive'] } },
        },
        toDropoff: {
          entry: [{ type: 'aim', params: { stage: 'toDropoff' } }, 'navigate'],
          on: { 'robot.arrived': { target: '#cobot.handling.placing', actions: ['tick', 'arrive'] } },
        },
        /** Sent somewhere by an operator; free for new work on arrival. */
        toPlace: {
          entry: 'navigate',
          on: { 'robot.arrived': { target: '#cobot.idle', actions: ['tick', 'arrive'] } },
        },
        toCharger: {
          entry: ['aimAtCharger', 'navigate'],
          on: { 'robot.arrived': { target: '#cobot.charging', actions: ['tick', 'arrive'] } },
        },
      },
    },
    handling: {
      initial: 'picking',
      states: {
        picking: {
          entry: [{ type: 'aim', params: { stage: 'picking' } }, { type: 'perform', params: { action: 'pick' } }],
          on: { 'robot.actionDone': { target: '#cobot.moving.toDropoff', actions: 'tick' } },
        },
        placing: {
          entry: [{ type: 'aim', params: { stage: 'placing' } }, { type: 'perform', params: { action: 'place' } }],
          on: { 'robot.actionDone': { target: '#cobot.idle', actions: ['tick', 'completeTask'] } },
        },
      },
    },
    /**
     * Its last goal was unreachable: it stands for a while before it tries
     * again (idle), so an unreachable charger does not loop in one instant.
     * It still bids and queues what it wins.
     */
    blocked: {
      entry: { type: 'rest' },
      after: { [BLOCKED_RETRY_MS]: 'idle' },
    },
    charging: {
      entry: ['aimAtCharger', { type: 'perform', params: { action: 'charge' } }],
      on: { 'robot.charged': { target: 'idle', actions: 'tick' } },
    },
    /** People work in the cobot's cell: it stands still, bids for nothing and gives back what it wins. */
    suspended: {
      entry: { type: 'handBack', params: { reason: 'suspended' } },
      on: {
        'task.cfp': { actions: ['tick', { type: 'refuse', params: { reason: 'suspended' } }] },
        'task.awarded': { actions: ['tick', { type: 'failBack', params: { reason: 'suspended' } }] },
        'cobot.suspend': { actions: 'tick' },
        'cobot.command': { actions: 'tick' },
        'cobot.resume': { target: 'idle', actions: 'tick' },
      },
    },
    /**
     * Its body broke down: it hands its tasks back (their managers re-auction
     * them without it), bids for nothing and gives back what it wins until the
     * body reports it works again. Orders and locks meanwhile are not
     * remembered: once repaired it is idle.
     */
    faulted: {
      entry: { type: 'handBack', params: { reason: 'breakdown' } },
      on: {
        'task.cfp': { actions: ['tick', { type: 'refuse', params: { reason: 'broken down' } }] },
        'task.awarded': { actions: ['tick', { type: 'failBack', params: { reason: 'broken down' } }] },
        'cobot.suspend': { actions: 'tick' },
        'cobot.command': { actions: 'tick' },
        'robot.fault': { actions: 'tick' },
        'robot.lost': { actions: 'tick' },
        'robot.recovered': { target: 'idle', actions: 'tick' },
      },
    },
    /**
     * Its body stopped answering (`robot.lost`): as after a breakdown it hands
     * its tasks back and takes none, but the event log says lost, not broken.
     * Heard again (`robot.recovered`), it is idle: what it was doing went to
     * others, so it does not carry on with it.
     */
    lost: {
      entry: { type: 'handBack', params: { reason: 'robot lost' } },
      on: {
        'task.cfp': { actions: ['tick', { type: 'refuse', params: { reason: 'robot lost' } }] },
        'task.awarded': { actions: ['tick', { type: 'failBack', params: { reason: 'robot lost' } }] },
        'cobot.suspend': { actions: 'tick' },
        'cobot.command': { actions: 'tick' },
        'robot.fault': { target: 'faulted', actions: 'tick' },
        'robot.lost': { actions: 'tick' },
        'robot.recovered': { target: 'idle', actions: 'tick' },
      },
    },
  },
});
