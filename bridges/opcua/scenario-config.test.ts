import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../scenarios/load.js';
import { expandMachines } from '../../runtime/machines.js';
import { OpcuaTelemetrySource, opcuaFeeds } from './telemetry-client.js';
import { freePort, quietOpcua } from '../../test/support/opcua.js';
import { waitUntil } from '../../test/support/wait.js';
import { problemsOf } from '../../test/support/scenario-problems.js';

quietOpcua();
const plant = (machine: string) => `name: t
horizon: 1d
machineTypes:
  lathe:
    processTime: { dist: exponential, mean: 600 }
    timeToFailure: { dist: weibull, shape: 2, scale: 8h }
    repairTime: { dist: constant, value: 1h }
machines:
  - ${machine}
technicians: { count: 1 }
`;


describe('telemetryOpcua in a scenario', () => {
  it('names each machine’s server and remote name, `{id}` standing for the machine id', () => {
    const s = parseScenario(plant('{ id: lathe, type: lathe, count: 2, telemetryOpcua: { endpoint: "opc.tcp://gateway:4840", machine: "hall2-{id}" } }'), 'plant.yaml');
    expect(opcuaFeeds(expandMachines(s))).toEqual([
      { id: 'lathe-1', endpoint: 'opc.tcp://gateway:4840', remoteName: 'hall2-lathe-1' },
      { id: 'lathe-2', endpoint: 'opc.tcp://gateway:4840', remoteName: 'hall2-lathe-2' },
    ]);
    const own = parseScenario(plant('{ id: lathe, type: lathe, telemetryOpcua: { endpoint: "opc.tcp://[::1]:48010/UA/Server" } }'), 'plant.yaml');
    expect(expandMachines(own)[0].telemetryOpcua).toEqual({ endpoint: 'opc.tcp://[::1]:48010/UA/Server', machine: 'lathe' });
  });

  it('rejects a bad endpoint, unknown fields, and both MQTT and OPC UA, with the place', () => {
    expect(problemsOf(plant('{ id: lathe, type: lathe, telemetryOpcua: { endpoint: "http://gateway:4840" } }'))).toEqual([
      expect.objectContaining({ path: 'machines[0].telemetryOpcua.endpoint', message: expect.stringMatching(/an OPC UA endpoint URL such as opc\.tcp:\/\/host:4840/) }),
    ]);
    expect(problemsOf(plant('{ id: lathe, type: lathe, telemetryOpcua: { endpoint: "opc.tcp://g:4840", node: 5 } }'))[0].message).toMatch(/unknown field "node"/);
    expect(problemsOf(plant('{ id: lathe, type: lathe, telemetryTopic: a/b, telemetryOpcua: { endpoint: "opc.tcp://g:4840" } }'))).toEqual([
      expect.objectContaining({ path: 'machines[0].telemetryOpcua', message: 'give telemetryTopic or telemetryOpcua, not both' }),
    ]);
  });

  it('a server that is not there is retried without end or error, and close stops the retries', async () => {
    const port = await freePort();
    const problems: string[] = [];
    const source = OpcuaTelemetrySource.start({ ingest: () => ({ ok: true }) }, [{ id: 'lathe', endpoint: `opc.tcp://127.0.0.1:${port}`, remoteName: 'lathe' }], (l) => problems.push(l));
    await new Promise((r) => setTimeout(r, 1500));
    expect(source.stats).toEqual({ samples: 0, rejected: 0, sessions: 0, subscriptions: 0 });
    let closed = false;
    void source.close().then(() => (closed = true));
    await waitUntil('close', () => closed, 20_000);
    expect(problems).toEqual([`opcua: opc.tcp://127.0.0.1:${port} does not answer; retrying every 2 s at most`]);
  });
});
