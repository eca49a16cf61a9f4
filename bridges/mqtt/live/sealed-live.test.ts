import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario } from '../../../scenarios/load.js';
import { LivePlant } from '../../../runtime/view/live-plant.js';
import { projectRoot } from '../../../runtime/paths.js';
import { waitUntil } from '../../../test/support/wait.js';
import { newIdentity } from '../../identity/identity.js';
import { Principals } from '../../identity/principals.js';
import { Opener, Sealer } from '../../identity/sealed.js';
import { EmbeddedBroker } from '../embedded-broker.js';
import { MqttPort } from '../mqtt-port.js';
import { AgentHostProcess } from './agent-host-process.js';
import { encodeLive, liveTopics } from './live-messages.js';
import { RemoteAgents } from './remote-agents.js';
import { startTcpProxy } from '../../../test/support/tcp-proxy.js';

/**
 * A live run whose plant and agent host seal every message (Ed25519, each its
 * own key) and accept only sealed frames from principals in the right role.
 * An intruder on the broker — unsigned, with a key the file does not know,
 * posing as another host, or a host revoked while the run goes on — is
 * refused and reported, and the run carries on.
 */
const plantId = newIdentity('plant', ['plant']);
const hostA = newIdentity('host-a', ['agent-host']);
const hostB = newIdentity('host-b', ['agent-host']);
const intruder = newIdentity('host-b', ['agent-host']); // claims host-b, holds another key

let dir: string;
let file: string;
const writePrincipals = (revoked: string[] = []) =>
  writeFileSync(file, JSON.stringify({ version: 1, principals: { plant: plantId.principal, 'host-a': hostA.principal, 'host-b': hostB.principal }, revoked }));
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sealed-live-'));
  file = join(dir, 'principals.json');
  writePrincipals();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a live run on a sealed link', () => {
  it('runs with sealed messages, refuses forged ones, and drops a host revoked mid-run', async () => {
    const broker = await EmbeddedBroker.start();
    const scenario = loadScenario(join(projectRoot(), 'scenarios', 'cobot-floor.yaml'));
    scenario.cobots!.count = 2;
    scenario.cobots!.breakdownRate = 0;
    const plantPrincipals = new Principals(file);
    const hostPrincipals = new Principals(file);
    const problems: string[] = [];
    const remote = new RemoteAgents({ plant: scenario.name, agents: 'cobot-*', onProblem: (l) => problems.push(l), security: { sealer: new Sealer(plantId.identity), opener: new Opener(plantPrincipals) } });
    const plant = new LivePlant(scenario, { speed: 60, placement: remote.placement });
    let host: AgentHostProcess | undefined;
    let spy: MqttPort | undefined;
    try {
      await remote.connect(broker.url);
      remote.followClock(() => {
        const f = plant.frame();
        return { t: f.t, speed: f.speed, paused: f.paused, finished: f.finished };
      });
      host = await AgentHostProcess.start({
        url: broker.url,
        plant: scenario.name,
        host: 'host-a',
        agents: 'cobot-*',
        horizon: scenario.horizon,
        onProblem: (l) => problems.push(l),
        security: { sealer: new Sealer(hostA.identity), opener: new Opener(hostPrincipals) },
      });
      await waitUntil('the cobots placed on host-a', () => remote.placements().length === 2 && remote.placements().every((p) => p.host === 'host-a'), 30_000);
      await waitUntil('traffic both ways', () => remote.stats.received > 5 && host!.stats.delivered > 5, 30_000);
      expect(remote.stats.rejected).toBe(0);
      expect(host.stats.rejected).toBe(0);

      // The intruder's attempts, each refused with its reason.
      const topics = liveTopics(scenario.name);
      spy = await MqttPort.connect({ url: broker.url, clientId: 'intruder' });
      const state = (h: string) => encodeLive({ kind: 'state', host: h, agent: 'cobot-1', state: 'hijacked' });
      await spy.publish(topics.toPlant, state('host-a')); // unsigned
      await spy.publish(topics.toPlant, new Sealer(intruder.identity).seal(topics.toPlant, state('host-b'))); // wrong key for host-b
      await spy.publish(topics.toPlant, new Sealer(hostB.identity).seal(topics.toPlant, state('host-a'))); // host-b posing as host-a
      await spy.publish(topics.clock, new Sealer(hostB.identity).seal(topics.clock, encodeLive({ run: 0, t: 0, wallMs: Date.now(), speed: 1, paused: true, finished: true }))); // a host posing as the plant
      await waitUntil('four refusals', () => remote.stats.rejected >= 3 && host!.stats.rejected >= 1, 10_000);
      const refused = problems.filter((p) => /refused/.test(p));
      for (const why of [
        /live run: refused message from a host: malformed: not a sealed frame/,
        /live run: refused message from a host: bad-signature: the signature is not "host-b"'s/,
        /live run: refused message from "host-b" claiming to be host "host-a"/,
        /agent host host-a: refused plant clock: role: "host-b" is not a plant/,
      ])
        expect(refused.some((p) => why.test(p)), `${why} in\n${refused.join('\n')}`).toBe(true);
      expect(plant.context?.host.get('cobot-1')?.state()).not.toBe('hijacked');

      // Revoke host-a in the file: the plant refuses its next messages without a restart.
      const before = remote.stats.received;
      writePrincipals(['host-a']);
      plantPrincipals.reload();
      await waitUntil('host-a refused as revoked', () => problems.some((p) => /revoked/.test(p)), 15_000);
      const after = remote.stats.received;
      await new Promise((r) => setTimeout(r, 500));
      expect(remote.stats.received).toBe(after);
      expect(after).toBeGreaterThanOrEqual(before);
    } finally {
      await spy?.close();
      await host?.close();
      await plant.close();
      await remote.close();
      plantPrincipals.close();
      hostPrincipals.close();
      await broker.stop();
    }
  }, 90_000);

  it('ignores a will replayed after the host came back: each connection’s will names its own session', async () => {
    writePrincipals();
    const broker = await EmbeddedBroker.start();
    const proxy = await startTcpProxy({ port: Number(new URL(broker.url).port) });
    const scenario = loadScenario(join(projectRoot(), 'scenarios', 'cobot-floor.yaml'));
    scenario.cobots!.count = 2;
    scenario.cobots!.breakdownRate = 0;
    const principals = new Principals(file);
    const problems: string[] = [];
    const remote = new RemoteAgents({ plant: scenario.name, agents: 'cobot-*', onProblem: (l) => problems.push(l), security: { sealer: new Sealer(plantId.identity), opener: new Opener(principals) } });
    const plant = new LivePlant(scenario, { speed: 60, placement: remote.placement });
    let host: AgentHostProcess | undefined;
    let spy: MqttPort | undefined;
    try {
      await remote.connect(broker.url);
      remote.followClock(() => {
        const f = plant.frame();
        return { t: f.t, speed: f.speed, paused: f.paused, finished: f.finished };
      });
      const topics = liveTopics(scenario.name);
      // Someone on the broker records the host's status frames, wills included.
      spy = await MqttPort.connect({ url: broker.url, clientId: 'recorder' });
      const frames: Uint8Array[] = [];
      await spy.subscribe(topics.status('host-a'), (_t, bytes) => void frames.push(Uint8Array.from(bytes)));
      host = await AgentHostProcess.start({
        url: `mqtt://127.0.0.1:${proxy.port}`,
        plant: scenario.name,
        host: 'host-a',
        agents: 'cobot-*',
        horizon: scenario.horizon,
        onProblem: (l) => problems.push(l),
        security: { sealer: new Sealer(hostA.identity), opener: new Opener(principals) },
      });
      const placed = () => remote.placements().length === 2 && remote.placements().every((p) => p.host === 'host-a');
      await waitUntil('the cobots placed on host-a', placed, 30_000);

      // The link drops: the broker publishes the will, the plant loses the host; it comes back and is given its cobots again.
      proxy.cut();
      await waitUntil('host-a lost', () => remote.stats.lost >= 2, 30_000);
      proxy.restore();
      await waitUntil('host-a back with its cobots', placed, 60_000);
      const state = (frame: Uint8Array) => (JSON.parse((JSON.parse(Buffer.from(frame).toString()) as { body: string }).body) as { state: string }).state;
      const will = frames.find((f) => state(f) === 'offline');
      expect(will, 'the recorded will').toBeDefined();

      // The recorded will, sent again: sealed by host-a, but of a session the host has left. Ignored.
      const lostBefore = remote.stats.lost;
      await spy.publish(topics.status('host-a'), will!, { retain: true });
      await waitUntil('the replayed will refused', () => problems.some((p) => /offline for session .* not its current one/.test(p)), 15_000);
      expect(remote.stats.lost).toBe(lostBefore);
      expect(placed()).toBe(true);
    } finally {
      await spy?.close();
      await host?.close();
      await plant.close();
      await remote.close();
      principals.close();
      await proxy.close();
      await broker.stop();
    }
  }, 120_000);
});
