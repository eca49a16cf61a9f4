import { loadScenario } from '../../scenarios/load.js';
import { expandMachines } from '../../runtime/machines.js';
import { onePositional, parseCommand } from '../args.js';

export const validateHelp = `hyperfactory validate <scenario.yaml>
  Checks a scenario against the schema and its cross-references.`;

export async function validateCommand(argv: string[]): Promise<void> {
  const { positionals } = parseCommand('validate', argv, {});
  const file = onePositional('validate', positionals, 'scenario file');
  const s = loadScenario(file);
  process.stdout.write(
    `${file}: valid — scenario "${s.name}", ${expandMachines(s).length} machines, ${s.technicians.count} technicians, ` +
      `${s.suppliers.length} suppliers, ${s.trucks.length} trucks, ${s.cobots?.count ?? 0} cobots, horizon ${s.horizon / 86400} days\n`,
  );
}
