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
import { cobotIds, expandMachines } from '../../runtime/machines.js';
import { RemoteAgents } from '../../bridges/mqtt/live/remote-agents.js';
import { rosRobotPort } from '../../bridges/ros/ros-robot-port.js';
import { masterOptionsFor, vda5050RobotPort } from '../../bridges/vda5050/vda5050-robot-port.js';
import type { RobotPortFactory } from '../../runtime/robot-control.js';
import { openBridges, Openings, plantBroker } from './serve-bridges.js';
import { chainFlagHelp, chainFlagSpec, openLedgerFlags } from '../chain-flags.js';
import { applyMqttIdentity, embeddedBrokerFlags, mqttBrokerHelp, mqttBrokerSpec, mqttIdentityHelp, mqttIdentitySpec } from '../mqtt-flags.js';
import { LeaseAccess } from '../../bridges/evm/lease-access.js';
import { UNSEALED_LINK, linkFlagHelp, linkFlagSpec, linkSecurityFlags, mayCarry } from '../link-flags.js';
import { AccessTokens, TokensFileError } from '../../bridges/access/access-tokens.js';
import type { LesseeOptions } from '../../bridges/viewer/lessee.js';
import { CertificateFileError } from '../../bridges/access/server-certificate.js';
import { ServerTls } from '../../bridges/access/server-tls.js';
import { isLoopback } from '../loopback.js';
import { defaultIdentityDir, siteIdentity, type SiteIdentity } from '../site-identity.js';
import { ThrottledLines } from '../throttled-lines.js';

export const serveHelp = `hyperfactory serve <scenario.yaml> [--speed X] [--viewer-port P] [--host H] [--tls-cert FILE --tls-key FILE] [--token T | --read-only] [--tokens FILE]
                  [--seed N] [--policy NAME] [--mode des|physics] [--log FILE] [--replay FILE]
                  [--mqtt URL | --mqtt-port P | --no-mqtt] [--sparkplug GROUP] [--remote-agents PATTERN]
                  [--rosbridge-port P] [--opcua-port P] [--vda5050-vehicles MANUFACTURER]
                  [--robots ros:ws://HOST:PORT | vda5050:MANUFACTURER] [--erp-port P]
                  [--ledger chain|memory] [--chain-data DIR] [--chain-rpc URL] [--lessees [--viewers]]
                  [--mqtt-user NAME] [--mqtt-ca FILE] [--mqtt-cert FILE --mqtt-key FILE]
                  [--mqtt-password-file FILE] [--mqtt-acl-file FILE] [--identity FILE --principals FILE [--keyring FILE] | --identity-dir DIR | --unsigned]
  Runs a scenario in real time scaled by X (default 60: a simulated minute per
  second) and shows it in the browser at the printed address. The address
  carries an operator token (random unless --token is given): whoever opens it
  may pause, change speed, inject faults, reset and command cobots (role
  admin); without a token the page is read-only. --read-only starts with no
  operator at all. --tokens FILE adds named tokens with roles (viewer: read;
  operator: control; admin: also reset), stored as SHA-256 hashes ("hyperfactory
  identity token NAME --role R" makes one); the viewer and the ERP API check
  them, a wrong or revoked token is refused, and edits apply without a restart.
  --host H listens on H (default 127.0.0.1) for the page, socket.io and the
  ERP API; --tls-cert FILE --tls-key FILE serve them over HTTPS (and WSS), so
  tokens and sign-ins do not cross the network in clear (a warning says so
  when --host leaves loopback without them); renewed files apply without a
  restart.
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
  --vda5050-vehicles M puts every simulated cobot on the broker as a VDA 5050
  2.1 AGV of manufacturer M (docs/vda5050.md): any VDA 5050 master can drive
  it (its agent hands its tasks back while an outside order runs).
  --robots: the cobots' agents drive robots outside the simulation instead
  of its bodies: ros:ws://HOST:PORT, nav2 robots behind that rosbridge
  server; vda5050:M, VDA 5050 AGVs of manufacturer M on the plant's broker
  (with --vda5050-vehicles M: the simulated cobots, through VDA 5050).
  --opcua-port P serves every machine on OPC UA (docs/opcua.md: the Machinery
  Machines folder, identification, sensor variables, health outputs) at
  opc.tcp://HOST:P. Machines with a telemetryOpcua in the scenario read their
  sensors from that OPC UA server by subscription instead of their model.
  --erp-port P opens the ERP API (docs/erp.md, OpenAPI at /openapi.json) on
  the plant's supply chain: an ERP pushes customer orders and stock counts
  and reads the purchase plan and the trucks' schedules; it takes the
  operator token as its Bearer token.
${chainFlagHelp}
  Default for serve: chain (a replay records nothing).
${mqttIdentityHelp}
${mqttBrokerHelp}
${linkFlagHelp}
  (serve: with --remote-agents, or --keyring.)
  Without them a live plant still signs every envelope with its sender's
  own key and checks it on receipt (docs/live-runs.md, "Signed envelopes"):
  the keys of its agents and bridges are made on the first start in
  --identity-dir DIR (default data/identity/<scenario name>) and reused
  after; revoke one in DIR/principals.json without a restart. --unsigned
  turns signing off. With --remote-agents, hosts need keys of their own:
  give the files of "hyperfactory identity fleet".
  --lessees opens the viewer to lessees of machine twins (ERC-4907 leases on
  the chain's TwinRegistry, docs/ledger.md): a client signs in with its
  address and sees and commands only the machines it owns or leases, until
  the lease ends. Anonymous read-only viewers are then refused unless
  --viewers is given too.`;

export async function serveCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand('serve', argv, {
    speed: { type: 'string' },
    'viewer-port': { type: 'string' },
    host: { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
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
    'vda5050-vehicles': { type: 'string' },
    'erp-port': { type: 'string' },
    ...chainFlagSpec,
    ...mqttIdentitySpec,
    ...mqttBrokerSpec,
    ...linkFlagSpec,
    'identity-dir': { type: 'string' },
    unsigned: { type: 'boolean', default: false },
    tokens: { type: 'string' },
    lessees: { type: 'boolean', default: false },
    viewers: { type: 'boolean', default: false },
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
  if ((values.identity !== undefined || values.principals !== undefined) && values['remote-agents'] === undefined && values.keyring === undefined)
    throw new UsageError('--identity and --principals seal the link to agent hosts: they go with --remote-agents (or --keyring, to sign envelopes)');
  if (values.keyring !== undefined && values.replay !== undefined) throw new UsageError('--keyring signs the envelopes of a live plant: drop --replay');
  const explicitIdentity = values.identity !== undefined || values.principals !== undefined || values.keyring !== undefined;
  if (values.unsigned && (explicitIdentity || values['identity-dir'] !== undefined)) throw new UsageError('--unsigned turns signing off: drop --identity, --principals, --keyring and --identity-dir');
  if (values['identity-dir'] !== undefined && explicitIdentity) throw new UsageError('--identity-dir holds the identity, principals and keyring: drop --identity, --principals and --keyring');
  if (values['identity-dir'] !== undefined && values['remote-agents'] !== undefined)
    throw new UsageError('--identity-dir signs a plant without agent hosts; with --remote-agents give the files of "hyperfactory identity fleet" (--identity, --principals, --keyring)');
  if (values['identity-dir'] !== undefined && values.replay !== undefined) throw new UsageError('--identity-dir signs the envelopes of a live plant: drop --replay');
  // Refusals a revoked agent or an intruder repeats must not bury the rest.
  const problems = new ThrottledLines((line) => process.stderr.write(`${line}\n`));
  let link = values['remote-agents'] !== undefined || values.keyring !== undefined ? linkSecurityFlags(values, (line) => process.stderr.write(`${line}\n`)) : undefined;
  let madeIdentity: SiteIdentity | undefined;
  let remote: RemoteAgents | undefined;
  if (values['remote-agents'] !== undefined) {
    if (values['no-mqtt']) throw new UsageError('--remote-agents needs MQTT: drop --no-mqtt');
    if (values.replay !== undefined) throw new UsageError('--remote-agents runs a live plant: drop --replay');
    try {
      remote = new RemoteAgents({ plant: scenario.name, agents: values['remote-agents'], onProblem: (line) => problems.say(line), ...(link ? { security: link.security } : {}), ...(link?.keyring ? { mayCarry: mayCarry(link.principals) } : {}) });
    } catch (e) {
      if (e instanceof RangeError) throw new UsageError(`--remote-agents: ${e.message}`);
      throw e;
    }
  }
  const rosbridgePort = intFlag('rosbridge-port', values['rosbridge-port']);
  if (rosbridgePort !== undefined && rosbridgePort > 65535) throw new UsageError(`--rosbridge-port must be at most 65535, got ${rosbridgePort}`);
  const cobots = cobotIds(scenario);
  if ((rosbridgePort !== undefined || values.robots !== undefined) && cobots.length === 0) throw new UsageError(`--rosbridge-port and --robots need cobots: scenario "${scenario.name}" has none`);
  if ((rosbridgePort !== undefined || values.robots !== undefined) && values.replay !== undefined) throw new UsageError('--rosbridge-port and --robots work on a live plant: drop --replay');
  const erpPort = intFlag('erp-port', values['erp-port']);
  if (erpPort !== undefined && erpPort > 65535) throw new UsageError(`--erp-port must be at most 65535, got ${erpPort}`);
  if (erpPort !== undefined && values.replay !== undefined) throw new UsageError('--erp-port works on a live plant: drop --replay');
  if (erpPort !== undefined && values['read-only']) throw new UsageError('--erp-port takes orders, which a --read-only plant refuses: drop one of them');
  if (erpPort !== undefined && !scenario.inventory) throw new UsageError(`--erp-port needs a supply chain: scenario "${scenario.name}" has no inventory`);
  const opcuaPort = intFlag('opcua-port', values['opcua-port']);
  if (opcuaPort !== undefined && opcuaPort > 65535) throw new UsageError(`--opcua-port must be at most 65535, got ${opcuaPort}`);
  if (opcuaPort !== undefined && values.replay !== undefined) throw new UsageError('--opcua-port serves a live plant: drop --replay');
  const machineSpecs = expandMachines(scenario);
  const mqttFed = machineSpecs.filter((m) => m.telemetryTopic);
  if (values['no-mqtt'] && mqttFed.length > 0) throw new UsageError(`machine ${mqttFed[0].id} takes its telemetry from MQTT (telemetryTopic): drop --no-mqtt`);
  const manufacturer = /^[^/+#\s]{1,64}$/;
  if (values['vda5050-vehicles'] !== undefined && !manufacturer.test(values['vda5050-vehicles'])) throw new UsageError(`--vda5050-vehicles: a manufacturer name without /, +, # or spaces, got "${values['vda5050-vehicles']}"`);
  const ros = values.robots !== undefined ? /^ros:(wss?:\/\/[^\s/]+.*)$/.exec(values.robots) : null;
  const vda = values.robots !== undefined ? /^vda5050:([^/+#\s]{1,64})$/.exec(values.robots) : null;
  if (values.robots !== undefined && !ros && !vda) throw new UsageError(`--robots must be ros:ws://HOST:PORT (a rosbridge server) or vda5050:MANUFACTURER, got "${values.robots}"`);
  if ((vda || values['vda5050-vehicles'] !== undefined) && values['no-mqtt']) throw new UsageError('VDA 5050 runs over MQTT: drop --no-mqtt');
  if (values['vda5050-vehicles'] !== undefined && cobots.length === 0) throw new UsageError(`--vda5050-vehicles needs cobots: scenario "${scenario.name}" has none`);
  if (values.lessees && (values.replay !== undefined || values.ledger === 'memory')) throw new UsageError('--lessees checks leases on the chain: it needs a live plant with --ledger chain');
  if (values.viewers && !values.lessees) throw new UsageError('--viewers goes with --lessees (without it every viewer is admitted already)');
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
  let https: ServerTls | undefined;
  if (values['tls-cert'] !== undefined && values['tls-key'] !== undefined) {
    try {
      https = new ServerTls({ certFile: values['tls-cert'], keyFile: values['tls-key'] }, { report: (line) => process.stderr.write(`serve: ${line}\n`) });
    } catch (e) {
      if (e instanceof CertificateFileError) throw new UsageError(`--tls-cert/--tls-key: ${e.message}`);
      throw e;
    }
  }
  applyMqttIdentity(values);
  const brokerSettings = embeddedBrokerFlags(values);
  if (brokerSettings && (values.mqtt !== undefined || values['no-mqtt']))
    throw new UsageError('--mqtt-password-file, --mqtt-acl-file, --mqtt-certfile/keyfile/cafile/crlfile and --mqtt-bind configure the embedded broker: drop --mqtt / --no-mqtt (a Mosquitto takes the same files and settings in its own config)');
  const staticDir = join(projectRoot(), 'viewer', 'dist');
  if (!existsSync(join(staticDir, 'index.html'))) throw new UsageError(`the viewer page is not built (${staticDir}): run "npm run build"`);

  const opened = new Openings();
  // Closed last: what it held back is written after everything else has stopped.
  opened.add(() => problems.close());
  if (link) opened.add(link.close);
  try {
    const live = values.replay === undefined;
    // The broker comes first: a VDA 5050 master in the plant connects to it as the plant is built.
    const broker = live && !values['no-mqtt'] ? await plantBroker(values.mqtt, mqttPort, opened, brokerSettings) : undefined;
    let robotPort: RobotPortFactory | undefined;
    if (ros) robotPort = rosRobotPort(ros[1], { robots: cobots, onProblem: (line) => process.stderr.write(`${line}\n`) });
    if (vda) robotPort = vda5050RobotPort({ url: broker!.url, manufacturer: vda[1], ...masterOptionsFor(scenario), onProblem: (line) => process.stderr.write(`${line}\n`) });
    const recording = live ? await openLedgerFlags('serve', values, scenario, 'chain', (line) => process.stderr.write(`${line}\n`)) : undefined;
    if (recording) {
      opened.add(async () => {
        const left = await recording.close();
        if (left > 0) process.stderr.write(`ledger: ${left} twin events not anchored yet; they stay in the outbox and go out on the next start\n`);
      });
    }
    let source: ViewSource;
    if (!live) {
      try {
        source = new ReplayPlant(scenario, resolve(values.replay!), { speed });
      } catch (e) {
        if (e instanceof LogFileError) throw new UsageError(e.message);
        throw e;
      }
    } else {
      if (!link && !values.unsigned && values['remote-agents'] === undefined) {
        madeIdentity = siteIdentity(file, scenario, values['identity-dir'] ?? defaultIdentityDir(scenario));
        link = linkSecurityFlags({ identity: madeIdentity.identityFile, principals: madeIdentity.principalsFile, keyring: madeIdentity.keyringFile }, (line) => process.stderr.write(`${line}\n`));
        opened.add(link!.close);
      }
      source = new LivePlant(scenario, {
        speed,
        seed: intFlag('seed', values.seed),
        policy: values.policy,
        mode: values.mode as 'des' | 'physics' | undefined,
        logPath: values.log ? resolve(values.log) : undefined,
        ...(recording ? { ledger: recording.portFor } : {}),
        // Machines with a telemetryTopic or telemetryOpcua take their telemetry from there instead of their sensor model.
        externalTelemetry: true,
        placement: remote?.placement,
        ...(link?.keyring ? { signing: { keyring: link.keyring, principals: link.principals, onLine: (line: string) => problems.say(line) } } : {}),
        robotPort,
        endpoint: endpointFromEnv(),
        onFinished: (r) => process.stdout.write(`run finished: ${(r.simulatedSeconds / 86400).toFixed(1)} simulated days, logHash ${r.logHash}\n`),
      });
    }
    opened.add(() => source.close());
    const token = values['read-only'] ? undefined : (values.token ?? randomBytes(12).toString('base64url'));
    let tokens: AccessTokens | undefined;
    if (values.tokens !== undefined) {
      try {
        tokens = new AccessTokens(values.tokens, token, (line) => process.stderr.write(`${line}\n`));
      } catch (e) {
        if (e instanceof TokensFileError) throw new UsageError(e.message);
        throw e;
      }
      const t = tokens;
      opened.add(() => t.close());
    }
    const host = values.host ?? '127.0.0.1';
    if (!https && !isLoopback(host)) process.stderr.write(`serve: the page, socket.io and the ERP API listen on ${host} over plain HTTP: tokens and sign-ins cross the network in clear (give --tls-cert and --tls-key)\n`);
    if (values.lessees && !recording) throw new UsageError(`--lessees: scenario "${scenario.name}" has no ledger (ledger.enabled: false)`);
    let lessees: LesseeOptions | undefined;
    if (values.lessees && recording) {
      const access = new LeaseAccess(recording.chain.rpcUrl, recording.chain.deployment.addresses.TwinRegistry, recording.chain.chainId);
      opened.add(() => access.close());
      lessees = { access, allowViewers: values.viewers };
    }
    let server: ViewerServer;
    try {
      server = await ViewerServer.start(source, { port, host, operatorToken: token, staticDir, ...(https ? { tls: https } : {}), ...(tokens ? { tokens } : {}), ...(lessees ? { lessees } : {}) });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new UsageError(`port ${port} is in use: choose another with --viewer-port`);
      if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UsageError(`cannot listen on host "${values.host}"`);
      throw e;
    }
    opened.add(() => server.close());
    const lines =
      source instanceof LivePlant
        ? await openBridges(
            source,
            scenario,
            { broker, commands: token !== undefined, sparkplug: values.sparkplug, remote, rosbridgePort, opcuaPort, erpPort, token, ...(tokens ? { tokens } : {}), vda5050Vehicles: values['vda5050-vehicles'], host, ...(https ? { https } : {}), mqttFed, machineSpecs },
            opened,
          )
        : [];
    if (remote && remote.placements().length === 0) throw new UsageError(`--remote-agents "${values['remote-agents']}" covers no cobot, supplier or truck of ${scenario.name}`);
    if (values.robots) lines.push(`cobots driven through ${values.robots}`);
    if (link?.keyring && madeIdentity) {
      const news = madeIdentity.made ? ' (made now)' : madeIdentity.added.length > 0 ? ` (new keys for ${madeIdentity.added.join(', ')})` : '';
      lines.push(`envelopes: signed with the ${link.keyring.size} keys of ${madeIdentity.keyringFile}${news}, checked against ${madeIdentity.principalsFile}`);
    } else if (link?.keyring) lines.push(`envelopes: signed with the ${link.keyring.size} keys of ${values.keyring}, checked against ${values.principals}`);
    else if (source instanceof LivePlant) lines.push('envelopes: not signed (--unsigned or --remote-agents without --keyring)');
    if (recording) {
      const { chain } = recording;
      const where = chain.node ? `Anvil at ${chain.rpcUrl} (state in ${resolve(values['chain-data'] ?? 'data/chain')})` : chain.rpcUrl;
      lines.push(`ledger: twin events signed and anchored on ${where}, MaintenanceLog ${chain.deployment.addresses.MaintenanceLog}${chain.registered.length > 0 ? `; ${chain.registered.length} machines registered as twin tokens` : ''}`);
    }
    const what = values.replay ? `replay of ${values.replay}` : `${scenario.name} live at ×${speed}`;
    const viewers = lessees ? `lessees (sign in with auth.lessee, docs/ledger.md)${lessees.allowViewers ? ' and viewers (read-only)' : ''}: ${server.url}` : `viewers (read-only): ${server.url}`;
    process.stdout.write(`${what}\n  operator: ${server.url}${token ? `?token=${token}` : ''}\n  ${viewers}\n${lines.map((l) => `  ${l}\n`).join('')}Ctrl-C stops.\n`);
    if (remote && !link) process.stderr.write(`serve: ${UNSEALED_LINK}\n`);
  } catch (e) {
    await opened.close();
    throw e;
  }
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void opened.close().then(done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
