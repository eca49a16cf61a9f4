import type { Option, Policy } from './dispatch-env.js';

/**
 * The baseline dispatcher, what a planner does today: give the urgent job to
 * the truck whose cheapest feasible insertion adds the least cost (driving,
 * time and lateness), or to the courier when no truck can take it or the
 * courier is cheaper. Myopic: it prices only the job in hand.
 */
export function cheapestOption(options: readonly Option[]): number {
  let best = -1;
  let bestDelta = Infinity;
  options.forEach((o, i) => {
    // Strict: among exact ties the first option (the learned policy breaks ties the same way).
    if (o.feasible && o.delta < bestDelta) {
      best = i;
      bestDelta = o.delta;
    }
  });
  if (best < 0) throw new Error('no feasible option (the courier is always one)');
  return best;
}

export const heuristicPolicy: Policy = (_env, options) => cheapestOption(options);
