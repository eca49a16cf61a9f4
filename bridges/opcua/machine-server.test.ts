import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AttributeIds, BrowseDirection, DataType, MessageSecurityMode, NodeClassMask, OPCUAClient, SecurityPolicy, StatusCodes, makeBrowsePath, type ClientSession } from 'node-opcua';
import { loadScenario } from '../../scenarios/load.js';
import { projectRoot } from '../../runtime/paths.js';
import { LivePlant } from '../../runtime/view/live-plant.js';
import { SENSOR_CHANNELS } from '../../world/degradation/sensor-model.js';
import { startOpcuaServer } from './machine-server.js';
import { serialNumber } from './machine-nodes.js';
import { DI_NS, MACHINERY_NS, plantNamespace } from './names.js';
import { onFreePort, quietOpcua } from '../../test/support/opcua.js';

quietOpcua();
const scenario = loadScenario(join(projectRoot(), 'scenarios/turbine-failure.yaml'));

describe('the live plant as an OPC UA server (OPC 40001 Machinery)', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  });

  it('a plain OPC UA client finds every machine under Machines, reads its identification and sees its sensors change', async () => {
    // Ten simulated hours per wall second: each machine samples ten times a second.
    const live = new LivePlant(scenario, { speed: 36_000 });
    cleanups.push(() => live.close());
    const server = await onFreePort((port) => startOpcuaServer(live, { port, host: '127.0.0.1', plantName: 'turbine-failure' }));
    cleanups.push(() => server.close());
    expect(server.endpoint).toMatch(/^opc\.tcp:\/\/127\.0\.0\.1:\d+$/);

    const client = OPCUAClient.create({ endpointMustExist: false, securityMode: MessageSecurityMode.None, securityPolicy: SecurityPolicy.None, connectionStrategy: { maxRetry: 3, initialDelay: 100, maxDelay: 500 } });
    await client.connect(server.endpoint);
    cleanups.push(() => client.disconnect());
    const session = await client.createSession();
    cleanups.push(() => session.close());
    const namespaces = await session.readNamespaceArray();
    const [mi, di, pi] = [MACHINERY_NS, DI_NS, plantNamespace('turbine-failure')].map((u) => namespaces.indexOf(u));
    expect(Math.min(mi, di, pi)).toBeGreaterThan(0);

    // Objects/Machines (Machinery i=1001) lists the six machines.
    const machines = await session.browse({ nodeId: `ns=${mi};i=1001`, browseDirection: BrowseDirection.Forward, referenceTypeId: 'Organizes', includeSubtypes: true, nodeClassMask: NodeClassMask.Object, resultMask: 63 });
    expect(machines.references!.map((r) => r.browseName.name).sort()).toEqual(['cnc-1', 'cnc-2', 'cnc-3', 'press-1', 'press-2', 'turbine-1']);

    const resolve = async (path: string) => {
      const r = await session.translateBrowsePath(makeBrowsePath('RootFolder', path));
      expect(r.statusCode, path).toBe(StatusCodes.Good);
      return r.targets![0].targetId.toString();
    };
    const read = async (s: ClientSession, nodeId: string) => (await s.read({ nodeId, attributeId: AttributeIds.Value })).value;
    const turbine = `/Objects/${mi}:Machines/${pi}:turbine-1`;
    const id = `${turbine}/${di}:Identification/${di}:`;
    expect((await read(session, await resolve(`${id}Manufacturer`))).value.text).toBe('HyperFactory (simulated)');
    expect((await read(session, await resolve(`${id}SerialNumber`))).value).toBe(serialNumber('turbine-failure', 'turbine-1'));
    expect((await read(session, await resolve(`${id}ProductInstanceUri`))).value).toBe('urn:hyperfactory:turbine-failure:turbine-1');
    expect((await read(session, await resolve(`${id}Model`))).value.text).toBe('turbine');
    // The Identification is of OPC 40001's MachineIdentificationType.
    const identification = await session.browse({ nodeId: await resolve(`${turbine}/${di}:Identification`), referenceTypeId: 'HasTypeDefinition', browseDirection: BrowseDirection.Forward, resultMask: 63 });
    expect(identification.references![0].browseName.toString()).toBe(`${mi}:MachineIdentificationType`);

    // One Double per sensor channel under Monitoring, with engineering units; they change as the plant runs.
    const monitoring = await session.browse({ nodeId: await resolve(`${turbine}/${mi}:Monitoring`), browseDirection: BrowseDirection.Forward, referenceTypeId: 'HasComponent', includeSubtypes: true, nodeClassMask: NodeClassMask.Variable, resultMask: 63 });
    expect(monitoring.references!.map((r) => r.browseName.name).sort()).toEqual([...SENSOR_CHANNELS].sort());
    const vib = await resolve(`${turbine}/${mi}:Monitoring/${pi}:vibRms`);
    const units = await read(session, await resolve(`${turbine}/${mi}:Monitoring/${pi}:vibRms/0:EngineeringUnits`));
    expect(units.value.displayName.text).toBe('mm/s');
    const seen = new Set<number>();
    await poll('three different vibration readings', async () => {
      const dv = await session.read({ nodeId: vib, attributeId: AttributeIds.Value });
      if (dv.statusCode.isGood() && dv.value.dataType === DataType.Double) seen.add(dv.value.value as number);
      return seen.size >= 3;
    });
    expect([...seen].every((v) => v > 0 && v < 50)).toBe(true);
    expect((await read(session, await resolve(`${turbine}/${pi}:State`))).value).toMatch(/^(running|degraded|down|maintenance)/);

    // The models' health outputs, once the first prediction is in.
    const rul = await resolve(`${turbine}/${pi}:Health/${pi}:RemainingUsefulLifeHours`);
    await poll('a remaining-useful-life prediction', async () => (await session.read({ nodeId: rul, attributeId: AttributeIds.Value })).statusCode.isGood());
    expect((await read(session, rul)).value).toBeGreaterThanOrEqual(0);
    const p48 = (await read(session, await resolve(`${turbine}/${pi}:Health/${pi}:FailureProbability48h`))).value as number;
    expect(p48 >= 0 && p48 <= 1).toBe(true);

    // Read-only: a write is refused.
    const write = await session.write({ nodeId: vib, attributeId: AttributeIds.Value, value: { value: { dataType: DataType.Double, value: 1 } } });
    expect(write.name).toBe('BadNotWritable');
  }, 60_000);
});

/** Polls an async check every 50 ms until it holds (reads over OPC UA). */
async function poll(what: string, ok: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
