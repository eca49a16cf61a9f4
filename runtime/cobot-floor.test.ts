import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../scenarios/load.js';
import { projectRoot } from './paths.js';
import { runPlant } from './plant.js';

const scenario = loadScenario(join(projectRoot(), 'scenarios/cobot-floor.yaml'));
const dir = mkdtempSync(join(tmpdir(), 'hf-cobot-floor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Line = { t: number; type: string; from?: string; to?: string; conversation?: string; payload?: Record<string, unknown> };

describe('scenario cobot-floor: 20 cobots on a warehouse floor', () => {
  it('runs its first 20 minutes in both worlds without a collision', () => {
    for (const mode of ['des', 'physics'] as const) {
      const r = runPlant(scenario, { mode, until: 1200 });
      expect(r.mode).toBe(mode);
      expect(r.kpis.collisions, mode).toBe(0);
      expect(r.kpis.tasksCompleted, mode).toBeGreaterThan(50);
    }
  });

  it('hands a broken-down cobot’s tasks back to auction, where another cobot wins and completes them', () => {
    const logPath = join(dir, 'breakdowns.ndjson');
    const broken = { ...scenario, cobots: { ...scenario.cobots!, breakdownRate: 1 } };
    const r = runPlant(broken, { until: 3600, logPath, validateMessages: true });
    expect(r.kpis.cobotBreakdowns).toBeGreaterThan(5);
    expect(r.kpis.collisions).toBe(0);
    const lines = readFileSync(logPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);
    expect(lines.filter((l) => l.type === 'agent.error')).toEqual([]);
    const failed = lines.filter((l) => l.type === 'task.failed' && l.payload?.reason === 'breakdown');
    expect(failed.length).toBeGreaterThan(0);
    // The manager re-auctions each without the broken cobot: a later award to another cobot, then a completion.
    const redone = failed.filter((f) => {
      const after = lines.filter((l) => l.conversation === f.conversation && l.t >= f.t);
      const award = after.find((l) => l.type === 'task.awarded');
      return award !== undefined && award.to !== f.from && after.some((l) => l.type === 'task.completed' && l.from === award.to);
    });
    expect(redone.length).toBeGreaterThan(failed.length / 2);
    expect(lines.some((l) => l.type === 'state' && (l as { state?: string }).state === 'faulted')).toBe(true);
  });
});
