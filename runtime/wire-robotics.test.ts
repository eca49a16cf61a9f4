import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ScenarioSchema } from '../scenarios/schema.js';
import { buildRun, runPlant } from './plant.js';

/**
 * Two cobot cells and a store: transport tasks flow from both cells to the
 * store while a press in cell A wears; condition-based maintenance services
 * it, which locks cell A, so its cobots hand their tasks over to cell B's.
 */
const scenario = ScenarioSchema.parse({
  name: 'robotics-flow',
  seed: 3,
  horizon: '1d',
  layout: {
    places: [
      { id: 'cell-a', kind: 'station', x: 0, y: 0 },
      { id: 'cell-b', kind: 'station', x: 30, y: 0 },
      { id: 'storage', kind: 'storage', x: 15, y: 20 },
      { id: 'dock-charger', kind: 'charger', x: 15, y: -5 },
      { id: 'crew', kind: 'base', x: 0, y: 10 },
    ],
  },
  machineTypes: {
    press: {
      processTime: { dist: 'constant', value: 120 },
      timeToFailure: { dist: 'weibull', shape: 3, scale: '5h' },
      repairTime: { dist: 'constant', value: '1h' },
      serviceTime: { dist: 'constant', value: '30m' },
      signal: { name: 'vibration', baseline: 1, rise: 10, exponent: 2 },
    },
  },
  machines: [{ id: 'press', type: 'press', station: 'cell-a' }],
  technicians: { count: 1, base: 'crew' },
  maintenance: { policy: 'condition-based', threshold: { signal: 'vibration', value: 4 }, telemetryInterval: '10m' },
  cobots: { count: 4, homes: ['cell-a', 'cell-b'], speed: 1, batteryWh: 400, drainWhPerMetre: 0.1, idleDrainW: 10, chargeW: 800 },
  tasks: [
    { id: 'a', from: 'cell-a', to: 'storage', interarrival: { dist: 'exponential', mean: 150 }, handlingTime: { dist: 'uniform', min: 15, max: 25 } },
    { id: 'b', from: 'cell-b', to: 'storage', interarrival: { dist: 'exponential', mean: 150 }, handlingTime: { dist: 'constant', value: 20 } },
  ],
  ledger: { enabled: false },
});

type Line = { t: number; type: string; from?: string; to?: string; agent?: string; state?: string; payload?: Record<string, unknown> };

const dir = mkdtempSync(join(tmpdir(), 'hf-robotics-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('robotics subsystem in a plant run', () => {
  const logPath = join(dir, 'run.ndjson');
  const result = runPlant(scenario, { validateMessages: true, logPath });
  const lines = readFileSync(logPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);
  const of = (type: string) => lines.filter((l) => l.type === type);

  it('auctions, awards and completes the tasks', () => {
    expect(of('agent.error')).toEqual([]);
    expect(of('task.cfp').length).toBeGreaterThan(0);
    expect(of('task.awarded').length).toBeGreaterThan(0);
    const done = of('task.settled').filter((l) => l.payload?.outcome === 'completed');
    expect(done.length).toBeGreaterThan(0);
    const { tasksCreated, tasksCompleted, taskLatencyMeanSeconds, cobotDistanceKm } = result.kpis;
    expect(tasksCreated).toBeGreaterThan(500);
    expect(tasksCompleted).toBeGreaterThan(0.95 * tasksCreated);
    expect(taskLatencyMeanSeconds).toBeGreaterThan(60);
    expect(cobotDistanceKm).toBeGreaterThan(0);
    // Every cobot did some work, and some charged.
    const busy = new Set(of('task.completed').map((l) => l.from));
    expect([...busy].sort()).toEqual(['cobot-1', 'cobot-2', 'cobot-3', 'cobot-4']);
    expect(lines.some((l) => l.type === 'state' && l.state === 'charging')).toBe(true);
  });

  it('locks cell A during maintenance of the press and reassigns its cobots\' tasks', () => {
    const locks = lines.flatMap((l, i) => (l.type === 'station.locked' && l.payload?.machine === 'press' ? [i] : []));
    expect(locks.length).toBeGreaterThan(0);
    const first = lines[locks[0]];
    expect(first.payload?.station).toBe('cell-a');
    const after = lines.slice(locks[0]);
    const suspended = after.filter((l) => l.type === 'cobot.suspend' && l.payload?.workOrder === first.payload?.workOrder).map((l) => l.to);
    expect(suspended).toEqual(['cobot-1', 'cobot-3']);
    const reassigned = lines.filter((l, i) => l.type === 'task.reassigned' && i > locks[0]);
    expect(reassigned.length).toBeGreaterThan(0);
    for (const r of reassigned) {
      expect(r.payload).toMatchObject({ machine: 'press', station: 'cell-a' });
      expect(['cobot-1', 'cobot-3']).toContain(r.payload?.fromCobot);
      expect(['cobot-2', 'cobot-4']).toContain(r.payload?.toCobot);
      expect(r.to).toBe('maintenance');
    }
    expect(of('cobot.resume').length).toBeGreaterThan(0);
  });

  it('loses no task: each open one is queued at its cobot, under auction, or in the backlog', () => {
    const run = buildRun(scenario, { until: 43_200 });
    run.kernel.runUntil(43_200);
    const ctx = (id: string) => run.host.get(id)!.actor.getSnapshot().context;
    const board = ctx('robotics').board as { tasks: Record<string, { holder?: string }>; backlog: string[] };
    const held = new Set(
      run.host
        .all()
        .filter((a) => a.kind === 'cobot')
        .flatMap((a) => {
          const c = a.actor.getSnapshot().context as { current?: { spec: { task: string } }; queue: { spec: { task: string } }[] };
          return [...(c.current ? [c.current] : []), ...c.queue].map((j) => j.spec.task);
        }),
    );
    const auctioned = new Set(
      run.host
        .all()
        .filter((a) => a.kind === 'negotiation' && a.state() !== 'awarded')
        .map((a) => (a.actor.getSnapshot().context.spec as { task: string }).task),
    );
    const open = Object.keys(board.tasks);
    expect(open.length).toBeGreaterThan(0);
    expect(open.filter((t) => !held.has(t) && !auctioned.has(t) && !board.backlog.includes(t))).toEqual([]);
    run.log.finish();
    run.host.stopAll();
  });

  it('gives the same log for the same seed', () => {
    expect(runPlant(scenario, { validateMessages: true }).logHash).toBe(result.logHash);
  });
});
