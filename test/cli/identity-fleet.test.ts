import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario } from '../../scenarios/load.js';
import { LivePlant } from '../../runtime/view/live-plant.js';
import { projectRoot } from '../../runtime/paths.js';
import { loadIdentity } from '../../bridges/identity/identity.js';
import { Principals } from '../../bridges/identity/principals.js';
import { Opener, Sealer } from '../../bridges/identity/sealed.js';
import { loadKeyring, withIdentity } from '../../bridges/identity/keyring.js';
import type { SigningBus } from '../../bridges/identity/signing-bus.js';
import { RemoteAgents } from '../../bridges/mqtt/live/remote-agents.js';
import { mayCarry } from '../../cli/link-flags.js';
import { startMosquitto } from '../support/mosquitto.js';
import { waitUntil } from '../support/wait.js';

/**
 * The built CLI: `identity fleet` makes every key of a scenario in one go,
 * `agent-host --keyring` signs its agents' envelopes with them and joins a
 * plant that checks every envelope, `serve --keyring` runs a plant whose own
 * agents and bridges all sign, and bad keyrings are refused in one line.
 */
const root = projectRoot();
const bin = join(root, 'bin/hyperfactory.js');
const SCENARIO = join(root, 'scenarios', 'cobot-floor.yaml');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'identity-fleet-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
/** stderr without node-opcua's import-time notice about Node's RSA padding (not ours). */
const ours = (stderr: string) => stderr.split('\n').filter((l) => l && !/NODE-OPCUA|security-revert/.test(l)).join('\n');

describe('identity fleet (built CLI)', () => {
  it('writes the principals, identities and keyrings of a scenario; never overwrites; refuses bad input in one line', () => {
    const out = join(dir, 'fleet');
    const made = cli('identity', 'fleet', SCENARIO, '--out', out, '--host', 'host-a=cobot-[1-4]', '--host', 'host-b=cobot-1[0-9]');
    expect(made.status, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/principals\.json: 31 principals \(the plant, 2 hosts, 24 agents, 4 bridges\)/);
    for (const f of ['plant.id.json', 'plant.keyring.json', 'host-a.id.json', 'host-a.keyring.json', 'host-b.id.json', 'host-b.keyring.json']) expect(statSync(join(out, f)).mode & 0o777, f).toBe(0o600);
    const doc = JSON.parse(readFileSync(join(out, 'principals.json'), 'utf8')) as { principals: Record<string, { roles: string[]; kind?: string; hosts?: string[] }> };
    expect(doc.principals.plant.roles).toEqual(['plant']);
    expect(doc.principals['host-a'].roles).toEqual(['agent-host']);
    expect(doc.principals['cobot-3']).toMatchObject({ roles: ['agent'], kind: 'cobot', hosts: ['host-a'] });
    expect(doc.principals['cobot-12']).toMatchObject({ hosts: ['host-b'] });
    expect(doc.principals['cobot-20']).toMatchObject({ hosts: [] });
    expect(doc.principals.robotics).toMatchObject({ roles: ['agent'], kind: 'robotics', hosts: [] });
    for (const b of ['erp', 'operator', 'customers', 'predictor']) expect(doc.principals[b].roles).toEqual(['bridge']);
    const principals = new Principals(join(out, 'principals.json'));
    principals.close();
    expect([...loadKeyring(join(out, 'host-a.keyring.json')).keys()]).toEqual(['cobot-1', 'cobot-2', 'cobot-3', 'cobot-4']);
    const plantKeys = [...loadKeyring(join(out, 'plant.keyring.json')).keys()];
    expect(plantKeys).toEqual(expect.arrayContaining(['conveyor', 'tech-1', 'maintenance', 'robotics', 'cobot-20', 'erp', 'operator']));
    expect(plantKeys).not.toContain('cobot-1');
    expect(loadIdentity(join(out, 'host-b.id.json')).id).toBe('host-b');

    const again = cli('identity', 'fleet', SCENARIO, '--out', out);
    expect(again.status).toBe(2);
    expect(ours(again.stderr)).toBe(`hyperfactory: identity fleet: ${join(out, 'principals.json')} exists; a key is never overwritten`);
    const badHost = cli('identity', 'fleet', SCENARIO, '--out', join(dir, 'x'), '--host', 'host-a=cobot-[');
    expect(badHost.status).toBe(2);
    expect(ours(badHost.stderr)).toBe('hyperfactory: identity fleet: --host host-a: agent pattern "cobot-[": "[" without "]"');
    expect(existsSync(join(dir, 'x'))).toBe(false);

    chmodSync(join(out, 'host-b.keyring.json'), 0o640);
    const loose = cli('agent-host', SCENARIO, '--agents', 'cobot-*', '--mqtt', 'mqtt://127.0.0.1:1', '--host-id', 'host-b', '--identity', join(out, 'host-b.id.json'), '--principals', join(out, 'principals.json'), '--keyring', join(out, 'host-b.keyring.json'));
    expect(loose.status).toBe(2);
    expect(ours(loose.stderr)).toBe(`hyperfactory: keyring file ${join(out, 'host-b.keyring.json')}: readable by group or others (mode 640); it holds private keys: chmod 600 it`);
    const noLink = cli('agent-host', SCENARIO, '--agents', 'cobot-*', '--mqtt', 'mqtt://127.0.0.1:1', '--keyring', join(out, 'host-a.keyring.json'));
    expect(ours(noLink.stderr)).toBe('hyperfactory: --keyring goes with --identity and --principals');
  }, 240_000);

  it('agent-host --keyring signs its agents’ envelopes; the plant verifies every one', async () => {
    const out = join(dir, 'fleet');
    const scenario = loadScenario(SCENARIO);
    scenario.cobots!.count = 4;
    const plantPrincipals = new Principals(join(out, 'principals.json'));
    const plantId = loadIdentity(join(out, 'plant.id.json'));
    const broker = await startMosquitto();
    const problems: string[] = [];
    const remote = new RemoteAgents({ plant: scenario.name, agents: 'cobot-*', onProblem: (l) => problems.push(l), security: { sealer: new Sealer(plantId), opener: new Opener(plantPrincipals) }, mayCarry: mayCarry(plantPrincipals) });
    const plant = new LivePlant(scenario, { speed: 60, placement: remote.placement, signing: { keyring: withIdentity(loadKeyring(join(out, 'plant.keyring.json')), plantId), principals: plantPrincipals, onLine: (l) => problems.push(l) } });
    const args = ['agent-host', SCENARIO, '--agents', 'cobot-*', '--mqtt', broker.url, '--host-id', 'host-a', '--identity', join(out, 'host-a.id.json'), '--principals', join(out, 'principals.json'), '--keyring', join(out, 'host-a.keyring.json')];
    const host = spawn(process.execPath, [bin, ...args], { cwd: root });
    let output = '';
    host.stdout.on('data', (d: Buffer) => (output += d.toString()));
    host.stderr.on('data', (d: Buffer) => (output += d.toString()));
    try {
      await remote.connect(broker.url);
      remote.followClock(() => {
        const f = plant.frame();
        return { t: f.t, speed: f.speed, paused: f.paused, finished: f.finished };
      });
      await waitUntil('the four cobots on host-a', () => remote.placements().length === 4 && remote.placements().every((p) => p.host === 'host-a'), 90_000);
      const fromHost: string[] = [];
      plant.context!.bus.observe((e) => {
        if (/^cobot-[1-4]$/.test(e.from)) fromHost.push(e.signature!.split(':')[1]);
      });
      await waitUntil('envelopes of host-a’s cobots verified at the plant', () => fromHost.length > 3, 90_000);
      expect(new Set(fromHost).size).toBeGreaterThan(0);
      expect(fromHost.every((s) => /^cobot-[1-4]$/.test(s))).toBe(true);
      expect((plant.context!.bus as SigningBus).stats.rejected, problems.join('\n')).toBe(0);
      expect(output).not.toMatch(/refused/);
    } finally {
      host.kill('SIGINT');
      await new Promise((r) => host.once('exit', r));
      await plant.close();
      await remote.close();
      plantPrincipals.close();
      await broker.stop();
    }
  }, 240_000);

  it('serve --keyring: every agent and bridge of the plant’s keyring signs; only agents without a key here are refused', async () => {
    const out = join(dir, 'fleet');
    const log = join(dir, 'serve.ndjson');
    const args = ['serve', SCENARIO, '--no-mqtt', '--viewer-port', '0', '--speed', '3600', '--log', log, '--identity', join(out, 'plant.id.json'), '--principals', join(out, 'principals.json'), '--keyring', join(out, 'plant.keyring.json')];
    // host-a's and host-b's cobots have no key here: without --remote-agents the plant runs them and refuses their envelopes.
    const serve = spawn(process.execPath, [bin, ...args], { cwd: root });
    let stdout = '';
    let stderr = '';
    serve.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    serve.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      await waitUntil('serve up', () => /Ctrl-C stops/.test(stdout) || serve.exitCode !== null, 120_000);
      expect(stdout).toMatch(/envelopes: signed with the 15 keys of .*plant\.keyring\.json, checked against .*principals\.json/);
      await waitUntil('refusals of the cobots without a key here', () => /refused envelope \S+ \S+ from "cobot-1": unsigned/.test(stderr), 120_000);
    } finally {
      serve.kill('SIGINT');
      await new Promise((r) => serve.once('exit', r));
    }
    const lines = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; from?: string; reason?: string });
    const refused = lines.filter((r) => r.type === 'envelope.refused');
    expect(refused.length).toBeGreaterThan(0);
    // Only the hosts' cobots were refused: every agent and bridge of the plant's keyring signed.
    expect(refused.filter((r) => !/^cobot-(1?[0-9])$/.test(r.from ?? '') || r.reason !== 'unsigned')).toEqual([]);
    expect(lines.some((r) => r.type === 'task.cfp' && r.from?.startsWith('robotics/'))).toBe(true);
    expect(lines.some((r) => r.from === 'cobot-20')).toBe(true);
  }, 240_000);
});
