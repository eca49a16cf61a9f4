import { performance } from 'node:perf_hooks';
import highsModule from 'highs';

/**
 * HiGHS (npm `highs`, the solver compiled to WebAssembly) behind one call:
 * LP text in, status / objective / gap / column values out. The Wasm module
 * is loaded once per process and reused; every solve gets a fresh native
 * model that is disposed before returning, so solves never share state.
 *
 * The persistent-model API is used rather than the one-shot `solve()` because
 * only it reports the MIP gap and dual bound, which an honest "stopped at the
 * time limit" answer needs.
 */

type Loader = typeof highsModule.default;
type Highs = Awaited<ReturnType<Loader>>;

// The package's types describe a CommonJS module (loader under `.default`); Node's ESM import gives the loader itself.
const highsLoader: Loader = (highsModule as unknown as { default?: Loader }).default ?? (highsModule as unknown as Loader);

let loaded: Promise<Highs> | undefined;

/** The shared HiGHS instance (loads the Wasm binary on first use). */
export function loadHighs(): Promise<Highs> {
  return (loaded ??= highsLoader());
}

export interface SolveOptions {
  /** Wall-clock limit in seconds (default 30). */
  timeLimit?: number;
  /** Relative MIP gap at which HiGHS may stop and call the result optimal (default 1e-4). */
  mipRelGap?: number;
  /**
   * Share of MIP effort spent on primal heuristics (HiGHS `mip_heuristic_effort`,
   * its default 0.05). Default here 0.3: on lot-sizing models the default left
   * HiGHS at the root node with a poor plan at the time limit (docs/production-plan.md).
   */
  heuristicEffort?: number;
  /** MIP start: column values by name (unnamed columns are left to HiGHS to complete). */
  start?: Map<string, number>;
}

export type SolveStatus = 'optimal' | 'time-limit' | 'infeasible' | 'unbounded' | 'error';

export interface LpSolution {
  status: SolveStatus;
  /** HiGHS's own status name, for messages. */
  highsStatus: string;
  /** A primal feasible solution is available (optimal, or an incumbent at a limit). */
  hasSolution: boolean;
  objective: number;
  /** Relative gap between incumbent and bound (0 when proved optimal; NaN when unknown). */
  gap: number;
  /** Best proved lower bound on the objective (NaN when unknown). */
  bound: number;
  values: Map<string, number>;
  /** Wall-clock seconds in HiGHS (parsing included). */
  seconds: number;
  columns: number;
  rows: number;
}

const STATUS_NAMES: Record<number, string> = {
  0: 'Not Set', 1: 'Load error', 2: 'Model error', 3: 'Presolve error', 4: 'Solve error', 5: 'Postsolve error',
  6: 'Empty', 7: 'Optimal', 8: 'Infeasible', 9: 'Primal infeasible or unbounded', 10: 'Unbounded',
  11: 'Bound on objective reached', 12: 'Target for objective reached', 13: 'Time limit reached',
  14: 'Iteration limit reached', 15: 'Unknown', 16: 'Solution limit reached', 17: 'Interrupted',
};

function classify(code: number): SolveStatus {
  if (code === 7 || code === 6) return 'optimal';
  if (code === 8) return 'infeasible';
  if (code === 9 || code === 10) return 'unbounded';
  if (code >= 11 && code <= 17 && code !== 15) return 'time-limit';
  return 'error';
}

function infoNumber(read: () => number | bigint): number {
  try {
    return Number(read());
  } catch {
    return Number.NaN;
  }
}

/** Solves CPLEX LP text; never throws for an optimisation outcome, only for a model HiGHS cannot read. */
export async function solveLpText(text: string, options: SolveOptions = {}): Promise<LpSolution> {
  const highs = await loadHighs();
  const t0 = performance.now();
  const solved = highs.withModel({ format: 'lp', data: text }, (model) => {
    model.options.set({
      output_flag: false,
      time_limit: options.timeLimit ?? 30,
      mip_rel_gap: options.mipRelGap ?? 1e-4,
      mip_heuristic_effort: options.heuristicEffort ?? 0.3,
    });
    if (options.start && options.start.size > 0) {
      const indices: number[] = [];
      const starts: number[] = [];
      for (const [name, value] of options.start) {
        let col = -1;
        try {
          col = model.getColByName(name);
        } catch {
          col = -1;
        }
        if (col >= 0) {
          indices.push(col);
          starts.push(value);
        }
      }
      const order = indices.map((_, k) => k).sort((a, b) => indices[a] - indices[b]);
      if (indices.length > 0) model.setSolution({ indices: order.map((k) => indices[k]), values: order.map((k) => starts[k]) });
    }
    const run = model.run();
    const code = Number(run.modelStatus);
    const dims = model.getDimensions();
    const primalStatus = infoNumber(() => model.info.get('primal_solution_status'));
    const hasSolution = primalStatus === 2 && code !== 8;
    const values = new Map<string, number>();
    if (hasSolution) {
      const col = model.getSolution().colValue;
      for (let k = 0; k < dims.numCols; k++) values.set(model.getColName(k), col[k]);
    }
    const status = classify(code);
    const gap = infoNumber(() => model.info.get('mip_gap'));
    return {
      status,
      highsStatus: STATUS_NAMES[code] ?? `status ${code}`,
      hasSolution,
      objective: hasSolution ? model.getObjectiveValue() : Number.NaN,
      gap: Number.isFinite(gap) ? gap : Number.NaN,
      bound: infoNumber(() => model.info.get('mip_dual_bound')),
      values,
      seconds: 0,
      columns: dims.numCols,
      rows: dims.numRows,
    };
  });
  return { ...solved, seconds: (performance.now() - t0) / 1000 };
}
