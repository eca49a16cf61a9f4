import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const MB = 1024 * 1024;

/**
 * A full garbage collection on demand. `node --expose-gc` gives `gc`; run
 * without it, the flag is set now and `gc` taken from a fresh context, so
 * `node dist/bench/soak/run.js` works as it is.
 */
export function forcedGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

export interface HeapReading {
  /** V8 heap in use after two full collections, MB: what the plant holds on to. */
  heapUsedMB: number;
  heapTotalMB: number;
  /** Buffers and the like outside the V8 heap, MB. */
  externalMB: number;
  rssMB: number;
}

/** This process's memory after forcing the collector (twice: weak references and finalisers need a second pass). */
export function readHeap(gc: () => void): HeapReading {
  gc();
  gc();
  const m = process.memoryUsage();
  return { heapUsedMB: m.heapUsed / MB, heapTotalMB: m.heapTotal / MB, externalMB: m.external / MB, rssMB: m.rss / MB };
}

export interface LineFit {
  /** Units of y per unit of x (MB per simulated day). */
  slope: number;
  intercept: number;
  /** Points used. */
  n: number;
  /** Standard error of the slope (undefined below 3 points). */
  slopeStdErr?: number;
}

/** Ordinary least squares y = a + b·x; undefined below 2 points. */
export function leastSquares(points: readonly [number, number][]): LineFit | undefined {
  const n = points.length;
  if (n < 2) return undefined;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const [x, y] of points) {
    sxx += (x - mx) ** 2;
    sxy += (x - mx) * (y - my);
  }
  if (sxx === 0) return undefined;
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  if (n < 3) return { slope, intercept, n };
  const sse = points.reduce((s, [x, y]) => s + (y - intercept - slope * x) ** 2, 0);
  return { slope, intercept, n, slopeStdErr: Math.sqrt(sse / (n - 2) / sxx) };
}
