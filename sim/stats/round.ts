/** `x` rounded to `digits` decimals: what logs and views carry of a measured value. */
export function roundTo(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
