import { resolve } from 'node:path';
import { loadScenario } from '../../scenarios/load.js';
import { resolvePolicy, withSupplyPolicy } from '../../runtime/plant.js';
import { comparePolicies } from '../../runtime/compare.js';
import { durationFlag, intFlag, onePositional, parseCommand } from '../args.js';
import { UsageError } from '../errors.js';
import { formatNumber, table } from '../format.js';

export const compareHelp = `hyperfactory compare <scenario.yaml> --policies a,b,c --runs N [--axis maintenance|supply] [--seed FIRST] [--until DURATION] [--workers W] [--json]
  Runs every policy over the same N seeds (replications on worker threads) and
  reports each KPI as a mean with a 95% confidence interval. --axis supply
  compares supply policies (dynamic, static) instead of maintenance policies.`;

export async function compareCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand('compare', argv, {
    policies: { type: 'string' },
    runs: { type: 'string' },
    seed: { type: 'string' },
    until: { type: 'string' },
    workers: { type: 'string' },
    axis: { type: 'string', default: 'maintenance' },
    json: { type: 'boolean', default: false },
  });
  const file = onePositional('compare', positionals, 'scenario file');
  if (!values.policies) throw new UsageError('compare: --policies is required (e.g. --policies run-to-failure,condition-based)');
  const runs = intFlag('runs', values.runs ?? '10', { min: 2 })!;
  const policies = values.policies.split(',').map((p) => p.trim()).filter(Boolean);
  const axis = values.axis;
  if (axis !== 'maintenance' && axis !== 'supply') throw new UsageError(`compare: --axis must be maintenance or supply, not "${axis}"`);
  const scenario = loadScenario(file);
  // Fail before starting any worker.
  for (const p of policies) {
    if (axis === 'supply') withSupplyPolicy(scenario, p);
    else resolvePolicy(scenario, p);
  }
  if (axis === 'supply' && !scenario.inventory) throw new UsageError(`compare: --axis supply needs a scenario with an inventory; "${scenario.name}" has none`);
  const started = performance.now();
  const result = await comparePolicies({
    scenarioPath: resolve(file),
    policies,
    axis,
    runs,
    firstSeed: intFlag('seed', values.seed),
    until: durationFlag('until', values.until),
    workers: intFlag('workers', values.workers, { min: 1 }),
  });
  const { raw: _raw, ...summary } = result;
  if (values.json) {
    process.stdout.write(JSON.stringify(summary) + '\n');
    return;
  }
  const names = Object.keys(summary.policies[policies[0]].kpis);
  const rows = [['kpi', ...policies.map((p) => `${p} (mean [95% CI])`)]];
  for (const k of names) {
    rows.push([
      k,
      ...policies.map((p) => {
        const e = summary.policies[p].kpis[k];
        return `${formatNumber(e.mean)} [${formatNumber(e.ci95[0])}, ${formatNumber(e.ci95[1])}]`;
      }),
    ]);
  }
  process.stdout.write(
    `${scenario.name}: ${policies.length} policies × ${runs} seeds, ${((performance.now() - started) / 1000).toFixed(1)} s\n\n` + table(rows),
  );
}
