import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario } from '../../../scenarios/load.js';
import { LivePlant } from '../../../runtime/view/live-plant.js';
import { projectRoot } from '../../../runtime/paths.js';
import type { Envelope } from '../../../agents/protocol/envelope.js';
import { startMosquitto } from '../../../test/support/mosquitto.js';
import { waitUntil } from '../../../test/support/wait.js';
import { makeFleet } from '../../../cli/commands/identity-fleet.js';
import { Principals } from '../../identity/principals.js';
import { Opener, Sealer } from '../../identity/sealed.js';
import { signEnvelope } from '../../identity/envelope-signature.js';
import { withIdentity } from '../../identity/keyring.js';
import type { SigningBus } from '../../identity/signing-bus.js';
import { mayCarry } from '../../../cli/link-flags.js';
import { MqttPort } from '../mqtt-port.js';
import { AgentHostProcess } from './agent-host-process.js';
import { encodeLive, liveTopics } from './live-messages.js';
import { RemoteAgents } from './remote-agents.js';

/**
 * Signed envelopes across processes on a real Mosquitto. The plant and an
 * agent host each sign their agents' envelopes with the agents' own keys.
 * The host may carry cobot-1..3 but holds the keys of cobot-1 and cobot-2
 * only: cobot-3's envelopes leave it unsigned and are refused there, and
 * what the host forges for cobot-3 — on a link frame that is genuinely its
 * own — is refused by the plant (unsigned, signed by the host, a signature
 * claiming cobot-3 made with the host's key). cobot-4 may be carried by no
 * host, so the plant never places it on host-a.
 */
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'signed-live-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a live run with signed envelopes', () => {
  it('delivers the host’s signed envelopes and refuses what it forges for an agent whose key it lacks', async () => {
    const scenario = loadScenario(join(projectRoot(), 'scenarios', 'cobot-floor.yaml'));
    scenario.cobots!.count = 4;
    scenario.cobots!.breakdownRate = 0;
    const fleet = makeFleet(scenario, [{ id: 'host-a', pattern: 'cobot-[1-3]' }]);
    const hostKeys = fleet.keyrings.get('host-a')!;
    expect([...hostKeys.keys()].sort()).toEqual(['cobot-1', 'cobot-2', 'cobot-3']);
    hostKeys.delete('cobot-3'); // the host was given only some of its agents' keys
    const file = join(dir, 'principals.json');
    writeFileSync(file, JSON.stringify(fleet.principals));
    const plantId = fleet.identities.get('plant')!.identity;
    const hostId = fleet.identities.get('host-a')!.identity;

    const broker = await startMosquitto();
    const plantPrincipals = new Principals(file);
    const hostPrincipals = new Principals(file);
    const plantProblems: string[] = [];
    const hostProblems: string[] = [];
    const refusedRecords: Record<string, unknown>[] = [];
    const remote = new RemoteAgents({
      plant: scenario.name,
      agents: 'cobot-*',
      onProblem: (l) => plantProblems.push(l),
      security: { sealer: new Sealer(plantId), opener: new Opener(plantPrincipals) },
      mayCarry: mayCarry(plantPrincipals),
    });
    const plant = new LivePlant(scenario, {
      speed: 60,
      placement: remote.placement,
      signing: { keyring: withIdentity(fleet.keyrings.get('plant')!, plantId), principals: plantPrincipals, onLine: (l) => plantProblems.push(l) },
    });
    plant.onRecord((r) => {
      if (r.type === 'envelope.refused') refusedRecords.push(r);
    });
    let host: AgentHostProcess | undefined;
    let forger: MqttPort | undefined;
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
        onProblem: (l) => hostProblems.push(l),
        security: { sealer: new Sealer(hostId), opener: new Opener(hostPrincipals) },
        signing: { keyring: hostKeys, principals: hostPrincipals },
      });
      const placedOn = () => Object.fromEntries(remote.placements().map((p) => [p.id, p.host]));
      await waitUntil('cobot-1..3 placed on host-a', () => ['cobot-1', 'cobot-2', 'cobot-3'].every((c) => placedOn()[c] === 'host-a'), 60_000);
      expect(placedOn()['cobot-4']).toBeUndefined(); // no host may carry it
      const bus = () => plant.context!.bus as SigningBus;
      // Good envelopes flow both ways: the host's agents' bids reach the plant, the plant's calls reach them.
      await waitUntil('signed envelopes from host-a’s cobots verified at the plant', () => remote.stats.received > 3 && host!.stats.delivered > 3 && bus().stats.verified > 3, 60_000);
      const plantDelivered: Envelope[] = [];
      plant.context!.bus.observe((e) => plantDelivered.push(e));
      const fromHostVerified = () => plantDelivered.filter((e) => e.from === 'cobot-1' || e.from === 'cobot-2').length;
      // cobot-3 bids too, but its host cannot sign for it: refused at the host as unsigned.
      await waitUntil('cobot-3 refused at its host', () => hostProblems.some((l) => /refused envelope \S+ \S+ from "cobot-3": unsigned/.test(l)), 60_000);
      await waitUntil('cobot-1 or cobot-2 delivered at the plant', () => fromHostVerified() > 0, 60_000);

      // The host forges envelopes for cobot-3 on its own, genuine link frames.
      const topics = liveTopics(scenario.name);
      forger = await MqttPort.connect({ url: broker.url, clientId: 'forger' });
      const sealer = new Sealer(hostId);
      const forged = (n: number): Envelope =>
        ({ id: `cobot-3:forged-${n}`, time: 0, from: 'cobot-3', to: 'maintenance', conversation: `forged-${n}`, type: 'repair.requested', payload: { machine: 'conveyor' } }) as Envelope;
      const post = (envelope: Envelope) => forger!.publish(topics.toPlant, sealer.seal(topics.toPlant, encodeLive({ kind: 'message', host: 'host-a', envelope })));
      const before = bus().stats.rejected;
      expect(before, `the plant refused nothing of its own:\n${plantProblems.join('\n')}`).toBe(0);
      expect(hostProblems.filter((l) => !/from "cobot-3": unsigned/.test(l)), 'the host refused only cobot-3').toEqual([]);
      await post(forged(1)); // unsigned
      await post(signEnvelope(forged(2), 'host-a', hostId.privateKey)); // signed by the host itself
      const claim = signEnvelope(forged(3), 'host-a', hostId.privateKey);
      await post({ ...claim, signature: claim.signature!.replace('ed25519:host-a:', 'ed25519:cobot-3:') }); // claims cobot-3, made with the host's key
      await waitUntil('three forgeries refused at the plant', () => bus().stats.rejected >= 3, 30_000);
      expect(bus().stats.rejected).toBe(3);
      for (const why of [
        /refused envelope repair\.requested cobot-3:forged-1 from "cobot-3": unsigned/,
        /refused envelope repair\.requested cobot-3:forged-2 from "cobot-3" signed by "host-a": not-sender: "host-a" may not speak for "cobot-3"/,
        /refused envelope repair\.requested cobot-3:forged-3 from "cobot-3" signed by "cobot-3": bad-signature/,
      ])
        expect(plantProblems.some((l) => why.test(l)), `${why} in\n${plantProblems.join('\n')}`).toBe(true);
      expect(refusedRecords).toEqual(
        expect.arrayContaining([
          { t: expect.any(Number), type: 'envelope.refused', reason: 'unsigned', from: 'cobot-3', message: 'repair.requested', id: 'cobot-3:forged-1' },
          { t: expect.any(Number), type: 'envelope.refused', reason: 'not-sender', signer: 'host-a', from: 'cobot-3', message: 'repair.requested', id: 'cobot-3:forged-2' },
          { t: expect.any(Number), type: 'envelope.refused', reason: 'bad-signature', signer: 'cobot-3', from: 'cobot-3', message: 'repair.requested', id: 'cobot-3:forged-3' },
        ]),
      );
      expect(plantDelivered.some((e) => e.id.startsWith('cobot-3:forged'))).toBe(false);
      // The link itself raised nothing: the frames were genuinely host-a's.
      expect(remote.stats.rejected, plantProblems.join('\n')).toBe(0);
    } finally {
      await forger?.close();
      await host?.close();
      await plant.close();
      await remote.close();
      plantPrincipals.close();
      hostPrincipals.close();
      await broker.stop();
    }
  }, 180_000);
});
