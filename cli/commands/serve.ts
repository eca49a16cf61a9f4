import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { loadScenario } from '../../scenarios/load.js';
import { intFlag, numberFlag, onePositional, parseCommand } from '../args.js';
import { LivePlant } from '../../runtime/view/live-plant.js';
import { ReplayPlant } from '../../runtime/view/replay-plant.js';
import type { ViewSource } from '../../runtime/view/view-source.js';
import { ViewerServer } from '../../bridges/viewer/server.js';
import { LogFileError } from '../../sim/log/read-log.js';
import { endpointFromEnv } from '../../runtime/operator-nl.js';
import { projectRoot } from '../../runtime/paths.js';
import { startPlantMqtt } from '../../bridges/mqtt/plant-bridge.js';
import { MqttConnectError } from '../../bridges/mqtt/mqtt-port.js';
import { plantTopics } from '../../bridges/mqtt/plant-topics.js';
import { SparkplugNode } from '../../bridges/mqtt/sparkplug-node.js';
import { TelemetryIngest } from '../../bridges/mqtt/telemetry-ingest.js';
import { expandMachines } from '../../runtime/machines.js';
import { RemoteAgents } from '../../bridges/mqtt/live/remote-agents.js';
import { startRosbridgeServer, type RosbridgeServer } from '../../bridges/ros/rosbridge-server.js';
import { rosRobotPort } from '../../bridges/ros/ros-robot-port.js';
import type { RobotPortFactory } from '../../runtime/robot-control.js';
import type { OpcuaServerHandle } from '../../bridges/opcua/machine-server.js';
import type { OpcuaTelemetrySource } from '../../bridges/opcua/telemetry-client.js';

export const serveHelp = `hyperfactory serve <scenario.yaml> [--speed X] [--viewer-port P] [--host H] [--token T | --read-only]
                  [--seed N] [--policy NAME] [--mode des|physics] [--log FILE] [--replay FILE]
                  [--mqtt URL | --mqtt-port P | --no-mqtt] [--sparkplug GROUP] [--remote-agents PATTERN]
                  [--rosbridge-port P] [--robots ros:ws://HOST:PORT] [--opcua-port P]
  Runs a scenario in real time scaled by X (default 60: a simulated minute per
  second) and shows it in the browser at the printed address. The address
  carries an operator token (random unless --token is given): whoever opens it
  may pause, change speed, inject faults, reset and command cobots; without the
  token the page is read-only. --read-only starts with no operator at all.
  --replay FILE plays a recorded event log (run --log) of this scenario instead,
  with a time slider.
  A live plant is also on MQTT (topics in docs/mqtt.md: telemetry, predictions,
  alerts, work orders, agents' states out; operator commands in): on an
  embedded broker at 127.0.0.1:1883 (--mqtt-port P, or a free port when it is
  taken), or on a running broker with --mqtt mqtt://host:port; --no-mqtt turns
  it off. Commands over MQTT are refused when the plant is --read-only.
  Machines with a telemetryTopic in the scenario take their telemetry from
  that MQTT topic (a real sensor) instead of their sensor model.
  --sparkplug GROUP also publishes the plant as a Sparkplug B edge node
  (spBv1.0/GROUP/…/<scenario name>, each machine a device) for SCADA hosts.
  --remote-agents PATTERN runs the agents it covers (cobot-*, cobot-[1-4],
  supplier-?: cobots, suppliers and trucks) in agent hosts on the broker
  instead ("hyperfactory agent-host --help"); the plant keeps the world and
  the coordinators, and re-auctions what a lost host's agents had won.
  --rosbridge-port P opens a rosbridge v2 WebSocket endpoint (docs/ros2.md):
  every simulated cobot as a nav2 robot (/<cobot>/odom, battery_state,
  cmd_vel, navigate_to_pose; /rosapi/topics). A ROS client's goal takes the
  cobot over from its agent until the client is done.
  --robots ros:ws://HOST:PORT: the cobots' agents drive real robots through
  nav2 behind that rosbridge server instead of the simulated bodies.
  --opcua-port P serves every machine on OPC UA (docs/opcua.md: the Machinery
  Machines folder, identification, sensor variables, health outputs) at
  opc.tcp://HOST:P. Machines with a telemetryOpcua in the scenario read their
  sensors from that OPC UA server by subscription instead of their model.`;

export async function serveCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand('serve', argv, {
    speed: { type: 'string' },
    'viewer-port': { type: 'string' },
    host: { type: 'string' },
    token: { type: 'string' },
    'read-only': { type: 'boolean', default: false },
    seed: { type: 'string' },
    policy: { type: 'string' },
    mode: { type: 'string' },
    log: { type: 'string' },
    replay: { type: 'string' },
    mqtt: { type: 'string' },
    'mqtt-port': { type: 'string' },
    'no-mqtt': { type: 'boolean', default: false },
    sparkplug: { type: 'string' },
    'remote-agents': { type: 'string' },
    'rosbridge-port': { type: 'string' },
    robots: { type: 'string' },
    'opcua-port': { type: 'string' },
  });
  const file = onePositional('serve', positionals, 'scenario file');
  const scenario = loadScenario(file);
  const speed = numberFlag('speed', values.speed) ?? 60;
  if (!(speed > 0)) throw new UsageError('--speed must be > 0');
  const port = intFlag('viewer-port', values['viewer-port']) ?? 8080;
  if (port > 65535) throw new UsageError(`--viewer-port must be at most 65535, got ${port}`);
  if (values.mode !== undefined && values.mode !== 'des' && values.mode !== 'physics') throw new UsageError(`--mode must be des or physics, got "${values.mode}"`);
  if (values['read-only'] && values.token !== undefined) throw new UsageError('--token and --read-only exclude each other');
  const mqttPort = intFlag('mqtt-port', values['mqtt-port']);
  if (mqttPort !== undefined && mqttPort > 65535) throw new UsageError(`--mqtt-port must be at most 65535, got ${mqttPort}`);
  if ([values.mqtt !== undefined, mqttPort !== undefined, values['no-mqtt']].filter(Boolean).length > 1) throw new UsageError('--mqtt, --mqtt-port and --no-mqtt exclude each other');
  if (values.mqtt !== undefined && !/^mqtts?:\/\/[^\s/]+/.test(values.mqtt)) throw new UsageError(`--mqtt must be a broker address like mqtt://127.0.0.1:1883, got "${values.mqtt}"`);
  if (values.sparkplug !== undefined && values['no-mqtt']) throw new UsageError('--sparkplug needs MQTT: drop --no-mqtt');
  if (values.sparkplug !== undefined && !/^[^/+#\s]+$/.test(values.sparkplug)) throw new UsageError(`--sparkplug: a group id without /, +, # or spaces, got "${values.sparkplug}"`);
  let remote: RemoteAgents | undefined;
  if (values['remote-agents'] !== undefined) {
    if (values['no-mqtt']) throw new UsageError('--remote-agents needs MQTT: drop --no-mqtt');
    if (values.replay !== undefined) throw new UsageError('--remote-agents runs a live plant: drop --replay');
    try {
      remote = new RemoteAgents({ plant: scenario.name, agents: values['remote-agents'], onProblem: (line) => process.stderr.write(`${line}\n`) });
    } catch (e) {
      if (e instanceof RangeError) throw new UsageError(`--remote-agents: ${e.message}`);
      throw e;
    }
  }
  const rosbridgePort = intFlag('rosbridge-port', values['rosbridge-port']);
  if (rosbridgePort !== undefined && rosbridgePort > 65535) throw new UsageError(`--rosbridge-port must be at most 65535, got ${rosbridgePort}`);
  const cobotIds = scenario.cobots ? Array.from({ length: scenario.cobots.count }, (_, i) => `${scenario.cobots!.idPrefix}-${i + 1}`) : [];
  if ((rosbridgePort !== undefined || values.robots !== undefined) && cobotIds.length === 0) throw new UsageError(`--rosbridge-port and --robots need cobots: scenario "${scenario.name}" has none`);
  if ((rosbridgePort !== undefined || values.robots !== undefined) && values.replay !== undefined) throw new UsageError('--rosbridge-port and --robots work on a live plant: drop --replay');
  const opcuaPort = intFlag('opcua-port', values['opcua-port']);
  if (opcuaPort !== undefined && opcuaPort > 65535) throw new UsageError(`--opcua-port must be at most 65535, got ${opcuaPort}`);
  if (opcuaPort !== undefined && values.replay !== undefined) throw new UsageError('--opcua-port serves a live plant: drop --replay');
  const machineSpecs = expandMachines(scenario);
  const mqttFed = machineSpecs.filter((m) => m.telemetryTopic);
  if (values['no-mqtt'] && mqttFed.length > 0) throw new UsageError(`machine ${mqttFed[0].id} takes its telemetry from MQTT (telemetryTopic): drop --no-mqtt`);
  let robotPort: RobotPortFactory | undefined;
  if (values.robots !== undefined) {
    const ros = /^ros:(wss?:\/\/[^\s/]+.*)$/.exec(values.robots);
    if (!ros) throw new UsageError(`--robots must be ros:ws://HOST:PORT (a rosbridge server), got "${values.robots}"`);
    robotPort = rosRobotPort(ros[1], { robots: cobotIds, onProblem: (line) => process.stderr.write(`${line}\n`) });
  }
  const staticDir = join(projectRoot(), 'viewer', 'dist');
  if (!existsSync(join(staticDir, 'index.html'))) throw new UsageError(`the viewer page is not built (${staticDir}): run "npm run build"`);

  let source: ViewSource;
  if (values.replay !== undefined) {
    try {
      source = new ReplayPlant(scenario, resolve(values.replay), { speed });
    } catch (e) {
      if (e instanceof LogFileError) throw new UsageError(e.message);
      throw e;
    }
  } else {
    source = new LivePlant(scenario, {
      speed,
      seed: intFlag('seed', values.seed),
      policy: values.policy,
      mode: values.mode as 'des' | 'physics' | undefined,
      logPath: values.log ? resolve(values.log) : undefined,
      // Machines with a telemetryTopic or telemetryOpcua take their telemetry from there instead of their sensor model.
      externalTelemetry: true,
      placement: remote?.placement,
      robotPort,
      endpoint: endpointFromEnv(),
      onFinished: (r) => process.stdout.write(`run finished: ${(r.simulatedSeconds / 86400).toFixed(1)} simulated days, logHash ${r.logHash}\n`),
    });
  }
  const token = values['read-only'] ? undefined : (values.token ?? randomBytes(12).toString('base64url'));
  let server: ViewerServer;
  try {
    server = await ViewerServer.start(source, { port, host: values.host ?? '127.0.0.1', operatorToken: token, staticDir });
  } catch (e) {
    await source.close();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsageError(`port ${port} is in use: choose another with --viewer-port`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UsageError(`cannot listen on host "${values.host}"`);
    throw e;
  }
  let mqtt: Awaited<ReturnType<typeof startPlantMqtt>> | undefined;
  if (source instanceof LivePlant && !values['no-mqtt']) {
    try {
      mqtt = await startPlantMqtt(source, { plant: scenario.name, url: values.mqtt, embeddedPort: mqttPort, commands: token !== undefined, onProblem: (line) => process.stderr.write(`${line}\n`) });
    } catch (e) {
      await Promise.all([server.close(), source.close()]);
      if (e instanceof MqttConnectError) throw new UsageError(`--mqtt: ${e.message}`);
      throw e;
    }
  }
  if (remote && mqtt) {
    const live = source as LivePlant;
    try {
      await remote.connect(mqtt.url);
    } catch (e) {
      await Promise.all([server.close(), source.close(), mqtt.close()]);
      if (e instanceof MqttConnectError) throw new UsageError(`--remote-agents: ${e.message}`);
      throw e;
    }
    remote.followClock(() => {
      const f = live.frame();
      return { t: f.t, speed: f.speed, paused: f.paused, finished: f.finished };
    });
    if (remote.placements().length === 0) {
      await Promise.all([server.close(), source.close(), remote.close(), mqtt.close()]);
      throw new UsageError(`--remote-agents "${values['remote-agents']}" covers no cobot, supplier or truck of ${scenario.name}`);
    }
  }
  let rosbridge: RosbridgeServer | undefined;
  if (rosbridgePort !== undefined) {
    try {
      rosbridge = await startRosbridgeServer(source as LivePlant, { port: rosbridgePort, host: values.host ?? '127.0.0.1', onProblem: (line) => process.stderr.write(`${line}\n`) });
    } catch (e) {
      await Promise.all([server.close(), source.close(), remote?.close(), mqtt?.close()]);
      if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UsageError(`port ${rosbridgePort} is in use: choose another with --rosbridge-port`);
      throw e;
    }
  }
  let ingest: TelemetryIngest | undefined;
  if (mqtt && mqttFed.length > 0) {
    ingest = await TelemetryIngest.start(source as LivePlant, mqtt.port, mqttFed, (line) => process.stderr.write(`${line}\n`));
  }
  let opcua: OpcuaServerHandle | undefined;
  if (opcuaPort !== undefined) {
    try {
      // Loaded only when asked for: node-opcua checks the platform's RSA support (and warns) on import.
      const { startOpcuaServer } = await import('../../bridges/opcua/machine-server.js');
      opcua = await startOpcuaServer(source as LivePlant, { port: opcuaPort, host: values.host ?? '127.0.0.1', plantName: scenario.name });
    } catch (e) {
      await Promise.all([server.close(), source.close(), remote?.close(), rosbridge?.close(), ingest?.close(), mqtt?.close()]);
      if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE' || /EADDRINUSE/.test(String((e as Error).message))) throw new UsageError(`port ${opcuaPort} is in use: choose another with --opcua-port`);
      throw e;
    }
  }
  let opcuaIn: OpcuaTelemetrySource | undefined;
  if (source instanceof LivePlant && machineSpecs.some((m) => m.telemetryOpcua)) {
    const { OpcuaTelemetrySource, opcuaFeeds } = await import('../../bridges/opcua/telemetry-client.js');
    opcuaIn = OpcuaTelemetrySource.start(source, opcuaFeeds(machineSpecs), (line) => process.stderr.write(`${line}\n`));
  }
  let node: SparkplugNode | undefined;
  if (mqtt && values.sparkplug !== undefined) {
    node = await SparkplugNode.start(source as LivePlant, { url: mqtt.url, group: values.sparkplug, node: scenario.name, onProblem: (line) => process.stderr.write(`${line}\n`) });
  }
  const what = values.replay ? `replay of ${values.replay}` : `${scenario.name} live at ×${speed}`;
  const onMqtt = mqtt
    ? `  MQTT: ${mqtt.url}${mqtt.embedded ? ' (embedded broker)' : ''}, topics ${plantTopics(scenario.name).root}/#${node ? `, Sparkplug B spBv1.0/${values.sparkplug}/+/${scenario.name}/#` : ''}\n`
    : '';
  const onRemote = remote ? `  agents in agent hosts: ${remote.placements().map((p) => p.id).join(', ')} (waiting for hosts: hyperfactory agent-host ${file} --agents PATTERN --mqtt ${mqtt!.url})\n` : '';
  const onOpcua = opcua ? `  OPC UA: ${opcua.endpoint} (Machinery: Objects/Machines/<machine>)\n` : '';
  const onRos = `${rosbridge ? `  ROS 2: rosbridge v2 at ${rosbridge.url} (/<cobot>/odom, battery_state, cmd_vel, navigate_to_pose)\n` : ''}${values.robots ? `  cobots driven through ${values.robots}\n` : ''}`;
  process.stdout.write(`${what}\n  operator: ${server.url}${token ? `?token=${token}` : ''}\n  viewers (read-only): ${server.url}\n${onMqtt}${onRemote}${onRos}${onOpcua}Ctrl-C stops.\n`);
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void Promise.all([server.close(), source.close(), ingest?.close(), rosbridge?.close(), opcua?.close(), opcuaIn?.close(), (remote?.close() ?? Promise.resolve()).then(() => (node?.close() ?? Promise.resolve())).then(() => mqtt?.close())]).then(() => done());
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
