import { describe, expect, it } from 'vitest';
import { Layout, type Place } from './layout.js';
import { buildRoadGraph, disconnectedPairs } from './road-graph.js';

/**
 * A plant with a warehouse and a depot on a road that bends through a
 * junction, and a workshop on no road at all.
 */
const places: Place[] = [
  { id: 'stores', kind: 'storage', x: 0, y: 0 },
  { id: 'yard', kind: 'depot', x: 3000, y: 4000 },
  { id: 'works', kind: 'dock', x: 3000, y: 0 },
  { id: 'workshop', kind: 'base', x: 10, y: 20 },
];
const junctions = [{ id: 'bend', x: 0, y: 4000 }];
const roads = [
  { from: 'stores', to: 'bend' },
  { from: 'bend', to: 'yard' },
  { from: 'stores', to: 'works', length: 3500 },
];

describe('layout distances', () => {
  it('are Manhattan without roads', () => {
    const l = new Layout(places);
    expect(l.distance('stores', 'yard')).toBe(7000);
    expect(l.distance('stores', 'workshop')).toBe(30);
    expect(l.distance('stores', 'nowhere')).toBe(0);
  });

  it('go by the shortest road path between places on the road network', () => {
    const l = new Layout(places, { roads, junctions });
    // Through the bend: 4000 north, then 3000 east (the straight line would be 5000).
    expect(l.distance('stores', 'yard')).toBe(7000);
    // A road's own length beats the straight line of its ends.
    expect(l.distance('stores', 'works')).toBe(3500);
    // works → stores → bend → yard: no direct road, the shortest chain.
    expect(l.distance('works', 'yard')).toBe(3500 + 7000);
    expect(l.distance('yard', 'works')).toBe(l.distance('works', 'yard'));
    expect(l.distance('yard', 'yard')).toBe(0);
    expect(l.onRoad('stores')).toBe(true);
    expect(l.onRoad('bend')).toBe(false); // a junction is no place
  });

  it('fall back to Manhattan when either place is on no road', () => {
    const l = new Layout(places, { roads, junctions });
    expect(l.onRoad('workshop')).toBe(false);
    expect(l.distance('workshop', 'stores')).toBe(30);
    expect(l.distance('yard', 'workshop')).toBe(2990 + 3980);
  });

  it('take a shorter road added to the network', () => {
    const l = new Layout(places, { roads: [...roads, { from: 'works', to: 'yard', length: 4000 }], junctions });
    expect(l.distance('works', 'yard')).toBe(4000);
    expect(l.distance('stores', 'yard')).toBe(7000); // 3500 + 4000 is longer than through the bend
  });
});

describe('the road network', () => {
  it('refuses places on roads that no road joins, naming the pair', () => {
    const split = [{ from: 'stores', to: 'works' }, { from: 'yard', to: 'bend' }];
    expect(() => new Layout(places, { roads: split, junctions })).toThrow('no road joins "stores" and "yard"');
  });

  it('refuses a road to an unknown place', () => {
    expect(() => new Layout(places, { roads: [{ from: 'stores', to: 'moon' }] })).toThrow(/"moon"/);
  });

  it('refuses a junction with a place\'s id', () => {
    expect(() => new Layout(places, { junctions: [{ id: 'yard', x: 0, y: 0 }] })).toThrow(/twice/);
  });

  it('reports one pair per extra part, among the ids asked about', () => {
    const g = buildRoadGraph(
      ['a', 'b', 'c', 'd', 'e'].map((id, i) => ({ id, x: i, y: 0 })),
      [{ from: 'a', to: 'b' }, { from: 'c', to: 'd' }],
    );
    expect(disconnectedPairs(g, ['a', 'b', 'c', 'd', 'e'])).toEqual([
      ['a', 'c'],
      ['a', 'e'],
    ]);
    expect(disconnectedPairs(g, ['a', 'b'])).toEqual([]);
  });
});
