import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { DataType, DataValue, StatusCodes, Variant, type StatusCode } from 'node-opcua';
import { quietOpcua } from '../../test/support/opcua.js';
import { EndpointLink } from './endpoint-link.js';
import { readingOf } from './sample-values.js';
import type { OpcuaTelemetryStats } from './telemetry-client.js';

/**
 * The step after `readingOf`: the values of one subscription become the
 * plant's samples (`EndpointLink`: values of one machine that share a source
 * timestamp are one sample). Driven without a server (its private
 * `onValue` and `flush`, what the subscription's `changed` event and the
 * next turn of the event loop call): whatever values come, in whatever
 * order, every sample holds finite numbers only, each good reading lands in
 * exactly one sample, a machine's samples go to the plant in time order, and
 * every refused value is counted and reported.
 */

quietOpcua();

const MACHINES = ['m1', 'm2'];
const CHANNELS = ['a', 'b', 'c'];

interface Value {
  machine: number;
  channel: number;
  value: number;
  dataType: DataType;
  status: StatusCode;
  /** Source time, ms; undefined: none (then the server's, or 0). */
  at?: number;
  serverAt?: number;
}

const value: fc.Arbitrary<Value> = fc.record(
  {
    machine: fc.nat({ max: MACHINES.length - 1 }),
    channel: fc.nat({ max: CHANNELS.length - 1 }),
    value: fc.oneof(fc.double({ min: -1e6, max: 1e6 }), fc.constantFrom(NaN, Infinity, -Infinity)),
    dataType: fc.constantFrom(DataType.Double, DataType.Double, DataType.Float, DataType.String),
    status: fc.constantFrom(StatusCodes.Good, StatusCodes.Good, StatusCodes.Good, StatusCodes.BadSensorFailure, StatusCodes.BadWaitingForInitialData, StatusCodes.UncertainInitialValue),
    at: fc.constantFrom(1_000, 2_000, 3_000, 0),
    serverAt: fc.constantFrom(5_000, 6_000),
  },
  { requiredKeys: ['machine', 'channel', 'value', 'dataType', 'status'] },
);

function dataValue(v: Value): DataValue {
  return new DataValue({
    value: new Variant({ dataType: v.dataType, value: v.dataType === DataType.String ? String(v.value) : v.value }),
    statusCode: v.status,
    ...(v.at !== undefined ? { sourceTimestamp: new Date(v.at) } : {}),
    ...(v.serverAt !== undefined ? { serverTimestamp: new Date(v.serverAt) } : {}),
  });
}

type Link = { onValue(item: { machine: string; channel: string }, dv: DataValue): void; flush(): void };

describe('OPC UA values into plant samples', () => {
  test.prop([fc.array(fc.array(value, { maxLength: 12 }), { minLength: 1, maxLength: 4 }), fc.boolean()], { numRuns: 200 })(
    'any values in any order: finite samples grouped by machine and source time, in time order; each refusal counted and reported',
    (batches, plantRefuses) => {
      const stats: OpcuaTelemetryStats = { samples: 0, rejected: 0, sessions: 0, subscriptions: 0 };
      const problems: string[] = [];
      const ingested: { machine: string; signals: Record<string, number> }[] = [];
      const link = new EndpointLink(
        'opc.tcp://nowhere:4840',
        MACHINES.map((m) => ({ id: m, endpoint: 'opc.tcp://nowhere:4840', remoteName: m })),
        {
          security: 'None',
          stats,
          onProblem: (line) => problems.push(line),
          channelsOf: () => CHANNELS,
          ingest: (machine, signals) => {
            ingested.push({ machine, signals });
            return plantRefuses && 'b' in signals ? { ok: false, reason: 'b out of range' } : { ok: true, value: undefined };
          },
        },
      ) as unknown as Link;
      let refused = 0;
      let plantRefused = 0;
      for (const batch of batches) {
        // One publish response: values, then the flush the next turn of the event loop makes.
        const expected = new Map<string, Record<string, number>>();
        for (const v of batch) {
          const dv = dataValue(v);
          const item = { machine: MACHINES[v.machine], channel: CHANNELS[v.channel] };
          const r = readingOf(item.channel, dv);
          if (r && !r.ok) refused++;
          if (r?.ok) {
            const key = `${item.machine}@${v.at ?? v.serverAt ?? 0}`;
            expected.set(key, { ...(expected.get(key) ?? {}), [item.channel]: r.value });
          }
          link.onValue(item, dv);
        }
        const before = ingested.length;
        link.flush();
        const got = ingested.slice(before);
        expect(got.length).toBe(expected.size);
        for (const s of got) for (const x of Object.values(s.signals)) expect(Number.isFinite(x)).toBe(true);
        expect(got.map((s) => s.signals).sort(byJson)).toEqual([...expected.values()].sort(byJson));
        // Per machine, in source time order.
        for (const m of MACHINES) {
          const times = [...expected.keys()].filter((k) => k.startsWith(`${m}@`)).map((k) => Number(k.split('@')[1]));
          const order = got.filter((s) => s.machine === m).map((s) => s.signals);
          expect(order).toEqual(times.sort((a, b) => a - b).map((t) => expected.get(`${m}@${t}`)));
        }
        plantRefused += plantRefuses ? got.filter((s) => 'b' in s.signals).length : 0;
      }
      expect(stats.rejected).toBe(refused + plantRefused);
      expect(stats.samples).toBe(ingested.length - plantRefused);
      expect(problems.length).toBe(refused + plantRefused);
      for (const p of problems) expect(p).toMatch(/^opcua: m[12]: |^opcua: sample for m[12] refused by the plant: /);
    },
  );
});

/** Orders samples by their JSON, with -0 told apart from 0: JSON writes both as 0, toEqual does not take one for the other. */
const sortKey = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (Object.is(x, -0) ? '-0' : x));
const byJson = (a: unknown, b: unknown) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0);
