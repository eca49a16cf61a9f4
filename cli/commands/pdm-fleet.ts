import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { intFlag, onePositional, parseCommand } from '../args.js';
import { loadScenario } from '../../scenarios/load.js';
import { trainFleetModels, type FleetFigures } from '../../agents/maintenance/predictive/fleet-training.js';

export const pdmFleetHelp = `hyperfactory pdm fleet SCENARIO --type TYPE [--out-dir DIR] [--machines N] [--epochs N] [--seed S] [--channels C] [--json]
  Trains the maintenance models of one machine type of a scenario on its own
  simulated fleet: N machines (default 100) of the type's degradation physics
  run to failure at full load, sampled at the scenario's telemetry interval; a
  fifth held out. Writes DIR/TYPE-rul.onnx (RUL in hours, capped at 14 days,
  and P(failure within 48 h)) and DIR/TYPE-anomaly.onnx (autoencoder, alarm
  at the 99.5 % quantile of healthy windows), and prints the held-out figures:
  RUL RMSE, Brier score, reliability table, alarm precision, recall, lead
  time. Default DIR models/<scenario name>, 8 epochs, seed 1, 16 channels.`;

export async function pdmFleet(argv: string[], version: string): Promise<void> {
  const { values, positionals } = parseCommand('pdm fleet', argv, {
    type: { type: 'string' },
    'out-dir': { type: 'string' },
    machines: { type: 'string' },
    epochs: { type: 'string' },
    seed: { type: 'string' },
    channels: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  const file = onePositional('pdm fleet', positionals, 'the scenario file');
  const scenario = loadScenario(file);
  const typeName = values.type;
  if (!typeName) throw new UsageError('pdm fleet: --type is required');
  const type = scenario.machineTypes[typeName];
  if (!type) throw new UsageError(`pdm fleet: ${file} has no machine type "${typeName}" (types: ${Object.keys(scenario.machineTypes).join(', ')})`);
  if (!type.degradation) throw new UsageError(`pdm fleet: machine type "${typeName}" of ${file} has no degradation section to simulate`);
  const dir = resolve(values['out-dir'] ?? join('models', scenario.name));
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  const machines = intFlag('machines', values.machines, { min: 5 }) ?? 100;
  const epochs = intFlag('epochs', values.epochs, { min: 1 }) ?? 8;
  const seed = intFlag('seed', values.seed) ?? 1;
  const channels = intFlag('channels', values.channels, { min: 1 }) ?? 16;
  process.stderr.write(`training ${typeName} models on ${machines} simulated machines run to failure (${epochs} epochs) …\n`);
  const { rul, anomaly, figures } = await trainFleetModels(
    {
      spec: type.degradation,
      machineType: typeName,
      machines,
      seed,
      epochs,
      channels,
      load: 1,
      sampleInterval: scenario.maintenance.telemetryInterval,
      onEpoch: (network, e) => process.stderr.write(`${typeName} ${network} epoch ${e.epoch}/${e.epochs}  loss ${e.loss.toFixed(5)}\n`),
    },
    version,
  );
  const paths = { rul: join(dir, `${typeName}-rul.onnx`), anomaly: join(dir, `${typeName}-anomaly.onnx`) };
  // Written beside their names and renamed: an interrupted run leaves no half model.
  for (const [path, bytes] of [
    [paths.rul, rul],
    [paths.anomaly, anomaly],
  ] as const) {
    writeFileSync(`${path}.partial`, bytes);
    renameSync(`${path}.partial`, path);
  }
  if (values.json) {
    process.stdout.write(JSON.stringify({ machineType: typeName, models: paths, figures }) + '\n');
    return;
  }
  process.stdout.write(`${paths.rul}\n${paths.anomaly}\n${formatFigures(figures)}`);
}

function formatFigures(f: FleetFigures): string {
  const rows = f.reliability
    .map((b) => `  ${b.from.toFixed(1)}–${b.to.toFixed(1)}  predicted ${b.predicted.toFixed(3)}  observed ${b.observed.toFixed(3)}  (${b.n} windows)`)
    .join('\n');
  const a = f.anomaly;
  return (
    `held-out machines: RUL RMSE ${f.rmseHours.toFixed(1)} h; P(failure within 48 h) Brier ${f.brier.toFixed(4)}\n` +
    `reliability:\n${rows}\n` +
    `anomaly alarm (threshold ${a.threshold.toFixed(4)}): precision ${a.precision.toFixed(3)}, recall ${a.recall.toFixed(3)}, median first alarm ${a.medianLeadHours.toFixed(0)} h before failure, false alarms on ${(a.falseAlarmRate * 100).toFixed(2)} % of healthy windows\n`
  );
}
