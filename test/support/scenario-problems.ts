import { expect } from 'vitest';
import { parseScenario, ScenarioError } from '../../scenarios/load.js';

/** The problems a scenario text is refused with (fails the test when it is accepted). */
export function problemsOf(text: string, file = 'plant.yaml') {
  try {
    parseScenario(text, file);
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as ScenarioError).problems;
  }
  throw new Error('expected the scenario to be rejected');
}
