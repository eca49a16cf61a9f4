import { describe, expect, it } from 'vitest';
import type { LogisticsMap } from '../../bridges/viewer/protocol.js';
import { truckColour } from './colours.js';
import { distanceText, fitMap, hasMap, niceLength, placeAt, placeIndex, polylineLength, routePolyline, toScreen } from './logistics-geometry.js';

const map: LogisticsMap = {
  places: [
    { id: 'dock', kind: 'plant', x: 0, y: 25 },
    { id: 'depot', kind: 'depot', x: -3000, y: 1500 },
    { id: 'north-works', kind: 'supplier', x: -4000, y: 38000 },
    { id: 'east-works', kind: 'supplier', x: 52000, y: 6000 },
    { id: 'south-works', kind: 'supplier', x: 9000, y: -27000 },
  ],
};

describe('logistics map', () => {
  it('draws the route ahead from the truck through its stops, in order', () => {
    const line = routePolyline({ x: -2000, y: 20000, route: ['north-works', 'dock', 'depot'] }, placeIndex(map));
    expect(line).toEqual([[-2000, 20000], [-4000, 38000], [0, 25], [-3000, 1500]]);
  });

  it('skips stops the map does not know; no route is just the truck', () => {
    const places = placeIndex(map);
    expect(routePolyline({ x: 1, y: 2, route: ['nowhere', 'dock', 'elsewhere'] }, places)).toEqual([[1, 2], [0, 25]]);
    expect(routePolyline({ x: 1, y: 2, route: [] }, places)).toEqual([[1, 2]]);
    expect(routePolyline({ x: 1, y: 2, route: ['dock'] }, new Map())).toEqual([[1, 2]]);
  });

  it('measures the way ahead and finds where an idle truck stands', () => {
    const places = placeIndex(map);
    expect(polylineLength(routePolyline({ x: 0, y: 3025, route: ['dock', 'depot'] }, places))).toBeCloseTo(3000 + Math.hypot(3000, 1475));
    expect(polylineLength([[1, 1]])).toBe(0);
    expect(placeAt({ x: -3010, y: 1490 }, places.values())?.id).toBe('depot');
    expect(placeAt({ x: -2000, y: 1500 }, places.values())).toBeUndefined();
  });

  it('is shown only when there is somewhere besides the plant', () => {
    expect(hasMap(map)).toBe(true);
    expect(hasMap({ places: [] })).toBe(false);
    expect(hasMap({ places: [{ id: 'dock', kind: 'plant', x: 0, y: 0 }] })).toBe(false);
    expect(hasMap(undefined)).toBe(false);
  });

  it('fits every place inside the margin, keeps the aspect ratio, and puts north at the top', () => {
    const w = 500;
    const h = 300;
    const pad = 30;
    const f = fitMap(map.places, w, h, pad);
    const pts = map.places.map((p) => toScreen(f, p.x, p.y));
    for (const [x, y] of pts) {
      expect(x).toBeGreaterThanOrEqual(pad - 1e-9);
      expect(x).toBeLessThanOrEqual(w - pad + 1e-9);
      expect(y).toBeGreaterThanOrEqual(pad - 1e-9);
      expect(y).toBeLessThanOrEqual(h - pad + 1e-9);
    }
    // 65 km north–south fill the height; east–west is centred at the same scale.
    expect(f.scale).toBeCloseTo((h - 2 * pad) / 65000);
    const byId = Object.fromEntries(map.places.map((p, i) => [p.id, pts[i]]));
    expect(byId['north-works'][1]).toBeCloseTo(pad);
    expect(byId['south-works'][1]).toBeCloseTo(h - pad);
    expect(byId['east-works'][0] - byId['north-works'][0]).toBeCloseTo(56000 * f.scale);
    expect((byId['east-works'][0] + byId['north-works'][0]) / 2).toBeCloseTo(w / 2);
    // One place alone: centred, not divided by zero.
    const one = fitMap([{ x: 5, y: 5 }], 200, 100, 10);
    expect(toScreen(one, 5, 5)).toEqual([100, 50]);
  });

  it('picks a round scale-bar length and colours trucks by state', () => {
    expect([0.7, 1, 3, 99, 240, 1900, 12000].map(niceLength)).toEqual([0.5, 1, 2, 50, 200, 1000, 10000]);
    expect([500, 1000, 20000, 12345.6, 151_000, 420.4].map(distanceText)).toEqual(['500 m', '1 km', '20 km', '12.3 km', '151 km', '420 m']);
    expect(new Set(['idle', 'busy.toPickup', 'busy.toDropoff', 'busy.returning', 'broken'].map(truckColour)).size).toBe(5);
    expect(truckColour('busy.somethingNew')).toBe(truckColour('busy.toPickup'));
  });
});
