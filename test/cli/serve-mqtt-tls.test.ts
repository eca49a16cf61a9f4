import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get } from 'node:https';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MqttPort, type MqttCredentials } from '../../bridges/mqtt/mqtt-port.js';
import { plantTopics } from '../../bridges/mqtt/plant-topics.js';
import { makeSitePki, type SitePki } from '../support/certificates.js';
import { waitUntil } from '../support/wait.js';
import { startServe } from '../support/live-run.js';

/**
 * The built `serve` with its embedded broker on TLS and client certificates
 * from the site's CA: the plant's own connections show its certificate, a
 * dashboard's certificate gives it read access to telemetry by the ACL, and
 * plain MQTT, a client without a certificate and one that does not trust the
 * site's CA are refused, as is a certificate the CA's revocation list names
 * (--mqtt-crlfile, read again when it changes). The page is served over HTTPS with the same site
 * certificate (--tls-cert/--tls-key).
 */
const topics = plantTopics('turbine-failure');
let dir: string;
let pki: SitePki;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'serve-mqtt-tls-'));
  pki = makeSitePki(dir);
  writeFileSync(join(dir, 'acl'), [`user plant`, `topic readwrite ${topics.root}/#`, `user dashboard`, `topic read ${topics.root}/machines/+/telemetry`, ''].join('\n'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('serve with an embedded broker on TLS with client certificates', () => {
  it('admits the certified names only, each with its grants', async () => {
    const plant = pki.client('plant');
    const former = pki.client('former');
    pki.revoke('former');
    const serve = await startServe(['scenarios/turbine-failure.yaml', '--viewer-port', '0', '--mqtt-port', '0', '--ledger', 'memory', '--speed', '36000', '--identity-dir', join(dir, 'identity'),
        '--mqtt-certfile', pki.server.certFile, '--mqtt-keyfile', pki.server.keyFile, '--mqtt-cafile', pki.caFile, '--mqtt-crlfile', pki.crlFile, '--mqtt-acl-file', join(dir, 'acl'),
        '--mqtt-ca', pki.caFile, '--mqtt-cert', plant.certFile, '--mqtt-key', plant.keyFile,
        '--tls-cert', pki.server.certFile, '--tls-key', pki.server.keyFile]);
    const stdout = serve.stdout();
    const stderr = serve.stderr;
    const ports: MqttPort[] = [];
    try {
      const url = /MQTT: (mqtts:\/\/127\.0\.0\.1:\d+) \(embedded broker\)/.exec(stdout)?.[1];
      expect(url, `serve printed:\n${stdout}\n${stderr()}`).toBeDefined();
      const connect = async (clientId: string, credentials?: MqttCredentials, at = url!) => {
        const port = await MqttPort.connect({ url: at, clientId, connectTimeoutMs: 5000, onError: () => {}, ...(credentials ? { credentials } : {}) });
        ports.push(port);
        return port;
      };
      const ca = readFileSync(pki.caFile);
      // The page (and its token) over HTTPS with the same site certificate.
      const page = /operator: (https:\/\/127\.0\.0\.1:\d+\/)\?token=/.exec(stdout)?.[1];
      expect(page, stdout).toBeDefined();
      const status = await new Promise<number | string>((resolve) => get(page!, { ca }, (res) => (res.resume(), resolve(res.statusCode!))).on('error', (e) => resolve(e.message)));
      expect(status).toBe(200);
      await expect(connect('plain', undefined, url!.replace('mqtts:', 'mqtt:'))).rejects.toThrow(/cannot connect/);
      await expect(connect('untrusting', { cert: pki.client('dashboard').cert, key: pki.client('dashboard').key })).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
      await expect(connect('no-cert', { ca })).rejects.toThrow(/cannot connect/);
      await expect(connect('former-1', { ca, cert: former.cert, key: former.key })).rejects.toThrow(/cannot connect/);

      const dashboard = await connect('dashboard-1', { ca, cert: pki.client('dashboard').cert, key: pki.client('dashboard').key });
      const telemetry: string[] = [];
      await dashboard.subscribe(`${topics.root}/machines/+/telemetry`, (topic) => telemetry.push(topic));
      await waitUntil('telemetry at the dashboard', () => telemetry.length > 0, 30_000);
      await expect(dashboard.subscribe(`${topics.root}/#`, () => {})).rejects.toThrow(/refused the subscription/);

      // An operator console with the plant's grants (a certificate named plant) commands; the dashboard's command is dropped.
      const console_ = await connect('console-1', { ca, cert: plant.cert, key: plant.key });
      const results: string[] = [];
      await console_.subscribe(topics.commandResults, (_t, p) => results.push(Buffer.from(p).toString()));
      await dashboard.publish(topics.commands, new TextEncoder().encode(JSON.stringify({ id: 'from-dashboard', text: 'pause cobot 1' })));
      await console_.publish(topics.commands, new TextEncoder().encode(JSON.stringify({ id: 'from-console', text: 'pause cobot 1' })));
      await waitUntil('the console’s answer', () => results.some((r) => r.includes('from-console')), 30_000);
      expect(results.some((r) => r.includes('from-dashboard'))).toBe(false);
      expect(stderr()).not.toMatch(/mqtt.*(error|cannot)/i);

      // The dashboard's certificate revoked while serve runs: the broker reads the new CRL and refuses it from then on.
      pki.revoke('dashboard');
      // Tried until refused: the files are polled, and an earlier "read again" (issuing a client certificate touches
      // the CA file) can stand in stderr before this CRL is read (CI met that once).
      let refusal: unknown;
      const end = Date.now() + 10_000;
      for (let i = 2; refusal === undefined && Date.now() < end; i++) {
        await MqttPort.connect({ url: url!, clientId: `dashboard-${i}`, connectTimeoutMs: 5000, onError: () => {}, credentials: { ca, cert: pki.client('dashboard').cert, key: pki.client('dashboard').key } }).then(
          async (port) => {
            await port.close();
            await new Promise((r) => setTimeout(r, 200));
          },
          (e: unknown) => (refusal = e),
        );
      }
      expect(String(refusal)).toMatch(/cannot connect/);
      expect(stderr()).toContain(`mqtt broker: ${pki.server.certFile}, ${pki.server.keyFile}, ${pki.caFile}, ${pki.crlFile} read again`);
      await connect('console-2', { ca, cert: plant.cert, key: plant.key });
    } finally {
      for (const p of ports) await p.close();
      await serve.stop();
    }
  }, 120_000);
});
