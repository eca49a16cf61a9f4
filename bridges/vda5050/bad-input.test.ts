import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RobotObservation } from '../../agents/ports/robot-port.js';
import { loadScenario } from '../../scenarios/load.js';
import type { Scenario } from '../../scenarios/schema.js';
import { projectRoot } from '../../runtime/paths.js';
import { LivePlant } from '../../runtime/view/live-plant.js';
import { haveOfficialSchemas, OFFICIAL_SCHEMAS, vdaRecorder, type VdaRecorder } from '../../test/support/vda5050-recorder.js';
import { waitUntil } from '../../test/support/wait.js';
import { EmbeddedBroker } from '../mqtt/embedded-broker.js';
import { MqttPort } from '../mqtt/mqtt-port.js';
import { VDA5050_VERSION, type Order } from './messages.js';
import { OrderPlan } from './order-plan.js';
import { floorRoute, scenarioFloor } from './route.js';
import { HeaderCounter } from './topics.js';
import { startVda5050Vehicles, MAX_VEHICLE_PAYLOAD_BYTES, type Vda5050Vehicles } from './vehicle-fleet.js';
import { Vda5050Master } from './vda5050-robot-port.js';

const M = 'hyperfactory';
const base = loadScenario(join(projectRoot(), 'scenarios/cobot-floor.yaml'));
// Two cobots and no tasks: they stand where they start until an outside master sends them somewhere.
const scenario: Scenario = {
  ...base,
  cobots: { ...base.cobots!, count: 2, breakdownRate: 0 },
  tasks: base.tasks.map((t) => ({ ...t, interarrival: { dist: 'constant' as const, value: 1e9 } })),
};
const encode = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));

describe.skipIf(!haveOfficialSchemas)(`VDA 5050 bad input (schemas: ${OFFICIAL_SCHEMAS})`, () => {
  let broker: EmbeddedBroker;
  let rec: VdaRecorder;
  let plant: LivePlant;
  let vehicles: Vda5050Vehicles;
  let master: Vda5050Master;
  let outsider: MqttPort;
  const observed: { robot: string; obs: RobotObservation }[] = [];
  /** Every payload this test sends on purpose that is not a valid VDA 5050 message. */
  const injected = new Set<string>();
  const inject = async (topic: string, payload: string) => {
    injected.add(payload);
    await outsider.publish(topic, encode(payload));
  };
  const latest = (serial: string) => rec.of('state', serial).at(-1)?.msg;
  const hasError = (serial: string, type: string, text: string) => () => (latest(serial)?.errors ?? []).some((e: any) => e.errorType === type && (e.errorDescription ?? '').includes(text));

  beforeAll(async () => {
    broker = await EmbeddedBroker.start();
    rec = await vdaRecorder(broker.url, 'vda-recorder-d');
    // The plant's own agents drive the world here: an outside order takes a cobot over.
    plant = new LivePlant(scenario, { speed: 30, until: 8 * 3600 });
    await waitUntil('the plant to run', () => plant.context !== undefined);
    vehicles = await startVda5050Vehicles(plant, { url: broker.url, manufacturer: M, stateIntervalMs: 1000, visualizationIntervalMs: 500 });
    master = new Vda5050Master({ url: broker.url, manufacturer: M, vehicles: { 'cobot-2': 'cobot-2' }, route: floorRoute(scenarioFloor(scenario)), name: 'test-master' }, (robot, obs) => observed.push({ robot, obs }));
    await master.ready();
    outsider = await MqttPort.connect({ url: broker.url, clientId: 'vda-outsider' });
    await waitUntil('states of both vehicles', () => latest('cobot-1') !== undefined && latest('cobot-2') !== undefined);
  });
  afterAll(async () => {
    await outsider?.close();
    await master?.close();
    await plant?.close();
    await vehicles?.close();
    await rec?.close();
    await broker?.stop();
  });

  it('a vehicle refuses malformed, schema-invalid, oversized, stale and misplaced orders with errors in its state, counts them, and takes a good order after', async () => {
    const topic = `uagv/v2/${M}/cobot-1/order`;
    await inject(topic, '{"headerId": 1, "nodes": [');
    await waitUntil('validationError for malformed JSON', hasError('cobot-1', 'validationError', 'not JSON'));

    const headers = new HeaderCounter();
    const header = () => headers.take('order');
    const here = latest('cobot-1').agvPosition;
    const nodes = floorRoute(scenarioFloor(scenario))({ x: here.x, y: here.y }, { x: 11, y: 20 })!;
    expect(nodes.length).toBeGreaterThan(3);
    const plan = new OrderPlan('outside-1', { id: 'aisle-west', pose: { x: 11, y: 20 } }, nodes, 1, { manufacturer: M, serialNumber: 'cobot-1', version: VDA5050_VERSION, mapId: 'floor' }, 0.5);
    const good = plan.order(header());

    const wrongType = { ...good, nodes: good.nodes.map((n, i) => (i === 0 ? { ...n, sequenceId: 'zero' } : n)) };
    await inject(topic, JSON.stringify(wrongType));
    await waitUntil('validationError naming /nodes/0/sequenceId', hasError('cobot-1', 'validationError', '/nodes/0/sequenceId'));

    await inject(topic, JSON.stringify({ ...good, padding: 'x'.repeat(MAX_VEHICLE_PAYLOAD_BYTES) }));
    await waitUntil('validationError for the oversized payload', hasError('cobot-1', 'validationError', 'exceeds'));

    // Schema-valid but against VDA 5050's rules: odd node sequenceIds.
    const odd: Order = { ...good, orderId: 'outside-odd', nodes: good.nodes.map((n) => ({ ...n, sequenceId: n.sequenceId + 1 })) };
    await outsider.publish(topic, encode(odd));
    await waitUntil('validationError for odd sequenceIds', hasError('cobot-1', 'validationError', 'even'));

    // An order for a vehicle nobody has, and a topic VDA 5050 does not have.
    await outsider.publish(`uagv/v2/${M}/ghost-9/order`, encode({ ...good, serialNumber: 'ghost-9' }));
    await inject(`uagv/v2/${M}/cobot-1/bogus`, '{"hello": "world"}');
    await waitUntil('unknown vehicle and topic counted', () => vehicles.stats.rejected.unknownVehicle >= 1 && vehicles.stats.rejected.unknownTopic >= 1);

    // The good order: taken, the cobot taken over from its agent.
    await outsider.publish(topic, encode(good));
    await waitUntil('order outside-1 taken', () => latest('cobot-1')?.orderId === 'outside-1');
    expect(latest('cobot-1').errors.filter((e: any) => e.errorType === 'validationError')).toEqual([]);
    expect(plant.context!.robots!.controller('cobot-1')).toBe('vda5050:master');

    const update1 = plan.update(plan.released - 1, header())!;
    await outsider.publish(topic, encode(update1));
    await waitUntil('update 1 taken', () => latest('cobot-1')?.orderUpdateId === 1);
    // Stale: an older orderUpdateId.
    await outsider.publish(topic, encode({ ...update1, headerId: header().headerId, orderUpdateId: 0, nodes: update1.nodes, edges: update1.edges }));
    await waitUntil('orderUpdateError for the stale update', hasError('cobot-1', 'orderUpdateError', 'older'));
    // Newer, but not starting at the end of the current base.
    await outsider.publish(topic, encode({ ...plan.order(header()), orderUpdateId: 7 }));
    await waitUntil('orderUpdateError for the wrong first node', hasError('cobot-1', 'orderUpdateError', 'is not the end of the current base'));
    // A new orderId while this one runs.
    await outsider.publish(topic, encode({ ...good, headerId: header().headerId, orderId: 'outside-2' }));
    await waitUntil('orderError for a second order', hasError('cobot-1', 'orderError', 'still active'));

    // Instant actions: unknown type, and a schema-invalid message.
    const ia = (actions: unknown[]) => ({ ...new HeaderCounter().take('instantActions'), version: VDA5050_VERSION, manufacturer: M, serialNumber: 'cobot-1', actions });
    await outsider.publish(`uagv/v2/${M}/cobot-1/instantActions`, encode(ia([{ actionId: 'fly-1', actionType: 'fly', blockingType: 'NONE' }])));
    await waitUntil('actionError for an unknown action', hasError('cobot-1', 'actionError', '"fly"'));
    expect(latest('cobot-1').actionStates.find((a: any) => a.actionId === 'fly-1')?.actionStatus).toBe('FAILED');
    await inject(`uagv/v2/${M}/cobot-1/instantActions`, JSON.stringify(ia([{ actionId: 'x', actionType: 'pick', blockingType: 'SOMETIMES' }])));
    await waitUntil('validationError for the blockingType', hasError('cobot-1', 'validationError', 'blockingType'));

    // The rest released: the vehicle drives to the end, with a pause on the way.
    const last = plan.update(plan.lastIndex, header())!;
    await outsider.publish(topic, encode(last));
    await outsider.publish(`uagv/v2/${M}/cobot-1/instantActions`, encode(ia([{ actionId: 'pause-1', actionType: 'startPause', blockingType: 'HARD' }])));
    await waitUntil('paused', () => latest('cobot-1')?.paused === true && latest('cobot-1')?.driving === false);
    await outsider.publish(`uagv/v2/${M}/cobot-1/instantActions`, encode(ia([{ actionId: 'pause-2', actionType: 'stopPause', blockingType: 'HARD' }])));
    await waitUntil(
      'cobot-1 at the end of order outside-1',
      () => {
        const s = latest('cobot-1');
        return s?.orderId === 'outside-1' && s.nodeStates.length === 0 && !s.driving && s.lastNodeSequenceId === 2 * plan.lastIndex;
      },
      30_000,
    );
    await waitUntil('cobot-1 handed back to its agent', () => plant.context!.robots!.controller('cobot-1') === undefined);

    const r = vehicles.stats.rejected;
    expect(r.notJson).toBe(2); // malformed and oversized
    expect(r.invalid).toBe(2); // wrong type, bad blockingType
    expect(r.refused).toBeGreaterThanOrEqual(5); // odd sequence, stale, wrong first node, second order, unknown action
    expect(vehicles.stats.invalidOutgoing).toBe(0);
  });

  it('the master counts malformed, invalid and unknown-vehicle states and still drives its vehicle', async () => {
    const topic = `uagv/v2/${M}/cobot-2/state`;
    await inject(topic, 'not json at all');
    await inject(topic, JSON.stringify({ ...latest('cobot-2'), batteryState: { batteryCharge: 'full', charging: false } }));
    await outsider.publish(`uagv/v2/${M}/ghost-9/state`, encode({ ...latest('cobot-2'), serialNumber: 'ghost-9' }));
    await inject(topic, JSON.stringify({ ...latest('cobot-2'), padding: 'x'.repeat(300 * 1024) }));
    await waitUntil('the master counted them', () => master.stats.rejected.notJson >= 2 && master.stats.rejected.invalid >= 1 && master.stats.rejected.unknownVehicle >= 1);

    master.navigate('cobot-2', { id: 'station-3', pose: plant.context!.layout.pose('station-3') });
    await waitUntil('cobot-2 arrived at station-3', () => observed.some((o) => o.robot === 'cobot-2' && o.obs.type === 'robot.arrived' && o.obs.goal === 'station-3'), 30_000);
    master.perform('cobot-2', { id: 'task-x:pick', kind: 'pick', seconds: 5 });
    await waitUntil('the pick done', () => observed.some((o) => o.obs.type === 'robot.actionDone' && o.obs.action === 'task-x:pick'));
    // Charging: startCharging, then charged when the state says full and no longer charging.
    master.perform('cobot-2', { id: 'cobot-2:charge', kind: 'charge' });
    await waitUntil('charging in the state', () => latest('cobot-2')?.batteryState.charging === true);
    await waitUntil('robot.charged', () => observed.some((o) => o.robot === 'cobot-2' && o.obs.type === 'robot.charged'), 30_000);
    expect(latest('cobot-2').batteryState.batteryCharge).toBe(100);
    // Asked for, the factsheet comes again.
    const sheets = rec.of('factsheet', 'cobot-2').length;
    await outsider.publish(`uagv/v2/${M}/cobot-2/instantActions`, encode({ ...new HeaderCounter().take('instantActions'), version: VDA5050_VERSION, manufacturer: M, serialNumber: 'cobot-2', actions: [{ actionId: 'fs-1', actionType: 'factsheetRequest', blockingType: 'NONE' }] }));
    await waitUntil('a new factsheet', () => rec.of('factsheet', 'cobot-2').length > sheets);
    expect(master.stats.invalidOutgoing).toBe(0);
  });

  it('saw only the invalid messages the tests injected; every other message passed the official schemas', () => {
    expect(rec.invalid.filter((s) => !injected.has(s.raw)).map((s) => `${s.topic}: ${s.reason}`)).toEqual([]);
    expect(rec.invalid.length).toBeGreaterThan(0);
  });
});
