import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedBroker } from '../../../../bridges/mqtt/embedded-broker.js';
import { MqttPort } from '../../../../bridges/mqtt/mqtt-port.js';
import { projectRoot } from '../../../../runtime/paths.js';
import { loadFederation } from '../../../../scenarios/federation.js';
import { startMosquitto } from '../../../../test/support/mosquitto.js';
import { federationAcl, participantUser } from './federation-acl.js';
import { runFederation } from './federation-run.js';
import { decodeMessage, topics } from './messages.js';
import { cli } from '../../../../test/support/cli.js';

const federation = loadFederation(join(projectRoot(), 'scenarios', 'federation-3-sites.yaml'));
const FED = federation.name;
const SITES = federation.sites.map((s) => s.id);
const password = (user: string) => `${user}-secret`;
const AUDITOR = 'auditor';

// One password file and one ACL, for both brokers: the generated federation ACL plus an auditor who reads everything.
const dir = mkdtempSync(join(tmpdir(), 'hf-federation-acl-'));
chmodSync(dir, 0o755); // Mosquitto drops root and must still read the files
const passwordFile = join(dir, 'passwd');
const aclFile = join(dir, 'acl');
writeFileSync(passwordFile, '');
for (const user of [participantUser.aggregator(FED), ...SITES.map((s) => participantUser.site(FED, s)), AUDITOR]) {
  execFileSync('mosquitto_passwd', ['-b', passwordFile, user, password(user)]);
}
writeFileSync(aclFile, `${federationAcl(FED, SITES)}\nuser ${AUDITOR}\ntopic read #\n`);
for (const f of [passwordFile, aclFile]) chmodSync(f, 0o644);

const brokers = {
  mosquitto: async () => {
    const m = await startMosquitto({ passwordFile, aclFile });
    return { url: m.url, stop: m.stop };
  },
  embedded: async () => {
    const b = await EmbeddedBroker.start({ access: { passwordFile, aclFile } });
    return { url: b.url, stop: () => b.stop() };
  },
};

const connectAs = (url: string, user: string, clientId = user) => MqttPort.connect({ url, clientId, connectTimeoutMs: 5000, credentials: { username: user, password: password(user) }, onError: () => {} });

describe.each(Object.keys(brokers) as (keyof typeof brokers)[])('telemetry stays on the site: the federation ACL on %s', (kind) => {
  it('the federation trains under the ACL; a site cannot send telemetry, speak for another site, fake the global model or read another site’s weights', async () => {
    const broker = await brokers[kind]();
    const ports: MqttPort[] = [];
    try {
      const auditor = await connectAs(broker.url, AUDITOR);
      ports.push(auditor);
      const seen: { topic: string; bytes: Uint8Array }[] = [];
      await auditor.subscribe('#', (topic, bytes) => seen.push({ topic, bytes: Uint8Array.from(bytes) }));

      // A site's own credentials, used for what the ACL must stop.
      const north = participantUser.site(FED, 'north');
      const probe = await connectAs(broker.url, north, `${north}-probe`);
      ports.push(probe);
      const overheard: string[] = [];
      await probe.subscribe(topics.update(FED, '+'), (topic) => overheard.push(topic)).catch(() => {}); // the embedded broker refuses it outright
      const attempts = [
        { topic: 'hyperfactory/v1/turbine-failure/telemetry/turbine-1', bytes: new TextEncoder().encode('{"vibration":4.2}') },
        { topic: topics.update(FED, 'east'), bytes: new TextEncoder().encode('not east') },
        { topic: topics.global(FED), bytes: new TextEncoder().encode('fake global') },
        { topic: `hyperfactory/federation/${FED}/raw/north`, bytes: new TextEncoder().encode('windows') },
      ];
      for (const a of attempts) await probe.publish(a.topic, a.bytes).catch(() => {}); // MQTT 5 says "not authorized" in its PUBACK; 3.1.1 cannot

      const { report } = await runFederation(federation, {
        connect: async (clientId) => {
          const port = await connectAs(broker.url, clientId);
          ports.push(port);
          return port;
        },
        rounds: 1,
        machines: 6,
        localSteps: 2,
        timeoutMs: 120_000,
      }, 'test');
      expect(report.history).toHaveLength(1);
      expect(report.rejected).toEqual([]);

      // Everything that crossed the broker is a federation frame on its own topic: statistics, weights, the call.
      const topicsSeen = new Set(seen.map((s) => s.topic));
      for (const a of attempts) expect(topicsSeen.has(a.topic) && seen.some((s) => Buffer.from(s.bytes).equals(Buffer.from(a.bytes)))).toBe(false);
      const kinds = new Set(seen.map((s) => decodeMessage(s.bytes).header.type));
      expect([...kinds].sort()).toEqual(['call', 'global', 'stats', 'update']);
      for (const s of seen) {
        const h = decodeMessage(s.bytes).header;
        if (h.type === 'update' || h.type === 'stats') expect(s.topic).toBe(h.type === 'update' ? topics.update(FED, h.site) : topics.stats(FED, h.site));
      }
      expect(seen.filter((s) => s.topic.includes('/update/'))).toHaveLength(SITES.length);
      // The site's credentials never heard another site's weights.
      expect(overheard).toEqual([]);
    } finally {
      for (const p of ports) await p.close().catch(() => {});
      await broker.stop();
    }
  }, 240_000);
});

describe('hyperfactory pdm federation-acl', () => {
  it('prints the ACL the brokers above enforce, and names a missing flag', async () => {
    const file = join(projectRoot(), 'scenarios', 'federation-3-sites.yaml');
    const r = await cli('pdm', 'federation-acl', '--federation', file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(federationAcl(FED, SITES));
    expect(r.stdout).toContain(`user ${FED}-site-north\ntopic read ${topics.global(FED)}\ntopic write ${topics.stats(FED, 'north')}\ntopic write ${topics.update(FED, 'north')}\n`);
    expect(await cli('pdm', 'federation-acl')).toMatchObject({ code: 2, stderr: 'hyperfactory: pdm federation-acl: --federation FILE is required\n' });
  });
});
