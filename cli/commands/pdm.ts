import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { projectRoot } from '../../runtime/paths.js';
import { UsageError } from '../errors.js';
import { intFlag, numberFlag, parseCommand } from '../args.js';
import { progressBar } from '../progress.js';
import { CmapssError, readCmapss } from '../../agents/maintenance/predictive/cmapss.js';
import { trainCmapss } from '../../agents/maintenance/predictive/cmapss-training.js';
import { federatedCmapss } from '../../agents/maintenance/predictive/cmapss-federated.js';
import { ModelFileError, RulModel } from '../../agents/maintenance/predictive/rul-model.js';
import { lastWindows, smoothTrajectories } from '../../agents/maintenance/predictive/windows.js';
import { ScenarioError } from '../../scenarios/load.js';
import { pdmFleet, pdmFleetHelp } from './pdm-fleet.js';
import { pdmFederation, pdmFederationAcl, pdmFederationAclHelp, pdmFederationHelp } from './pdm-federation.js';

export const pdmHelp = `hyperfactory pdm train --data FILE --out MODEL.onnx [--epochs N] [--seed S] [--channels C] [--members K] [--smoothing A]
  Trains the remaining-useful-life TCN on a C-MAPSS training file (14
  informative sensors, min-max scaling from the training units, window 30, RUL
  capped at 125), holding out 20 % of the units for model selection, and
  writes an ONNX model (scaling and validation figures inside). Default 30
  epochs, seed 1, 32 channels, one network; --members K averages K networks
  from their own seeds, --smoothing A smooths the inputs causally (EMA).
hyperfactory pdm federated --data FILE[,FILE…] --out MODEL.onnx [--sites 3] [--rounds 10] [--local-epochs 1]
                           [--seed S] [--smoothing A] [--centralised] [--json]
  Federated averaging (FedAvg) over sites that each hold different engines
  (the training units sorted by life and dealt out in blocks); only weights
  move between sites and the aggregator. --centralised also trains one network
  on the pooled data for the same epochs and reports the gap.
hyperfactory pdm predict --model MODEL.onnx --data FILE [--json]
  RUL of every unit at its last cycle, in unit order, with ONNX Runtime:
  --json prints [{"unit": 1, "rul": 112.4}, …].
${pdmFleetHelp}
${pdmFederationHelp}
${pdmFederationAclHelp}`;

const version = (): string => (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;

export async function pdmCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  try {
    if (sub === 'train') return await train(rest);
    if (sub === 'predict') return await predict(rest);
    // Plant sites (a federation file, weights over MQTT) or C-MAPSS sites in one process.
    if (sub === 'federated' && rest.some((a) => a === '--federation' || a.startsWith('--federation='))) return await pdmFederation(rest, version());
    if (sub === 'federated') return await federated(rest);
    if (sub === 'fleet') return await pdmFleet(rest, version());
    if (sub === 'federation-acl') return pdmFederationAcl(rest);
  } catch (e) {
    if (e instanceof CmapssError || e instanceof ModelFileError || e instanceof ScenarioError) throw new UsageError(e.message);
    throw e;
  }
  throw new UsageError(sub ? `pdm: unknown subcommand "${sub}" (train, predict, federated, fleet, federation-acl)` : 'pdm: missing subcommand (train, predict, federated, fleet, federation-acl)');
}

function required(command: string, name: string, value: string | undefined): string {
  if (value === undefined) throw new UsageError(`${command}: --${name} is required`);
  return value;
}

async function train(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand('pdm train', argv, {
    data: { type: 'string' },
    out: { type: 'string' },
    epochs: { type: 'string' },
    seed: { type: 'string' },
    channels: { type: 'string' },
    members: { type: 'string' },
    smoothing: { type: 'string' },
  });
  if (positionals.length > 0) throw new UsageError(`pdm train: unexpected argument "${positionals[0]}"`);
  const data = required('pdm train', 'data', values.data);
  const out = resolve(required('pdm train', 'out', values.out));
  if (!existsSync(dirname(out))) throw new UsageError(`--out: folder ${dirname(out)} does not exist`);
  const epochs = intFlag('epochs', values.epochs, { min: 1 }) ?? 30;
  const seed = intFlag('seed', values.seed) ?? 1;
  const channels = intFlag('channels', values.channels, { min: 1 });
  const members = intFlag('members', values.members, { min: 1 }) ?? 1;
  const smoothing = numberFlag('smoothing', values.smoothing);
  if (smoothing !== undefined && !(smoothing > 0 && smoothing <= 1)) throw new UsageError(`--smoothing must be in (0, 1], got "${values.smoothing}"`);
  readCmapss(data); // a bad file fails here, before the backend loads
  const bar = progressBar(`training on ${data}`);
  const tty = process.stderr.isTTY;
  const result = await trainCmapss(
    {
      data,
      epochs,
      seed,
      channels,
      members,
      smoothing,
      onEpoch: (e) => {
        bar.update((e.member - 1 + e.epoch / e.epochs) / e.members);
        if (!tty) process.stderr.write(`${e.members > 1 ? `member ${e.member}/${e.members} ` : ''}epoch ${e.epoch}/${e.epochs}  loss ${e.loss.toFixed(4)}  validation RMSE ${e.validationRmse?.toFixed(2) ?? '-'}  ${e.seconds.toFixed(1)} s\n`);
      },
    },
    version(),
  );
  bar.stop();
  // Written beside its name and renamed: an interrupted run leaves no half model.
  writeFileSync(`${out}.partial`, result.model);
  renameSync(`${out}.partial`, out);
  const v = result.validation;
  process.stdout.write(
    `${out}: ${result.model.length} bytes\n` +
      `validation (${v.units.length} held-out units, ${v.trajectories} truncated trajectories): RMSE ${v.rmse.toFixed(2)}, PHM08 score ${v.score.toFixed(1)} (${v.scorePer100.toFixed(1)} per 100), best epochs ${v.bestEpochs.join(', ')}\n`,
  );
}

async function predict(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand('pdm predict', argv, {
    model: { type: 'string' },
    data: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (positionals.length > 0) throw new UsageError(`pdm predict: unexpected argument "${positionals[0]}"`);
  const model = await RulModel.load(required('pdm predict', 'model', values.model));
  try {
    const raw = readCmapss(required('pdm predict', 'data', values.data));
    const { config, scaling, smoothing } = model.info;
    // A model of another plant's machines (its own sensors) cannot read C-MAPSS rows: say so instead of failing in the tensor.
    const rowWidth = raw[0]?.rows[0]?.length;
    if (rowWidth !== undefined && rowWidth !== scaling.min.length)
      throw new UsageError(`pdm predict: ${values.model} reads ${scaling.min.length} channels (${model.info.channels.slice(0, 4).join(', ')}${model.info.channels.length > 4 ? ', …' : ''}); ${values.data} gives ${rowWidth} C-MAPSS sensors per row`);
    const trajectories = smoothing !== undefined ? smoothTrajectories(raw, smoothing) : raw;
    const w = lastWindows(trajectories, config.window, scaling);
    const out = await model.predict(w.x, w.n);
    const rows = trajectories.map((t, i) => ({ unit: t.unit, rul: Math.round(out.rul[i] * 100) / 100, pFail: out.pFail[i] }));
    if (values.json) {
      process.stdout.write(JSON.stringify(rows.map(({ unit, rul }) => ({ unit, rul }))) + '\n');
      return;
    }
    process.stdout.write(`unit    RUL  P(fail within ${config.horizon})\n`);
    for (const r of rows) process.stdout.write(`${String(r.unit).padStart(4)} ${r.rul.toFixed(1).padStart(6)}  ${(r.pFail * 100).toFixed(1).padStart(6)} %\n`);
  } finally {
    await model.close();
  }
}

async function federated(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand('pdm federated', argv, {
    data: { type: 'string' },
    out: { type: 'string' },
    sites: { type: 'string' },
    rounds: { type: 'string' },
    'local-epochs': { type: 'string' },
    seed: { type: 'string' },
    smoothing: { type: 'string' },
    centralised: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  if (positionals.length > 0) throw new UsageError(`pdm federated: unexpected argument "${positionals[0]}"`);
  const data = required('pdm federated', 'data', values.data).split(',');
  const out = resolve(required('pdm federated', 'out', values.out));
  if (!existsSync(dirname(out))) throw new UsageError(`--out: folder ${dirname(out)} does not exist`);
  const sites = intFlag('sites', values.sites, { min: 2 }) ?? 3;
  const rounds = intFlag('rounds', values.rounds, { min: 1 }) ?? 10;
  const localEpochs = intFlag('local-epochs', values['local-epochs'], { min: 1 }) ?? 1;
  const smoothing = numberFlag('smoothing', values.smoothing);
  for (const d of data) readCmapss(d);
  const result = await federatedCmapss(
    { data, sites, rounds, localEpochs, seed: intFlag('seed', values.seed) ?? 1, smoothing, centralised: values.centralised, onProgress: (line) => process.stderr.write(`${line}\n`) },
    version(),
  );
  writeFileSync(`${out}.partial`, result.model);
  renameSync(`${out}.partial`, out);
  const { model: _model, ...report } = result;
  if (values.json) {
    process.stdout.write(JSON.stringify(report) + '\n');
    return;
  }
  const gap = result.centralisedRmse !== undefined ? `, centralised ${result.centralisedRmse.toFixed(2)} (federated ${(((result.federatedRmse - result.centralisedRmse) / result.centralisedRmse) * 100).toFixed(1)} % worse)` : '';
  process.stdout.write(
    `${out}: ${sites} sites (${result.sites.map((s) => `${s.name} ${s.units} units, mean life ${s.meanLife.toFixed(0)}`).join('; ')}), ${rounds} rounds, ${(result.bytesPerSiteRound / 1024).toFixed(0)} KB of weights per site and round\n` +
      `validation RMSE: federated ${result.federatedRmse.toFixed(2)}${gap}\n`,
  );
}
