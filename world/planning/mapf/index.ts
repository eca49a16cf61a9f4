/** Multi-agent path finding on the 4-connected grid: Moving AI formats, LaCAM* solver, validator. */
export { MapfFormatError, parseMap, parseScenario, type MovingAiMap, type ScenarioAgent } from './movingai.js';
export { buildInstance, type MapfInstance } from './instance.js';
export { solveMapf, type MapfSolution, type SolveOptions } from './solve.js';
export { makespan, pathCost, sumOfCosts, validatePaths, type Violation, type ViolationKind, type XY } from './validate.js';
