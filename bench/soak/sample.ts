import { performance } from 'node:perf_hooks';
import type { RemoteAgentsStats } from '../../bridges/mqtt/live/remote-agents.js';
import type { PlantBridgeStats } from '../../bridges/mqtt/plant-bridge.js';
import { readHeap, type HeapReading } from './memory.js';
import { loadAverage, rssOf, type AgentHostChild } from './processes.js';
import type { SoakPlant } from './soak-plant.js';
import type { SubscriberProcess } from './subscriber-client.js';
import type { CommandCounts, OperatorClient } from './operator-client.js';
import type { TaskCheck } from './task-audit.js';
import { BRIDGE_CLASSES, compareTallies, type TallyComparison, type TallySnapshot, type TopicClass } from './topic-tally.js';

/** Everything the soak reads at one stop of the plant. */
export interface Sample {
  /** `day N` at a stop, `end` after the run finished. */
  label: string;
  simDays: number;
  /** Wall seconds since simulated time started moving, and how many of them the stops took. */
  wallSeconds: number;
  stoppedSeconds: number;
  plant: HeapReading;
  /** Other processes' resident sets, MB (null: gone). */
  rssMB: { hosts: Record<string, number | null>; subscriber: number | null; mosquitto: number | null };
  /** Event-log records written so far. */
  records: number;
  published: Partial<Record<TopicClass, number>>;
  received: Partial<Record<TopicClass, number>>;
  /** The bridge's topics: what the plant published against what the subscriber received, topic by topic. */
  bridge: Omit<TallyComparison, 'classes'> & { drainMs: number };
  bridgeStats: PlantBridgeStats;
  /** The live link: the plant's own counters and what the subscriber saw of the same traffic. */
  link?: { stats: RemoteAgentsStats; toHostsSeen: number; toPlantSeen: number; holds: SoakPlant['holds']; hostLead: SoakPlant['hostLead'] };
  commands: CommandCounts;
  tasks: TaskCheck;
  kpis: { tasksCreated: number; tasksCompleted: number; throughputUnits: number; ledgerEvents: number; unplannedDowntimeHours: number; plannedDowntimeHours: number };
  load: [number, number, number];
}

export interface SampleSources {
  plant: SoakPlant;
  subscriber: SubscriberProcess;
  operator: OperatorClient;
  hosts: readonly AgentHostChild[];
  mosquittoPid: number | undefined;
  gc: () => void;
}

/**
 * Waits until the subscriber has received everything the bridge published
 * (or `timeoutMs` passes: then what is missing is reported, not hidden).
 */
async function drain(s: SampleSources, timeoutMs: number): Promise<{ received: TallySnapshot; comparison: TallyComparison; drainMs: number }> {
  const start = performance.now();
  for (;;) {
    const { snapshot } = await s.subscriber.snapshot();
    const comparison = compareTallies(s.plant.live.hello.scenario, s.plant.tap.snapshot(), snapshot, BRIDGE_CLASSES);
    const commandsDone = s.operator.snapshot().unanswered.length === 0;
    const waited = performance.now() - start;
    if ((comparison.identical && commandsDone) || waited > timeoutMs) return { received: snapshot, comparison, drainMs: Math.round(waited) };
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Reads one sample. The plant is stopped (or finished) while it runs. */
export async function takeSample(s: SampleSources, label: string, clock: { wallSeconds: number; stoppedSeconds: number }, drainTimeoutMs = 20_000): Promise<Sample> {
  const { received, comparison, drainMs } = await drain(s, drainTimeoutMs);
  const run = s.plant.run;
  const plant = readHeap(s.gc);
  const { classes: _classes, ...bridge } = comparison;
  const k = s.plant.live.frame().kpis;
  const remote = s.plant.remote;
  const count = (c: TopicClass) => received.byClass[c] ?? 0;
  return {
    label,
    simDays: run.kernel.now / 86400,
    ...clock,
    plant,
    rssMB: {
      hosts: Object.fromEntries(s.hosts.map((h) => [h.id, rssOf(h.running ? h.pid : undefined) ?? null])),
      subscriber: rssOf(s.subscriber.pid) ?? null,
      mosquitto: rssOf(s.mosquittoPid) ?? null,
    },
    records: run.log.count,
    published: s.plant.tap.snapshot().byClass,
    received: received.byClass,
    bridge: { ...bridge, drainMs },
    bridgeStats: { ...s.plant.mqtt.bridge.stats },
    ...(remote ? { link: { stats: { ...remote.stats }, toHostsSeen: count('live-to-host') + count('live-assign'), toPlantSeen: count('live-to-plant'), holds: { ...s.plant.holds }, hostLead: { ...s.plant.hostLead } } } : {}),
    commands: s.operator.snapshot(),
    tasks: s.plant.audit.check(k),
    kpis: {
      tasksCreated: k.tasksCreated ?? 0,
      tasksCompleted: k.tasksCompleted ?? 0,
      throughputUnits: k.throughputUnits,
      ledgerEvents: k.ledgerEvents ?? 0,
      unplannedDowntimeHours: k.unplannedDowntimeHours,
      plannedDowntimeHours: k.plannedDowntimeHours,
    },
    load: loadAverage(),
  };
}
