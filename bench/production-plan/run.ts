/**
 * Production plan benchmark: the multi-level capacitated lot-sizing MIP of
 * agents/supply/planning on a 20-item × 30-period × 3-machine factory, solved
 * by HiGHS (WebAssembly, one thread), then re-planned after an urgent order
 * and after a machine goes down for three periods.
 *
 *   npm run bench:plan                       # 20 s per solve
 *   npm run bench:plan -- --time-limit 60
 *
 * Writes bench/results/production-plan.json and prints a Markdown table.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../../runtime/paths.js';
import { solveProductionPlan } from '../../agents/supply/planning/lot-sizing.js';
import { replan } from '../../agents/supply/planning/replan.js';
import { factory } from '../../agents/supply/planning/fixtures.js';
import type { ProductionPlan } from '../../agents/supply/planning/production-plan.js';

const { values } = parseArgs({ options: { 'time-limit': { type: 'string', default: '20' } } });
const timeLimit = Number(values['time-limit']);
if (!(timeLimit > 0)) throw new Error(`--time-limit must be a positive number, got "${values['time-limit']}"`);

const problem = factory({ endItems: 8, subassemblies: 8, bought: 4, periods: 30, resources: 3, seed: 1 });
problem.frozenPeriods = 2;
const options = { timeLimit, mipRelGap: 0.01 };
const plan = await solveProductionPlan(problem, options);
const urgent = await replan(plan, problem, { type: 'order', item: 'E1', period: 5, qty: 60, at: 2 }, options);
const down = await replan(urgent.plan, urgent.problem, { type: 'capacity-loss', resource: 'M1', periods: [8, 9, 10], at: 2 }, options);

const row = (name: string, p: ProductionPlan) => ({
  run: name,
  status: p.status,
  seconds: p.solveSeconds,
  gap: p.gap,
  cost: p.costs.total,
  columns: p.size?.columns,
  binaries: p.size?.binaries,
  rows: p.size?.rows,
});
const rows = [row('initial plan', plan), row('re-plan: urgent order', urgent.plan), row('re-plan: machine down', down.plan)];
const result = { benchmark: 'production-plan', timeLimitSeconds: timeLimit, machine: { cpus: cpus().length, cpu: cpus()[0]?.model, kernel: release(), node: process.version }, rows };
mkdirSync(join(projectRoot(), 'bench', 'results'), { recursive: true });
writeFileSync(join(projectRoot(), 'bench', 'results', 'production-plan.json'), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`| run | status | s | gap % | cost |\n| --- | --- | --- | --- | --- |\n`);
for (const r of rows) process.stdout.write(`| ${r.run} | ${r.status} | ${r.seconds?.toFixed(1)} | ${r.gap === undefined ? '–' : (r.gap * 100).toFixed(1)} | ${r.cost.toFixed(0)} |\n`);
