import { assign, createActor, setup, type Actor, type AnyActorRef } from 'xstate';

/**
 * Whether an agent host at the edge is in touch with its plant. Cut off
 * (`isolated`) when the broker connection is lost, or when nothing has come
 * from the plant (its clock is published every second) for longer than the
 * timeout — a plant that died, or a broker that no longer forwards. Back
 * (`resyncing`) as soon as the plant is heard again over a live connection;
 * `linked` once the backlog kept meanwhile is in the plant's hands. A host
 * starts `isolated`: until the plant is heard, nobody else decides for it.
 *
 * Timers are wall clock (XState's own, or the clock given): link health is
 * about the network, not the simulation, and a host is a live process.
 */
export type LinkState = 'isolated' | 'resyncing' | 'linked';

export type LinkEvent =
  /** The broker connection is up (again). */
  | { type: 'mqtt.up' }
  /** The broker connection is lost. */
  | { type: 'mqtt.down' }
  /** Something came from the plant (its clock, an assignment, a message). */
  | { type: 'plant.heard' }
  /** The backlog is in the plant's hands. */
  | { type: 'backlog.delivered' };

export interface LinkWatchInput {
  /** Longest silence of the plant before the host counts itself cut off, ms of wall time. */
  timeoutMs: number;
}

interface LinkContext {
  timeoutMs: number;
  mqttUp: boolean;
  /** Why the last change happened, for the log line and the journal. */
  cause: string;
}

export const linkWatchMachine = setup({
  types: { context: {} as LinkContext, input: {} as LinkWatchInput, events: {} as LinkEvent },
  delays: { silence: ({ context }) => context.timeoutMs },
  guards: { mqttUp: ({ context }) => context.mqttUp },
}).createMachine({
  id: 'linkWatch',
  context: ({ input }) => ({ timeoutMs: input.timeoutMs, mqttUp: true, cause: 'starting: the plant not heard yet' }),
  initial: 'isolated',
  on: {
    'mqtt.up': { actions: assign({ mqttUp: true }) },
  },
  states: {
    isolated: {
      on: {
        'mqtt.down': { actions: assign({ mqttUp: false }) },
        'plant.heard': { guard: 'mqttUp', target: 'resyncing', actions: assign({ cause: 'the plant is heard again' }) },
      },
    },
    resyncing: {
      // Messages queued by the broker for this host may be all there was of a plant that died meanwhile: it must go on answering.
      after: { silence: { target: 'isolated', actions: assign({ cause: ({ context }) => `the plant not heard for ${context.timeoutMs / 1000} s while resyncing` }) } },
      on: {
        'mqtt.down': { target: 'isolated', actions: assign({ mqttUp: false, cause: 'broker connection lost' }) },
        'plant.heard': { target: 'resyncing', reenter: true },
        'backlog.delivered': { target: 'linked', actions: assign({ cause: 'backlog delivered' }) },
      },
    },
    linked: {
      after: { silence: { target: 'isolated', actions: assign({ cause: ({ context }) => `the plant not heard for ${context.timeoutMs / 1000} s` }) } },
      on: {
        'mqtt.down': { target: 'isolated', actions: assign({ mqttUp: false, cause: 'broker connection lost' }) },
        // Heard in time: the silence timer starts again.
        'plant.heard': { target: 'linked', reenter: true },
      },
    },
  },
});

/** A running link watch: tells `onChange` each time the state changes, with its cause. */
export class LinkWatch {
  private readonly actor: Actor<typeof linkWatchMachine>;
  private last: LinkState = 'isolated';

  constructor(
    input: LinkWatchInput,
    onChange: (to: LinkState, from: LinkState, cause: string) => void,
    /** A clock for the timers (tests give XState's SimulatedClock); wall clock when omitted. */
    clock?: unknown,
  ) {
    if (!Number.isFinite(input.timeoutMs) || input.timeoutMs <= 0) throw new RangeError(`link timeout must be a positive number of ms, got ${input.timeoutMs}`);
    this.actor = createActor(linkWatchMachine, { input, ...(clock ? { clock: clock as never } : {}) });
    this.actor.subscribe((snapshot) => {
      const to = snapshot.value as LinkState;
      if (to === this.last) return;
      const from = this.last;
      this.last = to;
      onChange(to, from, snapshot.context.cause);
    });
    this.actor.start();
  }

  get state(): LinkState {
    return this.last;
  }

  get ref(): AnyActorRef {
    return this.actor;
  }

  send(event: LinkEvent): void {
    // Messages still in flight when the host closes are not news.
    if (this.actor.getSnapshot().status !== 'active') return;
    this.actor.send(event);
  }

  stop(): void {
    this.actor.stop();
  }
}
