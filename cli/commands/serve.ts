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

export const serveHelp = `hyperfactory serve <scenario.yaml> [--speed X] [--viewer-port P] [--host H] [--token T | --read-only]
                  [--seed N] [--policy NAME] [--mode des|physics] [--log FILE] [--replay FILE]
                  [--mqtt URL | --mqtt-port P | --no-mqtt] [--sparkplug GROUP] [--remote-agents PATTERN]
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
  the coordinators, and re-auctions what a lost host's agents had won.`;

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
      // Machines with a telemetryTopic listen to MQTT instead of their sensor model (when MQTT is on).
      externalTelemetry: !values['no-mqtt'],
      placement: remote?.placement,
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
  let ingest: TelemetryIngest | undefined;
  const fed = expandMachines(scenario).filter((m) => m.telemetryTopic);
  if (mqtt && fed.length > 0) {
    ingest = await TelemetryIngest.start(source as LivePlant, mqtt.port, fed, (line) => process.stderr.write(`${line}\n`));
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
  process.stdout.write(`${what}\n  operator: ${server.url}${token ? `?token=${token}` : ''}\n  viewers (read-only): ${server.url}\n${onMqtt}${onRemote}Ctrl-C stops.\n`);
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void Promise.all([server.close(), source.close(), ingest?.close(), (remote?.close() ?? Promise.resolve()).then(() => (node?.close() ?? Promise.resolve())).then(() => mqtt?.close())]).then(() => done());
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
