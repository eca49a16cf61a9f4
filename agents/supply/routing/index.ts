/** VRPTW routing for the supply agents: instances, the Solomon parser, the HGS solver and checks. */
export { createInstance, totalDistance, vehicleLowerBound, type VrptwInstance, type VrptwNode } from './instance.js';
export { parseSolomon, SolomonFormatError } from './solomon.js';
export { bestInsertion, checkSolution, type CheckResult, type Insertion } from './check.js';
export { solveVrptw, granularNeighbours, type SolveOptions, type VrptwSolution } from './solver.js';
