import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../../test/support/cli.js';
import { makeSitePki } from '../../test/support/certificates.js';
import { startServe } from '../../test/support/live-run.js';

describe('serve: MQTT flags', () => {
  it('refuses a broker address that is not one, and flags that exclude each other, in one line', async () => {
    const bad = await cli('serve', 'scenarios/turbine-failure.yaml', '--mqtt', 'localhost:1883');
    expect(bad).toMatchObject({ code: 2, stderr: 'hyperfactory: --mqtt must be a broker address like mqtt://127.0.0.1:1883, got "localhost:1883"\n' });
    const both = await cli('serve', 'scenarios/turbine-failure.yaml', '--mqtt', 'mqtt://127.0.0.1:1883', '--no-mqtt');
    expect(both).toMatchObject({ code: 2, stderr: 'hyperfactory: --mqtt, --mqtt-port and --no-mqtt exclude each other\n' });
  });

  it('refuses TLS and interface flags of the embedded broker that do not fit, in one line, and an open broker beyond loopback', async () => {
    const serve = (...flags: string[]) => cli('serve', 'scenarios/turbine-failure.yaml', '--viewer-port', '0', '--ledger', 'memory', ...flags);
    expect(await serve('--mqtt-certfile', 'b.crt')).toMatchObject({ code: 2, stderr: 'hyperfactory: --mqtt-certfile and --mqtt-keyfile go together\n' });
    expect(await serve('--mqtt-cafile', 'ca.crt')).toMatchObject({
      code: 2,
      stderr: 'hyperfactory: --mqtt-cafile asks clients for certificates over TLS: give the broker its own with --mqtt-certfile and --mqtt-keyfile\n',
    });
    expect(await serve('--mqtt-bind', '0.0.0.0')).toMatchObject({
      code: 2,
      stderr: 'hyperfactory: --mqtt-bind 0.0.0.0 opens the broker to other machines: give it users (--mqtt-password-file) or client certificates (--mqtt-cafile)\n',
    });
    expect(await serve('--mqtt-bind', 'a b\nc')).toMatchObject({ code: 2, stderr: 'hyperfactory: --mqtt-bind: an interface address or host name, got "a b\\u000ac"\n' });
    expect(await serve('--mqtt-certfile', '/nonexistent/b.crt', '--mqtt-keyfile', '/nonexistent/b.key')).toMatchObject({ code: 2, stderr: 'hyperfactory: --mqtt-certfile: no such file /nonexistent/b.crt\n' });
    expect((await serve('--mqtt-bind', '127.0.0.1', '--mqtt', 'mqtt://127.0.0.1:1883')).stderr).toMatch(/^hyperfactory: .*configure the embedded broker: drop --mqtt/);
    expect(await serve('--mqtt-certfile', 'b.crt', '--mqtt-keyfile', 'b.key', '--mqtt-crlfile', 'site.crl')).toMatchObject({
      code: 2,
      stderr: 'hyperfactory: --mqtt-crlfile revokes client certificates: give the CA that signs them with --mqtt-cafile\n',
    });
    const dir = mkdtempSync(join(tmpdir(), 'serve-flags-'));
    try {
      const pki = makeSitePki(dir);
      const { certFile, keyFile } = pki.server;
      expect(await serve('--mqtt-certfile', certFile, '--mqtt-keyfile', keyFile, '--mqtt-cafile', pki.caFile, '--mqtt-crlfile', 'package.json')).toMatchObject({
        code: 2,
        stderr: expect.stringMatching(/^hyperfactory: --mqtt-crlfile: package\.json: not a certificate revocation list \(.*\)\n$/),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(await serve('--tls-cert', 'v.crt')).toMatchObject({ code: 2, stderr: 'hyperfactory: --tls-cert and --tls-key go together\n' });
    expect(await serve('--tls-cert', 'package.json', '--tls-key', 'package.json')).toMatchObject({ code: 2, stderr: expect.stringMatching(/^hyperfactory: --tls-cert\/--tls-key: package\.json: not a PEM certificate \(.*\)\n$/) });
  });

  it('says which broker it cannot reach', async () => {
    // Port 9 (discard) on loopback: nothing listens there.
    const r = await cli('serve', 'scenarios/turbine-failure.yaml', '--mqtt', 'mqtt://127.0.0.1:9', '--viewer-port', '0', '--ledger', 'memory', '--unsigned');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^hyperfactory: --mqtt: cannot connect to the MQTT broker mqtt:\/\/127\.0\.0\.1:9: .+\n$/);
  }, 30_000);
});

describe('serve --remote-agents and agent-host: bad flags', () => {
  it('names what is wrong with a pattern, a missing broker or a pattern that covers no hostable agent', async () => {
    expect(await cli('serve', 'scenarios/cobot-floor.yaml', '--remote-agents', 'cobot-[1-4')).toMatchObject({ code: 2, stderr: 'hyperfactory: --remote-agents: agent pattern "cobot-[1-4": "[" without "]"\n' });
    expect(await cli('serve', 'scenarios/cobot-floor.yaml', '--remote-agents', 'cobot-*', '--no-mqtt')).toMatchObject({ code: 2, stderr: 'hyperfactory: --remote-agents needs MQTT: drop --no-mqtt\n' });
    const none = await cli('serve', 'scenarios/cobot-floor.yaml', '--remote-agents', 'robotics', '--mqtt-port', '0', '--viewer-port', '0', '--ledger', 'memory');
    expect(none).toMatchObject({ code: 2, stderr: 'hyperfactory: --remote-agents "robotics" covers no cobot, supplier or truck of cobot-floor\n' });
    expect(await cli('agent-host', 'scenarios/cobot-floor.yaml', '--agents', 'cobot-*')).toMatchObject({ code: 2, stderr: 'hyperfactory: --mqtt URL is required: the broker of the plant (serve --mqtt)\n' });
    expect(await cli('agent-host', 'scenarios/cobot-floor.yaml', '--mqtt', 'mqtt://127.0.0.1:1883')).toMatchObject({ code: 2 });
    expect(await cli('agent-host', 'scenarios/cobot-floor.yaml', '--agents', 'a,,b', '--mqtt', 'mqtt://127.0.0.1:1883')).toMatchObject({ code: 2, stderr: 'hyperfactory: --agents: agent pattern "a,,b" has an empty part\n' });
  }, 60_000);
});

describe('serve --remote-agents without a sealed link', () => {
  it('runs, and says on stderr that any client on the live topics could speak for the hosts', async () => {
    const serve = await startServe(['scenarios/cobot-floor.yaml', '--remote-agents', 'cobot-*', '--mqtt-port', '0', '--viewer-port', '0', '--ledger', 'memory']);
    try {
      expect(serve.stdout()).toMatch(/cobot-floor live at/);
      expect(serve.stderr()).toContain('serve: the live link is not sealed: any client the broker lets onto the plant\'s live topics can speak for agent hosts and their agents (give --identity and --principals');
    } finally {
      await serve.stop();
    }
  }, 90_000);
});

describe('serve: ROS 2 and OPC UA flags', () => {
  it('refuses a robots address that is not a rosbridge one, and ROS flags on a plant without cobots', async () => {
    expect(await cli('serve', 'scenarios/cobot-floor.yaml', '--robots', 'ws://127.0.0.1:9090')).toMatchObject({
      code: 2,
      stderr: 'hyperfactory: --robots must be ros:ws://HOST:PORT (a rosbridge server) or vda5050:MANUFACTURER, got "ws://127.0.0.1:9090"\n',
    });
    expect(await cli('serve', 'scenarios/factory-des.yaml', '--rosbridge-port', '9090')).toMatchObject({ code: 2, stderr: 'hyperfactory: --rosbridge-port and --robots need cobots: scenario "factory-des" has none\n' });
    expect(await cli('serve', 'scenarios/cobot-floor.yaml', '--robots', 'vda5050:acme', '--no-mqtt')).toMatchObject({ code: 2, stderr: 'hyperfactory: VDA 5050 runs over MQTT: drop --no-mqtt\n' });
    expect(await cli('serve', 'scenarios/cobot-floor.yaml', '--vda5050-vehicles', 'a/b')).toMatchObject({ code: 2, stderr: 'hyperfactory: --vda5050-vehicles: a manufacturer name without /, +, # or spaces, got "a/b"\n' });
    expect(await cli('serve', 'scenarios/cobot-floor.yaml', '--opcua-port', '70000')).toMatchObject({ code: 2, stderr: 'hyperfactory: --opcua-port must be at most 65535, got 70000\n' });
  });
});
