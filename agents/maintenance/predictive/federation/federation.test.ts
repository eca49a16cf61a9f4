import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedBroker } from '../../../../bridges/mqtt/embedded-broker.js';
import { MqttPort } from '../../../../bridges/mqtt/mqtt-port.js';
import { topicMatches } from '../../../../bridges/mqtt/topic-filter.js';
import { projectRoot } from '../../../../runtime/paths.js';
import { loadScenario } from '../../../../scenarios/load.js';
import { startMosquitto, type Mosquitto } from '../../../../test/support/mosquitto.js';
import type { LoadProfile } from '../../../../world/degradation/fleet-histories.js';
import { SENSOR_CHANNELS } from '../../../../world/degradation/sensor-model.js';
import type { FederationPort } from '../../../ports/federation-port.js';
import { encodeParams, federatedAverage } from '../federated.js';
import { initTcn, tcnShapes, type Params, type TcnConfig } from '../tcn.js';
import { loadTf } from '../tf-backend.js';
import { fitScaling } from '../windows.js';
import { runAggregator, type AggregatorResult, type Rejection } from './aggregator.js';
import { siteFleet, type SiteFleet } from './fleet-data.js';
import { decodeMessage, encodeStats, encodeUpdate, envelope, topics } from './messages.js';
import { runSite } from './site.js';
import { FederationAbortedError, FederationTimeoutError } from './wait.js';

const FED = 'test-fed';
const HOUR = 3600;
const config: TcnConfig = { inputs: SENSOR_CHANNELS.length, window: 24, channels: 4, kernel: 3, dilations: [1, 2, 4, 8], rulCap: 336, horizon: 48 };
const loads: Record<string, LoadProfile> = {
  north: { min: 0.9, max: 1, segment: 8 * HOUR },
  east: { min: 0.5, max: 0.8, segment: 8 * HOUR, stopProbability: 0.15 },
  south: { min: 0.6, max: 1, segment: 4 * HOUR },
};
const SITES = Object.keys(loads).sort();

let fleets: Map<string, SiteFleet>;
/** The embedded broker's federated model, for the same run over Mosquitto. */
let embeddedResult: Params | undefined;
beforeAll(async () => {
  const spec = loadScenario(join(projectRoot(), 'scenarios', 'turbine-failure.yaml')).machineTypes.turbine.degradation!;
  fleets = new Map(SITES.map((id) => [id, siteFleet({ site: id, spec, machines: 8, load: loads[id], seed: 5, holdout: 0.2, sampleInterval: HOUR })]));
  await loadTf();
});

/** A port that keeps a copy of everything its owner publishes (the site's own record of what it sent). */
function recording(port: FederationPort, sent: { topic: string; bytes: Uint8Array }[]): FederationPort {
  return {
    publish: (topic, bytes) => {
      sent.push({ topic, bytes: Uint8Array.from(bytes) });
      return port.publish(topic, bytes);
    },
    subscribe: (f, h) => port.subscribe(f, h),
    close: () => port.close(),
  };
}

interface Run {
  result: AggregatorResult;
  /** The aggregator's global weights after each round. */
  rounds: Params[];
  /** What every site published, in order. */
  sent: { topic: string; bytes: Uint8Array }[];
  siteRejections: Rejection[];
  /** The federated model each site ended with. */
  finals: Params[];
}

interface FederateOptions {
  rounds?: number;
  timeoutMs?: number;
  /** Sites that run (default all three); the aggregator always expects all three. */
  running?: string[];
  onRound?: (round: number) => Promise<void>;
  onReject?: (r: Rejection) => void;
}

/** The aggregator and the sites, each on its own MQTT connection to `url`. */
async function federate(url: string, protocolVersion: 4 | 5, o: FederateOptions = {}): Promise<Run> {
  const ports: FederationPort[] = [];
  const connect = async (id: string) => {
    const p = await MqttPort.connect({ url, clientId: `${FED}-${id}`, protocolVersion });
    ports.push(p);
    return p;
  };
  const sent: Run['sent'] = [];
  const siteRejections: Rejection[] = [];
  const rounds: Params[] = [];
  const controller = new AbortController();
  try {
    const running = o.running ?? SITES;
    const sitePorts: FederationPort[] = [];
    for (const id of running) sitePorts.push(recording(await connect(id), sent));
    // Sites first: their statistics go out before the aggregator listens, and must be called for again.
    const sites = running.map((id, k) =>
      runSite(sitePorts[k], { federation: FED, site: id, config, trajectories: fleets.get(id)!.train, localEpochs: 1, seed: 10 + k, stride: 8, timeoutMs: 60_000, signal: controller.signal, onReject: (r) => siteRejections.push(r) }),
    );
    const aggregator = runAggregator(await connect('aggregator'), {
      federation: FED,
      sites: SITES,
      config,
      rounds: o.rounds ?? 2,
      seed: 3,
      timeoutMs: o.timeoutMs ?? 60_000,
      signal: controller.signal,
      onReject: o.onReject,
      onRound: async (r) => {
        rounds.push(r.params);
        await o.onRound?.(r.round);
      },
    });
    try {
      const result = await aggregator;
      const finals = (await Promise.all(sites)).map((s) => s.params);
      return { result, rounds, sent, siteRejections, finals };
    } catch (e) {
      controller.abort();
      const ended = await Promise.allSettled(sites);
      for (const s of ended) if (s.status === 'rejected') expect(s.reason).toBeInstanceOf(FederationAbortedError);
      throw e;
    }
  } finally {
    for (const p of ports) await p.close();
  }
}

/** Subscribes to `#` and keeps every message the broker carries. */
async function observe(url: string, protocolVersion: 4 | 5) {
  const port = await MqttPort.connect({ url, clientId: `${FED}-observer`, protocolVersion });
  const seen: { topic: string; bytes: Uint8Array }[] = [];
  await port.subscribe('#', (topic, bytes) => seen.push({ topic, bytes: Uint8Array.from(bytes) }));
  return { seen, close: () => port.close() };
}

const sameBits = (a: Params, b: Params) => expect(Buffer.from(encodeParams(a))).toEqual(Buffer.from(encodeParams(b)));

/**
 * What an independent observer of the broker can check: only call, stats,
 * global and update messages of this federation travel, of the right shapes,
 * and every round's global weights are exactly the FedAvg (site-id order,
 * weighted by examples) of the updates the sites sent in the round before.
 */
function checkTraffic(seen: { topic: string; bytes: Uint8Array }[], run: Run, rounds: number) {
  const shapes = tcnShapes(config);
  const updates = new Map<number, Map<string, { params: Params; examples: number }>>();
  const globals: { round: number; final: boolean; params: Params }[] = [];
  const kinds = new Set<string>();
  for (const { topic, bytes } of seen) {
    const m = decodeMessage(bytes);
    const h = m.header;
    kinds.add(h.type);
    expect(h.federation).toBe(FED);
    if (h.type === 'call') expect(topic).toBe(topics.global(FED));
    else if (h.type === 'stats') {
      expect(topic).toBe(topics.stats(FED, h.site));
      // Exactly one minimum and one maximum per channel: nothing else of the site's data.
      expect(Object.keys(h).sort()).toEqual(['federation', 'max', 'min', 'site', 'type']);
      expect(h.min).toHaveLength(SENSOR_CHANNELS.length);
      expect(h.min).toEqual(fitScaling(fleets.get(h.site)!.train).min);
    } else {
      const params = (m as { params: Params }).params;
      expect(Object.entries(params).map(([n, t]) => [n, t.shape])).toEqual(shapes);
      if (h.type === 'global') {
        expect(topic).toBe(topics.global(FED));
        globals.push({ round: h.round, final: h.final, params });
      } else {
        expect(topic).toBe(topics.update(FED, h.site));
        if (!updates.has(h.round)) updates.set(h.round, new Map());
        updates.get(h.round)!.set(h.site, { params, examples: h.examples });
      }
    }
  }
  expect([...kinds].sort()).toEqual(['call', 'global', 'stats', 'update']);
  expect(seen.every(({ topic }) => topicMatches(topics.all(FED), topic))).toBe(true);
  expect(globals.map((g) => `${g.round}${g.final ? ' final' : ''}`)).toEqual([...Array.from({ length: rounds }, (_, i) => `${i + 1}`), `${rounds} final`]);
  sameBits(globals[0].params, initTcn(config, 3));
  for (let r = 1; r <= rounds; r++) {
    const got = updates.get(r)!;
    expect([...got.keys()].sort()).toEqual(SITES);
    const average = federatedAverage(SITES.map((s) => got.get(s)!));
    sameBits(run.rounds[r - 1], average);
    // The next global message carries exactly that average.
    sameBits(globals[r].params, average);
  }
  sameBits(run.result.params, run.rounds[rounds - 1]);
  for (const f of run.finals) sameBits(f, run.result.params);
  // The sites' own record of what they sent matches what crossed the broker.
  expect(run.sent.filter((s) => s.topic.includes('/update/')).length).toBe(SITES.length * rounds);
}

describe('federated learning over MQTT', () => {
  describe('embedded broker (aedes)', () => {
    let broker: EmbeddedBroker;
    beforeAll(async () => {
      broker = await EmbeddedBroker.start();
    });
    afterAll(() => broker.stop());

    it('three sites and the aggregator: the global model is exactly the FedAvg of what the sites sent; only statistics and weights travel', async () => {
      const observer = await observe(broker.url, 4);
      const run = await federate(broker.url, 4);
      await observer.close();
      checkTraffic(observer.seen, run, 2);
      expect(run.result.rejected).toEqual([]);
      expect(run.siteRejections).toEqual([]);
      expect(run.result.scaling).toEqual(envelope(SITES.map((s) => fitScaling(fleets.get(s)!.train))));
      expect(run.result.history.map((h) => h.updates.map((u) => u.site))).toEqual([SITES, SITES]);
      embeddedResult = run.result.params;
    });

    it('malformed messages are rejected with a reason; the round completes with the good updates', async () => {
      const intruder = await MqttPort.connect({ url: broker.url, clientId: `${FED}-intruder`, protocolVersion: 4 });
      const good = initTcn(config, 99);
      const wrongShape: Params = { ...good, 'head.b': { shape: [3], data: new Float32Array(3) } };
      const nan: Params = { ...good, 'head.b': { shape: [2], data: Float32Array.of(NaN, 0) } };
      const update = (site: string, round: number, params: Params) => encodeUpdate({ federation: FED, site, round, examples: 100 }, params);
      const bad: [string, Uint8Array][] = [
        [topics.update(FED, 'north'), new TextEncoder().encode('garbage bytes')],
        [topics.update(FED, 'north'), update('north', 5, good)],
        [topics.update(FED, 'west'), update('west', 1, good)],
        [topics.update(FED, 'east'), update('east', 1, wrongShape)],
        [topics.update(FED, 'east'), update('east', 1, nan)],
        [topics.update(FED, 'north'), update('south', 1, good)],
        [topics.update(FED, 'north'), encodeUpdate({ federation: 'other', site: 'north', round: 1, examples: 1 }, good)],
        [topics.update(FED, 'south'), update('south', 1, good).subarray(0, 200)],
        [topics.stats(FED, 'north'), encodeStats(FED, 'north', { min: [0], max: [1] })],
        [topics.stats(FED, 'north'), encodeStats(FED, 'north', { min: SENSOR_CHANNELS.map(() => 0), max: SENSOR_CHANNELS.map(() => 1) })],
      ];
      const expected = [
        /not a federation message/,
        /an update for round 5, the federation is at round 1/,
        /unknown site "west" \(sites: east, north, south\)/,
        /weights do not fit the model: head\.b has shape \[3\], expected \[2\]/,
        /weights at head\.b are not finite/,
        /an update from site "south" on another site's topic/,
        /federation "other", this is "test-fed"/,
        /weights do not decode|header runs past/,
        /statistics of 1 channels, the model reads 9/,
        /statistics from "north" that differ from the ones it sent before/,
      ];
      // On round 1's global weights the intruder sends its messages, and sites get a bad global message too.
      let injected: Promise<unknown> | undefined;
      await intruder.subscribe(topics.global(FED), (_topic, bytes) => {
        if (bytes.length < 10) return; // its own bad global message
        const h = decodeMessage(bytes).header;
        if (h.type !== 'global' || h.round !== 1 || h.final || injected) return;
        injected = (async () => {
          for (const [topic, bytes] of bad) await intruder.publish(topic, bytes);
          await intruder.publish(topics.global(FED), Uint8Array.of(1, 2, 3));
        })();
      });
      // When north's genuine round-1 update goes by, the intruder sends the same bytes again (a redelivery: ignored),
      // then a different update in north's name (refused).
      let replayed: Promise<unknown> | undefined;
      const mine = (bytes: Uint8Array) => bad.some(([, b]) => Buffer.from(b).equals(Buffer.from(bytes)));
      await intruder.subscribe(topics.update(FED, 'north'), (_topic, bytes) => {
        if (replayed || mine(bytes)) return;
        const m = decodeMessage(bytes);
        if (m.header.type !== 'update' || m.header.round !== 1) return;
        const copy = Uint8Array.from(bytes);
        replayed = (async () => {
          await intruder.publish(topics.update(FED, 'north'), copy);
          await intruder.publish(topics.update(FED, 'north'), update('north', 1, good));
        })();
      });
      expected.push(/a second, different update from "north" in round 1/);
      let refused = 0;
      const run = await federate(broker.url, 4, {
        onReject: () => refused++,
        // Round 2 waits until the aggregator has refused them all, so every reason is about round 1.
        onRound: async (round) => {
          if (round !== 1) return;
          await injected;
          await replayed;
          for (let i = 0; i < 400 && refused < expected.length; i++) await new Promise((r) => setTimeout(r, 25));
        },
      });
      await intruder.close();
      const reasons = run.result.rejected.map((r) => `${r.topic}: ${r.reason}`);
      for (const re of expected) expect(reasons.some((r) => re.test(r)), `${re} in\n${reasons.join('\n')}`).toBe(true);
      expect(run.result.rejected).toHaveLength(expected.length);
      // Every site refused the bad global message and still trained both rounds.
      expect(run.siteRejections.map((r) => r.reason)).toEqual(SITES.map(() => 'not a federation message (no HFFL frame)'));
      // The average is the sites' genuine updates only: what they sent, as they recorded it.
      for (let r = 1; r <= 2; r++) {
        const genuine = SITES.map((s) => {
          const sent = run.sent.find((m) => m.topic === topics.update(FED, s) && (decodeMessage(m.bytes).header as { round: number }).round === r)!;
          const d = decodeMessage(sent.bytes) as { header: { examples: number }; params: Params };
          return { params: d.params, examples: d.header.examples };
        });
        sameBits(run.rounds[r - 1], federatedAverage(genuine));
      }
    });

    it('a site that never sends its statistics: the aggregator fails naming it', async () => {
      const t0 = performance.now();
      await expect(federate(broker.url, 4, { running: ['east', 'north'], timeoutMs: 1500 })).rejects.toThrow(
        new FederationTimeoutError('federation "test-fed": no scaling statistics from south within 1.5 s'),
      );
      expect(performance.now() - t0).toBeLessThan(20_000);
    });

    it('a site that stops answering in a round: the aggregator fails naming it', async () => {
      // "south" joins (its statistics are genuine) but never trains.
      const silent = await MqttPort.connect({ url: broker.url, clientId: `${FED}-silent`, protocolVersion: 4 });
      const stats = encodeStats(FED, 'south', fitScaling(fleets.get('south')!.train));
      await silent.subscribe(topics.global(FED), (_t, bytes) => {
        if (decodeMessage(bytes).header.type === 'call') void silent.publish(topics.stats(FED, 'south'), stats);
      });
      await silent.publish(topics.stats(FED, 'south'), stats);
      await expect(federate(broker.url, 4, { running: ['east', 'north'], timeoutMs: 5000 })).rejects.toThrow(/^federation "test-fed", round 1: no update from south within 5 s$/);
      await silent.close();
    });
  });

  describe('Mosquitto', () => {
    let mosquitto: Mosquitto;
    beforeAll(async () => {
      mosquitto = await startMosquitto();
    });
    afterAll(() => mosquitto?.stop());

    it('the same federation over a real Mosquitto (MQTT 5): exact FedAvg, only statistics and weights, the same model as over aedes', async () => {
      const observer = await observe(mosquitto.url, 5);
      const run = await federate(mosquitto.url, 5);
      await observer.close();
      checkTraffic(observer.seen, run, 2);
      expect(run.result.rejected).toEqual([]);
      // Same seed, same sites: the transport and its delivery order do not change a bit.
      if (embeddedResult) sameBits(run.result.params, embeddedResult);
    });
  });
});
