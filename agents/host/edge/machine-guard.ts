import { assign, createActor, fromPromise, setup, type Actor } from 'xstate';
import type { LocalMachinePort } from '../../ports/local-machine-port.js';
import { criticalReading, type CriticalLimit, type CriticalReading } from './critical-limits.js';

/** How long a guard waits before it tries a failed stop again, wall ms. */
export const STOP_RETRY_MS = 2000;

type GuardEvent = { type: 'link.lost' } | { type: 'link.back' } | ({ type: 'reading.critical' } & CriticalReading);

interface GuardContext {
  machine: string;
  isolated: boolean;
  anomaly?: CriticalReading;
  error?: string;
}

/**
 * One machine's local fail-safe. While the host is linked the plant decides
 * and the guard only watches. While it is isolated, a critical reading stops
 * the machine through its local port; a failed stop is tried again until it
 * takes. A stopped machine stays stopped (restarting it is for the plant or
 * an operator) and the guard watches again once the link is back.
 */
export const machineGuardMachine = setup({
  types: { context: {} as GuardContext, input: {} as { machine: string }, events: {} as GuardEvent },
  actors: { stopMachine: fromPromise<void, { machine: string }>(async () => {}) },
  guards: { isolated: ({ context }) => context.isolated },
  delays: { retry: STOP_RETRY_MS },
}).createMachine({
  id: 'machineGuard',
  context: ({ input }) => ({ machine: input.machine, isolated: false }),
  initial: 'watching',
  on: {
    'link.lost': { actions: assign({ isolated: true }) },
    'link.back': { actions: assign({ isolated: false }) },
  },
  states: {
    watching: {
      on: {
        'reading.critical': { guard: 'isolated', target: 'stopping', actions: assign({ anomaly: ({ event }) => ({ channel: event.channel, value: event.value, reading: event.reading }) }) },
      },
    },
    stopping: {
      invoke: {
        src: 'stopMachine',
        input: ({ context }) => ({ machine: context.machine }),
        onDone: 'stopped',
        onError: { target: 'retrying', actions: assign({ error: ({ event }) => String((event.error as Error)?.message ?? event.error) }) },
      },
    },
    retrying: {
      after: { retry: 'stopping' },
    },
    stopped: {
      on: { 'link.back': { target: 'watching', actions: assign({ isolated: false }) } },
    },
  },
});

export type GuardState = 'watching' | 'stopping' | 'retrying' | 'stopped';

export interface MachineGuardsOptions {
  port: LocalMachinePort;
  machines: readonly string[];
  limits: readonly CriticalLimit[];
  /** Called for what must be kept (anomaly, stopped, a failed stop); the host journals it. */
  record: (type: 'machine.anomaly' | 'machine.stopped' | 'machine.stop-failed', fields: Record<string, unknown>) => void;
}

/** A guard per machine, fed by the machines' local readings. */
export class MachineGuards {
  private readonly guards = new Map<string, Actor<typeof machineGuardMachine>>();
  private readonly latest = new Map<string, Readonly<Record<string, number>>>();

  constructor(private readonly o: MachineGuardsOptions) {
    const logic = machineGuardMachine.provide({ actors: { stopMachine: fromPromise<void, { machine: string }>(({ input }) => o.port.stop(input.machine)) } });
    for (const machine of o.machines) {
      const actor = createActor(logic, { input: { machine } });
      let last: GuardState = 'watching';
      actor.subscribe((s) => {
        const state = s.value as GuardState;
        if (state === last) return;
        const before = last;
        last = state;
        const anomaly = s.context.anomaly;
        if (state === 'stopping' && before === 'watching') o.record('machine.anomaly', { machine, ...anomaly });
        if (state === 'retrying') o.record('machine.stop-failed', { machine, reason: s.context.error });
        if (state === 'stopped') o.record('machine.stopped', { machine, ...(anomaly ? { because: `${anomaly.channel} ${anomaly.reading} ≥ ${anomaly.value}` } : {}) });
      });
      actor.start();
      this.guards.set(machine, actor);
    }
    o.port.onSample((machine, signals) => {
      const guard = this.guards.get(machine);
      if (!guard) return;
      const merged = { ...(this.latest.get(machine) ?? {}), ...signals };
      this.latest.set(machine, merged);
      this.check(guard, merged);
    });
  }

  /** The host is cut off: from now on a critical reading stops the machine, the last one read included. */
  isolated(): void {
    for (const [machine, guard] of this.guards) {
      guard.send({ type: 'link.lost' });
      const reading = this.latest.get(machine);
      if (reading) this.check(guard, reading);
    }
  }

  /** The plant decides again. */
  linked(): void {
    for (const guard of this.guards.values()) guard.send({ type: 'link.back' });
  }

  state(machine: string): GuardState | undefined {
    return this.guards.get(machine)?.getSnapshot().value as GuardState | undefined;
  }

  async close(): Promise<void> {
    for (const g of this.guards.values()) g.stop();
    await this.o.port.close();
  }

  private check(guard: Actor<typeof machineGuardMachine>, signals: Readonly<Record<string, number>>): void {
    const critical = criticalReading(this.o.limits, signals);
    if (critical) guard.send({ type: 'reading.critical', ...critical });
  }
}
