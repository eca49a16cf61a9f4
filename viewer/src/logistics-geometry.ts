import type { LogisticsMap, TruckView } from '../../bridges/viewer/protocol.js';

/**
 * The logistics map's geometry, free of the canvas (unit-tested): routes as
 * polylines, where trucks stand, the fit of the map into the canvas, and
 * round distances for the scale bar and the truck list.
 */

type Place = LogisticsMap['places'][number];
type Point = { x: number; y: number };

/** Places by id, for looking up a route's stops. */
export function placeIndex(map: LogisticsMap): Map<string, Place> {
  return new Map(map.places.map((p) => [p.id, p]));
}

/**
 * The route ahead as points (metres): the truck's position, then each stop
 * in order. Stops the map does not know are skipped. A single point means
 * there is nothing to draw.
 */
export function routePolyline(truck: Pick<TruckView, 'x' | 'y' | 'route'>, places: ReadonlyMap<string, Point>): [number, number][] {
  const out: [number, number][] = [[truck.x, truck.y]];
  for (const id of truck.route) {
    const p = places.get(id);
    if (p) out.push([p.x, p.y]);
  }
  return out;
}

/** The place a truck stands at (within `tolerance` metres), if any. */
export function placeAt(truck: Point, places: Iterable<Place>, tolerance = 50): Place | undefined {
  for (const p of places) if (Math.hypot(p.x - truck.x, p.y - truck.y) <= tolerance) return p;
  return undefined;
}

/** Metres along a polyline. */
export function polylineLength(line: readonly [number, number][]): number {
  let d = 0;
  for (let i = 1; i < line.length; i++) d += Math.hypot(line[i][0] - line[i - 1][0], line[i][1] - line[i - 1][1]);
  return d;
}

/** Whether the map has anything to show: some place besides the plant's own dock. */
export function hasMap(map: LogisticsMap | undefined): boolean {
  return !!map && map.places.some((p) => p.kind !== 'plant');
}

/** Screen transform of the map: y up (north at the top), aspect ratio kept, centred. */
export interface MapFit { scale: number; ox: number; oy: number; minX: number; maxY: number }

/** Fits all places into w × h pixels less `pad` on every side. */
export function fitMap(places: readonly Point[], w: number, h: number, pad: number): MapFit {
  if (!places.length) return { scale: 1, ox: w / 2, oy: h / 2, minX: 0, maxY: 0 };
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const p of places) {
    minX = Math.min(minX, p.x);
    minY = Math.min(minY, p.y);
    maxX = Math.max(maxX, p.x);
    maxY = Math.max(maxY, p.y);
  }
  // A map of one place (or places in a line) still gets a sensible 1 km view.
  const bw = Math.max(1000, maxX - minX);
  const bh = Math.max(1000, maxY - minY);
  const scale = Math.max(1e-9, Math.min((w - 2 * pad) / bw, (h - 2 * pad) / bh));
  return {
    scale,
    minX,
    maxY,
    ox: (w - (maxX - minX) * scale) / 2,
    oy: (h - (maxY - minY) * scale) / 2,
  };
}

export function toScreen(f: MapFit, x: number, y: number): [number, number] {
  return [f.ox + (x - f.minX) * f.scale, f.oy + (f.maxY - y) * f.scale];
}

/** The longest 1, 2 or 5 × 10ⁿ metres not above `max` (for the scale bar). */
export function niceLength(max: number): number {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  return [5, 2, 1].map((k) => k * p).find((x) => x <= max) ?? p;
}

/** A distance: round scale-bar lengths as they are, others to 0.1 km (or whole metres below 1 km). */
export function distanceText(m: number): string {
  if (m < 1000) return `${Math.round(m)} m`;
  const km = m / 1000;
  return `${Number.isInteger(km) || km >= 100 ? Math.round(km) : km.toFixed(1)} km`;
}
