import { createActor, type AnyStateMachine, type AnyStateNode, type EventObject } from 'xstate';
import { getShortestPaths } from 'xstate/graph';

/**
 * Model-based coverage of an agent machine with `xstate/graph`: the shortest
 * path to every reachable state, then every event the generator offers there,
 * replayed on a real actor while XState's inspection reports the transitions
 * taken (event-driven, eventless and delayed alike). The result says which of
 * the machine's declared states and transitions were never exercised.
 */
export interface CoverageOptions<E extends EventObject> {
  input?: unknown;
  /** The events worth trying in a state (the generator of the model). */
  events: (snapshot: any) => readonly E[];
  /** Distinguishes states beyond their value (e.g. a queue length); default: value only. */
  serializeState?: (snapshot: any) => string;
  /** Called on every reached snapshot (assertions on invariants). */
  check?: (snapshot: any) => void;
  limit?: number;
}

export interface CoverageReport {
  states: { all: string[]; missed: string[] };
  transitions: { all: number; missed: string[] };
  paths: number;
}

function allStateNodes(node: AnyStateNode): AnyStateNode[] {
  return [node, ...Object.values(node.states as Record<string, AnyStateNode>).flatMap(allStateNodes)];
}

function describeTransition(source: AnyStateNode, eventType: string, i: number): string {
  return `${source.id} --${eventType}${i > 0 ? `#${i}` : ''}-->`;
}

export function modelCoverage<E extends EventObject>(machine: AnyStateMachine, options: CoverageOptions<E>): CoverageReport {
  const nodes = allStateNodes(machine.root);
  const declared = new Map<unknown, string>();
  for (const node of nodes) {
    for (const [eventType, defs] of node.transitions as Map<string, unknown[]>) defs.forEach((d, i) => declared.set(d, describeTransition(node, eventType, i)));
    (node.always ?? []).forEach((d: unknown, i: number) => declared.set(d, describeTransition(node, 'always', i)));
  }
  const serialize = options.serializeState ?? ((s: any) => JSON.stringify(s.value));
  const paths = getShortestPaths(machine, {
    input: options.input,
    events: options.events as any,
    serializeState: (s: any) => serialize(s),
    limit: options.limit ?? 5000,
  });

  const takenTransitions = new Set<unknown>();
  const visited = new Set<string>();
  const replay = (events: readonly EventObject[]) => {
    const actor = createActor(machine, {
      input: options.input,
      inspect: (ev: any) => {
        if (ev.type === '@xstate.microstep') {
          for (const t of ev._transitions) takenTransitions.add(t);
          // Transient states (left at once by an eventless transition) only show up in microsteps.
          for (const n of ev.snapshot._nodes as AnyStateNode[]) visited.add(n.id);
        }
      },
    } as any);
    actor.subscribe({
      next: (s: any) => {
        for (const n of s._nodes as AnyStateNode[]) visited.add(n.id);
        options.check?.(s);
      },
      error: () => {},
    });
    actor.start();
    for (const e of events) actor.send(e);
    const last = actor.getSnapshot();
    actor.stop();
    return last;
  };

  for (const path of paths) {
    const events = path.steps.map((s) => s.event).filter((e) => !String(e.type).startsWith('xstate.init'));
    const last = replay(events);
    // Every event the model offers in this state, one at a time.
    for (const e of options.events(last)) replay([...events, e]);
  }

  // A history node is never active itself: the transitions into it are what is covered.
  const stateIds = nodes.filter((n) => n.type !== 'history').map((n) => n.id);
  return {
    states: { all: stateIds, missed: stateIds.filter((id) => !visited.has(id)) },
    transitions: { all: declared.size, missed: [...declared].filter(([d]) => !takenTransitions.has(d)).map(([, name]) => name) },
    paths: paths.length,
  };
}
