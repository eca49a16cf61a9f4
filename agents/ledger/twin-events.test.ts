import { describe, expect, it } from 'vitest';
import type { Envelope } from '../protocol/envelope.js';
import { PayloadSchemas } from '../protocol/messages.js';
import { addId, emptyIdSet, hasId } from './id-set.js';
import { isTwinEventType, machineOf, twinEventOf, TwinEventTypes } from './twin-events.js';

const envelope = (type: string, payload: Record<string, unknown>): Envelope =>
  ({ id: 'x:1', time: 42, from: 'x', to: 'y', conversation: 'x:1', type, payload }) as Envelope;

describe('twin events', () => {
  it('are message types of the catalogue', () => {
    for (const t of TwinEventTypes) expect(PayloadSchemas).toHaveProperty([t]);
    expect(isTwinEventType('repair.requested')).toBe(true);
    expect(isTwinEventType('telemetry.sample')).toBe(false);
    expect(isTwinEventType('ledger.recorded')).toBe(false);
  });

  it('take the envelope id, time and type, and the machine from the payload or the negotiation spec', () => {
    expect(twinEventOf(envelope('repair.requested', { machine: 'm-1' }))).toEqual({
      id: 'x:1',
      time: 42,
      type: 'repair.requested',
      machine: 'm-1',
      payload: { machine: 'm-1' },
    });
    expect(machineOf({ bidWindowSeconds: 2, round: 1, spec: { item: 'bearing', machine: 'm-2' } })).toBe('m-2');
    expect(machineOf({ result: { machine: 'm-3' } })).toBe('m-3');
    const cfp = twinEventOf(envelope('parts.cfp', { bidWindowSeconds: 2, round: 1, spec: { item: 'bearing' } }));
    expect(cfp).not.toHaveProperty('machine');
  });
});

describe('id set', () => {
  it('adds without changing the set it came from', () => {
    const a = addId(emptyIdSet, 'm-1:1');
    const b = addId(a, 'm-1:2');
    expect([hasId(a, 'm-1:1'), hasId(a, 'm-1:2'), hasId(b, 'm-1:2'), a.size, b.size]).toEqual([true, false, true, 1, 2]);
    expect(addId(b, 'm-1:1')).toBe(b);
    let big = emptyIdSet;
    for (let i = 0; i < 1000; i++) big = addId(big, `e:${i}`);
    expect(big.size).toBe(1000);
    expect(Object.keys(big.buckets).length).toBeLessThanOrEqual(64);
    expect(JSON.parse(JSON.stringify(big))).toEqual(big);
  });
});
