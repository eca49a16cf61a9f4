import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MqttPort } from '../../bridges/mqtt/mqtt-port.js';
import { plantTopics } from '../../bridges/mqtt/plant-topics.js';
import { waitUntil } from '../support/wait.js';
import { startServe } from '../support/live-run.js';

/**
 * `serve` with its embedded broker locked down by a password file and an ACL
 * (the files a Mosquitto would take): the plant logs in as its own user, an
 * operator console may command, a dashboard may only read telemetry, and
 * anonymous clients are refused.
 */
const topics = plantTopics('turbine-failure');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'serve-mqtt-access-'));
  writeFileSync(join(dir, 'passwd'), '');
  for (const [user, pw] of [['plant', 'plant-pw'], ['console', 'console-pw'], ['dashboard', 'dash-pw']]) execFileSync('mosquitto_passwd', ['-b', join(dir, 'passwd'), user!, pw!]);
  writeFileSync(
    join(dir, 'acl'),
    [`user plant`, `topic readwrite ${topics.root}/#`, `user console`, `topic write ${topics.commands}`, `topic read ${topics.commandResults}`, `user dashboard`, `topic read ${topics.root}/machines/+/telemetry`, ''].join('\n'),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('serve with an access-controlled embedded broker', () => {
  it('admits its users only and gives each what the ACL grants', async () => {
    const serve = await startServe(['scenarios/turbine-failure.yaml', '--viewer-port', '0', '--mqtt-port', '0', '--ledger', 'memory', '--speed', '36000', '--identity-dir', join(dir, 'identity'), '--mqtt-user', 'plant', '--mqtt-password-file', join(dir, 'passwd'), '--mqtt-acl-file', join(dir, 'acl')], { ...process.env, HYPERFACTORY_MQTT_PASSWORD: 'plant-pw' });
    const stdout = serve.stdout();
    const stderr = serve.stderr;
    const ports: MqttPort[] = [];
    try {
      const url = /MQTT: (mqtt:\/\/[^\s,]+) \(embedded broker\)/.exec(stdout)?.[1];
      expect(url, `serve printed:\n${stdout}\n${stderr()}`).toBeDefined();
      const login = async (username?: string, password?: string) => {
        const port = await MqttPort.connect({ url: url!, clientId: `t-${username ?? 'anon'}`, connectTimeoutMs: 5000, onError: () => {}, ...(username ? { credentials: { username, password: password! } } : {}) });
        ports.push(port);
        return port;
      };
      await expect(login()).rejects.toThrow(/not authori[sz]ed/i);
      await expect(login('dashboard', 'wrong')).rejects.toThrow(/not authori[sz]ed/i);

      const dashboard = await login('dashboard', 'dash-pw');
      const telemetry: string[] = [];
      await dashboard.subscribe(`${topics.root}/machines/+/telemetry`, (topic) => telemetry.push(topic));
      await waitUntil('telemetry at the dashboard', () => telemetry.length > 0, 30_000);
      await expect(dashboard.subscribe(`${topics.root}/#`, () => {})).rejects.toThrow(/refused the subscription/);

      const console_ = await login('console', 'console-pw');
      const results: string[] = [];
      await console_.subscribe(topics.commandResults, (_t, p) => results.push(Buffer.from(p).toString()));
      // The dashboard's command is dropped by the broker; the console's is answered. The broker had the
      // dashboard's first (publish waits for its acknowledgement), so had it passed, its answer would be first.
      await dashboard.publish(topics.commands, new TextEncoder().encode(JSON.stringify({ id: 'from-dashboard', text: 'pause cobot 1' })));
      await console_.publish(topics.commands, new TextEncoder().encode(JSON.stringify({ id: 'from-console', text: 'pause cobot 1' })));
      await waitUntil('the console’s answer', () => results.some((r) => r.includes('from-console')), 30_000);
      expect(results.some((r) => r.includes('from-dashboard'))).toBe(false);
    } finally {
      for (const p of ports) await p.close();
      await serve.stop();
    }
  }, 120_000);
});
