/** The dynamic truck dispatcher's optimiser: bids (cheapest insertion) and the fleet re-plan (ALNS). */
export type { FleetPlan, FleetProblem, InsertionQuote, OnBoardDue, PlanCost, Stop, StopKind, TruckPlanState } from './types.js';
export { addCost, costPerMetre, type CostContext, planCost, scheduleTrip, scheduleTruck, truckCost, type TripSchedule, zeroCost } from './evaluate.js';
export { cheapestTruck, insertAt, quoteInsertion } from './insertion.js';
export { DEFAULT_UNASSIGNED_PENALTY, reoptimise, type ReoptimiseOptions } from './alns.js';
export { checkPlan, type PlanCheck } from './check.js';
