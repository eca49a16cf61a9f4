import { buildLotSizingModel } from './lot-sizing.js';
import { solveLpText, type SolveOptions } from './highs-solver.js';
import { oName, uName, type PlanData } from './plan-data.js';
import type { Infeasibility } from './production-plan.js';

/**
 * Why a plan is impossible, in planners' words. HiGHS only says
 * "Infeasible"; to name the cause the model is solved once more in its
 * elastic form (emergency supply in every balance, overtime on every
 * resource, minimising their total). What the elastic solution has to use is
 * the least that must give: a demand that cannot be met on time, a component
 * that cannot be there when a lot needs it, or a period whose released work
 * exceeds the hours left.
 */

const EPS = 1e-6;

function ranges(periods: number[]): string {
  const parts: string[] = [];
  let k = 0;
  while (k < periods.length) {
    let j = k;
    while (j + 1 < periods.length && periods[j + 1] === periods[j] + 1) j++;
    parts.push(j === k ? `${periods[k]}` : `${periods[k]}–${periods[j]}`);
    k = j + 1;
  }
  return `period${periods.length > 1 ? 's' : ''} ${parts.join(', ')}`;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

export async function diagnoseInfeasibility(data: PlanData, options: SolveOptions = {}): Promise<Infeasibility[]> {
  const built = buildLotSizingModel(data, true);
  const solution = await solveLpText(built.lp.toLpText(), options);
  if (!solution.hasSolution) return [];
  const out: Infeasibility[] = [];

  data.items.forEach((item, k) => {
    const periods: number[] = [];
    let amount = 0;
    for (let t = 1; t <= data.T; t++) {
      const u = solution.values.get(uName(k, t)) ?? 0;
      if (u > EPS) {
        periods.push(t);
        amount += u;
      }
    }
    if (periods.length === 0) return;
    const isComponent = data.usedBy[k].length > 0 && data.demand[k].every((d) => d === 0);
    const firstNew = data.F + 1 + data.lead[k];
    const supply = item.source.type === 'buy'
      ? `bought with lead time ${data.lead[k]}, first new order can arrive in period ${firstNew}`
      : `made on ${item.source.resource}, first new lot in period ${firstNew}`;
    const message = isComponent
      ? `component ${item.id}: ${round(amount)} units short in ${ranges(periods)} for the parents' lots (${supply}, frozen periods 1–${data.F})`
      : `item ${item.id}: ${round(amount)} units of demand in ${ranges(periods)} cannot be met${data.backlogAllowed[k] ? '' : ' on time (backlog not allowed)'} (${supply})`;
    out.push({ kind: isComponent ? 'component' : 'demand', subject: item.id, periods, amount: round(amount), message });
  });

  data.resources.forEach((res, r) => {
    const periods: number[] = [];
    let amount = 0;
    for (let t = 1; t <= data.T; t++) {
      const o = solution.values.get(oName(r, t)) ?? 0;
      if (o > EPS) {
        periods.push(t);
        amount += o;
      }
    }
    if (periods.length === 0) return;
    const detail = periods.map((t) => `${data.capacity[r][t]} h available in ${t}`).join(', ');
    out.push({
      kind: 'capacity', subject: res.id, periods, amount: round(amount),
      message: `resource ${res.id}: ${round(amount)} h more than available in ${ranges(periods)} (${detail})`,
    });
  });
  return out;
}
