import { hostname } from 'node:os';
import { UsageError } from '../errors.js';
import { loadScenario } from '../../scenarios/load.js';
import { onePositional, parseCommand } from '../args.js';
import { AgentHostProcess } from '../../bridges/mqtt/live/agent-host-process.js';
import { idPattern } from '../../bridges/mqtt/live/id-pattern.js';
import { MqttConnectError } from '../../bridges/mqtt/mqtt-port.js';
import { applyMqttIdentity, mqttIdentityHelp, mqttIdentitySpec } from '../mqtt-flags.js';
import { UNSEALED_LINK, linkFlagHelp, linkFlagSpec, linkSecurityFlags } from '../link-flags.js';
import { edgeFailSafeFlags, edgeFlagHelp, edgeFlagSpec } from '../edge-flags.js';
import { EdgeJournalError } from '../../bridges/mqtt/live/edge/edge-journal.js';
import { ThrottledLines } from '../throttled-lines.js';

export const agentHostHelp = `hyperfactory agent-host <scenario.yaml> --agents PATTERN --mqtt URL [--host-id NAME]
                       [--mqtt-user NAME] [--mqtt-ca FILE] [--mqtt-cert FILE --mqtt-key FILE]
                       [--identity FILE --principals FILE [--keyring FILE]]
  Runs some of a live plant's agents in this process. The plant is a
  "serve <scenario.yaml> --mqtt URL --remote-agents PATTERN" on the same
  broker; it places on this host the agents of its remote pattern that
  PATTERN covers (comma-separated globs over agent ids: cobot-*, cobot-[1-4],
  supplier-?). Cobots, suppliers and trucks can run in agent hosts. When a
  host stops or dies, the plant learns it from the host's last will: what its
  agents had won goes back to auction, and another host covering them takes
  them over. --host-id names this host on the broker (default: <machine>-<pid>).
  Stops with the plant's run, or on Ctrl-C.
${mqttIdentityHelp}
${linkFlagHelp}
  [--journal FILE [--link-timeout 3s] [--guard-machines M1,M2 --opcua URL [--critical 'vibRms>=12']]]
${edgeFlagHelp}`;

export async function agentHostCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand('agent-host', argv, {
    agents: { type: 'string' },
    mqtt: { type: 'string' },
    ...mqttIdentitySpec,
    ...linkFlagSpec,
    ...edgeFlagSpec,
    'host-id': { type: 'string' },
  });
  const file = onePositional('agent-host', positionals, 'scenario file');
  const scenario = loadScenario(file);
  if (values.agents === undefined) throw new UsageError('--agents PATTERN is required (e.g. --agents "cobot-[1-4]")');
  const pattern = idPattern(values.agents);
  if (!pattern.ok) throw new UsageError(`--agents: ${pattern.reason}`);
  if (values.mqtt === undefined) throw new UsageError('--mqtt URL is required: the broker of the plant (serve --mqtt)');
  if (!/^mqtts?:\/\/[^\s/]+/.test(values.mqtt)) throw new UsageError(`--mqtt must be a broker address like mqtt://127.0.0.1:1883, got "${values.mqtt}"`);
  applyMqttIdentity(values);
  const host = values['host-id'] ?? `${hostname()}-${process.pid}`;
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(host)) throw new UsageError(`--host-id: letters, digits, _ . - only (at most 64), got "${host}"`);
  const link = linkSecurityFlags(values, (line) => process.stderr.write(`${line}\n`));
  if (link && link.security.sealer.identity.id !== host) throw new UsageError(`--identity is "${link.security.sealer.identity.id}" but --host-id is "${host}": a host speaks as its own principal`);
  const failSafes = await edgeFailSafeFlags(values, scenario, (line) => process.stderr.write(`${line}\n`));
  // A revoked agent or an intruder repeating itself must not bury the rest.
  const problems = new ThrottledLines((line) => process.stderr.write(`${line}\n`));
  let agentHost: AgentHostProcess;
  try {
    agentHost = await AgentHostProcess.start({
      url: values.mqtt,
      plant: scenario.name,
      host,
      agents: values.agents,
      horizon: scenario.horizon,
      onProblem: (line) => problems.say(line),
      ...(link ? { security: link.security } : {}),
      ...(link?.keyring ? { signing: { keyring: link.keyring, principals: link.principals } } : {}),
      ...(failSafes ? { failSafes } : {}),
      onAssigned: (agents) => process.stdout.write(`running ${agents.length} agent${agents.length === 1 ? '' : 's'}: ${agents.join(', ') || '(none yet)'}\n`),
    });
  } catch (e) {
    problems.close();
    await failSafes?.guard?.port.close().catch(() => {});
    if (e instanceof MqttConnectError) throw new UsageError(`--mqtt: ${e.message}`);
    if (e instanceof EdgeJournalError) throw new UsageError(`--journal: ${e.message}`);
    throw e;
  }
  process.stdout.write(`agent host ${host} for ${scenario.name} on ${values.mqtt}, offering ${values.agents}; waiting for the plant\nCtrl-C stops.\n`);
  if (!link) process.stderr.write(`agent host ${host}: ${UNSEALED_LINK}\n`);
  const stop = () => void agentHost.close();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await agentHost.done;
  link?.close();
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  await agentHost.close().catch(() => {});
  problems.close();
  process.stdout.write('agent host stopped\n');
}
