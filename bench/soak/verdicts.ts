import type { RunResult } from '../../runtime/plant.js';
import { leastSquares, type LineFit } from './memory.js';
import type { Sample } from './sample.js';
import type { SigningBusStats } from '../../bridges/identity/signing-bus.js';

/**
 * Memory counts as flat when the post-GC heap grows by less than this per
 * simulated day over days 3 to N. Why 0.25 MB/day: the plant's warm heap is
 * ~40 MB; at this slope a month adds ≤ 7.5 MB and a year served live at ×1
 * ≤ 91 MB, far below Node's heap limit, while a leak of 40 bytes per
 * event-log record (~6 500 records a simulated day) already shows as
 * 0.26 MB/day and fails. Noise (±1 MB between stops) is averaged out by
 * the fit over 28 stops; its standard error is reported beside it.
 */
export const FLAT_MB_PER_DAY = 0.25;
/** Samples before this simulated day are warm-up (caches, JIT, the first maintenance cycle). */
export const WARM_UP_DAYS = 3;

export interface MemoryVerdict {
  fitDays: [number, number] | null;
  heap: (LineFit & { growthMB: number }) | null;
  rss: (LineFit & { growthMB: number }) | null;
  hostsRss: Record<string, (LineFit & { growthMB: number }) | null>;
  thresholdMBPerDay: number;
  /** null: too few samples after the warm-up for a verdict (a quick run). */
  memoryFlat: boolean | null;
}

function fit(samples: readonly Sample[], y: (s: Sample) => number | null): (LineFit & { growthMB: number }) | null {
  const points = samples.map((s) => [s.simDays, y(s)] as const).filter((p): p is readonly [number, number] => p[1] !== null);
  const f = leastSquares(points.map(([x, v]) => [x, v]));
  if (!f) return null;
  return { ...f, growthMB: points[points.length - 1][1] - points[0][1] };
}

/** Slopes over the stops from the warm-up on (the `end` sample, after the run has closed, is left out). */
export function memoryVerdict(samples: readonly Sample[]): MemoryVerdict {
  const stops = samples.filter((s) => s.label !== 'end');
  const warm = stops.filter((s) => s.simDays >= WARM_UP_DAYS - 1e-6);
  const used = warm.length >= 3 ? warm : [];
  const heap = fit(used, (s) => s.plant.heapUsedMB);
  const hostIds = Object.keys(stops[0]?.rssMB.hosts ?? {});
  return {
    fitDays: used.length > 0 ? [used[0].simDays, used[used.length - 1].simDays] : null,
    heap,
    rss: fit(used, (s) => s.plant.rssMB),
    hostsRss: Object.fromEntries(hostIds.map((h) => [h, fit(used, (s) => s.rssMB.hosts[h] ?? null)])),
    thresholdMBPerDay: FLAT_MB_PER_DAY,
    memoryFlat: heap ? heap.slope < FLAT_MB_PER_DAY : null,
  };
}

export interface LossVerdict {
  /** Every bridge message published reached the independent subscriber, once, unchanged, in order. */
  bridgeComplete: boolean;
  /** Every command sent was answered (by id). */
  commandsAnswered: boolean;
  /** Every task created is delivered or still open on the coordinator's board; none vanished. */
  tasksAccounted: boolean;
  /** The event log: records the plant says it wrote = lines in the file = records its listeners saw. */
  recordsMatch: boolean;
  /** The live link: no message to an agent without a host, none refused, and the broker carried what the plant sent and received. */
  linkComplete: boolean | null;
  /** A signed run: no envelope refused by the plant's bus (a refused envelope is an event lost); null when unsigned. */
  noneRefused: boolean | null;
  noLostEvent: boolean;
  problems: string[];
}

/** The checks of "no lost event", on the last sample and the run's own figures. */
export function lossVerdict(end: Sample, result: RunResult, logLines: number, observed: number, signing?: SigningBusStats): LossVerdict {
  const problems: string[] = [];
  const bridgeComplete = end.bridge.identical;
  if (!bridgeComplete) problems.push(`bridge: ${end.bridge.missing} missing, ${end.bridge.extra} extra; ${end.bridge.differing.map((d) => `${d.topic} ${d.received}/${d.published}${d.sameHash ? '' : ' (hash differs)'}`).join(', ')}`);
  const commandsAnswered = end.commands.unanswered.length === 0 && end.commands.answered === end.commands.sent;
  if (!commandsAnswered) problems.push(`commands unanswered: ${end.commands.unanswered.join(', ')}`);
  const t = end.tasks;
  const tasksAccounted = t.vanished.length === 0 && t.unannounced.length === 0 && t.unaccounted === 0 && t.openInLog === t.openOnBoard && t.announced === t.created && t.inFlight >= 0;
  if (!tasksAccounted) problems.push(`tasks: ${JSON.stringify(t)}`);
  // The log's `run.finished` is written after the last listener-visible stop; all three count it.
  const recordsMatch = result.events === logLines && result.events === observed;
  if (!recordsMatch) problems.push(`records: the plant says ${result.events}, the file has ${logLines} lines, listeners saw ${observed}`);
  let linkComplete: boolean | null = null;
  if (end.link) {
    const s = end.link.stats;
    // Host → plant: everything the broker delivered to the subscriber on plant/in was taken or refused by the plant.
    linkComplete = s.undelivered === 0 && s.rejected === 0 && end.link.toHostsSeen === s.sent && end.link.toPlantSeen === s.received + s.rejected;
    if (!linkComplete) problems.push(`live link: sent ${s.sent} (subscriber saw ${end.link.toHostsSeen}), received ${s.received} + rejected ${s.rejected} (subscriber saw ${end.link.toPlantSeen}), undelivered ${s.undelivered}`);
  }
  const noneRefused = signing ? signing.rejected === 0 : null;
  if (noneRefused === false) problems.push(`envelopes refused by the plant: ${signing!.rejected}`);
  const noLostEvent = bridgeComplete && commandsAnswered && tasksAccounted && recordsMatch && linkComplete !== false && noneRefused !== false;
  return { bridgeComplete, commandsAnswered, tasksAccounted, recordsMatch, linkComplete, noneRefused, noLostEvent, problems };
}
