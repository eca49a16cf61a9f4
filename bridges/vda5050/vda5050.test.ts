import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RobotObservation } from '../../agents/ports/robot-port.js';
import { loadScenario } from '../../scenarios/load.js';
import type { Scenario } from '../../scenarios/schema.js';
import { projectRoot } from '../../runtime/paths.js';
import type { RobotPortFactory } from '../../runtime/robot-control.js';
import { LivePlant } from '../../runtime/view/live-plant.js';
import { startMosquitto } from '../../test/support/mosquitto.js';
import { haveOfficialSchemas, OFFICIAL_SCHEMAS, vdaRecorder, type VdaRecorder } from '../../test/support/vda5050-recorder.js';
import { waitUntil } from '../../test/support/wait.js';
import { EmbeddedBroker } from '../mqtt/embedded-broker.js';
import { startVda5050Vehicles } from './vehicle-fleet.js';
import { masterOptionsFor, vda5050RobotPort, type Vda5050Master } from './vda5050-robot-port.js';

const MANUFACTURER = 'hyperfactory';
const base = loadScenario(join(projectRoot(), 'scenarios/cobot-floor.yaml'));
const small = (count: number): Scenario => ({ ...base, cobots: { ...base.cobots!, count, breakdownRate: 0 } });

/** A live plant whose cobots' agents drive VDA 5050 vehicles through the master, and the plant's own cobots as those vehicles. */
async function fleetRun(url: string, scenario: Scenario, speed: number) {
  const observed: { robot: string; obs: RobotObservation }[] = [];
  const problems: string[] = [];
  let master: Vda5050Master | undefined;
  const factory = vda5050RobotPort({ url, manufacturer: MANUFACTURER, ...masterOptionsFor(scenario), onMaster: (m) => (master = m), onProblem: (p) => problems.push(`master: ${p}`) });
  // The agents' view: every observation the master reports.
  const robotPort: RobotPortFactory = (report, kernel) =>
    factory((robot, obs) => {
      observed.push({ robot, obs });
      report(robot, obs);
    }, kernel);
  const plant = new LivePlant(scenario, { speed, robotPort, until: 8 * 3600 });
  await waitUntil('the plant to run', () => plant.context !== undefined);
  await master!.ready();
  const vehicles = await startVda5050Vehicles(plant, { url, manufacturer: MANUFACTURER, stateIntervalMs: 2000, visualizationIntervalMs: 250, onProblem: (p) => problems.push(`vehicles: ${p}`) });
  return {
    plant,
    vehicles,
    master: master!,
    observed,
    problems,
    kpis: () => plant.frame().kpis,
    close: async () => {
      await plant.close();
      await master?.close();
      await vehicles.close();
    },
  };
}

/** What a run over VDA 5050 must show: deliveries, orders with base and horizon, updates, pick and drop finished. */
async function expectDeliveries(run: Awaited<ReturnType<typeof fleetRun>>, rec: VdaRecorder, ms: number): Promise<void> {
  const orders = () => rec.of('order').map((s) => s.msg);
  const finished = (type: string) => rec.of('state').some((s) => s.msg.actionStates.some((a: any) => a.actionType === type && a.actionStatus === 'FINISHED'));
  await waitUntil('a task delivered over VDA 5050', () => run.kpis().tasksCompleted > 0, ms);
  await waitUntil('an order with base and horizon', () => orders().some((o) => o.nodes.some((n: any) => n.released) && o.nodes.some((n: any) => !n.released)), ms);
  await waitUntil('an order update', () => orders().some((o) => o.orderUpdateId > 0), ms);
  await waitUntil('pick and drop FINISHED', () => finished('pick') && finished('drop'), ms);
  // Every update starts at the last base node of the message before it, with the same orderId.
  const byOrder = new Map<string, any[]>();
  for (const o of orders()) byOrder.set(o.orderId, [...(byOrder.get(o.orderId) ?? []), o]);
  for (const msgs of byOrder.values()) {
    for (let i = 1; i < msgs.length; i++) {
      const prevBase = msgs[i - 1].nodes.filter((n: any) => n.released).at(-1);
      expect(msgs[i].orderUpdateId).toBe(msgs[i - 1].orderUpdateId + 1);
      expect({ nodeId: msgs[i].nodes[0].nodeId, sequenceId: msgs[i].nodes[0].sequenceId }).toEqual({ nodeId: prevBase.nodeId, sequenceId: prevBase.sequenceId });
    }
    for (const o of msgs) {
      for (const n of o.nodes) expect(n.sequenceId % 2).toBe(0);
      for (const e of o.edges) expect(e.sequenceId % 2).toBe(1);
    }
  }
  // Header ids count up by one per topic and sender.
  for (const kind of ['state', 'order', 'instantActions']) {
    for (const serial of ['cobot-1', 'cobot-2']) {
      const ids = rec.of(kind, serial).map((s) => s.msg.headerId);
      for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1]);
    }
  }
  expect(run.problems.slice(0, 5)).toEqual([]);
  expect(rec.of('factsheet').length).toBeGreaterThan(0);
  expect(rec.of('visualization').length).toBeGreaterThan(0);
}

describe.skipIf(!haveOfficialSchemas)(`VDA 5050 2.1 over MQTT (schemas: ${OFFICIAL_SCHEMAS})`, () => {
  describe('master and simulated AGVs on the embedded broker', () => {
    let broker: EmbeddedBroker;
    let rec: VdaRecorder;
    let run: Awaited<ReturnType<typeof fleetRun>>;
    beforeAll(async () => {
      broker = await EmbeddedBroker.start();
      rec = await vdaRecorder(broker.url, 'vda-recorder-a');
      run = await fleetRun(broker.url, small(3), 40);
    });
    afterAll(async () => {
      await run?.close();
      await rec?.close();
      await broker?.stop();
    });

    it('delivers tasks: orders with base and horizon, order updates, pick and drop as instant actions; every message valid', async () => {
      await expectDeliveries(run, rec, 45_000);
      expect(rec.invalid).toEqual([]);
      expect(run.master.stats.invalidOutgoing).toBe(0);
      expect(run.vehicles.stats.invalidOutgoing).toBe(0);
      expect(run.master.stats.rejected).toEqual({ notJson: 0, invalid: 0, unknownVehicle: 0, unknownTopic: 0 });
      expect(run.vehicles.stats.rejected).toEqual({ notJson: 0, invalid: 0, refused: 0, unknownVehicle: 0, unknownTopic: 0 });
      // Arrivals reported to the agents came from states.
      expect(run.observed.some((o) => o.obs.type === 'robot.arrived')).toBe(true);
      expect(run.observed.some((o) => o.obs.type === 'robot.actionDone')).toBe(true);
    });

    it('connection is the last will: a dropped vehicle is CONNECTIONBROKEN (retained) and a fault; back ONLINE, it recovers', async () => {
      const topic = `uagv/v2/${MANUFACTURER}/cobot-1/connection`;
      const from = rec.valid.length;
      run.vehicles.vehicles.get('cobot-1')!.dropConnection();
      await waitUntil('CONNECTIONBROKEN of cobot-1', () => rec.valid.slice(from).some((s) => s.topic === topic && s.msg.connectionState === 'CONNECTIONBROKEN'));
      // A late subscriber gets it as the retained value (unless the vehicle is back already).
      const late = await vdaRecorder(broker.url, 'vda-recorder-late', topic);
      await waitUntil('the retained connection', () => late.valid.length > 0);
      expect(late.valid[0].retained).toBe(true);
      expect(['CONNECTIONBROKEN', 'ONLINE']).toContain(late.valid[0].msg.connectionState);
      await late.close();
      await waitUntil('robot.fault for the broken connection', () => run.observed.some((o) => o.robot === 'cobot-1' && o.obs.type === 'robot.fault' && o.obs.reason.includes('CONNECTIONBROKEN')));
      await waitUntil('cobot-1 ONLINE again', () => rec.valid.slice(from).some((s) => s.topic === topic && s.msg.connectionState === 'ONLINE'), 20_000);
      await waitUntil('robot.recovered', () => {
        const i = run.observed.findIndex((o) => o.robot === 'cobot-1' && o.obs.type === 'robot.fault');
        return i >= 0 && run.observed.slice(i).some((o) => o.robot === 'cobot-1' && o.obs.type === 'robot.recovered');
      });
      // The connection's header ids went on counting across the will.
      const ids = rec.of('connection', 'cobot-1').map((s) => s.msg.headerId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(rec.invalid).toEqual([]);
    });
  });

  it('a breakdown of the body is a FATAL error in the state: the agent hears a fault, then the recovery', async () => {
    const broker = await EmbeddedBroker.start();
    const rec = await vdaRecorder(broker.url, 'vda-recorder-breakdown');
    const broken = { ...small(2), cobots: { ...small(2).cobots!, breakdownRate: 30, repairTime: { dist: 'constant' as const, value: 60 } } };
    const run = await fleetRun(broker.url, broken, 40);
    try {
      const fatal = () => rec.of('state').some((s) => s.msg.errors.some((e: any) => e.errorLevel === 'FATAL' && e.errorType === 'vehicleFault'));
      await waitUntil('a FATAL vehicleFault in a state', fatal, 30_000);
      await waitUntil('robot.fault then robot.recovered', () => {
        const i = run.observed.findIndex((o) => o.obs.type === 'robot.fault' && o.obs.reason.startsWith('vehicleFault'));
        return i >= 0 && run.observed.slice(i).some((o) => o.robot === run.observed[i].robot && o.obs.type === 'robot.recovered');
      }, 30_000);
      expect(rec.invalid).toEqual([]);
    } finally {
      await run.close();
      await rec.close();
      await broker.stop();
    }
  });

  it('runs the same against Mosquitto (MQTT 5), smaller', async () => {
    const mosquitto = await startMosquitto();
    const rec = await vdaRecorder(mosquitto.url, 'vda-recorder-b');
    const run = await fleetRun(mosquitto.url, small(2), 40);
    try {
      await expectDeliveries(run, rec, 45_000);
      expect(rec.invalid).toEqual([]);
      expect(run.master.stats.invalidOutgoing + run.vehicles.stats.invalidOutgoing).toBe(0);
    } finally {
      await run.close();
      await rec.close();
      await mosquitto.stop();
    }
  });
});
