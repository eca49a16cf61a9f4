import { describe, expect, it } from 'vitest';
import { cli } from '../../test/support/cli.js';

describe('serve: MQTT flags', () => {
  it('refuses a broker address that is not one, and flags that exclude each other, in one line', async () => {
    const bad = await cli('serve', 'scenarios/turbine-failure.yaml', '--mqtt', 'localhost:1883');
    expect(bad).toMatchObject({ code: 2, stderr: 'hyperfactory: --mqtt must be a broker address like mqtt://127.0.0.1:1883, got "localhost:1883"\n' });
    const both = await cli('serve', 'scenarios/turbine-failure.yaml', '--mqtt', 'mqtt://127.0.0.1:1883', '--no-mqtt');
    expect(both).toMatchObject({ code: 2, stderr: 'hyperfactory: --mqtt, --mqtt-port and --no-mqtt exclude each other\n' });
  });

  it('says which broker it cannot reach', async () => {
    // Port 9 (discard) on loopback: nothing listens there.
    const r = await cli('serve', 'scenarios/turbine-failure.yaml', '--mqtt', 'mqtt://127.0.0.1:9', '--viewer-port', '0');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^hyperfactory: --mqtt: cannot connect to the MQTT broker mqtt:\/\/127\.0\.0\.1:9: .+\n$/);
  }, 30_000);
});
