/**
 * Screen boxes (CSS px) of labels and markers already drawn, so a canvas can
 * place the next label where it overprints none of them.
 */
export interface Box { x0: number; y0: number; x1: number; y1: number }

export function overlaps(a: Box, b: Box): boolean {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}
