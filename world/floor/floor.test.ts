import { describe, expect, it } from 'vitest';
import { parseScenario, type ScenarioError } from '../../scenarios/load.js';
import { buildFloor, planFloor } from './build-floor.js';
import { defaultFloorSpec, type FloorSpec } from './floor-spec.js';

const spec = (over: Partial<FloorSpec>): FloorSpec => ({ ...defaultFloorSpec(), ...over });
const places = [
  { id: 'pick', kind: 'storage', x: 2, y: 1 },
  { id: 'dock', kind: 'dock', x: 8, y: 1 },
  { id: 'charger', kind: 'charger', x: 5, y: 5 },
];

describe('cobot floor', () => {
  it('derives its extent from the places, with a margin, on 1 m cells centred on whole metres', () => {
    const floor = buildFloor(defaultFloorSpec(), places);
    expect([floor.grid.width, floor.grid.height]).toEqual([11, 9]);
    expect(floor.origin).toEqual({ x: 0, y: -1 });
    expect(floor.centre(floor.placeCell('dock'))).toEqual({ x: 8, y: 1 });
    expect(floor.chargers).toEqual([floor.placeCell('charger')]);
    // Default parking: free cells off the places and their neighbours.
    expect(floor.isParking(floor.cellOf({ x: 2, y: 2 }))).toBe(false);
    expect(floor.isParking(floor.cellOf({ x: 0, y: 5 }))).toBe(true);
  });

  it('blocks obstacles and walls, keeps aisles free, parks where told', () => {
    const floor = buildFloor(
      spec({
        width: 10,
        height: 8,
        obstacles: [{ x: 3, y: 3, width: 4, height: 2 }],
        walls: [{ x1: 0, y1: 6, x2: 9, y2: 6 }],
        aisles: [{ x: 4, y: 3, width: 1, height: 4 }],
        parking: [{ x: 0, y: 7, width: 10, height: 1 }],
      }),
      places,
    );
    const free = (x: number, y: number) => floor.grid.free(x, y);
    expect([free(3, 3), free(6, 4), free(7, 4), free(2, 3)]).toEqual([false, false, true, true]);
    expect([free(0, 6), free(9, 6), free(4, 6), free(4, 3)]).toEqual([false, false, true, true]);
    expect(floor.parking).toEqual(Array.from({ length: 10 }, (_, x) => floor.grid.index(x, 7)));
    // Robots homed together start on distinct parking cells near home.
    const starts = floor.startCells(['pick', 'pick', 'dock']);
    expect(new Set(starts).size).toBe(3);
    expect(starts.every((c) => floor.isParking(c))).toBe(true);
  });

  it('reports every problem with a place: off the floor, on an obstacle, sharing a cell, walled in; and too little parking', () => {
    const { problems } = planFloor(
      spec({
        width: 10,
        height: 8,
        obstacles: [{ x: 0, y: 0, width: 3, height: 3 }, { id: 'box', x: 6, y: 4, width: 3, height: 3 }],
        parking: [{ x: 0, y: 7, width: 2, height: 1 }],
      }),
      [
        { id: 'a', x: 5, y: 1 },
        { id: 'b', x: 1, y: 1 },
        { id: 'c', x: 5.2, y: 0.9 },
        { id: 'd', x: 20, y: 1 },
        { id: 'e', x: 9, y: 7 },
      ],
      3,
    );
    expect(problems.map((p) => p.message)).toEqual([
      'place "b" (1, 1) lies on floor.obstacles[0]',
      'places "a" and "c" fall in the same 1 m floor cell: move them apart or use a smaller floor.cellSize',
      'place "d" (20, 1) is off the cobots\' floor (x 0…9, y 0…7 m)',
      'floor.parking has 2 free cells for 3 cobots',
    ]);
    const walled = planFloor(spec({ width: 5, height: 5, walls: [{ x1: 3, y1: 0, x2: 3, y2: 4 }] }), [
      { id: 'a', x: 0, y: 0 },
      { id: 'b', x: 4, y: 4 },
    ]);
    expect(walled.problems.map((p) => p.message)).toEqual(['place "b" cannot be reached from "a": obstacles or walls close it in']);
  });

  it('validates a scenario’s floor with located errors', () => {
    const text = `
name: f
horizon: 1h
layout:
  places:
    - { id: s, kind: station, x: 1, y: 1 }
    - { id: t, kind: storage, x: 6, y: 1 }
machineTypes: { m: { processTime: { dist: constant, value: 60 }, timeToFailure: { dist: constant, value: 1e9 }, repairTime: { dist: constant, value: 60 } } }
machines: [{ id: m, type: m }]
technicians: { count: 1 }
cobots: { count: 2, homes: [s], radius: 0.6 }
tasks: [{ id: a, from: s, to: t, interarrival: { dist: constant, value: 60 } }]
floor:
  obstacles: [{ x: 5, y: 0, width: 2, height: 2 }]
`;
    let error: ScenarioError | undefined;
    try {
      parseScenario(text, 'f.yaml');
    } catch (e) {
      error = e as ScenarioError;
    }
    expect(error?.problems.map((p) => `${p.path}:${p.line}: ${p.message}`)).toEqual([
      'cobots.radius:11: a cobot of radius 0.6 m does not fit a 1 m floor cell (needs radius < cellSize / 2)',
      'layout.places[1]:7: place "t" (6, 1) lies on floor.obstacles[0]',
    ]);
  });
});
