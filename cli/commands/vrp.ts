import { readFileSync } from 'node:fs';
import { checkSolution, parseSolomon, solveVrptw, SolomonFormatError, type VrptwInstance } from '../../agents/supply/routing/index.js';
import { intFlag, numberFlag, onePositional, parseCommand } from '../args.js';
import { UsageError } from '../errors.js';

export const vrpHelp = `hyperfactory vrp solve FILE [--time-limit SECONDS] [--seed S] [--iterations N] [--json]
  Routes trucks for a Solomon VRPTW instance with a hybrid genetic search
  (fewest vehicles first, then least distance; Euclidean, unrounded). The time
  limit (default 10 s) covers the whole command; --iterations N stops after N
  local-search runs instead (the output then depends only on file and seed).
  --json prints {vehicles, distance, routes}, routes being customer-number lists
  (depot omitted). Every printed solution has passed the independent checker.`;

/** Share of the wall-clock limit given to the search (the rest covers parsing, start-up and printing). */
const SEARCH_SHARE = 0.97;
/** Time kept for printing and process exit. */
const EXIT_MS = 50;

export async function vrpCommand(argv: string[]): Promise<void> {
  const started = performance.now();
  const { values, positionals } = parseCommand('vrp', argv, {
    'time-limit': { type: 'string' },
    seed: { type: 'string' },
    iterations: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (positionals.length === 0) throw new UsageError('vrp: missing subcommand (solve)');
  const [sub, ...files] = positionals;
  if (sub !== 'solve') throw new UsageError(`vrp: unknown subcommand "${sub}" (subcommands: solve)`);
  const file = onePositional('vrp solve', files, 'FILE (a Solomon instance)');
  const iterations = intFlag('iterations', values.iterations, { min: 1 });
  const limitS = numberFlag('time-limit', values['time-limit'] ?? (iterations === undefined ? '10' : undefined), { min: 0 });
  const seed = intFlag('seed', values.seed ?? '0')!;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? String(e)})`}`);
  }
  let inst: VrptwInstance;
  try {
    inst = parseSolomon(text, file);
  } catch (e) {
    if (e instanceof SolomonFormatError) throw new UsageError(e.message);
    throw e;
  }
  // performance.now() counts from process start: run from bin/hyperfactory.js, start-up (module loading) is spent too.
  const boot = /hyperfactory(\.js)?$/.test(process.argv[1] ?? '') ? started : 0;
  const timeLimitMs =
    limitS === undefined ? undefined : Math.max(0, limitS * 1000 * SEARCH_SHARE - EXIT_MS - boot - (performance.now() - started));
  const s = solveVrptw(inst, { timeLimitMs, iterations, seed });
  const check = checkSolution(inst, s.routes);
  if (!check.ok) {
    // A solver bug (or an instance without a feasible solution within the fleet): fail loudly.
    throw new Error(`vrp: no feasible solution found for ${inst.name}: ${check.reason}`);
  }
  if (values.json) {
    process.stdout.write(JSON.stringify({ vehicles: s.vehicles, distance: s.distance, routes: s.routes }) + '\n');
  } else {
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      `${inst.name}: ${s.vehicles} vehicles, distance ${s.distance.toFixed(2)} (${inst.n} customers, ${s.iterations} iterations, ${seconds.toFixed(1)} s; solution checked)\n` +
        s.routes.map((r, k) => `  route ${k + 1}: ${r.join(' ')}\n`).join(''),
    );
  }
}
