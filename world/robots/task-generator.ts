import { Priority, type Kernel } from '../../sim/clock/kernel.js';
import { meanOf, sampler, type Distribution, type Sampler } from '../../sim/random/distributions.js';
import type { RandomStream } from '../../sim/random/stream.js';
import type { RandomStreams } from '../../sim/random/streams.js';
import type { Pose } from '../../agents/ports/robot-port.js';
import type { Layout } from '../layout/layout.js';

/** One stream of transport tasks, as the scenario's `tasks` section declares it. */
export interface TaskStreamSpec {
  id: string;
  from: string;
  to: string;
  interarrival: Distribution;
  /** Duration of one handling action (the pick, and again the place). */
  handlingTime: Distribution;
}

/** A transport task on the floor: a load to carry from one place to another. */
export interface TransportTask {
  id: string;
  stream: string;
  from: string;
  to: string;
  fromPose: Pose;
  toPose: Pose;
  createdAt: number;
  /** Drawn when the task appears, so the draws do not depend on who does it or when. */
  pickSeconds: number;
  placeSeconds: number;
  /** Mean handling time of the stream: what planners may expect. */
  handlingSeconds: number;
}

export interface TaskCounters {
  created: number;
  delivered: number;
  /** Sum over delivered tasks of (delivery − creation), seconds. */
  latencySeconds: number;
}

interface Stream {
  spec: TaskStreamSpec;
  n: number;
  next: Sampler;
  handling: Sampler;
  arrivals: RandomStream;
  handlings: RandomStream;
}

/**
 * Generates the scenario's transport tasks: each stream's tasks arrive at
 * random interarrival times (stream `tasks/<id>/arrival`), are numbered
 * `<id>-<n>`, and get their handling times drawn at once (stream
 * `tasks/<id>/handling`). It also keeps the open tasks until delivered.
 */
export class TaskGenerator {
  readonly counters: TaskCounters = { created: 0, delivered: 0, latencySeconds: 0 };
  private open = new Map<string, TransportTask>();
  private streams: Stream[];

  constructor(
    private readonly kernel: Kernel,
    randoms: RandomStreams,
    private readonly layout: Layout,
    specs: readonly TaskStreamSpec[],
    private readonly listener: (task: TransportTask) => void,
  ) {
    this.streams = specs.map((spec) => ({
      spec,
      n: 0,
      next: sampler(spec.interarrival),
      handling: sampler(spec.handlingTime),
      arrivals: randoms.stream(`tasks/${spec.id}/arrival`),
      handlings: randoms.stream(`tasks/${spec.id}/handling`),
    }));
  }

  /** Schedules every stream's first arrival. */
  start(): void {
    for (const s of this.streams) this.schedule(s);
  }

  get(task: string): TransportTask | undefined {
    return this.open.get(task);
  }

  /** Seconds a pick or place of `task` takes (0 for a task the world does not know). */
  handlingSeconds(task: string, kind: 'pick' | 'place'): number {
    const t = this.open.get(task);
    return t ? (kind === 'pick' ? t.pickSeconds : t.placeSeconds) : 0;
  }

  /** The load reached its destination. */
  delivered(task: string): void {
    const t = this.open.get(task);
    if (!t) return;
    this.open.delete(task);
    this.counters.delivered++;
    this.counters.latencySeconds += this.kernel.now - t.createdAt;
  }

  private schedule(s: Stream): void {
    this.kernel.after(Math.max(0, s.next(s.arrivals)), this.arrive, s, Priority.world);
  }

  private arrive = (s: Stream): void => {
    s.n++;
    const { id, from, to } = s.spec;
    const task: TransportTask = {
      id: `${id}-${s.n}`,
      stream: id,
      from,
      to,
      fromPose: this.layout.pose(from),
      toPose: this.layout.pose(to),
      createdAt: this.kernel.now,
      pickSeconds: Math.max(0, s.handling(s.handlings)),
      placeSeconds: Math.max(0, s.handling(s.handlings)),
      handlingSeconds: meanOf(s.spec.handlingTime),
    };
    this.open.set(task.id, task);
    this.counters.created++;
    this.schedule(s);
    this.listener(task);
  };
}
