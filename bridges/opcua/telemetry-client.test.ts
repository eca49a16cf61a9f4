import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { DataType, MessageSecurityMode, OPCUAServer, SecurityPolicy, StatusCodes, VariantArrayType, nodesets, type UAObject, type UAVariable } from 'node-opcua';
import { parseScenario } from '../../scenarios/load.js';
import { projectRoot } from '../../runtime/paths.js';
import { expandMachines } from '../../runtime/machines.js';
import { LivePlant } from '../../runtime/view/live-plant.js';
import type { LogRecord } from '../../sim/log/event-log.js';
import { startOpcuaServer } from './machine-server.js';
import { OpcuaTelemetrySource, opcuaFeeds } from './telemetry-client.js';
import { MACHINERY_NS, MACHINES_FOLDER_ID } from './names.js';
import { freePort, onFreePort, quietOpcua } from '../../test/support/opcua.js';
import { waitUntil } from '../../test/support/wait.js';

quietOpcua();
const flagship = () => parse(readFileSync(join(projectRoot(), 'scenarios/turbine-failure.yaml'), 'utf8')) as Record<string, any>;
const samplesOf = (records: readonly LogRecord[], m: string) => records.filter((r) => r.type === 'telemetry.sample' && (r.payload as { machine: string }).machine === m);
const signalsOf = (r: LogRecord) => (r.payload as { signals: Record<string, number> }).signals;

describe('real machines into a live plant over OPC UA', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  });

  it('plant B reads its turbine from plant A’s OPC UA server, and subscribes again by itself after A’s server restarts', async () => {
    // Plant A: the simulated turbine, served. Ten simulated hours per wall second.
    const a = new LivePlant(parseScenario(stringify(flagship()), join(projectRoot(), 'scenarios/site-a.yaml')), { speed: 36_000 });
    cleanups.push(() => a.close());
    const aRecords: LogRecord[] = [];
    a.onRecord((r) => aRecords.push(r));
    let server = await onFreePort((port) => startOpcuaServer(a, { port, host: '127.0.0.1', plantName: 'site-a' }));
    cleanups.push(() => server.close());
    const port = Number(server.endpoint.split(':').at(-1));

    // Plant B: the same plant whose turbine-1 is the one on A's server.
    const raw = flagship();
    raw.machines[0].telemetryOpcua = { endpoint: server.endpoint };
    const scenarioB = parseScenario(stringify(raw), join(projectRoot(), 'scenarios/site-b.yaml'));
    const b = new LivePlant(scenarioB, { speed: 3600, externalTelemetry: true });
    cleanups.push(() => b.close());
    const bRecords: LogRecord[] = [];
    b.onRecord((r) => bRecords.push(r));
    const problems: string[] = [];
    const feeds = opcuaFeeds(expandMachines(scenarioB));
    expect(feeds).toEqual([{ id: 'turbine-1', endpoint: server.endpoint, remoteName: 'turbine-1' }]);
    const source = OpcuaTelemetrySource.start(b, feeds, (line) => problems.push(line));
    cleanups.push(() => source.close());

    await waitUntil('samples from A in B', () => samplesOf(bRecords, 'turbine-1').length >= 3, 30_000);
    // Each is one of A's samples, all nine channels together.
    const first = samplesOf(bRecords, 'turbine-1')[0];
    expect(Object.keys(signalsOf(first))).toHaveLength(9);
    expect(samplesOf(aRecords, 'turbine-1').map(signalsOf)).toContainEqual(signalsOf(first));
    expect(first).toMatchObject({ from: 'turbine-1', to: '#telemetry' });
    expect(source.stats).toMatchObject({ rejected: 0, sessions: 1, subscriptions: 1 });
    // None lost or folded on the way: B's samples are a run of consecutive samples of A.
    const fromA = samplesOf(aRecords, 'turbine-1').map((r) => JSON.stringify(signalsOf(r)));
    const inB = samplesOf(bRecords, 'turbine-1').map((r) => JSON.stringify(signalsOf(r)));
    const start = fromA.indexOf(inB[0]);
    expect(fromA.slice(start, start + inB.length)).toEqual(inB);

    // A's server goes away and comes back on the same port: B reconnects and subscribes again.
    await server.close();
    await waitUntil('the link to notice', () => problems.some((p) => p.includes('connection to') && p.includes('lost')), 30_000);
    const before = samplesOf(bRecords, 'turbine-1').length;
    server = await startOpcuaServer(a, { port, host: '127.0.0.1', plantName: 'site-a' });
    await waitUntil('samples again after the restart', () => samplesOf(bRecords, 'turbine-1').length >= before + 3, 40_000);
    expect(source.stats.rejected).toBe(0);
    expect(source.stats.subscriptions).toBeGreaterThanOrEqual(2);
    expect(source.stats.samples).toBe(samplesOf(bRecords, 'turbine-1').length);
    const latest = samplesOf(bRecords, 'turbine-1').at(-1)!;
    expect(samplesOf(aRecords, 'turbine-1').map(signalsOf)).toContainEqual(signalsOf(latest));
  }, 90_000);

  it('bad values (wrong type, NaN, bad status), an unknown variable and a missing machine are refused and counted; good samples still arrive', async () => {
    // A gateway whose variables take any type, as a misconfigured real one might.
    const port = await freePort();
    const gateway = new OPCUAServer({ port, host: '127.0.0.1', hostname: '127.0.0.1', nodesets: [nodesets.standard, nodesets.di, nodesets.ia, nodesets.machinery], securityPolicies: [SecurityPolicy.None], securityModes: [MessageSecurityMode.None], isAuditing: false, serverCapabilities: { minSupportedSampleRate: 0 } });
    await gateway.initialize();
    const as = gateway.engine.addressSpace!;
    const ns = as.registerNamespace('urn:test:gateway');
    const machines = as.findNode(`ns=${as.getNamespaceIndex(MACHINERY_NS)};i=${MACHINES_FOLDER_ID}`) as UAObject;
    const press = ns.addObject({ browseName: 'press-x', organizedBy: machines });
    const monitoring = ns.addObject({ browseName: 'Monitoring', componentOf: press });
    const variable = (name: string): UAVariable => ns.addVariable({ browseName: name, componentOf: monitoring, dataType: 'BaseDataType', minimumSamplingInterval: 0 });
    const vib = variable('vibRms');
    const temp = variable('temperature');
    variable('rpm');
    await gateway.start();
    cleanups.push(() => gateway.shutdown(0));
    const endpoint = `opc.tcp://127.0.0.1:${port}`;
    const write = (v: UAVariable, dataType: DataType, value: unknown, when: Date, status = StatusCodes.Good) =>
      v.setValueFromSource({ dataType, value, arrayType: Array.isArray(value) ? VariantArrayType.Array : VariantArrayType.Scalar }, status, when);

    const raw = flagship();
    raw.machines[1] = { id: 'press-1', type: 'press', station: 'cell-press', telemetryOpcua: { endpoint, machine: 'press-x' } };
    raw.machines.splice(2, 0, { id: 'press-2', type: 'press', station: 'cell-press', telemetryOpcua: { endpoint, machine: 'ghost' } });
    const scenario = parseScenario(stringify(raw), join(projectRoot(), 'scenarios/gateway.yaml'));
    const plant = new LivePlant(scenario, { speed: 3600, externalTelemetry: true });
    cleanups.push(() => plant.close());
    const records: LogRecord[] = [];
    plant.onRecord((r) => records.push(r));
    const problems: string[] = [];
    const source = OpcuaTelemetrySource.start(plant, opcuaFeeds(expandMachines(scenario)), (line) => problems.push(line));
    cleanups.push(() => source.close());

    await waitUntil('the subscription', () => source.stats.subscriptions === 1, 30_000);
    // Browsing found an unknown variable and a missing machine: both refused, named.
    expect(problems).toEqual([
      expect.stringMatching(/Machines\/press-x\/Monitoring\/rpm is not a channel of press-1 \(channels: vibRms, .*\); not subscribed$/),
      expect.stringMatching(/^opcua: no machine "ghost" under Machines on opc\.tcp:\/\/127\.0\.0\.1:\d+ \(there: press-x\); press-2 gets no telemetry$/),
    ]);
    expect(source.stats.rejected).toBe(2);

    // A good sample: both channels with one source timestamp.
    const t1 = new Date();
    write(vib, DataType.Double, 2.5, t1);
    write(temp, DataType.Double, 41, t1);
    await waitUntil('the first sample', () => samplesOf(records, 'press-1').length === 1, 30_000);
    expect(signalsOf(samplesOf(records, 'press-1')[0])).toEqual({ vibRms: 2.5, temperature: 41 });

    // Bad values, each refused alone: the good channel beside them still goes in.
    write(temp, DataType.String, 'hot', new Date(t1.getTime() + 1));
    write(vib, DataType.Double, Number.NaN, new Date(t1.getTime() + 2));
    write(vib, DataType.Double, [1, 2], new Date(t1.getTime() + 3));
    write(temp, DataType.Double, 40, new Date(t1.getTime() + 4), StatusCodes.BadSensorFailure);
    const t2 = new Date(t1.getTime() + 5);
    write(vib, DataType.Float, 3.25, t2);
    write(temp, DataType.Double, 42.5, t2);
    await waitUntil('the second good sample', () => samplesOf(records, 'press-1').length === 2, 30_000);
    expect(signalsOf(samplesOf(records, 'press-1')[1])).toEqual({ vibRms: 3.25, temperature: 42.5 });
    expect(source.stats).toMatchObject({ samples: 2, rejected: 6 });
    // Notifications come item by item, so the order across channels is the server's.
    expect(problems.slice(2).sort()).toEqual(
      [
      'opcua: press-1: temperature must be a number, got String "hot"; dropped',
      'opcua: press-1: vibRms must be a finite number, got NaN; dropped',
      'opcua: press-1: vibRms must be a number, got Double array [1,2]; dropped',
      'opcua: press-1: temperature has status BadSensorFailure; dropped',
      ].sort(),
    );
    // Neither press had a simulated sample; the other machines keep theirs.
    expect(samplesOf(records, 'press-2')).toEqual([]);
    await waitUntil('a simulated machine’s own sample', () => samplesOf(records, 'cnc-1').length > 0, 30_000);
  }, 60_000);
});
