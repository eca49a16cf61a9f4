import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkSolution, parseSolomon } from '../../agents/supply/routing/index.js';
import { cli } from '../../test/support/cli.js';

const C101 = fileURLToPath(new URL('../../../shared/data/solomon/C101.txt', import.meta.url));

afterEach(() => vi.restoreAllMocks());

describe('hyperfactory vrp solve', () => {
  it('--json prints {vehicles, distance, routes} that pass checkSolution', async () => {
    const r = await cli('vrp', 'solve', C101, '--iterations', '120', '--seed', '1', '--json');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['vehicles', 'distance', 'routes']);
    const inst = parseSolomon(readFileSync(C101, 'utf8'), C101);
    expect(checkSolution(inst, out.routes)).toEqual({ ok: true });
    expect(out.vehicles).toBe(out.routes.length);
    expect(out.vehicles).toBeLessThanOrEqual(11);
  }, 60_000);

  it('prints a human summary without --json and honours the time limit', async () => {
    const t = performance.now();
    const r = await cli('vrp', 'solve', C101, '--time-limit', '1');
    expect(r.code).toBe(0);
    expect(performance.now() - t).toBeLessThan(1500);
    expect(r.stdout).toMatch(/^C101: \d+ vehicles, distance [\d.]+ \(100 customers, \d+ iterations, [\d.]+ s; solution checked\)\n {2}route 1: /);
  }, 60_000);

  it.each([
    [['vrp', 'solve', 'no/such/file.txt'], /^hyperfactory: no\/such\/file\.txt: no such file\n$/],
    [['vrp', 'solve'], /^hyperfactory: vrp solve: missing FILE/],
    [['vrp', 'plan', C101], /^hyperfactory: vrp: unknown subcommand "plan"/],
    [['vrp', 'solve', C101, '--time-limit', 'x'], /^hyperfactory: --time-limit must be a number/],
    [['vrp', 'solve', C101, '--iterations', '0'], /^hyperfactory: --iterations must be an integer ≥ 1/],
    [['vrp', 'solve', C101, '--bogus'], /^hyperfactory: vrp: Unknown option '--bogus'/],
  ])('%j → exit 2 with one line', async (args, message) => {
    const r = await cli(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a malformed file → exit 2, one line naming file and line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vrp-'));
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, readFileSync(C101, 'utf8').replace(/^( +5 +42 +65 +10 +15 +67) +90/m, '$1'));
    const r = await cli('vrp', 'solve', bad, '--iterations', '5');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`hyperfactory: ${bad}:15: expected 7 columns (id x y demand ready due service), got 6\n`);
  });
});
