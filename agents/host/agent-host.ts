import { createActor, type Actor, type AnyActorRef, type AnyStateMachine, type InputFrom } from 'xstate';
import type { Kernel } from '../../sim/clock/kernel.js';
import { kernelClock } from '../../sim/clock/xstate-clock.js';
import type { EventLog } from '../../sim/log/event-log.js';
import type { Bus } from '../ports/bus.js';
import type { Envelope } from '../protocol/envelope.js';
import type { NegotiateEffect, SendEffect } from './effects.js';
import { contractNet } from '../protocol/contract-net.js';

/** An effect that is not a `send`: handled by the agent's wiring to its ports. */
export type PortEffect = { type: string; [key: string]: unknown };

export interface AgentSpec<M extends AnyStateMachine = AnyStateMachine> {
  id: string;
  /** Agent kind (machine, cobot, supplier, …): used for logs, patterns and the viewer. */
  kind: string;
  /** Group addresses the agent listens on besides its own id (`#suppliers`). */
  groups?: readonly string[];
  machine: M;
  input: InputFrom<M>;
  /** Carries out the agent's port effects. */
  onEffect?: (effect: PortEffect, agent: Agent) => void;
  /** Called once the agent's machine reaches a final state. */
  onDone?: (agent: Agent) => void;
}

/** A running agent: its actor, its address, and the host that runs it. */
export interface Agent {
  readonly id: string;
  readonly kind: string;
  readonly actor: AnyActorRef;
  /** Sends an observation from a port (world, robot, sensor) into the agent, now. */
  observe(event: { type: string; [key: string]: unknown }): void;
  /** The agent's current state as a dotted path (`down.awaitingRepair`). */
  state(): string;
}

/**
 * Where agents run in a live run spread over processes: a placement claims
 * the agents that run elsewhere and stands in for each with a proxy that
 * carries its messages, port effects and observations across.
 */
export interface RemotePlacement {
  /** True when the agent runs in another process. */
  claims(spec: AgentSpec): boolean;
  /** The stand-in for a remote agent: attached to the bus under its address, wired to its ports. */
  proxy(spec: AgentSpec, host: AgentHost): Agent;
}

/** Group every open negotiation listens on (`agent.lost`). */
export const NEGOTIATIONS = '#negotiations';

/** Flattens an XState state value into a dotted path; parallel regions are joined by `,`. */
export function statePath(value: unknown): string {
  if (typeof value === 'string') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  return entries.map(([k, v]) => (v && typeof v === 'object' && Object.keys(v).length === 0 ? k : `${k}.${statePath(v)}`)).join(',');
}

/**
 * Runs agents as XState actors on the kernel's clock, connects them to the
 * bus and logs every state change. Message ids are `<agent>:<n>` and so are
 * deterministic; nothing here depends on XState's session ids.
 */
export class AgentHost {
  private agents = new Map<string, Agent>();
  /** Each agent's way off the bus, for `stop`. */
  private readonly detachers = new Map<string, () => void>();
  private counters = new Map<string, number>();
  private readonly clock;
  /** Set in a live run spread over processes (`serve --remote-agents`). */
  placement: RemotePlacement | undefined;

  constructor(
    readonly kernel: Kernel,
    readonly bus: Bus,
    readonly log: EventLog,
  ) {
    this.clock = kernelClock(kernel);
  }

  get(id: string): Agent | undefined {
    return this.agents.get(id);
  }

  all(): Agent[] {
    return [...this.agents.values()];
  }

  /** How many ids `nextId(prefix)` has given out so far (an agent's messages are numbered `<agent>:<n>`). */
  issued(prefix: string): number {
    return this.counters.get(prefix) ?? 0;
  }

  /** A new id under `prefix`, unique in this run and the same in every run. */
  nextId(prefix: string): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return `${prefix}:${n}`;
  }

  spawn<M extends AnyStateMachine>(spec: AgentSpec<M>): Agent {
    if (this.agents.has(spec.id)) throw new Error(`agent "${spec.id}" exists already`);
    // Negotiations always run beside their opener.
    if (this.placement && spec.kind !== 'negotiation' && this.placement.claims(spec as AgentSpec)) {
      const proxy = this.placement.proxy(spec as AgentSpec, this);
      this.agents.set(spec.id, proxy);
      return proxy;
    }
    const { kernel, log, bus } = this;
    // Agents of every kind share this host, so it handles them through the untyped actor interface.
    const actor = createActor(spec.machine as AnyStateMachine, { input: spec.input, clock: this.clock, id: spec.id } as never) as Actor<AnyStateMachine>;
    let last = '';
    const agent: Agent = {
      id: spec.id,
      kind: spec.kind,
      actor,
      observe: (event) => actor.send(event),
      state: () => last,
    };
    actor.on('*', (effect: PortEffect) => {
      if (effect.type === 'send') this.sendFrom(spec.id, effect as unknown as SendEffect);
      else if (effect.type === 'negotiate') this.openNegotiation(spec.id, effect as unknown as NegotiateEffect);
      else if (spec.onEffect) spec.onEffect(effect, agent);
      else throw new Error(`agent ${spec.id} emitted ${effect.type} but has no port wiring for it`);
    });
    this.agents.set(spec.id, agent);
    const detach = bus.attach(spec.id, spec.groups ?? [], (env: Envelope) => actor.send({ type: env.type, msg: env }));
    this.detachers.set(spec.id, detach);
    actor.subscribe({
      next: (snapshot) => {
        const path = statePath(snapshot.value);
        if (path !== last) {
          last = path;
          log.appendState(kernel.now, spec.id, path);
        }
        if (snapshot.status === 'done') {
          detach();
          this.detachers.delete(spec.id);
          this.agents.delete(spec.id);
          // Its message-id counter goes with it (ids are never reused): long runs finish a negotiation per task.
          this.counters.delete(spec.id);
          spec.onDone?.(agent);
        }
      },
      error: (err) => {
        log.append({ t: kernel.now, type: 'agent.error', agent: spec.id, error: String(err) });
      },
    });
    actor.start();
    return agent;
  }

  /** Wraps a send effect in an envelope and puts it on the bus. */
  sendFrom(from: string, effect: SendEffect): void {
    const id = this.nextId(from);
    const envelope = {
      id,
      time: this.kernel.now,
      from,
      to: effect.to,
      conversation: effect.conversation ?? id,
      type: effect.message,
      payload: effect.payload,
    } as Envelope;
    this.bus.send(envelope);
  }

  /** Starts a contract-net manager for `opener`; it stops by itself once settled. */
  openNegotiation(opener: string, effect: NegotiateEffect): Agent {
    const id = this.nextId(`${opener}/${effect.topic}`);
    return this.spawn({
      id,
      kind: 'negotiation',
      groups: [NEGOTIATIONS],
      machine: contractNet,
      input: {
        id,
        opener,
        topic: effect.topic,
        participants: effect.participants,
        spec: effect.spec,
        bidWindowSeconds: effect.bidWindowSeconds ?? 2,
        expectedBidders: effect.expectedBidders,
        maxRounds: effect.maxRounds ?? 3,
        retryDelaySeconds: effect.retryDelaySeconds ?? 60,
        graceSeconds: effect.graceSeconds,
        exclude: effect.exclude,
        notifyLosers: effect.notifyLosers,
      },
    });
  }

  /** Stops one agent and takes it off the bus (an agent host starting a lost agent afresh); its id is free again. */
  stop(id: string): void {
    const agent = this.agents.get(id);
    if (!agent) return;
    this.agents.delete(id);
    this.detachers.get(id)?.();
    this.detachers.delete(id);
    agent.actor.stop();
  }

  stopAll(): void {
    for (const a of this.agents.values()) a.actor.stop();
    this.agents.clear();
    this.detachers.clear();
  }
}
