import { runFactoryDes } from '../../runtime/factory-des.js';
import { intFlag, onePositional, parseCommand } from '../args.js';
import { UsageError } from '../errors.js';

export const benchHelp = `hyperfactory bench factory-des --machines M --days T --seed S [--technicians K] [--json]
  Runs the factory-des benchmark model (shared/bench/factory-des.md) with the
  plant's own XState actors and prints the benchmark's result line.`;

export async function benchCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand('bench', argv, {
    machines: { type: 'string' },
    days: { type: 'string' },
    seed: { type: 'string' },
    technicians: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  const name = onePositional('bench', positionals, 'benchmark name (factory-des)');
  if (name !== 'factory-des') throw new UsageError(`bench: unknown benchmark "${name}" (benchmarks: factory-des)`);
  const result = runFactoryDes({
    machines: intFlag('machines', values.machines ?? '100', { min: 1 })!,
    days: intFlag('days', values.days ?? '365', { min: 1 })!,
    seed: intFlag('seed', values.seed ?? '1')!,
    technicians: intFlag('technicians', values.technicians, { min: 1 }),
  });
  if (values.json) process.stdout.write(JSON.stringify(result) + '\n');
  else process.stdout.write(Object.entries(result).map(([k, v]) => `${k} ${v}`).join('\n') + '\n');
}
