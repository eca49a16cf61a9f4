import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedBroker } from '../embedded-broker.js';
import { MqttPort, type MqttCredentials } from '../mqtt-port.js';
import { startMosquitto } from '../../../test/support/mosquitto.js';
import { AclFile } from './acl-file.js';
import { AccessFileError, PasswordFile } from './password-file.js';

/**
 * One access policy — a mosquitto_passwd file and a Mosquitto ACL file — on
 * a real Mosquitto and on the embedded broker: the same clients are let in,
 * the same publishes and subscriptions refused, and an edited ACL applies
 * without a restart (a SIGHUP for Mosquitto; the embedded broker watches).
 */
const ACL = `
# anonymous clients: nothing
user plant
topic readwrite hyperfactory/#
topic read clients/#
user viewer
topic read hyperfactory/+/telemetry/#
topic deny hyperfactory/+/telemetry/secret
pattern write clients/%u/#
`;

let dir: string;
let passwordFile: string;
let aclFile: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'broker-access-'));
  passwordFile = join(dir, 'passwd');
  aclFile = join(dir, 'acl');
  writeFileSync(passwordFile, '');
  execFileSync('mosquitto_passwd', ['-b', passwordFile, 'plant', 'plant-secret']);
  execFileSync('mosquitto_passwd', ['-b', passwordFile, 'viewer', 'viewer-secret']);
  writeFileSync(aclFile, ACL);
  // Mosquitto reads them after dropping root for its own user.
  chmodSync(dir, 0o755);
  for (const f of [passwordFile, aclFile]) chmodSync(f, 0o644);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const enc = (s: string) => new TextEncoder().encode(s);

/** Messages a port receives on `filter`, as "topic payload" lines. */
async function collect(port: MqttPort, filter: string): Promise<string[]> {
  const got: string[] = [];
  await port.subscribe(filter, (topic, payload) => got.push(`${topic} ${Buffer.from(payload).toString()}`));
  return got;
}

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const brokers = {
  mosquitto: async () => {
    const m = await startMosquitto({ passwordFile, aclFile });
    return { url: m.url, reload: m.reload, stop: m.stop };
  },
  embedded: async () => {
    const b = await EmbeddedBroker.start({ access: { passwordFile, aclFile } });
    return { url: b.url, reload: () => {}, stop: () => b.stop() };
  },
};

describe.each(Object.keys(brokers) as (keyof typeof brokers)[])('broker access on %s', (kind) => {
  it('admits only known users with their password, refuses what the ACL does not grant, and applies an edited ACL without a restart', async () => {
    writeFileSync(aclFile, ACL);
    const broker = await brokers[kind]();
    const ports: MqttPort[] = [];
    const connect = async (clientId: string, credentials?: MqttCredentials) => {
      const port = await MqttPort.connect({ url: broker.url, clientId, connectTimeoutMs: 5000, ...(credentials ? { credentials } : {}), onError: () => {} });
      ports.push(port);
      return port;
    };
    try {
      await expect(connect('anon')).rejects.toThrow(/not authori[sz]ed|bad user ?name or password/i);
      await expect(connect('liar', { username: 'viewer', password: 'wrong' })).rejects.toThrow(/not authori[sz]ed|bad user ?name or password/i);
      await expect(connect('ghost', { username: 'nobody', password: 'x' })).rejects.toThrow(/not authori[sz]ed|bad user ?name or password/i);

      const plant = await connect('plant-1', { username: 'plant', password: 'plant-secret' });
      const viewer = await connect('viewer-1', { username: 'viewer', password: 'viewer-secret' });
      const atPlant = await collect(plant, 'hyperfactory/#');
      const pings = await collect(plant, 'clients/#');
      const atViewer = await collect(viewer, 'hyperfactory/p1/telemetry/#');
      // A filter wider than the grant: the embedded broker refuses it; Mosquitto 2.0 grants it and checks
      // every delivery. Either way nothing outside the viewer's read access reaches it (checked below).
      const wide: string[] = [];
      const wideAnswer = await viewer.subscribe('hyperfactory/#', (topic, payload) => wide.push(`${topic} ${Buffer.from(payload).toString()}`)).then(
        () => 'granted',
        (e: Error) => e.message,
      );
      expect(wideAnswer).toMatch(kind === 'embedded' ? /refused the subscription/ : /granted|refused the subscription/);

      await plant.publish('hyperfactory/p1/telemetry/t1', enc('a'));
      await plant.publish('hyperfactory/p1/telemetry/secret', enc('s'));
      await plant.publish('hyperfactory/p1/commands', enc('c'));
      // A publish outside the viewer's write access is dropped (MQTT 5 says so in its PUBACK; 3.1.1 cannot).
      const refused = await viewer.publish('hyperfactory/p1/commands', enc('forged')).then(
        () => 'dropped silently',
        (e: Error) => e.message,
      );
      expect(refused).toMatch(/dropped silently|not authori[sz]ed/i);
      await viewer.publish('clients/viewer/ping', enc('1'));
      await until(() => pings.length === 1 && atViewer.length >= 1, 'the ping and the telemetry');
      // Messages from one client arrive in order: by the ping, the forged command would have come.
      expect(atPlant).toEqual(['hyperfactory/p1/telemetry/t1 a', 'hyperfactory/p1/telemetry/secret s', 'hyperfactory/p1/commands c']);
      expect(atViewer).toEqual(['hyperfactory/p1/telemetry/t1 a']); // the denied topic is not delivered through the wildcard either
      expect(wide.every((m) => m === 'hyperfactory/p1/telemetry/t1 a')).toBe(true);
      expect(pings).toEqual(['clients/viewer/ping 1']);

      // Revoke the viewer's read access: no restart, the next message does not reach it.
      writeFileSync(aclFile, ACL.replace('topic read hyperfactory/+/telemetry/#', ''));
      broker.reload();
      await new Promise((r) => setTimeout(r, 1500)); // the embedded broker polls the file every 500 ms
      await plant.publish('hyperfactory/p1/telemetry/t2', enc('b'));
      await plant.publish('clients/plant/ping', enc('2'));
      await until(() => pings.length === 2 && atPlant.length === 4, 'the second ping');
      expect(atViewer).toEqual(['hyperfactory/p1/telemetry/t1 a']);
    } finally {
      for (const p of ports) await p.close();
      await broker.stop();
    }
  }, 60_000);
});

describe('access files', () => {
  it('verify mosquitto_passwd hashes and name the line of a malformed entry', () => {
    const pw = PasswordFile.read(passwordFile);
    expect(pw.verify('plant', 'plant-secret')).toBe(true);
    expect(pw.verify('plant', 'plant-secret ')).toBe(false);
    expect(pw.verify('viewer', 'plant-secret')).toBe(false);
    expect(() => PasswordFile.parse('pw', 'ok:$7$101$AAAA$BBBB\nbroken line\n')).toThrow(new AccessFileError('pw', 2, 'expected user:hash'));
    expect(() => PasswordFile.parse('pw', 'u:plaintext\n')).toThrow(/pw:1: user "u": not a mosquitto_passwd hash/);
    expect(() => AclFile.parse('acl', 'user a\ntopic read x\nfrobnicate y\n')).toThrow(/acl:3: unknown keyword "frobnicate"/);
  });

  it('apply patterns per client, deny over grants, and wildcards in subscriptions as written', () => {
    const acl = AclFile.parse('acl', ACL);
    const viewer = { username: 'viewer', clientId: 'v' };
    expect(acl.canWrite(viewer, 'clients/viewer/x')).toBe(true);
    expect(acl.canWrite(viewer, 'clients/plant/x')).toBe(false);
    expect(acl.canWrite({ clientId: 'anon' }, 'clients//x')).toBe(false);
    expect(acl.canRead(viewer, 'hyperfactory/p9/telemetry/t')).toBe(true);
    expect(acl.canRead(viewer, 'hyperfactory/p9/telemetry/secret')).toBe(false);
    expect(acl.canSubscribe(viewer, 'hyperfactory/+/telemetry/#')).toBe(true);
    expect(acl.canSubscribe(viewer, 'hyperfactory/#')).toBe(false);
    expect(acl.canRead({ clientId: 'anon' }, 'hyperfactory/p1/telemetry/t')).toBe(false);
  });
});
