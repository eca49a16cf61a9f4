import { dirname, join, resolve } from 'node:path';
import { ErpImportError, importErp } from '../agents/supply/erp/import.js';
import type { ErpData } from '../agents/supply/erp/model.js';
import { addedByErp, ErpScenarioError, scenarioFromErp } from './erp-scenario.js';
import { ErpSectionSchema, ScenarioSchema, type Scenario } from './schema.js';
import { parseYamlFile, readTextFile, ScenarioError, type Prepare, type ProblemAt } from './yaml-file.js';

// The YAML reading lives in yaml-file.ts (the ERP import uses it too); its names are the loader's API.
export { formatScenarioProblem, parseYamlFile, readTextFile, ScenarioError, type ScenarioProblem } from './yaml-file.js';

/** Parses and validates scenario text; throws a ScenarioError naming the file, the place and the problem. */
export function parseScenario(text: string, file: string): Scenario {
  const { value } = parseYamlFile(text, file, ScenarioSchema, 'a scenario is a YAML mapping (name, horizon, machines, …)', withErp(file));
  return resolveFiles(value, file);
}

/**
 * Merges the ERP export a scenario names (`erp.path`) into it, before the
 * schema checks it. Problems of the export are the user's: they come as a
 * ScenarioError naming the export's file, row and column, under a first
 * line that points at `erp.path`. Problems of what the export added point
 * at the `erp` section and say so.
 */
function withErp(file: string): Prepare {
  return (raw, problem) => {
    const section = ErpSectionSchema.safeParse(raw.erp);
    // Without a usable erp section there is nothing to merge; the schema reports a malformed one.
    if (raw.erp === undefined || !section.success) return { raw };
    const dir = join(dirname(file), section.data.path);
    const erp = readErp(file, dir, problem);
    try {
      const merged = scenarioFromErp(raw, erp, section.data);
      return { raw: merged, origin: (path) => (addedByErp(raw, path) ? { at: ['erp'], note: `from the ERP export ${dir}` } : undefined) };
    } catch (e) {
      if (!(e instanceof ErpScenarioError)) throw e;
      throw new ScenarioError(
        file,
        e.problems.map((p) => problem(p.path, p.message)),
      );
    }
  };
}

function readErp(file: string, dir: string, problem: ProblemAt): ErpData {
  try {
    return importErp(dir);
  } catch (e) {
    if (!(e instanceof ErpImportError)) throw e;
    const n = e.problems.length;
    throw new ScenarioError(file, [
      problem(['erp', 'path'], `the ERP export ${dir} cannot be used (${n} problem${n === 1 ? '' : 's'}):`),
      ...e.problems.map((p) => ({ file: p.file, line: p.row, path: p.column ?? '', message: p.message })),
    ]);
  }
}

/** Files a scenario names (models, the ERP export) are relative to the scenario's folder. */
function resolveFiles(scenario: Scenario, file: string): Scenario {
  const dir = dirname(file);
  if (scenario.erp) scenario.erp.path = resolve(dir, scenario.erp.path);
  const models = scenario.maintenance.predictive?.models;
  if (!models) return scenario;
  for (const m of Object.values(models)) {
    m.rul = resolve(dir, m.rul);
    if (m.anomaly) m.anomaly = resolve(dir, m.anomaly);
  }
  return scenario;
}

/** Reads and validates a scenario file. */
export function loadScenario(file: string): Scenario {
  return parseScenario(readTextFile(file), file);
}
