import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseMap, parseScenario, validatePaths, type XY } from '../../world/planning/mapf/index.js';
import { cli } from '../../test/support/cli.js';

const data = fileURLToPath(new URL('../../../shared/data/mapf/', import.meta.url));
const MAP = `${data}random-32-32-10.map`;
const SCEN = `${data}random-32-32-10-random-1.scen`;

afterEach(() => vi.restoreAllMocks());

describe('hyperfactory mapf solve', () => {
  it('--json prints one object whose paths pass the validator', async () => {
    const r = await cli('mapf', 'solve', '--map', MAP, '--scen', SCEN, '--agents', '30', '--time-limit', '0.5', '--json');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['solved', 'agents', 'sumOfCosts', 'makespan', 'runtimeSeconds', 'paths']);
    expect(out).toMatchObject({ solved: true, agents: 30 });
    const { grid } = parseMap(readFileSync(MAP, 'utf8'), MAP);
    const agents = parseScenario(readFileSync(SCEN, 'utf8'), SCEN).slice(0, 30);
    const starts = agents.map((a): XY => [a.start.x, a.start.y]);
    const goals = agents.map((a): XY => [a.goal.x, a.goal.y]);
    expect(validatePaths(grid, starts, goals, out.paths)).toEqual([]);
    expect(out.sumOfCosts).toBe(out.paths.reduce((s: number, p: XY[]) => s + p.length - 1, 0));
    expect(out.makespan).toBe(Math.max(...out.paths.map((p: XY[]) => p.length - 1)));
  });

  it('prints a short human summary without --json', async () => {
    const r = await cli('mapf', 'solve', '--map', MAP, '--scen', SCEN, '--agents', '10', '--first-solution');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^solved: 10 agents in [\d.]+ s/);
    expect(r.stdout).toMatch(/sum of costs \d+ \(lower bound \d+, ratio [\d.]+/);
  });

  it.each([
    [['mapf', 'solve', '--scen', SCEN], /mapf solve: missing --map FILE/],
    [['mapf', 'solve', '--map', 'nope.map', '--scen', SCEN], /nope\.map: no such file/],
    [['mapf', 'plan'], /unknown subcommand "plan"/],
    [['mapf', 'solve', '--map', MAP, '--scen', SCEN, '--agents', '999'], /asked for 999 agents but the scenario has only 461/],
    [['mapf', 'solve', '--map', MAP, '--scen', SCEN, '--agents', 'many'], /--agents must be an integer ≥ 1/],
    [['mapf', 'solve', '--map', MAP, '--scen', SCEN, '--time-limit', 'soon'], /--time-limit must be a number ≥ 0/],
    [['mapf', 'solve', '--map', `${data}empty-16-16.map`, '--scen', SCEN], /random-1\.scen:2: map size 32 × 32 does not match .*empty-16-16\.map/],
  ])('rejects bad input %j with one line on stderr and exit code 2', async (args, message) => {
    const r = await cli(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  });

  it('names file and line of a malformed map', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hf-mapf-'));
    const bad = join(dir, 'bad.map');
    writeFileSync(bad, 'type octile\nheight 2\nwidth 2\nmap\n..\n.?\n');
    const r = await cli('mapf', 'solve', '--map', bad, '--scen', SCEN);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.map:6: unknown map character "\?" at column 2/);
  });
});
