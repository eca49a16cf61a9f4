import { ScenarioError } from '../scenarios/load.js';
import { ModelFileError } from '../agents/maintenance/predictive/rul-model.js';
import { RunOptionError } from '../runtime/plant.js';
import { UsageError } from './errors.js';
import { CheckpointError } from '../runtime/checkpoint/checkpoint-file.js';
import { LogDivergence } from '../sim/log/event-log.js';
import { runCommand, runHelp } from './commands/run.js';
import { compareCommand, compareHelp } from './commands/compare.js';
import { validateCommand, validateHelp } from './commands/validate.js';
import { benchCommand, benchHelp } from './commands/bench.js';
import { mapfCommand, mapfHelp } from './commands/mapf.js';
import { vrpCommand, vrpHelp } from './commands/vrp.js';
import { serveCommand, serveHelp } from './commands/serve.js';
import { pdmCommand, pdmHelp } from './commands/pdm.js';
import { agentHostCommand, agentHostHelp } from './commands/agent-host.js';
import { twinCommand, twinHelp } from './commands/twin.js';
import { identityCommand, identityHelp } from './commands/identity.js';

/** A command may return its exit code (e.g. 1 = a check failed); nothing means 0. */
const commands: Record<string, { run: (argv: string[]) => Promise<void | number>; help: string }> = {
  run: { run: runCommand, help: runHelp },
  compare: { run: compareCommand, help: compareHelp },
  validate: { run: validateCommand, help: validateHelp },
  bench: { run: benchCommand, help: benchHelp },
  mapf: { run: mapfCommand, help: mapfHelp },
  vrp: { run: vrpCommand, help: vrpHelp },
  serve: { run: serveCommand, help: serveHelp },
  pdm: { run: pdmCommand, help: pdmHelp },
  'agent-host': { run: agentHostCommand, help: agentHostHelp },
  twin: { run: twinCommand, help: twinHelp },
  identity: { run: identityCommand, help: identityHelp },
};

function usage(): string {
  return `usage: hyperfactory <command> …\n\n${Object.values(commands)
    .map((c) => c.help)
    .join('\n\n')}\n`;
}

/** Entry point of `npx hyperfactory`. User errors print one line and exit 2; bugs keep their stack. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`hyperfactory: unknown command "${name}" (commands: ${Object.keys(commands).join(', ')})\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.help + '\n');
    return 0;
  }
  try {
    const code = await command.run(rest);
    return typeof code === 'number' ? code : 0;
  } catch (e) {
    if (e instanceof ScenarioError) {
      process.stderr.write(e.message.split('\n').map((line) => `hyperfactory: ${line}\n`).join(''));
      return 2;
    }
    if (e instanceof UsageError || e instanceof RunOptionError || e instanceof ModelFileError || e instanceof CheckpointError || e instanceof LogDivergence) {
      process.stderr.write(`hyperfactory: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
