import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { intFlag, numberFlag, parseCommand } from '../args.js';
import { EmbeddedBroker } from '../../bridges/mqtt/embedded-broker.js';
import { MqttConnectError, MqttPort } from '../../bridges/mqtt/mqtt-port.js';
import { loadFederation } from '../../scenarios/federation.js';
import { runFederation, type FederationReport, type Scores } from '../../agents/maintenance/predictive/federation/federation-run.js';
import { FederationTimeoutError } from '../../agents/maintenance/predictive/federation/wait.js';
import { federationAcl } from '../../agents/maintenance/predictive/federation/federation-acl.js';

export const pdmFederationHelp = `hyperfactory pdm federated --federation FILE [--broker URL] [--rounds N] [--local-epochs N] [--local-steps N] [--server-momentum B] [--machines N]
                           [--seed S] [--out MODEL.onnx] [--centralised] [--json]
  Federated averaging (FedAvg) over the sites of a federation file
  (scenarios/federation-3-sites.yaml): each site simulates its own fleet of a
  plant's machine type under its own load (and physics variant), holds out a
  fifth of its machines, and trains the RUL network on its own windows; only
  scaling statistics and weights travel, over MQTT (QoS 1). Default broker: an
  embedded one on a free loopback port; --broker mqtt://127.0.0.1:1883 uses a
  running broker (Mosquitto). Prints the held-out RUL RMSE (hours) per round,
  per site and pooled, and the bytes per site and round, and writes the ONNX
  RUL model (default models/<federation>/<type>-rul.onnx). --centralised also
  trains the baselines: one network on all sites' data pooled and each site
  alone, for the same epochs. Rounds, epochs, machines and seed default to the
  file's.`;

export const pdmFederationAclHelp = `hyperfactory pdm federation-acl --federation FILE
  Prints the broker ACL (Mosquitto acl_file format; serve --mqtt-acl-file reads it too) that keeps
  the sites' telemetry on their sites: each site may publish only its own statistics and weight
  updates and read only the global model; the aggregator publishes the global model and reads
  the sites'. Users are the participants' client ids (<federation>-aggregator, <federation>-site-<id>).`;

/** `pdm federation-acl --federation FILE`: the federation broker's ACL on stdout. */
export function pdmFederationAcl(argv: string[]): void {
  const { values, positionals } = parseCommand('pdm federation-acl', argv, { federation: { type: 'string' } });
  if (positionals.length > 0) throw new UsageError(`pdm federation-acl: unexpected argument "${positionals[0]}"`);
  if (!values.federation) throw new UsageError('pdm federation-acl: --federation FILE is required');
  const federation = loadFederation(values.federation);
  process.stdout.write(federationAcl(federation.name, federation.sites.map((s) => s.id)));
}

/** `pdm federated --federation FILE …`: the federation over MQTT, as a command. */
export async function pdmFederation(argv: string[], version: string): Promise<void> {
  const { values, positionals } = parseCommand('pdm federated', argv, {
    federation: { type: 'string' },
    broker: { type: 'string' },
    rounds: { type: 'string' },
    'local-epochs': { type: 'string' },
    'local-steps': { type: 'string' },
    'server-momentum': { type: 'string' },
    machines: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    centralised: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  if (positionals.length > 0) throw new UsageError(`pdm federated: unexpected argument "${positionals[0]}"`);
  if (!values.federation) throw new UsageError('pdm federated: --federation FILE is required');
  const rounds = intFlag('rounds', values.rounds, { min: 1 });
  const localEpochs = intFlag('local-epochs', values['local-epochs'], { min: 1 });
  const localSteps = intFlag('local-steps', values['local-steps'], { min: 1 });
  const serverMomentum = numberFlag('server-momentum', values['server-momentum']);
  if (serverMomentum !== undefined && serverMomentum >= 1) throw new UsageError(`--server-momentum must be below 1, got "${values['server-momentum']}"`);
  const machines = intFlag('machines', values.machines, { min: 5 });
  const seed = intFlag('seed', values.seed);
  const broker = values.broker === undefined ? undefined : brokerUrl(values.broker);
  const federation = loadFederation(values.federation);
  const out = resolve(values.out ?? join('models', federation.name, `${federation.machineType}-rul.onnx`));
  if (values.out !== undefined && !existsSync(dirname(out))) throw new UsageError(`--out: folder ${dirname(out)} does not exist`);

  const log = (line: string) => process.stderr.write(`${line}\n`);
  const embedded = broker ? undefined : await EmbeddedBroker.start();
  const url = broker ?? embedded!.url;
  log(`federation ${federation.name}: ${federation.sites.length} sites over ${url}${embedded ? ' (embedded broker)' : ''}`);
  let result: Awaited<ReturnType<typeof runFederation>>;
  try {
    result = await runFederation(
      federation,
      {
        connect: async (clientId) => {
          try {
            // Training blocks this thread for a while between messages: a long keepalive keeps the broker from dropping the clients.
            return await MqttPort.connect({ url, clientId, protocolVersion: embedded ? embedded.protocolVersion : 'auto', keepalive: 600, onError: (e) => log(`mqtt ${clientId}: ${e.message}`) });
          } catch (e) {
            if (e instanceof MqttConnectError) throw new UsageError(`--broker: ${e.message}`);
            throw e;
          }
        },
        rounds,
        localEpochs,
        localSteps,
        serverMomentum,
        machines,
        seed,
        baselines: values.centralised,
        onProgress: log,
        onReject: (who, r) => log(`${who} rejected a message on ${r.topic}: ${r.reason}`),
      },
      version,
    );
  } catch (e) {
    if (e instanceof FederationTimeoutError) throw new UsageError(e.message);
    throw e;
  } finally {
    await embedded?.stop();
  }
  if (!existsSync(dirname(out))) mkdirSync(dirname(out), { recursive: true });
  // Written beside its name and renamed: an interrupted run leaves no half model.
  writeFileSync(`${out}.partial`, result.model);
  renameSync(`${out}.partial`, out);
  if (values.json) {
    process.stdout.write(JSON.stringify({ model: out, broker: embedded ? 'embedded' : url, ...result.report }) + '\n');
    return;
  }
  process.stdout.write(`${out}\n${formatReport(result.report)}`);
}

function brokerUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--broker must be an MQTT URL such as mqtt://127.0.0.1:1883, got "${value}"`);
  }
  if (!['mqtt:', 'mqtts:', 'tcp:', 'ws:', 'wss:'].includes(url.protocol)) throw new UsageError(`--broker: "${url.protocol}" is not an MQTT scheme (mqtt, mqtts, ws, wss), in "${value}"`);
  return value;
}

const h = (v: number) => v.toFixed(1);
const scores = (s: Scores) => `pooled ${h(s.pooled)} (${Object.entries(s.sites).map(([id, v]) => `${id} ${h(v)}`).join(', ')})`;

function formatReport(r: FederationReport): string {
  const ids = r.sites.map((s) => s.id);
  const lines: string[] = [];
  lines.push(`${r.federation}: ${r.sites.length} sites training ${r.machineType} (${r.plant}), ${r.rounds} rounds × ${r.localEpochs} local epoch${r.localEpochs > 1 ? 's' : ''}, seed ${r.seed}`);
  for (const s of r.sites) {
    lines.push(`  ${s.id}: ${s.trainMachines} training + ${s.validationMachines} held-out machines, mean life ${s.meanLifeHours.toFixed(0)} h, ${s.examples} windows${s.description ? ` — ${s.description}` : ''}`);
  }
  lines.push(`held-out RUL RMSE (hours) per round:`);
  lines.push(`  round  pooled  ${ids.map((id) => id.padStart(8)).join('')}  KB/site`);
  for (const e of r.history) {
    const kb = Object.values(e.bytesPerSite).reduce((a, b) => a + b, 0) / ids.length / 1024;
    lines.push(`  ${String(e.round).padStart(5)}  ${h(e.validationRmseHours.pooled).padStart(6)}  ${ids.map((id) => h(e.validationRmseHours.sites[id]).padStart(8)).join('')}  ${kb.toFixed(1).padStart(7)}`);
  }
  lines.push(`federated:   ${scores(r.federated)}`);
  if (r.centralised) lines.push(`centralised: ${scores(r.centralised)}; federated is ${Math.abs(r.gapPercent!).toFixed(1)} % ${r.gapPercent! >= 0 ? 'worse' : 'better'}`);
  for (const [id, s] of Object.entries(r.localOnly ?? {})) lines.push(`${id} alone: ${scores(s)}`);
  lines.push(`${(r.bytesPerSiteRound / 1024).toFixed(1)} KB per site and round (global weights in, update out); ${r.rejected.length} messages rejected`);
  const t = r.seconds;
  lines.push(`wall time: federated ${t.federated.toFixed(0)} s${t.centralised !== undefined ? `, centralised ${t.centralised.toFixed(0)} s, local only ${t.localOnly!.toFixed(0)} s` : ''}`);
  return lines.join('\n') + '\n';
}
