import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenario, parseScenario } from './load.js';
import { problemsOf } from '../test/support/scenario-problems.js';

const dir = fileURLToPath(new URL('.', import.meta.url));


const minimal = `name: t
horizon: 1d
machineTypes:
  lathe:
    processTime: { dist: exponential, mean: 600 }
    timeToFailure: { dist: weibull, shape: 2, scale: 8h }
    repairTime: { dist: constant, value: 1h }
machines:
  - { id: lathe, type: lathe, count: 2 }
technicians: { count: 1 }
`;

describe('scenario loader', () => {
  it('accepts every shipped scenario', () => {
    // federation-*.yaml are federated-learning files (their own schema and test).
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.yaml') && !f.startsWith('federation-'))) expect(() => loadScenario(`${dir}/${f}`), f).not.toThrow();
  });

  it('reads durations with units, in fields and in distributions', () => {
    const s = parseScenario(minimal, 'plant.yaml');
    expect(s.horizon).toBe(86400);
    expect(s.machineTypes.lathe.timeToFailure).toEqual({ dist: 'weibull', shape: 2, scale: 28800 });
    expect(s.machineTypes.lathe.repairTime).toEqual({ dist: 'constant', value: 3600 });
  });

  it('names the line, the path and the problem of a wrong reference', () => {
    const [p] = problemsOf(minimal.replace('type: lathe, count', 'type: mill, count'));
    expect(p).toMatchObject({ path: 'machines[0].type', line: 9 });
    expect(p.message).toMatch(/unknown machine type "mill"/);
  });

  it('names unknown fields and wrong types', () => {
    const problems = problemsOf(minimal.replace('technicians: { count: 1 }', 'technicians: { count: two, colour: red }'));
    expect(problems.map((p) => p.path)).toEqual(expect.arrayContaining(['technicians.count', 'technicians']));
    expect(problems.find((p) => p.path === 'technicians')!.message).toMatch(/unknown field "colour"/);
  });

  it('rejects a bad duration with its place', () => {
    const [p] = problemsOf(minimal.replace('horizon: 1d', 'horizon: soon'));
    expect(p).toMatchObject({ path: 'horizon', line: 2 });
    expect(p.message).toMatch(/not a duration/);
  });

  it('refuses distributions whose bounds are out of order, naming the field (they used to sample NaN or values outside the bounds)', () => {
    const triangular = problemsOf(minimal.replace('{ dist: constant, value: 1h }', '{ dist: triangular, min: 2h, mode: 1h, max: 3h }'));
    expect(triangular).toHaveLength(1);
    expect(triangular[0]).toMatchObject({ path: 'machineTypes.lathe.repairTime.mode', line: 7 });
    expect(triangular[0].message).toMatch(/mode must lie between min and max/);
    const flat = problemsOf(minimal.replace('{ dist: constant, value: 1h }', '{ dist: triangular, min: 1h, mode: 1h, max: 1h }'));
    expect(flat[0]).toMatchObject({ path: 'machineTypes.lathe.repairTime.max' });
    expect(flat[0].message).toMatch(/use constant/);
    const uniform = problemsOf(minimal.replace('{ dist: constant, value: 1h }', '{ dist: uniform, min: 2h, max: 1h }'));
    expect(uniform[0]).toMatchObject({ path: 'machineTypes.lathe.repairTime.max' });
    expect(uniform[0].message).toMatch(/min must not exceed max/);
  });

  it('reports YAML syntax errors with their line', () => {
    const [p] = problemsOf('name: t\nhorizon: [1d\n');
    expect(p.line).toBeGreaterThan(0);
  });

  it('rejects a document that is not a mapping, and a missing file, without a stack trace', () => {
    expect(problemsOf('- a\n- b\n')[0].message).toMatch(/YAML mapping/);
    expect(() => loadScenario('/nonexistent/plant.yaml')).toThrow(/no such file/);
    // A device would be read for ever: refused at once.
    expect(() => loadScenario('/dev/zero')).toThrow(/\/dev\/zero: not a regular file/);
  });

  it('checks a policy has its parameters', () => {
    const [p] = problemsOf(minimal + 'maintenance: { policy: condition-based }\n');
    expect(p).toMatchObject({ path: 'maintenance.threshold' });
  });
});
