import type { FederationPort } from '../../../ports/federation-port.js';
import { federatedAverage, serverStep } from '../federated.js';
import { initTcn, tcnShapes, type Params, type TcnConfig } from '../tcn.js';
import type { Scaling } from '../windows.js';
import { encodeCall, encodeGlobal, envelope, receive, shapeProblem, topics } from './messages.js';
import { formatMs, Waiter } from './wait.js';

/** A message refused, and why: reported, counted, never averaged. */
export interface Rejection {
  topic: string;
  reason: string;
}

export interface AggregatorOptions {
  federation: string;
  /** The sites expected in every round. */
  sites: readonly string[];
  config: TcnConfig;
  rounds: number;
  /** Seeds the initial global weights. */
  seed: number;
  /** FedAvgM's server momentum (0, the default: plain FedAvg). */
  serverMomentum?: number;
  /** How long to wait for every site's scaling statistics, and for every site's update in a round. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** After each round's average (awaited before the next round starts). */
  onRound?: (r: AggregatedRound & { params: Params; scaling: Scaling }) => void | Promise<void>;
  onReject?: (r: Rejection) => void;
}

export interface AggregatedRound {
  round: number;
  rounds: number;
  /** Size of the global message sent to every site this round. */
  globalBytes: number;
  /** What each site sent, in site-id order. */
  updates: { site: string; examples: number; bytes: number }[];
}

/** An accepted update, and its bytes to tell a redelivery from a different message. */
interface Received {
  params: Params;
  examples: number;
  bytes: number;
  raw: Uint8Array;
}

export interface AggregatorResult {
  params: Params;
  scaling: Scaling;
  history: AggregatedRound[];
  rejected: Rejection[];
}

/**
 * The FedAvg aggregator on a FederationPort. Before round 1 it calls for
 * and collects every site's per-channel min and max, and sends their
 * envelope as the common scaling; then each round it publishes the global weights, waits
 * for one update per site (or fails naming the sites that did not answer),
 * and averages them weighted by examples, in site-id order, so the result
 * does not depend on the order the network delivered them in.
 *
 * Every incoming message is checked (frame, federation, topic against the
 * sender it claims, known site, round, weight names and shapes, finite
 * values); a bad one is rejected with its reason and the round goes on
 * with the good ones.
 */
export async function runAggregator(port: FederationPort, o: AggregatorOptions): Promise<AggregatorResult> {
  const sites = [...new Set(o.sites)].sort();
  if (sites.length === 0) throw new RangeError('a federation needs at least one site');
  const shapes = tcnShapes(o.config);
  const stats = new Map<string, Scaling>();
  let phase: { kind: 'stats' } | { kind: 'round'; round: number; updates: Map<string, Received> } | { kind: 'done' } = { kind: 'stats' };
  const rejected: Rejection[] = [];
  const waiter = new Waiter();
  const reject = (topic: string, reason: string) => {
    const r = { topic, reason };
    rejected.push(r);
    o.onReject?.(r);
  };

  const onMessage = (topic: string, bytes: Uint8Array) => {
    const received = receive(o.federation, bytes);
    if ('reason' in received) return reject(topic, received.reason);
    const m = received.message;
    const h = m.header;
    if (h.type === 'global' || h.type === 'call') return reject(topic, `a ${h.type} message sent to the aggregator`);
    const claimed = h.type === 'stats' ? topics.stats(o.federation, h.site) : topics.update(o.federation, h.site);
    if (topic !== claimed) return reject(topic, `${h.type === 'update' ? 'an update' : 'statistics'} from site "${h.site}" on another site's topic`);
    if (!sites.includes(h.site)) return reject(topic, `unknown site "${h.site}" (sites: ${sites.join(', ')})`);
    if (h.type === 'stats') {
      if (h.min.length !== o.config.inputs) return reject(topic, `statistics of ${h.min.length} channels, the model reads ${o.config.inputs}`);
      const held = stats.get(h.site);
      // A site sends its statistics when it starts and again when called: the same twice is expected, even once round 1 is on.
      if (held && JSON.stringify(held) === JSON.stringify({ min: h.min, max: h.max })) return;
      if (held) return reject(topic, `statistics from "${h.site}" that differ from the ones it sent before`);
      if (phase.kind !== 'stats') return reject(topic, `scaling statistics from "${h.site}" after round 1 started`);
      stats.set(h.site, { min: h.min, max: h.max });
    } else {
      // Shapes first: a message's reason should not depend on when the network delivered it.
      const problem = shapeProblem((m as { params: Params }).params, shapes);
      if (problem) return reject(topic, `weights do not fit the model: ${problem}`);
      if (phase.kind !== 'round') return reject(topic, `an update for round ${h.round} outside a round`);
      if (h.round !== phase.round) return reject(topic, `an update for round ${h.round}, the federation is at round ${phase.round}`);
      const held = phase.updates.get(h.site);
      // QoS 1 may deliver a message twice: the same bytes again are no news; different ones are refused.
      if (held && Buffer.from(held.raw).equals(Buffer.from(bytes))) return;
      if (held) return reject(topic, `a second, different update from "${h.site}" in round ${h.round}`);
      phase.updates.set(h.site, { params: (m as { params: Params }).params, examples: h.examples, bytes: bytes.byteLength, raw: Uint8Array.from(bytes) });
    }
    waiter.poke();
  };

  const unsubscribe = [await port.subscribe(`${topics.stats(o.federation, '+')}`, onMessage), await port.subscribe(`${topics.update(o.federation, '+')}`, onMessage)];
  try {
    await port.publish(topics.global(o.federation), encodeCall(o.federation, o.rounds));
    const missing = (have: { has(site: string): boolean }) => sites.filter((s) => !have.has(s)).join(', ');
    await waiter.until(
      () => sites.every((s) => stats.has(s)),
      o.timeoutMs,
      () => `federation "${o.federation}": no scaling statistics from ${missing(stats)} within ${formatMs(o.timeoutMs)}`,
      o.signal,
    );
    const scaling = envelope(sites.map((s) => stats.get(s)!));
    let global = initTcn(o.config, o.seed);
    let velocity: Params | undefined;
    const history: AggregatedRound[] = [];
    for (let round = 1; round <= o.rounds; round++) {
      const updates = new Map<string, Received>();
      phase = { kind: 'round', round, updates };
      const message = encodeGlobal({ federation: o.federation, round, rounds: o.rounds, final: false, scaling }, global);
      await port.publish(topics.global(o.federation), message);
      await waiter.until(
        () => sites.every((s) => updates.has(s)),
        o.timeoutMs,
        () => `federation "${o.federation}", round ${round}: no update from ${missing(updates)} within ${formatMs(o.timeoutMs)}`,
        o.signal,
      );
      // Site-id order: floating-point sums depend on their order, and arrival order is the network's.
      ({ params: global, velocity } = serverStep(global, federatedAverage(sites.map((s) => updates.get(s)!)), velocity, o.serverMomentum ?? 0));
      const entry: AggregatedRound = { round, rounds: o.rounds, globalBytes: message.byteLength, updates: sites.map((s) => ({ site: s, examples: updates.get(s)!.examples, bytes: updates.get(s)!.bytes })) };
      history.push(entry);
      await o.onRound?.({ ...entry, params: global, scaling });
    }
    phase = { kind: 'done' };
    await port.publish(topics.global(o.federation), encodeGlobal({ federation: o.federation, round: o.rounds, rounds: o.rounds, final: true, scaling }, global));
    return { params: global, scaling, history, rejected };
  } finally {
    phase = { kind: 'done' };
    for (const u of unsubscribe) await u().catch(() => {});
  }
}
