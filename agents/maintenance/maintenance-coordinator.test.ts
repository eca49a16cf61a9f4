import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { openOrders } from './work-orders.js';
import { maintenanceCoordinator, type MaintenanceCoordinatorInput, type MaintenanceEvent } from './maintenance-coordinator.js';
import { modelCoverage } from '../../test/support/model-coverage.js';
import { message } from '../../test/support/messages.js';
import type { SendEffect } from '../host/effects.js';

const base: MaintenanceCoordinatorInput = {
  id: 'maintenance',
  policy: 'run-to-failure',
  technicians: ['tech-1'],
  machines: [
    { id: 'm-1', parts: [{ item: 'kit', qty: 1 }], station: 'cell-a' },
    { id: 'm-2', parts: [], station: 'cell-b' },
  ],
  supply: 'supply',
  robotics: 'robotics',
  serviceIntervalSeconds: 3600,
  threshold: { signal: 'vibration', value: 7 },
  // m-1 has a model (predictive); m-2 falls back to the threshold.
  predictive: { costs: { 'm-1': { planned: 1000, unplanned: 5000 } }, leadHours: 48, stepHours: 1, lookAheadHours: 168 },
};

const prediction = (rulHours: number, failureProbability: number) =>
  message('maintenance.prediction', { machine: 'm-1', rulHours, failureProbability, horizonHours: 48, rulSpreadHours: 20 }, 'predictor');

/** Events that make sense in a snapshot: requests, readings, and answers to what is open. */
function events(snapshot: any): MaintenanceEvent[] {
  const out: MaintenanceEvent[] = [
    message('repair.requested', { machine: 'm-1' }, 'm-1'),
    message('telemetry.sample', { machine: 'm-1', signals: { vibration: 9 } }, 'm-1'),
    message('telemetry.sample', { machine: 'm-2', signals: { vibration: 9 } }, 'm-2'),
    prediction(20, 0.9),
    { type: 'service.due', machine: 'm-2' },
  ];
  for (const o of openOrders(snapshot.context.book)) {
    if (o.status === 'awaitingParts') out.push(message('parts.available', { item: 'kit', qty: 1, workOrder: o.id }, 'supply'));
    if (o.status === 'assigned') {
      out.push(message('repair.completed', { machine: o.machine, workOrder: o.id, technician: o.technician!, kind: o.kind }, o.technician));
    }
  }
  return out;
}

/** The book without its ever-growing ids, so the state space stays finite. */
const serializeState = (s: any) =>
  JSON.stringify([
    openOrders(s.context.book).map((o: any) => [o.machine, o.kind, o.status, o.partsPending, o.technician]),
    s.context.book.idle.items.slice(s.context.book.idle.head, s.context.book.idle.tail),
  ]);

function collect(input: MaintenanceCoordinatorInput) {
  const effects: SendEffect[] = [];
  const actor = createActor(maintenanceCoordinator, { input });
  actor.on('*', (e) => effects.push(e as SendEffect));
  actor.start();
  return { actor, effects, sent: () => effects.map((e) => `${e.message}>${e.to}`) };
}

describe('maintenance coordinator', () => {
  it.each(['run-to-failure', 'time-based', 'condition-based', 'predictive'] as const)('covers every state and transition under %s (xstate/graph)', (policy) => {
    const report = modelCoverage(maintenanceCoordinator, { input: { ...base, policy }, events, serializeState, limit: 2000 });
    expect(report.states.missed).toEqual([]);
    // The guarded transitions only fire under their own policy.
    const unreachable = {
      'run-to-failure': ['telemetry.sample', 'service.due', 'maintenance.prediction'],
      'time-based': ['telemetry.sample', 'maintenance.prediction'],
      'condition-based': ['service.due', 'maintenance.prediction'],
      predictive: ['service.due'],
    }[policy];
    expect(report.transitions.missed.filter((t) => !unreachable.some((u) => t.includes(u)))).toEqual([]);
  });

  it('repairs first come, first served, with parts from supply and the cell locked', () => {
    const { actor, effects, sent } = collect(base);
    actor.send(message('repair.requested', { machine: 'm-1' }, 'm-1'));
    expect(sent()).toEqual(['parts.requested>supply']);
    actor.send(message('repair.requested', { machine: 'm-2' }, 'm-2'));
    // m-2 needs no parts: it is queued and goes to the idle technician first.
    expect(sent().slice(1)).toEqual(['repair.assigned>tech-1', 'station.locked>robotics']);
    const wo1 = (effects[0].payload as { workOrder: string }).workOrder;
    actor.send(message('parts.available', { item: 'kit', qty: 1, workOrder: wo1 }, 'supply'));
    expect(sent()).toHaveLength(3); // technician still busy
    const wo2 = (effects[1].payload as { workOrder: string }).workOrder;
    actor.send(message('repair.completed', { machine: 'm-2', workOrder: wo2, technician: 'tech-1', kind: 'repair' }, 'tech-1'));
    expect(sent().slice(3)).toEqual(['station.unlocked>robotics', 'repair.assigned>tech-1', 'station.locked>robotics']);
    expect(effects[4].payload).toMatchObject({ machine: 'm-1', workOrder: wo1 });
  });

  it('condition-based: a reading over the threshold opens one planned service, told to the machine', () => {
    const { actor, sent } = collect({ ...base, policy: 'condition-based' });
    actor.send(message('telemetry.sample', { machine: 'm-1', signals: { vibration: 6.9 } }, 'm-1'));
    expect(sent()).toEqual([]);
    actor.send(message('telemetry.sample', { machine: 'm-1', signals: { vibration: 7.2 } }, 'm-1'));
    actor.send(message('telemetry.sample', { machine: 'm-1', signals: { vibration: 7.5 } }, 'm-1'));
    expect(sent()).toEqual(['maintenance.requested>m-1', 'parts.requested>supply']);
  });

  it('a failure while planned work waits for parts turns the order into a repair', () => {
    const { actor } = collect({ ...base, policy: 'condition-based' });
    actor.send(message('telemetry.sample', { machine: 'm-1', signals: { vibration: 8 } }, 'm-1'));
    actor.send(message('repair.requested', { machine: 'm-1' }, 'm-1'));
    const open = openOrders(actor.getSnapshot().context.book);
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ kind: 'repair', status: 'awaitingParts' });
  });

  it('predictive: waits while the machine is healthy, books a service when the cheapest window comes within the lead time', () => {
    const { actor, effects, sent } = collect({ ...base, policy: 'predictive' });
    actor.send(prediction(300, 0));
    actor.send(prediction(150, 0.001));
    expect(sent()).toEqual([]);
    actor.send(prediction(30, 0.8));
    expect(sent()).toEqual(['maintenance.requested>m-1', 'parts.requested>supply']);
    const request = effects[0].payload as { reason: string; startHours: number; failureProbability: number };
    expect(request.reason).toBe('prediction');
    expect(request.startHours).toBeLessThanOrEqual(48);
    expect(request.failureProbability).toBeGreaterThanOrEqual(0);
    // One order per machine: later predictions do not open another.
    actor.send(prediction(10, 0.99));
    expect(sent()).toHaveLength(2);
  });

  it('predictive: a machine without a model is served by the threshold, a machine with one is not', () => {
    const { actor, sent } = collect({ ...base, policy: 'predictive' });
    actor.send(message('telemetry.sample', { machine: 'm-1', signals: { vibration: 9 } }, 'm-1'));
    expect(sent()).toEqual([]);
    actor.send(message('telemetry.sample', { machine: 'm-2', signals: { vibration: 9 } }, 'm-2'));
    expect(sent()).toEqual(['maintenance.requested>m-2', 'repair.assigned>tech-1', 'station.locked>robotics']);
  });

  it('predictive: raises an alert when the failure risk or the anomaly score crosses its level, once, and clears it', () => {
    const { actor, effects, sent } = collect({ ...base, policy: 'predictive', alerts: '#operators', predictive: { ...base.predictive!, leadHours: 1 } });
    const reading = (failureProbability: number, anomaly: number) =>
      message('maintenance.prediction', { machine: 'm-1', rulHours: 200, failureProbability, horizonHours: 48, rulSpreadHours: 20, components: { bearing: failureProbability * 0.9, seal: failureProbability * 0.1 }, anomaly, anomalyThreshold: 0.05 }, 'predictor');
    actor.send(reading(0.01, 0.01));
    expect(sent()).toEqual([]);
    actor.send(reading(0.01, 0.09));
    actor.send(reading(0.6, 0.1));
    actor.send(reading(0.7, 0.2));
    expect(sent()).toEqual(['maintenance.alert>#operators', 'maintenance.alert>#operators']);
    expect(effects.map((e) => e.payload)).toEqual([
      expect.objectContaining({ machine: 'm-1', kind: 'anomaly', state: 'raised', value: 0.09, threshold: 0.05 }),
      expect.objectContaining({ machine: 'm-1', kind: 'failure-risk', state: 'raised', component: 'bearing', text: 'm-1: 60 % likely to fail within 48 h (bearing 54 %)' }),
    ]);
    // Just under the levels: still open (no flapping); well under: cleared.
    actor.send(reading(0.45, 0.045));
    expect(effects).toHaveLength(2);
    actor.send(reading(0.2, 0.01));
    expect(effects.slice(2).map((e) => [(e.payload as { kind: string }).kind, (e.payload as { state: string }).state])).toEqual([
      ['failure-risk', 'cleared'],
      ['anomaly', 'cleared'],
    ]);
  });

  it('predictive: a repaired machine’s open alerts are cleared', () => {
    const { actor, effects } = collect({ ...base, policy: 'predictive', alerts: '#operators', predictive: { ...base.predictive!, leadHours: 1 } });
    actor.send(message('maintenance.prediction', { machine: 'm-2', rulHours: 200, failureProbability: 0, horizonHours: 48, anomaly: 1, anomalyThreshold: 0.05 }, 'predictor'));
    actor.send(message('repair.requested', { machine: 'm-2' }, 'm-2'));
    const wo = (effects.find((e) => e.message === 'repair.assigned')!.payload as { workOrder: string }).workOrder;
    actor.send(message('repair.completed', { machine: 'm-2', workOrder: wo, technician: 'tech-1', kind: 'repair' }, 'tech-1'));
    const alerts = effects.filter((e) => e.message === 'maintenance.alert').map((e) => (e.payload as { state: string }).state);
    expect(alerts).toEqual(['raised', 'cleared']);
  });
});
