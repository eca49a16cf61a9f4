import { LpBuilder } from './lp-writer.js';
import { solveLpText, type SolveOptions } from './highs-solver.js';
import { validateProblem, type PlanningProblem } from './plan-model.js';
import {
  bName, frozenSetupHours, iName, oName, preparePlanData, uName, xName, yName, type PlanData,
} from './plan-data.js';
import { emptyPlan, readPlan, type ProductionPlan } from './production-plan.js';
import { diagnoseInfeasibility } from './infeasibility.js';
import { roundedLpStart } from './warm-start.js';
import { performance } from 'node:perf_hooks';

/**
 * The multi-level capacitated lot-sizing problem (MLCLSP) with setup times,
 * backlogging, purchase lead times and a frozen fence, as a MIP for HiGHS.
 *
 *   min  Σ f_k y_kt + Σ h_k I_kt + Σ b_k B_kt + Σ c_k x_kt        (setup, holding, backlog, purchase)
 *   s.t. I_k,t−1 − B_k,t−1 + x_k,t−L_k + R_kt − I_kt + B_kt
 *            = d_kt + Σ_p a_kp (x_pt + S_pt)                       (balance; R, S released receipts/starts)
 *        Σ_{k on r} (p_k x_kt + s_k y_kt) ≤ C_rt − Σ p_k S_kt − frozen setups   (capacity)
 *        x_kt ≤ M_kt y_kt,  x_kt ≥ m_k y_kt − S_kt                  (setup forcing, minimum lot)
 *        x_kt = 0 for t ≤ F (frozen) and where t + L_k > T;  B ≡ 0 for items without a backlog cost
 *
 * `elastic` builds the diagnostic variant used only after an infeasible
 * answer: every balance gets emergency supply u and every capacity overtime o,
 * and the objective is the total violation, so the non-zero u and o name what
 * cannot be satisfied.
 */

export interface BuiltModel {
  data: PlanData;
  lp: LpBuilder;
}

/** How a setup variable enters the model: a binary, relaxed to [0, 1], or fixed (relax-and-fix). */
export type SetupMode = 'binary' | 'relaxed' | 0 | 1;

export function buildLotSizingModel(data: PlanData, elastic = false, setupMode?: (k: number, t: number) => SetupMode): BuiltModel {
  const { T, F, items } = data;
  const lp = new LpBuilder();
  const cost = (c: number) => (elastic ? 0 : c);

  // Columns.
  items.forEach((item, k) => {
    const src = item.source;
    for (let t = 1; t <= T; t++) {
      const M = data.bigM[k][t];
      if (M > 0) {
        lp.addVar(xName(k, t), { hi: M === Infinity ? Infinity : M, cost: cost(src.type === 'buy' ? src.unitCost : 0), type: item.integral ? 'integer' : 'continuous' });
      }
      const fixedCost = src.type === 'make' ? src.setupCost : (src.orderCost ?? 0);
      if (t > F && data.hasSetup[k] && (M > 0 || data.firmStart[k][t] > 0)) {
        const firm = data.firmStart[k][t] > 0;
        const mode = setupMode?.(k, t) ?? 'binary';
        const lo = firm || (mode === 1 && M > 0) ? 1 : 0;
        const hi = firm ? 1 : M > 0 && mode !== 0 ? 1 : 0;
        lp.addVar(yName(k, t), { type: mode === 'relaxed' ? 'continuous' : 'binary', lo, hi, cost: cost(fixedCost) });
      }
      lp.addVar(iName(k, t), { cost: cost(item.holdingCost) });
      if (data.backlogAllowed[k]) lp.addVar(bName(k, t), { cost: cost(item.backlogCost ?? 0) });
      if (elastic) lp.addVar(uName(k, t), { cost: 1 });
    }
  });
  data.resources.forEach((_, r) => {
    for (let t = 1; t <= T; t++) lp.addVar(oName(r, t), { hi: elastic ? Infinity : 0, cost: elastic ? 1 : 0 });
  });

  // Inventory balance with BOM explosion.
  items.forEach((item, k) => {
    for (let t = 1; t <= T; t++) {
      const terms: [string, number][] = [[iName(k, t), -1]];
      let rhs = data.demand[k][t] - data.firmReceipt[k][t];
      if (t === 1) rhs -= item.initialStock;
      else terms.push([iName(k, t - 1), 1]);
      if (data.backlogAllowed[k]) {
        terms.push([bName(k, t), 1]);
        if (t > 1) terms.push([bName(k, t - 1), -1]);
      }
      const arrivalOf = t - data.lead[k];
      if (arrivalOf >= 1 && lp.has(xName(k, arrivalOf))) terms.push([xName(k, arrivalOf), 1]);
      for (const use of data.usedBy[k]) {
        rhs += use.qtyPer * data.firmStart[use.parent][t];
        if (lp.has(xName(use.parent, t))) terms.push([xName(use.parent, t), -use.qtyPer]);
      }
      if (elastic) terms.push([uName(k, t), 1]);
      lp.addRow(`bal_${k}_${t}`, terms, '=', rhs);
    }
  });

  // Capacity per resource and period: run time of new and released lots plus setups.
  data.resources.forEach((_, r) => {
    for (let t = 1; t <= T; t++) {
      const terms: [string, number][] = [[oName(r, t), -1]];
      let rhs = data.capacity[r][t];
      items.forEach((item, k) => {
        const src = item.source;
        if (src.type !== 'make' || data.resourceOf[k] !== r) return;
        rhs -= src.unitTime * data.firmStart[k][t] + frozenSetupHours(data, k, t);
        if (lp.has(xName(k, t))) terms.push([xName(k, t), src.unitTime]);
        if (lp.has(yName(k, t))) terms.push([yName(k, t), src.setupTime]);
      });
      lp.addRow(`cap_${r}_${t}`, terms, '<=', rhs);
    }
  });

  // Setup forcing (big-M tightened per period) and minimum lots.
  items.forEach((item, k) => {
    for (let t = F + 1; t <= T; t++) {
      if (!lp.has(xName(k, t)) || !lp.has(yName(k, t))) continue;
      lp.addRow(`su_${k}_${t}`, [[xName(k, t), 1], [yName(k, t), -data.bigM[k][t]]], '<=', 0);
      const minLot = item.minLot ?? 0;
      if (minLot > 0) lp.addRow(`ml_${k}_${t}`, [[xName(k, t), 1], [yName(k, t), -minLot]], '>=', -data.firmStart[k][t]);
    }
  });

  return { data, lp };
}

export interface PlanOptions extends SolveOptions {
  /** Look for the cause when the model is infeasible (one more solve; default true). */
  diagnose?: boolean;
  /**
   * Seed the MIP with a plan rounded from its LP relaxation (`warm-start.ts`).
   * `auto` (default): only for models with more than 100 setup binaries and
   * no `start` given.
   */
  warmStart?: 'auto' | 'rounded-lp' | 'none';
}

/**
 * Builds, solves and reads back a production plan. Never throws for a bad
 * problem or an infeasible one: the plan's status and message say what
 * happened, and an infeasible plan lists what cannot be satisfied.
 */
export async function solveProductionPlan(problem: PlanningProblem, options: PlanOptions = {}): Promise<ProductionPlan> {
  const errors = validateProblem(problem);
  if (errors.length > 0) return emptyPlan(problem, 'invalid', `invalid problem: ${errors.join('; ')}`);
  const data = preparePlanData(problem);
  const built = buildLotSizingModel(data);
  const size = built.lp.size;
  const timeLimit = options.timeLimit ?? 30;
  const mode = options.warmStart ?? 'auto';
  let start = options.start;
  let warmSeconds = 0;
  if (!start && (mode === 'rounded-lp' || (mode === 'auto' && size.binaries > 100))) {
    const t0 = performance.now();
    start = await roundedLpStart(data, { timeLimit: timeLimit / 2 });
    warmSeconds = (performance.now() - t0) / 1000;
  }
  const solution = await solveLpText(built.lp.toLpText(), { ...options, start, timeLimit: Math.max(1, timeLimit - warmSeconds) });
  solution.seconds += warmSeconds;

  if (solution.status === 'infeasible' || solution.status === 'unbounded') {
    const plan = emptyPlan(problem, 'infeasible', `HiGHS: ${solution.highsStatus}`);
    plan.solveSeconds = solution.seconds;
    plan.size = size;
    if (options.diagnose ?? true) {
      const causes = await diagnoseInfeasibility(data, { ...options, start: undefined });
      plan.infeasibilities = causes;
      if (causes.length > 0) plan.message = `infeasible: ${causes.map((c) => c.message).join('; ')}`;
    }
    return plan;
  }
  if (!solution.hasSolution) {
    const status = solution.status === 'time-limit' ? 'no-solution' : 'error';
    const plan = emptyPlan(problem, status, `HiGHS: ${solution.highsStatus}, no feasible plan found`);
    plan.solveSeconds = solution.seconds;
    plan.size = size;
    return plan;
  }
  const plan = readPlan(data, solution.values);
  plan.size = size;
  plan.solveSeconds = solution.seconds;
  plan.solverObjective = solution.objective;
  plan.bound = solution.bound;
  if (solution.status === 'optimal') {
    plan.status = 'optimal';
    plan.gap = Number.isFinite(solution.gap) ? Math.max(0, solution.gap) : 0;
    plan.message = `optimal (relative gap ${formatGap(plan.gap)})`;
  } else {
    plan.status = 'time-limit';
    plan.gap = solution.gap;
    plan.message = `stopped (${solution.highsStatus}) with a feasible plan, relative gap ${formatGap(solution.gap)}`;
  }
  return plan;
}

function formatGap(gap: number): string {
  return Number.isFinite(gap) ? `${(gap * 100).toFixed(3)} %` : 'unknown';
}
