import { performance } from 'node:perf_hooks';
import highsModule from 'highs';
import { toLpText, type LinearProgram } from './lp-text.js';

/**
 * HiGHS (WebAssembly build, npm `highs`) as the benchmark uses it: one
 * loaded solver per process, a fresh native instance per solve, gaps set to
 * zero so "Optimal" means proved optimal, not within HiGHS's default 0.01 %.
 */
type Loader = typeof highsModule.default;
type Highs = Awaited<ReturnType<Loader>>;

// The package's types describe it as CommonJS (the loader under `.default`); Node's ESM import gives the loader itself.
const highsLoader: Loader = (highsModule as unknown as { default?: Loader }).default ?? (highsModule as unknown as Loader);

let loaded: Promise<Highs> | undefined;
const solver = () => (loaded ??= highsLoader());

export interface Solved {
  objective: number;
  /** Column value by name (0 for a column HiGHS did not report). */
  value: (name: string) => number;
  /** Wall-clock seconds inside `solve` (parsing the LP text included). */
  seconds: number;
  variables: number;
  rows: number;
}

export async function solveProgram(lp: LinearProgram): Promise<Solved> {
  const highs = await solver();
  const text = toLpText(lp);
  const t0 = performance.now();
  const result = highs.solve(text, { output_flag: false, mip_rel_gap: 0, mip_abs_gap: 1e-7 });
  const seconds = (performance.now() - t0) / 1000;
  if (result.Status !== 'Optimal') throw new Error(`HiGHS ended with status ${result.Status}`);
  const columns = result.Columns as Record<string, { Primal?: number }>;
  return {
    objective: result.ObjectiveValue,
    value: (name) => columns[name]?.Primal ?? 0,
    seconds,
    variables: lp.binaries.length,
    rows: lp.rows.length,
  };
}
