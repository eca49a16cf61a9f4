import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../scenarios/load.js';
import { projectRoot } from './paths.js';
import { runPlantRealtime } from './plant.js';
import type { LogRecord } from '../sim/log/event-log.js';

describe('a real-time run stopped before its horizon', () => {
  it('ends where it got to: simulated time, the run.finished record and the KPIs are of that time, not the horizon', async () => {
    const scenario = loadScenario(join(projectRoot(), 'scenarios/turbine-failure.yaml'));
    const records: LogRecord[] = [];
    // An hour of plant time per wall second, stopped after about half a second.
    const result = await runPlantRealtime(scenario, {
      speed: 3600,
      observe: (r) => records.push(r),
      onRunner: (runner) => setTimeout(() => runner.stop(), 500),
    });
    expect(result.simulatedSeconds).toBeGreaterThan(0);
    expect(result.simulatedSeconds).toBeLessThan(3 * 3600);
    const finished = records.at(-1)!;
    expect(finished).toMatchObject({ type: 'run.finished', t: result.simulatedSeconds });
    // Throughput counted up to the stop: far below what 60 days would give.
    expect(result.kpis.throughputUnits).toBeLessThan(500);
  });
});
