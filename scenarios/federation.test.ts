import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../runtime/paths.js';
import { loadScenario, ScenarioError } from './load.js';
import { loadFederation, parseFederation } from './federation.js';

const scenarios = join(projectRoot(), 'scenarios');
/** Files are parsed as if they lay beside the shipped scenarios, so `plant: turbine-failure.yaml` resolves. */
const file = join(scenarios, 'test-federation.yaml');

const valid = `name: t3
plant: turbine-failure.yaml
machineType: turbine
sites:
  - id: north
    load: { min: 0.9, max: 1.0, segment: 8h }
  - id: east
    load: 0.7
  - id: south
    variant: { ambientC: 40, noise: { temperature: 0.8 } }
`;

function problems(text: string): string[] {
  try {
    parseFederation(text, file);
  } catch (e) {
    if (e instanceof ScenarioError) return e.message.split('\n');
    throw e;
  }
  throw new Error('expected a ScenarioError');
}

describe('federation files', () => {
  it('every shipped federation file loads: at least three sites on a machine type with degradation physics', () => {
    const files = readdirSync(scenarios).filter((f) => f.startsWith('federation-') && f.endsWith('.yaml'));
    expect(files).toContain('federation-3-sites.yaml');
    for (const f of files) {
      const fed = loadFederation(join(scenarios, f));
      expect(fed.sites.length, f).toBeGreaterThanOrEqual(3);
      for (const s of fed.sites) expect(s.spec.components.length).toBeGreaterThan(0);
    }
  });

  it('resolves the plant, its machine type and each site: defaults, loads in seconds, variants merged into the physics', () => {
    const f = parseFederation(valid, file);
    const turbine = loadScenario(join(scenarios, 'turbine-failure.yaml')).machineTypes.turbine.degradation!;
    expect(f.plant.file).toBe(join(scenarios, 'turbine-failure.yaml'));
    expect(f.spec).toEqual(turbine);
    expect(f.model).toEqual({ window: 24, channels: 16, rulCapHours: 336, horizonHours: 48 });
    expect(f.training).toMatchObject({ rounds: 10, localEpochs: 1, machines: 60, holdout: 0.2, windowStride: 1 });
    expect(f.roundTimeoutMs).toBe(30 * 60_000);
    expect(f.sites.map((s) => [s.id, s.machines, s.load])).toEqual([
      ['north', 60, { min: 0.9, max: 1, segment: 8 * 3600 }],
      ['east', 60, 0.7],
      ['south', 60, { min: 0.6, max: 1, segment: 8 * 3600 }],
    ]);
    expect(f.sites[0].spec).toEqual(turbine);
    expect(f.sites[2].spec).toEqual({ ...turbine, ambientC: 40, noise: { ...turbine.noise, temperature: 0.8 } });
    expect(f.sites[2].variant).toBe(true);
  });

  it('errors are located: file:line:col: path: message', () => {
    expect(problems(valid.replace('load: 0.7', 'load: { min: 0.9, max: 0.5 }'))).toEqual([`${file}:8:18: sites[1].load.min: min must not exceed max`]);
    expect(problems(valid.replace('load: 0.7', 'load: 1.5'))).toEqual([`${file}:8:11: sites[1].load: Too big: expected number to be <=1`]);
    expect(problems(valid.replace('segment: 8h', 'segmnt: 8h'))).toEqual([`${file}:6:11: sites[0].load: unknown field "segmnt"`]);
    expect(problems(valid.replace('segment: 8h', 'segment: 8 fortnights'))).toEqual([expect.stringMatching(new RegExp(`^${file}:6:42: sites\\[0\\]\\.load\\.segment: "8 fortnights" is not a duration`))]);
    expect(problems(valid.replace('id: east', 'id: north'))).toEqual([`${file}:7:9: sites[1].id: site "north" is listed twice`]);
    expect(problems(valid.replace('id: east', 'id: "east/1"'))).toEqual([
      `${file}:7:9: sites[1].id: an id of 1-64 letters, digits, - and _ (it becomes an MQTT topic level)`,
    ]);
    expect(problems(valid.replace('ambientC: 40', 'ambient: 40'))).toEqual([`${file}:10:14: sites[2].variant: unknown field "ambient"`]);
    expect(problems(valid.replace('machineType: turbine', 'machineType: turbo'))).toEqual([
      `${file}:3:14: machineType: turbine-failure.yaml has no machine type "turbo" (types: turbine, press, cnc)`,
    ]);
    expect(problems(valid.replace('  - id: south\n', '  - id: south\n    machineType: nope\n'))).toEqual([
      `${file}:10:18: sites[2].machineType: turbine-failure.yaml has no machine type "nope" (types: turbine, press, cnc)`,
    ]);
    expect(problems(valid.replace('  - id: south\n', '  - id: south\n    machines: 3\n'))).toEqual([`${file}:10:15: sites[2].machines: Too small: expected number to be >=5`]);
    expect(problems(`${valid}rounds: 3\n`)).toEqual([`${file}:1:1: unknown field "rounds"`]);
    expect(problems('- a list')).toEqual([`${file}:1:1: a federation file is a YAML mapping (name, plant, machineType, sites, …)`]);
    expect(problems(valid.replace('plant: turbine-failure.yaml', 'plant: nowhere.yaml'))).toEqual([`${join(scenarios, 'nowhere.yaml')}: no such file`]);
    expect(problems('name: x\nplant: [\n')).toEqual([expect.stringMatching(new RegExp(`^${file}:3:1: Flow sequence`))]);
  });
});
