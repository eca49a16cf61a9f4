import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../runtime/paths.js';
import { chainFiles, readLocalLog } from '../../bridges/evm/ledger-audit.js';

/**
 * The flagship command as a user runs it (the built CLI, its default ledger:
 * the embedded Anvil), then `twin verify` / `twin history` after it ended.
 */
const root = projectRoot();
const bin = join(root, 'bin/hyperfactory.js');
let dataDir: string;
beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'serve-ledger-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('serve records to the chain by default; twin reads it after the run', () => {
  it('serve → Ctrl-C → twin verify --all --json is verified and twin history lists a machine', async () => {
    const child = spawn(process.execPath, [bin, 'serve', 'scenarios/turbine-failure.yaml', '--viewer-port', '0', '--no-mqtt', '--speed', '100000', '--chain-data', dataDir, '--identity-dir', join(dataDir, 'identity')], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while (!/Ctrl-C stops/.test(stdout) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    expect(stdout).toMatch(/ledger: twin events signed and anchored on Anvil at http:\/\/127\.0\.0\.1:\d+ .*; \d+ machines registered as twin tokens/);
    // Let the plant run long enough for twin events (×100000: about a simulated day per wall second).
    await new Promise((r) => setTimeout(r, 8000));
    // While it runs, the folder is its own: a second serve is refused; twin asks the running node.
    const second = spawnSync(process.execPath, [bin, 'serve', 'scenarios/turbine-failure.yaml', '--viewer-port', '0', '--no-mqtt', '--chain-data', dataDir, '--identity-dir', join(dataDir, 'identity')], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(second.status).toBe(2);
    expect(second.stderr).toMatch(/^hyperfactory: serve: chain data folder .* is in use by process \d+ \(node http:\/\/127\.0\.0\.1:\d+\)/);
    const during = spawnSync(process.execPath, [bin, 'twin', 'verify', '--all', '--data', dataDir, '--json'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(during.stderr).toBe('');
    expect((JSON.parse(during.stdout) as { events: number }).events).toBeGreaterThan(0);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/not anchored yet/);

    const verify = spawnSync(process.execPath, [bin, 'twin', 'verify', '--all', '--data', dataDir, '--json'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(verify.status).toBe(0);
    const report = JSON.parse(verify.stdout) as { verified: boolean; events: number; mismatches: unknown[] };
    expect(report.verified).toBe(true);
    expect(report.events).toBeGreaterThan(0);
    expect(report.mismatches).toEqual([]);
    const machine = readLocalLog(chainFiles(dataDir).outbox).events.find((e) => e.event.machine !== undefined)!.event.machine!;
    const history = spawnSync(process.execPath, [bin, 'twin', 'history', machine, '--data', dataDir], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(history.status).toBe(0);
    expect(history.stdout).toMatch(new RegExp(`^${machine}: \\d+ events\\n.*anchored #\\d+`, 's'));
  }, 120_000);
});
