import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../scenarios/load.js';
import { LivePlant } from '../../runtime/view/live-plant.js';
import { projectRoot } from '../../runtime/paths.js';
import { RemoteAgents } from '../../bridges/mqtt/live/remote-agents.js';
import { startEdgeMachineServer } from '../../bridges/opcua/edge-machine-server.js';
import { MOSQUITTO, startMosquitto } from '../support/mosquitto.js';
import { onFreePort, quietOpcua } from '../support/opcua.js';
import { waitUntil } from '../support/wait.js';
import { cli } from '../support/cli.js';

quietOpcua();
const SCENARIO = join(projectRoot(), 'scenarios', 'cobot-floor.yaml');

describe.skipIf(!existsSync(MOSQUITTO))('agent-host with local fail-safes (the CLI, in process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hf-edge-cli-'));
  const closers: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of closers.reverse()) await c().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs with --journal --link-timeout --guard-machines --opcua --critical: links, takes its cobot, stops with the plant', async () => {
    const broker = await startMosquitto();
    closers.push(() => broker.stop());
    const machines = await onFreePort((port) => startEdgeMachineServer({ port, plantName: 'site', machines: [{ id: 'press-1', type: 'press', channels: ['vibRms'] }] }));
    closers.push(() => machines.close());
    machines.machines.get('press-1')!.sample({ vibRms: 2 });
    const scenario = loadScenario(SCENARIO);
    scenario.cobots!.count = 1;
    scenario.cobots!.breakdownRate = 0;
    const remote = new RemoteAgents({ plant: scenario.name, agents: 'cobot-*' });
    const plant = new LivePlant(scenario, { speed: 60, placement: remote.placement });
    closers.push(() => plant.close());
    await remote.connect(broker.url);
    remote.followClock(() => {
      const f = plant.frame();
      return { t: f.t, speed: f.speed, paused: f.paused, finished: f.finished };
    });
    const journal = join(dir, 'edge-cli.ndjson');
    const run = cli('agent-host', SCENARIO, '--agents', 'cobot-*', '--mqtt', broker.url, '--host-id', 'edge-cli', '--journal', journal, '--link-timeout', '5s', '--guard-machines', 'press-1', '--opcua', machines.endpoint, '--critical', 'vibRms>=12');
    await waitUntil('the cobot placed on the CLI host', () => remote.placements().every((p) => p.host === 'edge-cli'), 60_000);
    // The plant stops: its last clock says finished, and the host stops with it.
    await remote.close();
    const r = await run;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('agent host stopped');
    expect(r.stderr).toContain('agent host edge-cli: link isolated → resyncing (the plant is heard again)');
    expect(r.stderr).toContain('resyncing → linked');
    // No --identity/--principals: it runs, and says what that leaves open.
    expect(r.stderr).toContain('agent host edge-cli: the live link is not sealed: any client the broker lets onto the plant\'s live topics can speak for agent hosts and their agents');
    expect(JSON.parse(readFileSync(journal, 'utf8').split('\n')[0])).toMatchObject({ k: 'journal', host: 'edge-cli' });
    expect(machines.machines.get('press-1')!.running).toBe(true);
  }, 180_000);
});
