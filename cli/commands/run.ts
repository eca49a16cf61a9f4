import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { loadScenario } from '../../scenarios/load.js';
import { runPlant, runPlantRealtime } from '../../runtime/plant.js';
import { durationFlag, intFlag, numberFlag, onePositional, parseCommand } from '../args.js';
import { progressBar } from '../progress.js';
import { formatKpiTable } from '../format.js';
import { chainFlagHelp, chainFlagSpec, openLedgerFlags } from '../chain-flags.js';

export const runHelp = `hyperfactory run <scenario.yaml> [--seed N] [--policy NAME] [--supply-policy dynamic|static] [--until DURATION] [--mode des|physics] [--log FILE] [--speed X] [--json]
                      [--ledger chain|memory] [--chain-data DIR] [--chain-rpc URL]
  Runs a scenario in discrete-event mode (as fast as possible), or with --speed X
  in real time scaled by X (simulated seconds per wall second).
  --mode: the cobots' world, kinematic (des, the default) or matter-js (physics);
  the scenario's \`mode\` when omitted.
  --supply-policy: how trucks are dispatched and parts bought (logistics.policy).
  --json prints one JSON object on stdout.
${chainFlagHelp}
  Default for run: memory.`;

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
  });
  const file = onePositional('run', positionals, 'scenario file');
  const scenario = loadScenario(file);
  if (values.log && !existsSync(dirname(resolve(values.log)))) throw new UsageError(`--log: folder ${dirname(values.log)} does not exist`);
  if (values.mode !== undefined && values.mode !== 'des' && values.mode !== 'physics') throw new UsageError(`--mode must be des or physics, got "${values.mode}"`);
  const speed = numberFlag('speed', values.speed);
  if (speed !== undefined && speed <= 0) throw new UsageError('--speed must be > 0');
  const recording = await openLedgerFlags('run', values, scenario, 'memory', (line) => process.stderr.write(`${line}\n`));
  const bar = values.json ? progressBar('simulating') : progressBar(`${scenario.name}`);
  const options = {
    ...(recording ? { ledger: recording.portFor } : {}),
    mode: values.mode as 'des' | 'physics' | undefined,
    seed: intFlag('seed', values.seed),
    policy: values.policy,
    supplyPolicy: values['supply-policy'],
    until: durationFlag('until', values.until),
    logPath: values.log ? resolve(values.log) : undefined,
    onProgress: (t: number, h: number) => bar.update(t / h),
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
  const days = (result.simulatedSeconds / 86400).toFixed(1);
  process.stdout.write(
    `${result.scenario}: ${days} simulated days, policy ${result.policy}, seed ${result.seed}${scenario.cobots ? `, mode ${result.mode}` : ''}\n` +
      `${result.events} events in ${result.wallSeconds.toFixed(2)} s wall, logHash ${result.logHash}\n\n` +
      formatKpiTable(result.kpis) +
      (values.log ? `\nevent log: ${values.log}\n` : '') +
      (recording ? `\nledger: ${recording.outbox.counts().events} twin events in ${recording.outbox.counts().confirmedBatches} anchored batches (${recording.chain.rpcUrl}); "hyperfactory twin verify --all${values['chain-data'] ? ` --data ${values['chain-data']}` : ''}" checks them\n` : ''),
  );
}
