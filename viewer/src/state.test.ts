import { describe, expect, it } from 'vitest';
import type { Alert, Delta, LedgerEntry, Snapshot } from '../../bridges/viewer/protocol.js';
import { compact, simTime, shortHash } from './format.js';
import { layoutKpis, specFor } from './kpi-bar.js';
import { ALERTS_KEEP, byUrgency, LEDGER_KEEP, Store } from './state.js';

const alert = (id: string, t: number, severity: Alert['severity'] = 'warning'): Alert => ({ id, t, severity, subject: 'm1', text: id });

const entry = (seq: number, verification: LedgerEntry['verification'] = 'pending'): LedgerEntry =>
  ({ seq, t: seq, event: 'e', eventType: 'MachineFailed', hash: `0x${seq}`, verification });

function snapshot(): Snapshot {
  return {
    seq: 1, t: 0, speed: 600, paused: false, finished: false,
    floor: { places: [], bounds: { minX: 0, minY: 0, maxX: 10, maxY: 10 }, obstacles: [] },
    map: { places: [{ id: 'dock', kind: 'plant', x: 0, y: 25 }, { id: 'north-works', kind: 'supplier', x: -4000, y: 38000 }] },
    machines: [{ id: 'm1', type: 't', x: 1, y: 1, state: 'running', since: 0 }, { id: 'm2', type: 't', x: 2, y: 2, state: 'running', since: 0 }],
    cobots: [{ id: 'c1', x: 0, y: 0, state: 'idle' }],
    stock: [{ item: 'kit', onHand: 1, reorderPoint: 2, onOrder: 0 }],
    orders: [{ id: 'PO-1', item: 'kit', qty: 1, status: 'calling', quotes: [], since: 0 }],
    trucks: [],
    ledger: [entry(2), entry(1)],
    alerts: [],
    attention: [alert('a2', 20), alert('a1', 10, 'critical')],
    kpis: { oee: 0.9 },
  };
}

const delta = (d: Partial<Delta>): Delta => ({ seq: 2, t: 10, speed: 600, paused: false, finished: false, ...d });

describe('viewer state', () => {
  it('a snapshot replaces everything and keeps the state object', () => {
    const store = new Store();
    const st = store.state;
    store.applySnapshot(snapshot());
    expect(store.state).toBe(st);
    expect(st.machines.map((m) => m.id)).toEqual(['m1', 'm2']);
    expect(st.ledger.map((e) => e.seq)).toEqual([1, 2]);
    expect(st.map.places.map((p) => p.id)).toEqual(['dock', 'north-works']);
    store.applySnapshot({ ...snapshot(), machines: [] });
    expect(st.machines).toEqual([]);
    expect(store.machine('m1')).toBeUndefined();
    // The map is static but comes whole with every snapshot; a server without one means no map.
    store.applySnapshot({ ...snapshot(), map: undefined } as unknown as Snapshot);
    expect(st.map).toEqual({ places: [] });
  });

  it('trucks upsert and are removed by id; the map stays as the snapshot sent it', () => {
    const store = new Store();
    store.applySnapshot(snapshot());
    const truck = { id: 'truck-1', state: 'busy.toPickup', x: -100, y: 900, route: ['north-works', 'dock'] };
    const c = store.applyDelta(delta({ trucks: [truck] }));
    expect(c.trucks).toBe(true);
    expect(store.applyDelta(delta({ trucks: [{ ...truck, y: 1800 }] })).trucks).toBe(true);
    expect(store.state.trucks).toEqual([{ ...truck, y: 1800 }]);
    expect(store.applyDelta(delta({})).trucks).toBe(false);
    expect(store.applyDelta(delta({ removed: { trucks: ['truck-1'] } })).trucks).toBe(true);
    expect(store.state.trucks).toEqual([]);
    expect(store.state.map.places).toHaveLength(2);
  });

  it('deltas upsert by id, remove, and report what changed', () => {
    const store = new Store();
    store.applySnapshot(snapshot());
    const c = store.applyDelta(delta({
      machines: [{ id: 'm2', type: 't', x: 2, y: 2, state: 'failed', since: 10 }, { id: 'm3', type: 't', x: 3, y: 3, state: 'idle', since: 10 }],
      removed: { machines: ['m1'], orders: ['PO-1'] },
      kpis: { collisions: 1 },
    }));
    expect(store.state.machines.map((m) => [m.id, m.state])).toEqual([['m2', 'failed'], ['m3', 'idle']]);
    expect(store.machine('m3')?.state).toBe('idle');
    expect(store.state.orders).toEqual([]);
    expect(store.state.kpis).toEqual({ oee: 0.9, collisions: 1 });
    expect(c.machinesAddedOrRemoved).toBe(true);
    expect([...c.machines]).toEqual(['m2', 'm3']);
    expect(c.clock).toBe(true);
  });

  it('ledger upserts by seq and keeps the latest; alerts append and are capped', () => {
    const store = new Store();
    store.applySnapshot(snapshot());
    store.applyDelta(delta({ ledger: [entry(1, 'verified'), entry(3)] }));
    expect(store.state.ledger.map((e) => [e.seq, e.verification])).toEqual([[1, 'verified'], [2, 'pending'], [3, 'pending']]);
    store.applyDelta(delta({ ledger: Array.from({ length: LEDGER_KEEP + 10 }, (_, i) => entry(100 + i)) }));
    expect(store.state.ledger).toHaveLength(LEDGER_KEEP);
    expect(store.state.ledger.at(-1)?.seq).toBe(100 + LEDGER_KEEP + 9);
    store.applyDelta(delta({ alerts: Array.from({ length: ALERTS_KEEP + 5 }, (_, i) => ({ id: `a${i}`, t: i, severity: 'warning' as const, subject: 'm2', text: 'x' })) }));
    expect(store.state.alerts).toHaveLength(ALERTS_KEEP);
    expect(store.state.alerts[0].id).toBe('a5');
  });

  it('attention comes whole with a snapshot, is replaced by a delta that carries it, and kept otherwise', () => {
    const store = new Store();
    const st = store.state;
    expect(st.attention).toEqual([]);
    expect(store.applySnapshot(snapshot()).snapshot).toBe(true);
    expect(st.attention.map((a) => a.id)).toEqual(['a2', 'a1']);
    const quiet = store.applyDelta(delta({ alerts: [alert('a3', 30, 'info')] }));
    expect(quiet.attention).toBe(false);
    expect(quiet.alerts).toBe(true);
    expect(st.attention.map((a) => a.id)).toEqual(['a2', 'a1']);
    expect(st.alerts.map((a) => a.id)).toEqual(['a3']);
    const changed = store.applyDelta(delta({ attention: [alert('a4', 40), alert('a2', 20)] }));
    expect(changed.attention).toBe(true);
    expect(changed.alerts).toBe(false);
    expect(st.attention.map((a) => a.id)).toEqual(['a4', 'a2']);
    store.applyDelta(delta({ attention: [] }));
    expect(st.attention).toEqual([]);
    // The history is not the attention list: closing an alert leaves it in the history.
    expect(st.alerts.map((a) => a.id)).toEqual(['a3']);
    expect(store.state).toBe(st);
  });

  it('orders what needs attention: critical, then warnings, then info; newest first within each', () => {
    const open = [alert('w2', 50), alert('i1', 45, 'info'), alert('c2', 40, 'critical'), alert('w1', 30), alert('c1', 20, 'critical'), alert('w0', 30)];
    expect(byUrgency(open).map((a) => a.id)).toEqual(['c2', 'c1', 'w2', 'w1', 'w0', 'i1']);
    expect(open[0].id).toBe('w2');
  });
});

describe('KPI layout', () => {
  const live = {
    oee: 0.99, throughputUnits: 21416, unplannedDowntimeHours: 0, plannedDowntimeHours: 6.2, maintenanceCost: 1625, logisticsCost: 143,
    inventoryCost: 17, stockouts: 0, tasksCreated: 5470, tasksCompleted: 5470, taskLatencyMeanSeconds: 161.1, cobotDistanceKm: 458.8,
    cobotChargingHours: 86.6, cobotBatteryDepletions: 0, collisions: 0, cobotWaits: 1393, cobotWaitingHours: 15.4, cobotBreakdowns: 0, ledgerEvents: 14,
  };

  it('puts the core KPIs in the big row and the rest, labelled with units, in the compact group', () => {
    const { core, more } = layoutKpis(live);
    expect(core.map((s) => s.key)).toEqual([
      'oee', 'throughputUnits', 'unplannedDowntimeHours', 'plannedDowntimeHours', 'maintenanceCost', 'logisticsCost', 'inventoryCost', 'stockouts',
    ]);
    expect(more).toHaveLength(11);
    const text = Object.fromEntries(more.map((s) => [s.label, s.format(live[s.key as keyof typeof live])]));
    expect(text).toMatchObject({ 'Task latency': '161 s', 'Cobot distance': '459 km', Charging: '86.6 h', 'Ledger events': '14' });
  });

  it('a replay (only the downtimes of the core) fills the big row with its counts; unknown KPIs get a label and unit', () => {
    const replay = { unplannedDowntimeHours: 3, plannedDowntimeHours: 1, tasksCompleted: 9, tasksFailed: 0, failures: 1, services: 2, deliveries: 3, ledgerEvents: 4, extraWaitSeconds: 30 };
    const { core, more } = layoutKpis(replay);
    expect(core.map((s) => s.key)).toEqual(['unplannedDowntimeHours', 'plannedDowntimeHours', 'tasksCompleted', 'tasksFailed', 'failures', 'services', 'deliveries', 'ledgerEvents']);
    expect(more.map((s) => [s.label, s.format(30)])).toEqual([['Extra wait', '30 s']]);
    expect(specFor('partsCost').label).toBe('Parts cost');
  });

  it('shows money in thousands once it is large', () => {
    expect([143, 1625, 9999, 12345, 99_949, 250_000, 999_499, 999_500, 1_250_000].map(compact))
      .toEqual(['143', '1,625', '9,999', '12.3 k', '99.9 k', '250 k', '999 k', '1.00 M', '1.25 M']);
  });
});

describe('format', () => {
  it('shows simulated time as day and clock', () => {
    expect(simTime(0)).toBe('day 1, 00:00');
    expect(simTime(2 * 86400 + 14 * 3600 + 5 * 60 + 59)).toBe('day 3, 14:05');
  });

  it('shortens hashes', () => {
    expect(shortHash('0x' + 'ab'.repeat(32))).toBe('0xabababab…abab');
    expect(shortHash('abc')).toBe('abc');
  });
});
