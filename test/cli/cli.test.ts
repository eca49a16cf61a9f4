import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/hyperfactory.js');

/** Runs the built CLI (npm test builds dist/ first). */
function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('hyperfactory CLI', () => {
  it('run --json prints exactly one JSON object with the run and its KPIs', () => {
    const r = cli('run', 'scenarios/factory-des.yaml', '--until', '2d', '--seed', '4', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(Object.keys(out)).toEqual(['scenario', 'seed', 'policy', 'mode', 'simulatedSeconds', 'wallSeconds', 'events', 'logHash', 'kpis']);
    expect(out).toMatchObject({ scenario: 'factory-des', seed: 4, policy: 'run-to-failure', mode: 'des', simulatedSeconds: 172800 });
    for (const k of ['unplannedDowntimeHours', 'plannedDowntimeHours', 'throughputUnits', 'oee', 'logisticsCost', 'inventoryCost', 'stockouts', 'maintenanceCost']) {
      expect(typeof out.kpis[k]).toBe('number');
    }
  });

  it('writes the event log whose SHA-256 is the logHash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hf-cli-'));
    const log = join(dir, 'run.ndjson');
    const r = cli('run', 'scenarios/factory-des.yaml', '--until', '1d', '--log', log, '--json');
    expect(r.code).toBe(0);
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(readFileSync(log)).digest('hex')).toBe(JSON.parse(r.stdout).logHash);
  });

  it.each([
    [['run', 'scenarios/missing.yaml'], /missing\.yaml: no such file/],
    [['run', 'scenarios/factory-des.yaml', '--policy', 'psychic'], /unknown policy "psychic"/],
    [['run', 'scenarios/factory-des.yaml', '--seed', 'x'], /--seed must be an integer/],
    [['run', 'scenarios/factory-des.yaml', '--until', 'later'], /--until: "later" is not a duration/],
    [['run', 'scenarios/factory-des.yaml', '--frobnicate'], /Unknown option '--frobnicate'/],
    [['run', 'scenarios/factory-des.yaml', '--log', '/nonexistent/dir/x.ndjson'], /--log: folder .* does not exist/],
    [['compare', 'scenarios/factory-des.yaml', '--policies', 'run-to-failure,nope', '--runs', '2'], /unknown policy "nope"/],
    [["run", "scenarios/supply-network.yaml", "--supply-policy", "psychic"], /unknown supply policy "psychic" \(supply policies: dynamic, daily, static\)/],
    [['compare', 'scenarios/supply-network.yaml', '--axis', 'supply', '--policies', 'dynamic,weekly', '--runs', '2'], /unknown supply policy "weekly"/],
    [['compare', 'scenarios/factory-des.yaml', '--axis', 'supply', '--policies', 'dynamic', '--runs', '2'], /--axis supply needs a scenario with an inventory/],
    [['compare', 'scenarios/factory-des.yaml', '--axis', 'weather', '--policies', 'dynamic', '--runs', '2'], /--axis must be maintenance or supply/],
    [['bench', 'nonsense'], /unknown benchmark "nonsense"/],
    [['fly'], /unknown command "fly"/],
  ])('rejects bad input %j with one clear line and exit code 2', (args, message) => {
    const r = cli(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('rejects a malformed scenario naming the file, line and field, and writes no log', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hf-cli-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, readFileSync(join(root, 'scenarios/factory-des.yaml'), 'utf8').replace('type: generic', 'type: turbo'));
    const log = join(dir, 'out.ndjson');
    const r = cli('run', file, '--log', log);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:\d+:\d+: machines\[0\]\.type: unknown machine type "turbo"/);
    expect(existsSync(log)).toBe(false);
    expect(cli('validate', file).code).toBe(2);
  });

  it('validate says what a good scenario holds', () => {
    const r = cli('validate', 'scenarios/factory-des.yaml');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/valid — scenario "factory-des", 100 machines, 10 technicians/);
  });

  it('compare --json gives mean and 95% CI per KPI per policy over worker threads', () => {
    const r = cli('compare', 'scenarios/factory-des.yaml', '--policies', 'run-to-failure', '--runs', '3', '--until', '1d', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const k = out.policies['run-to-failure'];
    expect(k.runs).toBe(3);
    const tp = k.kpis.throughputUnits;
    expect(tp.ci95[0]).toBeLessThanOrEqual(tp.mean);
    expect(tp.ci95[1]).toBeGreaterThanOrEqual(tp.mean);
    expect(tp.ci95[1]).toBeGreaterThan(tp.ci95[0]);
  });

  it('compare --axis supply runs each supply policy over the same seeds', () => {
    const r = cli('compare', 'scenarios/supply-network.yaml', '--axis', 'supply', '--policies', 'dynamic,static', '--runs', '2', '--until', '3d', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out.policies)).toEqual(['dynamic', 'static']);
    for (const p of ['dynamic', 'static']) expect(out.policies[p].kpis.logisticsCost.mean).toBeGreaterThan(0);
  });

  it('bench factory-des prints the benchmark line', () => {
    const r = cli('bench', 'factory-des', '--machines', '10', '--days', '30', '--seed', '1', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ machines: 10, technicians: 1, days: 30, horizon_s: 2592000, seed: 1 });
    expect(out.events).toBe(out.jobs_completed + out.failures + out.repairs_started + out.repairs_completed);
  });
});

describe('real-time mode', () => {
  it('writes the same event log as the discrete-event run', () => {
    const des = JSON.parse(cli('run', 'scenarios/factory-des.yaml', '--until', '6h', '--json').stdout);
    const rt = cli('run', 'scenarios/factory-des.yaml', '--until', '6h', '--speed', '43200', '--json');
    expect(rt.code).toBe(0);
    const out = JSON.parse(rt.stdout);
    expect(out.mode).toBe('realtime');
    expect(out.logHash).toBe(des.logHash);
    // 6 h at 43 200× is half a second of wall time.
    expect(out.wallSeconds).toBeGreaterThan(0.4);
  });
});
