import type * as TF from '@tensorflow/tfjs';
import type { FederationPort } from '../../../ports/federation-port.js';
import type { Trajectory } from '../cmapss.js';
import { tcnShapes, type Params, type TcnConfig } from '../tcn.js';
import { loadTf } from '../tf-backend.js';
import { trainTcn } from '../train-tcn.js';
import { fitScaling, type Scaling, type WindowSet } from '../windows.js';
import type { Rejection } from './aggregator.js';
import { strideWindows } from './fleet-data.js';
import { encodeStats, encodeUpdate, receive, shapeProblem, topics, type GlobalHeader } from './messages.js';
import { FederationAbortedError, formatMs, Waiter } from './wait.js';

export interface SiteOptions {
  federation: string;
  site: string;
  config: TcnConfig;
  /** The site's own training machines (raw sensor rows); they never leave the site. */
  trajectories: readonly Trajectory[];
  localEpochs: number;
  /** At most this many minibatches per local epoch. */
  localSteps?: number;
  /** The site's own seed (batch order); each round adds to it. */
  seed: number;
  batch?: number;
  /** Adam's step size at the start of each round's local training (trainTcn's default when omitted). */
  learningRate?: number;
  /** Every stride-th training window (default 1: all). */
  stride?: number;
  /** How long to wait for the aggregator's next message. */
  timeoutMs: number;
  signal?: AbortSignal;
  tf?: typeof TF;
  /** After each local training, once its update is published. */
  onRound?: (r: { site: string; round: number; examples: number; receivedBytes: number; sentBytes: number; seconds: number }) => void;
  onReject?: (r: Rejection) => void;
}

export interface SiteResult {
  /** The federated model as the aggregator finally sent it. */
  params: Params;
  scaling: Scaling;
  roundsTrained: number;
}

/**
 * One FedAvg site on a FederationPort. It publishes only its per-channel
 * min and max (when it starts, and again if the aggregator calls for them
 * before round 1), then, for every round's global weights, trains them for
 * `localEpochs` on its own windows (scaled with the agreed scaling) and
 * publishes the result with its example count. It resolves with the final
 * global model. Messages it cannot use (malformed, another federation, the
 * wrong shapes, a round already trained) are rejected with a reason.
 */
export async function runSite(port: FederationPort, o: SiteOptions): Promise<SiteResult> {
  const tf = o.tf ?? (await loadTf());
  const shapes = tcnShapes(o.config);
  const waiter = new Waiter();
  const inbox: ({ call: true } | { call?: undefined; header: GlobalHeader; params: Params; bytes: number })[] = [];
  let lastRound = 0;
  const reject = (topic: string, reason: string) => o.onReject?.({ topic, reason });

  const onMessage = (topic: string, bytes: Uint8Array) => {
    const received = receive(o.federation, bytes);
    if ('reason' in received) return reject(topic, received.reason);
    const m = received.message;
    const h = m.header;
    if (h.type === 'call') {
      inbox.push({ call: true });
      return waiter.poke();
    }
    if (h.type !== 'global') return reject(topic, `a ${h.type} message on the global topic`);
    if (h.scaling.min.length !== o.config.inputs) return reject(topic, `a scaling of ${h.scaling.min.length} channels, the model reads ${o.config.inputs}`);
    const problem = shapeProblem((m as { params: Params }).params, shapes);
    if (problem) return reject(topic, `weights do not fit the model: ${problem}`);
    inbox.push({ header: h, params: (m as { params: Params }).params, bytes: bytes.byteLength });
    waiter.poke();
  };

  const unsubscribe = await port.subscribe(topics.global(o.federation), onMessage);
  try {
    const own = fitScaling(o.trajectories);
    await port.publish(topics.stats(o.federation, o.site), encodeStats(o.federation, o.site, own));
    let windows: { key: string; set: WindowSet } | undefined;
    for (;;) {
      await waiter.until(
        () => inbox.length > 0,
        o.timeoutMs,
        () => `site "${o.site}" of federation "${o.federation}": no global weights ${lastRound === 0 ? 'for round 1' : `after round ${lastRound}`} within ${formatMs(o.timeoutMs)}`,
        o.signal,
      );
      const next = inbox.shift()!;
      if (next.call) {
        // Called before round 1: the aggregator may have missed what was sent at the start.
        if (lastRound === 0) await port.publish(topics.stats(o.federation, o.site), encodeStats(o.federation, o.site, own));
        continue;
      }
      const h = next.header;
      if (h.final) return { params: next.params, scaling: h.scaling, roundsTrained: lastRound };
      // At-least-once delivery: the last round again is a redelivery; an older one is stale. Neither is trained again.
      if (h.round === lastRound) continue;
      if (h.round < lastRound) {
        reject(topics.global(o.federation), `global weights of round ${h.round}, already trained round ${lastRound}`);
        continue;
      }
      const start = performance.now();
      const key = JSON.stringify(h.scaling);
      if (windows?.key !== key) windows = { key, set: strideWindows(o.trajectories, o.config, h.scaling, o.stride ?? 1) };
      if (windows.set.n === 0) throw new RangeError(`site "${o.site}" has no training windows`);
      const local = await trainTcn(tf, o.config, windows.set, { epochs: o.localEpochs, stepsPerEpoch: o.localSteps, seed: o.seed + 101 * h.round, initial: next.params, batch: o.batch, learningRate: o.learningRate });
      if (o.signal?.aborted) throw new FederationAbortedError('the federation was stopped');
      const update = encodeUpdate({ federation: o.federation, site: o.site, round: h.round, examples: windows.set.n }, local.params);
      await port.publish(topics.update(o.federation, o.site), update);
      lastRound = h.round;
      o.onRound?.({ site: o.site, round: h.round, examples: windows.set.n, receivedBytes: next.bytes, sentBytes: update.byteLength, seconds: (performance.now() - start) / 1000 });
    }
  } finally {
    await unsubscribe().catch(() => {});
  }
}
