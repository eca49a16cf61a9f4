import { UsageError } from '../errors.js';
import type { Scenario } from '../../scenarios/schema.js';
import type { LivePlant } from '../../runtime/view/live-plant.js';
import type { MachineSpec } from '../../runtime/machines.js';
import { startEmbeddedBroker, startPlantMqtt } from '../../bridges/mqtt/plant-bridge.js';
import { MqttConnectError } from '../../bridges/mqtt/mqtt-port.js';
import type { EmbeddedBrokerSettings } from '../mqtt-flags.js';
import type { AccessTokens } from '../../bridges/access/access-tokens.js';
import type { ServerTls } from '../../bridges/access/server-tls.js';
import { plantTopics } from '../../bridges/mqtt/plant-topics.js';
import { SparkplugNode } from '../../bridges/mqtt/sparkplug-node.js';
import { TelemetryIngest } from '../../bridges/mqtt/telemetry-ingest.js';
import type { RemoteAgents } from '../../bridges/mqtt/live/remote-agents.js';
import { startRosbridgeServer } from '../../bridges/ros/rosbridge-server.js';
import { startVda5050Vehicles, type Vda5050Vehicles } from '../../bridges/vda5050/vehicle-fleet.js';
import { startErpApi } from '../../bridges/erp/server.js';
import { PlantPlanSource } from '../../runtime/erp-plan-source.js';
import { ProductionPlanner } from '../../runtime/production-planner.js';

/** Things `serve` opened, closed in reverse order when it stops or a later step fails. */
export class Openings {
  private readonly closers: (() => Promise<unknown> | unknown)[] = [];

  add(close: () => Promise<unknown> | unknown): void {
    this.closers.push(close);
  }

  async close(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) {
      try {
        await close();
      } catch {
        // Closing goes on: one bridge failing to close must not keep the others open.
      }
    }
  }
}

const problem = (line: string) => void process.stderr.write(`${line}\n`);

/** The MQTT broker of a live plant: the one given, or an embedded one started now (before the plant, whose VDA 5050 master needs its address). */
export async function plantBroker(url: string | undefined, embeddedPort: number | undefined, opened: Openings, settings?: EmbeddedBrokerSettings): Promise<{ url: string; embedded: boolean; bind?: string }> {
  if (url) return { url, embedded: false };
  const broker = await startEmbeddedBroker(embeddedPort, settings);
  opened.add(() => broker.stop());
  return { url: broker.url, embedded: true, ...(settings?.host !== undefined ? { bind: settings.host } : {}) };
}

export interface BridgeFlags {
  broker?: { url: string; embedded: boolean; bind?: string };
  commands: boolean;
  sparkplug?: string;
  remote?: RemoteAgents;
  rosbridgePort?: number;
  opcuaPort?: number;
  erpPort?: number;
  /** The operator token: the ERP API's Bearer token. */
  token?: string;
  /** Tokens with roles (--tokens), for the ERP API too. */
  tokens?: AccessTokens;
  vda5050Vehicles?: string;
  host: string;
  /** The certificate the page is served with: the ERP API is served with it too. */
  https?: ServerTls;
  mqttFed: MachineSpec[];
  machineSpecs: MachineSpec[];
}

/** Maps a failure to listen or connect to the flag that chose the address. */
function asUsage(e: unknown, flag: string, port?: number): unknown {
  if (e instanceof MqttConnectError) return new UsageError(`${flag}: ${e.message}`);
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE' || /EADDRINUSE/.test(String((e as Error).message))) return new UsageError(`port ${port} is in use: choose another with ${flag}`);
  return e;
}

/**
 * Opens the bridges a live plant was asked for and returns the lines that
 * tell the user where each one is. What it opened goes into `opened`.
 */
export async function openBridges(live: LivePlant, scenario: Scenario, f: BridgeFlags, opened: Openings): Promise<string[]> {
  const lines: string[] = [];
  if (f.broker) {
    let mqtt: Awaited<ReturnType<typeof startPlantMqtt>>;
    try {
      mqtt = await startPlantMqtt(live, { plant: scenario.name, url: f.broker.url, commands: f.commands, onProblem: problem });
    } catch (e) {
      throw asUsage(e, '--mqtt');
    }
    opened.add(() => mqtt.close());
    let node: SparkplugNode | undefined;
    if (f.sparkplug !== undefined) {
      node = await SparkplugNode.start(live, { url: f.broker.url, group: f.sparkplug, node: scenario.name, onProblem: problem });
      opened.add(() => node!.close());
    }
    if (f.mqttFed.length > 0) {
      const ingest = await TelemetryIngest.start(live, mqtt.port, f.mqttFed, problem);
      opened.add(() => ingest.close());
    }
    lines.push(`MQTT: ${f.broker.url}${f.broker.embedded ? ` (embedded broker${f.broker.bind !== undefined ? `, listening on ${f.broker.bind}` : ''})` : ''}, topics ${plantTopics(scenario.name).root}/#${node ? `, Sparkplug B spBv1.0/${f.sparkplug}/+/${scenario.name}/#` : ''}`);
  }
  if (f.remote) {
    const remote = f.remote;
    try {
      await remote.connect(f.broker!.url);
    } catch (e) {
      throw asUsage(e, '--remote-agents');
    }
    opened.add(() => remote.close());
    remote.followClock(
      () => {
        const frame = live.frame();
        return { t: frame.t, speed: frame.speed, paused: frame.paused, finished: frame.finished };
      },
      () => live.hold(),
    );
    lines.push(`agents in agent hosts: ${remote.placements().map((p) => p.id).join(', ')} (hosts join with: hyperfactory agent-host SCENARIO --agents PATTERN --mqtt ${f.broker!.url})`);
  }
  if (f.vda5050Vehicles !== undefined) {
    const options = { url: f.broker!.url, manufacturer: f.vda5050Vehicles, onProblem: problem };
    let vehicles: Vda5050Vehicles = await startVda5050Vehicles(live, options);
    // A reset builds a new fleet: its vehicles connect again.
    live.onRestart(() => void vehicles.close().then(async () => (vehicles = await startVda5050Vehicles(live, options))).catch((e: Error) => problem(`vda5050: ${e.message}`)));
    opened.add(() => vehicles.close());
    lines.push(`VDA 5050: the cobots as AGVs on uagv/v2/${f.vda5050Vehicles}/<cobot>/… (order, instantActions in; state, visualization, connection, factsheet out)`);
  }
  if (f.rosbridgePort !== undefined) {
    try {
      const rosbridge = await startRosbridgeServer(live, { port: f.rosbridgePort, host: f.host, onProblem: problem });
      opened.add(() => rosbridge.close());
      lines.push(`ROS 2: rosbridge v2 at ${rosbridge.url} (/<cobot>/odom, battery_state, cmd_vel, navigate_to_pose)`);
    } catch (e) {
      throw asUsage(e, '--rosbridge-port', f.rosbridgePort);
    }
  }
  if (f.opcuaPort !== undefined) {
    try {
      // Loaded only when asked for: node-opcua checks the platform's RSA support (and warns) on import.
      const { startOpcuaServer } = await import('../../bridges/opcua/machine-server.js');
      const opcua = await startOpcuaServer(live, { port: f.opcuaPort, host: f.host, plantName: scenario.name });
      opened.add(() => opcua.close());
      lines.push(`OPC UA: ${opcua.endpoint} (Machinery: Objects/Machines/<machine>)`);
    } catch (e) {
      throw asUsage(e, '--opcua-port', f.opcuaPort);
    }
  }
  if (f.erpPort !== undefined) {
    // The production plan of the scenario's ERP export (none without one), solved now and on every order and count.
    const planner = ProductionPlanner.forScenario(scenario, { onProblem: problem })?.start();
    if (planner) opened.add(() => planner.close());
    const source = new PlantPlanSource(scenario, () => live.context, { planner });
    try {
      const api = await startErpApi(source, { port: f.erpPort, host: f.host, ...(f.https ? { tls: f.https } : {}), ...(f.token !== undefined ? { token: f.token } : {}), ...(f.tokens ? { tokens: f.tokens } : {}), master: source.master() });
      opened.add(() => api.close());
      lines.push(`ERP API: ${api.url} (OpenAPI: ${api.url}/openapi.json; Bearer: the operator token)${planner ? '; production plan: HiGHS, re-solved on orders and stock counts' : ''}`);
    } catch (e) {
      throw asUsage(e, '--erp-port', f.erpPort);
    }
  }
  if (f.machineSpecs.some((m) => m.telemetryOpcua)) {
    const { OpcuaTelemetrySource, opcuaFeeds } = await import('../../bridges/opcua/telemetry-client.js');
    const source = OpcuaTelemetrySource.start(live, opcuaFeeds(f.machineSpecs), problem);
    opened.add(() => source.close());
  }
  return lines;
}
