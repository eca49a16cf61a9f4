import { createHash } from 'node:crypto';
import { PLANT_TOPIC_ROOT } from '../../bridges/mqtt/plant-topics.js';

/**
 * What a topic carries, for the soak's counts: the plant bridge's classes
 * (docs/mqtt.md) and the live link's (docs/live-runs.md).
 */
export type TopicClass =
  | 'telemetry'
  | 'prediction'
  | 'state'
  | 'alerts'
  | 'work-orders'
  | 'commands'
  | 'command-results'
  | 'bridge-status'
  | 'live-clock'
  | 'live-host-status'
  | 'live-assign'
  | 'live-to-host'
  | 'live-to-plant'
  | 'other';

/** The classes the plant bridge publishes as the run goes (its retained `online`/`offline` status aside). */
export const BRIDGE_CLASSES: readonly TopicClass[] = ['telemetry', 'prediction', 'state', 'alerts', 'work-orders', 'command-results'];

/** One topic's stream as seen so far: how many messages and a SHA-256 chained over their payloads in order. */
export interface TopicStream {
  count: number;
  /** sha256(previous hash ‖ payload), from 32 zero bytes: equal on both sides exactly when the same payloads came in the same order. */
  hash: string;
}

export interface TallySnapshot {
  byClass: Partial<Record<TopicClass, number>>;
  topics: Record<string, TopicStream>;
}

const ZERO = '0'.repeat(64);

/** The class of a topic under `hyperfactory/v1/<plant>/`. */
export function classify(plant: string, topic: string): TopicClass {
  const root = `${PLANT_TOPIC_ROOT}/${plant}/`;
  if (!topic.startsWith(root)) return 'other';
  const rest = topic.slice(root.length).split('/');
  if (rest[0] === 'machines' && rest[2] === 'telemetry') return 'telemetry';
  if (rest[0] === 'machines' && rest[2] === 'prediction') return 'prediction';
  if (rest[0] === 'agents' && rest[2] === 'state') return 'state';
  if (rest[0] === 'alerts') return 'alerts';
  if (rest[0] === 'work-orders') return 'work-orders';
  if (rest[0] === 'commands') return rest[1] === 'results' ? 'command-results' : 'commands';
  if (rest[0] === 'bridge' && rest[1] === 'status') return 'bridge-status';
  if (rest[0] === 'live') {
    if (rest[1] === 'clock') return 'live-clock';
    if (rest[1] === 'plant') return 'live-to-plant';
    if (rest[1] === 'hosts' && rest[3] === 'status') return 'live-host-status';
    if (rest[1] === 'hosts' && rest[3] === 'assign') return 'live-assign';
    if (rest[1] === 'hosts' && rest[3] === 'in') return 'live-to-host';
  }
  return 'other';
}

/**
 * Counts messages per topic and class, and chains a hash over each topic's
 * payloads. Both ends keep one: the plant's (what the bridge handed to its
 * MQTT client) and the independent subscriber's (what the broker
 * delivered). The payloads carry no ids or sequence numbers, so the hash
 * chain stands in for them: equal counts and equal hashes mean every message
 * arrived, once, unchanged and in order. Memory is one entry per topic.
 */
export class TopicTally {
  private readonly topics = new Map<string, TopicStream>();
  private readonly byClass = new Map<TopicClass, number>();

  constructor(private readonly plant: string) {}

  add(topic: string, payload: Uint8Array): void {
    const c = classify(this.plant, topic);
    this.byClass.set(c, (this.byClass.get(c) ?? 0) + 1);
    const s = this.topics.get(topic) ?? { count: 0, hash: ZERO };
    s.count++;
    s.hash = createHash('sha256').update(s.hash, 'hex').update(payload).digest('hex');
    this.topics.set(topic, s);
  }

  count(c: TopicClass): number {
    return this.byClass.get(c) ?? 0;
  }

  snapshot(): TallySnapshot {
    return { byClass: Object.fromEntries(this.byClass), topics: Object.fromEntries([...this.topics].map(([t, s]) => [t, { ...s }])) };
  }
}

export interface TallyComparison {
  /** Per class: published, received, and how many topics of it differ. */
  classes: Partial<Record<TopicClass, { published: number; received: number; topicsDiffering: number }>>;
  /** Topics whose count or hash chain differ (at most 20 listed). */
  differing: { topic: string; published: number; received: number; sameHash: boolean }[];
  /** Messages published and not received (summed over topics where received < published). */
  missing: number;
  /** Messages received beyond those published (duplicates; QoS 1 allows them after a reconnect). */
  extra: number;
  /** Every published topic of the classes arrived complete, in order, unchanged. */
  identical: boolean;
}

/** Compares the publisher's tally with the subscriber's over the given classes. */
export function compareTallies(plant: string, published: TallySnapshot, received: TallySnapshot, classes: readonly TopicClass[]): TallyComparison {
  const out: TallyComparison = { classes: {}, differing: [], missing: 0, extra: 0, identical: true };
  const topics = new Set([...Object.keys(published.topics), ...Object.keys(received.topics)]);
  for (const topic of [...topics].sort()) {
    const c = classify(plant, topic);
    if (!classes.includes(c)) continue;
    const p = published.topics[topic] ?? { count: 0, hash: ZERO };
    const r = received.topics[topic] ?? { count: 0, hash: ZERO };
    const row = (out.classes[c] ??= { published: 0, received: 0, topicsDiffering: 0 });
    row.published += p.count;
    row.received += r.count;
    if (p.count === r.count && p.hash === r.hash) continue;
    row.topicsDiffering++;
    out.identical = false;
    out.missing += Math.max(0, p.count - r.count);
    out.extra += Math.max(0, r.count - p.count);
    if (out.differing.length < 20) out.differing.push({ topic, published: p.count, received: r.count, sameHash: p.hash === r.hash });
  }
  return out;
}
