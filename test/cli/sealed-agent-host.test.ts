import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario } from '../../scenarios/load.js';
import { LivePlant } from '../../runtime/view/live-plant.js';
import { projectRoot } from '../../runtime/paths.js';
import { loadIdentity } from '../../bridges/identity/identity.js';
import { Principals } from '../../bridges/identity/principals.js';
import { Opener, Sealer } from '../../bridges/identity/sealed.js';
import { EmbeddedBroker } from '../../bridges/mqtt/embedded-broker.js';
import { RemoteAgents } from '../../bridges/mqtt/live/remote-agents.js';
import { waitUntil } from '../support/wait.js';

/** The built CLI: `identity new` makes the keys, `agent-host --identity --principals` joins a sealed plant. */
const root = projectRoot();
const bin = join(root, 'bin/hyperfactory.js');
const SCENARIO = join(root, 'scenarios', 'cobot-floor.yaml');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sealed-host-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });

describe('agent-host on a sealed link (built CLI)', () => {
  it('joins the plant with its own key; a host id that is not its identity is refused', async () => {
    const principals: Record<string, unknown> = {};
    for (const [id, role] of [['plant', 'plant'], ['host-a', 'agent-host']] as const) {
      const made = cli('identity', 'new', id, '--role', role, '--out', join(dir, `${id}.json`));
      expect(made.status, made.stderr).toBe(0);
      Object.assign(principals, JSON.parse(made.stdout) as object);
      expect(statSync(join(dir, `${id}.json`)).mode & 0o777).toBe(0o600);
    }
    expect(cli('identity', 'new', 'plant', '--role', 'plant', '--out', join(dir, 'plant.json'))).toMatchObject({ status: 2, stderr: expect.stringMatching(/exists; a key is never overwritten/) });
    const file = join(dir, 'principals.json');
    writeFileSync(file, JSON.stringify({ version: 1, principals }));

    const broker = await EmbeddedBroker.start();
    const scenario = loadScenario(SCENARIO);
    scenario.cobots!.count = 2;
    const plantPrincipals = new Principals(file);
    const problems: string[] = [];
    const remote = new RemoteAgents({
      plant: scenario.name,
      agents: 'cobot-*',
      onProblem: (l) => problems.push(l),
      security: { sealer: new Sealer(loadIdentity(join(dir, 'plant.json'))), opener: new Opener(plantPrincipals) },
    });
    const plant = new LivePlant(scenario, { speed: 60, placement: remote.placement });
    const host = spawn(process.execPath, [bin, 'agent-host', SCENARIO, '--agents', 'cobot-*', '--mqtt', broker.url, '--host-id', 'host-a', '--identity', join(dir, 'host-a.json'), '--principals', file], { cwd: root });
    let output = '';
    host.stdout.on('data', (d: Buffer) => (output += d.toString()));
    host.stderr.on('data', (d: Buffer) => (output += d.toString()));
    try {
      await remote.connect(broker.url);
      remote.followClock(() => {
        const f = plant.frame();
        return { t: f.t, speed: f.speed, paused: f.paused, finished: f.finished };
      });
      await waitUntil('the cobots on host-a', () => remote.placements().length === 2 && remote.placements().every((p) => p.host === 'host-a'), 60_000);
      await waitUntil('the host’s agents talking', () => remote.stats.received > 3, 30_000);
      expect(remote.stats.rejected, problems.join('\n')).toBe(0);

      const wrong = cli('agent-host', SCENARIO, '--agents', 'cobot-*', '--mqtt', broker.url, '--host-id', 'host-b', '--identity', join(dir, 'host-a.json'), '--principals', file);
      expect(wrong.status).toBe(2);
      expect(wrong.stderr).toBe('hyperfactory: --identity is "host-a" but --host-id is "host-b": a host speaks as its own principal\n');
      expect(readFileSync(join(dir, 'host-a.json'), 'utf8')).toMatch(/BEGIN PRIVATE KEY/);
    } finally {
      host.kill('SIGINT');
      await new Promise((r) => host.once('exit', r));
      await plant.close();
      await remote.close();
      plantPrincipals.close();
      await broker.stop();
    }
    expect(output).toMatch(/agent host host-a for cobot-floor/);
    expect(output).not.toMatch(/not sealed/);
  }, 120_000);
});
