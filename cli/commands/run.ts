import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { loadScenario } from '../../scenarios/load.js';
import { runPlant, runPlantRealtime } from '../../runtime/plant.js';
import { durationFlag, intFlag, numberFlag, onePositional, parseCommand } from '../args.js';
import { progressBar } from '../progress.js';
import { formatKpiTable } from '../format.js';
import { chainFlagHelp, chainFlagSpec, openLedgerFlags } from '../chain-flags.js';
import { checkpointFlagHelp, checkpointFlags, checkpointFlagSpec } from '../checkpoint-flags.js';

export const runHelp = `hyperfactory run <scenario.yaml> [--seed N] [--policy NAME] [--supply-policy dynamic|static] [--until DURATION] [--mode des|physics] [--log FILE] [--speed X] [--json]
                      [--ledger chain|memory] [--chain-data DIR] [--chain-rpc URL]
                      [--checkpoint FILE [--checkpoint-every DURATION] [--stop-at DURATION]]
       hyperfactory run --resume FILE [--checkpoint-every DURATION] [--stop-at DURATION] [--json]
  Runs a scenario in discrete-event mode (as fast as possible), or with --speed X
  in real time scaled by X (simulated seconds per wall second).
  --mode: the cobots' world, kinematic (des, the default) or matter-js (physics);
  the scenario's \`mode\` when omitted.
  --supply-policy: how trucks are dispatched and parts bought (logistics.policy).
  --json prints one JSON object on stdout.
${chainFlagHelp}
  Default for run: memory.
${checkpointFlagHelp}`;

export async function runCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand('run', argv, {
    seed: { type: 'string' },
    policy: { type: 'string' },
    'supply-policy': { type: 'string' },
    until: { type: 'string' },
    log: { type: 'string' },
    speed: { type: 'string' },
    mode: { type: 'string' },
    json: { type: 'boolean', default: false },
    ...chainFlagSpec,
    ...checkpointFlagSpec,
  });
  const given = values.resume !== undefined && positionals.length === 0 ? undefined : onePositional('run', positionals, 'scenario file');
  const { checkpoint, resume } = checkpointFlags(values, given);
  const file = given ?? resume!.run.scenarioFile;
  const scenario = loadScenario(file);
  if (values.log && !existsSync(dirname(resolve(values.log)))) throw new UsageError(`--log: folder ${dirname(values.log)} does not exist`);
  if (values.mode !== undefined && values.mode !== 'des' && values.mode !== 'physics') throw new UsageError(`--mode must be des or physics, got "${values.mode}"`);
  const speed = numberFlag('speed', values.speed);
  if (speed !== undefined && speed <= 0) throw new UsageError('--speed must be > 0');
  const recording = await openLedgerFlags('run', values, scenario, 'memory', (line) => process.stderr.write(`${line}\n`));
  const bar = values.json ? progressBar('simulating') : progressBar(`${scenario.name}`);
  const options = {
    ...(recording ? { ledger: recording.portFor } : {}),
    mode: (resume?.run.mode ?? values.mode) as 'des' | 'physics' | undefined,
    seed: resume?.run.seed ?? intFlag('seed', values.seed),
    policy: resume?.run.policy ?? values.policy,
    supplyPolicy: resume ? resume.run.supplyPolicy : values['supply-policy'],
    until: resume?.run.horizon ?? durationFlag('until', values.until),
    logPath: resume ? resume.run.logPath : values.log ? resolve(values.log) : undefined,
    onProgress: (t: number, h: number) => bar.update(t / h),
    ...(checkpoint ? { checkpoint } : {}),
    ...(resume ? { resume } : {}),
  };
  let result;
  try {
    result = speed === undefined ? runPlant(scenario, options) : await runPlantRealtime(scenario, { ...options, speed });
  } finally {
    bar.stop();
    const left = await recording?.close();
    if (left) process.stderr.write(`ledger: ${left} twin events not anchored yet (the chain did not answer); they stay in the outbox and go out on the next start\n`);
  }
  if (values.json) {
    process.stdout.write(JSON.stringify(result) + '\n');
    return;
  }
  if (result.stoppedAt !== undefined) {
    process.stdout.write(
      `${result.scenario}: stopped at ${(result.stoppedAt / 86400).toFixed(1)} simulated days (${result.events} events in ${result.wallSeconds.toFixed(2)} s wall); ` +
        `checkpoint ${checkpoint!.path}${options.logPath ? `, event log ${options.logPath}.partial` : ''}\n` +
        `go on with: hyperfactory run --resume ${checkpoint!.path}\n`,
    );
    return;
  }
  const days = (result.simulatedSeconds / 86400).toFixed(1);
  process.stdout.write(
    `${result.scenario}: ${days} simulated days, policy ${result.policy}, seed ${result.seed}${scenario.cobots ? `, mode ${result.mode}` : ''}\n` +
      `${result.events} events in ${result.wallSeconds.toFixed(2)} s wall, logHash ${result.logHash}\n\n` +
      formatKpiTable(result.kpis) +
      (options.logPath ? `\nevent log: ${options.logPath}\n` : '') +
      (checkpoint ? `checkpoint: ${checkpoint.path} (${resume ? `resumed from ${(resume.state.t / 86400).toFixed(1)} days, ` : ''}the last one written)\n` : '') +
      (recording ? `\nledger: ${recording.outbox.counts().events} twin events in ${recording.outbox.counts().confirmedBatches} anchored batches (${recording.chain.rpcUrl}); "hyperfactory twin verify --all${values['chain-data'] ? ` --data ${values['chain-data']}` : ''}" checks them\n` : ''),
  );
}
