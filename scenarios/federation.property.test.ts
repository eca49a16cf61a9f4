import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { stringify } from 'yaml';
import { projectRoot } from '../runtime/paths.js';
import { mutatedJson, mutatedText, outcome } from '../test/support/fuzz.js';
import { parseFederation } from './federation.js';
import { ScenarioError } from './load.js';

/**
 * Federation files (`parseFederation`): any text is a federation ready to
 * run (two or more sites with distinct ids, each with its machine type's
 * physics, loads in [0, 1], positive times) or a ScenarioError whose every
 * problem is located (line, or the file it is about); never another
 * exception.
 */

const file = join(projectRoot(), 'scenarios', 'test-federation.yaml');
const id = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
const fraction = fc.double({ min: 0, max: 1, noNaN: true });
const load = fc.oneof(
  fraction,
  fc.tuple(fraction, fraction, fc.constantFrom('4h', '8h', 3600, '1d'), fc.option(fc.double({ min: 0, max: 0.9, noNaN: true }), { nil: undefined })).map(([a, b, segment, stopProbability]) => ({
    min: Math.min(a, b),
    max: Math.max(a, b),
    segment,
    ...(stopProbability !== undefined ? { stopProbability } : {}),
  })),
);
const site = fc.record(
  {
    id,
    description: fc.string({ maxLength: 10 }),
    machineType: fc.constantFrom('turbine', 'press', 'cnc'),
    machines: fc.integer({ min: 5, max: 200 }),
    load,
    variant: fc.record({ ambientC: fc.integer({ min: -40, max: 60 }), ratedPowerKw: fc.integer({ min: 1, max: 1000 }), noise: fc.record({ temperature: fc.double({ min: 0, max: 2, noNaN: true }) }) }, { requiredKeys: [] }),
  },
  { requiredKeys: ['id'] },
);
const federation = fc.record(
  {
    name: id,
    description: fc.string({ maxLength: 20 }),
    plant: fc.constant('turbine-failure.yaml'),
    machineType: fc.constantFrom('turbine', 'press', 'cnc'),
    seed: fc.integer({ min: 0, max: 1000 }),
    model: fc.record({ window: fc.integer({ min: 2, max: 48 }), channels: fc.integer({ min: 1, max: 32 }), rulCapHours: fc.integer({ min: 1, max: 500 }), horizonHours: fc.integer({ min: 1, max: 100 }) }, { requiredKeys: [] }),
    training: fc.record({ rounds: fc.integer({ min: 1, max: 20 }), machines: fc.integer({ min: 5, max: 100 }), holdout: fc.double({ min: 0.05, max: 0.5, noNaN: true }), learningRate: fc.double({ min: 1e-5, max: 1, noNaN: true }) }, { requiredKeys: [] }),
    transport: fc.record({ roundTimeout: fc.constantFrom('30m', '1h', 60) }),
    sites: fc.uniqueArray(site, { selector: (s) => s.id, minLength: 2, maxLength: 4 }),
  },
  { requiredKeys: ['name', 'plant', 'machineType', 'sites'] },
);

function expectFederation(text: string): void {
  const r = outcome(() => parseFederation(text, file), ScenarioError);
  if (!r.ok) {
    const e = r.error as ScenarioError;
    expect(e.problems.length).toBeGreaterThan(0);
    for (const p of e.problems) {
      expect(p.message.trim()).not.toBe('');
      // Located: a line in the file, or a file of its own (the plant it names).
      expect(p.line !== undefined || p.file !== undefined || e.file !== file, `${p.path}: ${p.message}`).toBe(true);
    }
    return;
  }
  const f = r.value;
  expect(f.sites.length).toBeGreaterThanOrEqual(2);
  expect(new Set(f.sites.map((s) => s.id)).size).toBe(f.sites.length);
  expect(f.roundTimeoutMs).toBeGreaterThan(0);
  expect(Number.isFinite(f.roundTimeoutMs)).toBe(true);
  expect(f.sampleInterval).toBeGreaterThan(0);
  for (const s of f.sites) {
    expect(s.spec.components.length).toBeGreaterThan(0);
    expect(Number.isInteger(s.machines) && s.machines >= 5).toBe(true);
    if (typeof s.load === 'number') expect(s.load >= 0 && s.load <= 1).toBe(true);
    else expect(0 <= s.load.min && s.load.min <= s.load.max && s.load.max <= 1 && s.load.segment > 0).toBe(true);
  }
}

describe('federation files', () => {
  test.prop([federation], { numRuns: 60 })('a valid file is a federation with its sites, ids and loads as written', (f) => {
    const fed = parseFederation(stringify(f), file);
    expect(fed.name).toBe(f.name);
    expect(fed.sites.map((s) => s.id)).toEqual(f.sites.map((s) => s.id));
    expect(fed.sites.map((s) => s.machineType)).toEqual(f.sites.map((s) => s.machineType ?? f.machineType));
    expectFederation(stringify(f));
  });

  test.prop([fc.oneof(mutatedJson(federation, 3).map((v) => stringify(v)), mutatedText(federation.map((f) => stringify(f)), 3), fc.string({ maxLength: 100 }))], { numRuns: 150 })(
    'any text: a federation ready to run, or a ScenarioError locating every problem',
    expectFederation,
  );
});
