import { buildLotSizingModel } from './lot-sizing.js';
import { solveLpText, type SolveOptions } from './highs-solver.js';
import { xName, yName, type PlanData } from './plan-data.js';

/**
 * A complete feasible starting plan for the MIP, from its LP relaxation: open
 * the setups the relaxation uses (all of them, or those whose relaxed value
 * reaches a threshold), solve the LP with the setups fixed, keep the cheapest
 * of these plans and close the setups it left unused. A handful of LPs,
 * about a second on the mid-size instance, where HiGHS on its own spent its whole
 * time limit at the root node and returned "backlog everything". If no
 * rounding gives a feasible LP (opened setups no longer fit, or a closed one
 * starves a component) there is no start and HiGHS runs as it would have.
 *
 * Relax-and-fix (windows of binary setups) was tried first and dropped: each
 * sub-MIP is as large as the full model in rows and columns, and HiGHS did
 * not find a first solution for a 6-period window within 3 s.
 */
const THRESHOLDS = [0, 0.1, 0.25, 0.5];

export async function roundedLpStart(data: PlanData, options: SolveOptions = {}): Promise<Map<string, number> | undefined> {
  const timeLimit = options.timeLimit ?? 10;
  const relaxed = buildLotSizingModel(data, false, () => 'relaxed');
  const lp = await solveLpText(relaxed.lp.toLpText(), { timeLimit });
  if (!lp.hasSolution) return undefined;
  // Round at a few thresholds on the relaxed setup value and keep the cheapest plan.
  let best: { objective: number; values: Map<string, number> } | undefined;
  for (const threshold of THRESHOLDS) {
    const open = (k: number, t: number) => (lp.values.get(xName(k, t)) ?? 0) > 1e-6 && (lp.values.get(yName(k, t)) ?? 0) >= threshold;
    const fixed = buildLotSizingModel(data, false, (k, t) => (open(k, t) ? 1 : 0));
    const solution = await solveLpText(fixed.lp.toLpText(), { timeLimit });
    if (solution.hasSolution && (!best || solution.objective < best.objective)) best = { objective: solution.objective, values: solution.values };
  }
  if (!best) return undefined;
  const start = new Map(best.values);
  data.items.forEach((_, k) => {
    for (let t = data.F + 1; t <= data.T; t++) {
      const y = yName(k, t);
      if (start.has(y) && data.firmStart[k][t] <= 0 && (start.get(xName(k, t)) ?? 0) <= 1e-9) start.set(y, 0);
    }
  });
  return start;
}
