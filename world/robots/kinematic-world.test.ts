import { describe, expect, it } from 'vitest';
import { Kernel } from '../../sim/clock/kernel.js';
import type { RobotObservation } from '../../agents/ports/robot-port.js';
import { Floor } from '../floor/floor.js';
import { buildFloor } from '../floor/build-floor.js';
import { defaultFloorSpec } from '../floor/floor-spec.js';
import { KinematicRobotWorld, type BodyParams } from './kinematic-world.js';

const params: BodyParams = { speed: 2, batteryWh: 100, drainWhPerMetre: 0.5, idleDrainW: 36, chargeW: 360, lowBattery: 0.2 };

function world(p: Partial<BodyParams> = {}, floor = Floor.open(110, 10), react?: (robot: string, obs: RobotObservation) => void) {
  const kernel = new Kernel();
  const reports: [string, RobotObservation][] = [];
  const w = new KinematicRobotWorld(kernel, floor, { ...params, ...p }, (robot, obs) => {
    reports.push([robot, obs]);
    react?.(robot, obs);
  });
  return { kernel, w, reports };
}

describe('kinematic cobot world', () => {
  it('drives its planned path at nominal speed and drains by distance and standing time', () => {
    const { kernel, w, reports } = world();
    w.add('r', { x: 0, y: 0 });
    w.navigate('r', { id: 'b', pose: { x: 6, y: 4 } });
    kernel.runUntil(4.9);
    expect(reports).toEqual([]);
    kernel.runUntil(10);
    // 10 cells at 2 m/s: 5 s; 5 Wh for the distance, 36 W for 5 s = 0.05 Wh.
    expect(reports.map(([, o]) => o)).toEqual([
      { type: 'robot.battery', level: (100 - 5 - 0.05) / 100, time: 5 },
      { type: 'robot.arrived', goal: 'b', time: 5 },
    ]);
    expect(w.counters.distanceMetres).toBe(10);
    expect(w.state('r').pose).toEqual({ x: 6, y: 4 });
  });

  it('takes the detour around a wall: travel time is the path’s, not the straight line’s', () => {
    // A wall across x = 3 from y = 0 to y = 4, open below.
    const floor = buildFloor({ ...defaultFloorSpec(), width: 8, height: 8, walls: [{ x1: 3, y1: 0, x2: 3, y2: 4 }] }, []);
    const { kernel, w, reports } = world({ idleDrainW: 0 }, floor);
    w.add('r', { x: 0, y: 0 });
    w.navigate('r', { id: 'b', pose: { x: 6, y: 0 } });
    kernel.runUntil(100);
    // Down to y = 5, across, and back up: 5 + 6 + 5 cells.
    expect(reports.at(-1)).toEqual(['r', { type: 'robot.arrived', goal: 'b', time: 8 }]);
    expect(w.counters.distanceMetres).toBe(16);
  });

  it('handles for the seconds it is told', () => {
    const { kernel, w, reports } = world({ idleDrainW: 0 });
    w.add('r', { x: 0, y: 0 });
    w.perform('r', { id: 't-1:pick', kind: 'pick', seconds: 12 });
    kernel.runUntil(20);
    expect(reports.at(-1)).toEqual(['r', { type: 'robot.actionDone', action: 't-1:pick', time: 12 }]);
    expect(w.counters.handlingSeconds).toBe(12);
  });

  it('charges to full at constant power', () => {
    const { kernel, w, reports } = world({ idleDrainW: 0 });
    w.add('r', { x: 0, y: 0 }, 0.4);
    w.perform('r', { id: 'r:charge', kind: 'charge' });
    kernel.runUntil(1000);
    // 60 Wh at 360 W: 600 s.
    expect(reports.map(([, o]) => o)).toEqual([
      { type: 'robot.battery', level: 1, time: 600 },
      { type: 'robot.charged', time: 600 },
    ]);
    expect(w.counters.chargingSeconds).toBe(600);
  });

  it('holds a robot on its next cell and reports its battery', () => {
    const { kernel, w, reports } = world({ idleDrainW: 0 });
    w.add('r', { x: 0, y: 0 });
    w.navigate('r', { id: 'b', pose: { x: 6, y: 4 } });
    kernel.runUntil(4);
    w.hold('r');
    kernel.runUntil(100);
    // 8 cells done at t = 4 (6 along x, then 2 along y); it stops on the 9th.
    expect(w.state('r').pose).toEqual({ x: 6, y: 3 });
    expect(reports.map(([, o]) => o)).toEqual([{ type: 'robot.battery', level: 0.96, time: 4 }]);
    expect(w.counters.distanceMetres).toBe(9);
  });

  it('warns an idle robot when its battery goes below the low threshold, and again further down', () => {
    const { kernel, w, reports } = world();
    w.add('r', { x: 0, y: 0 }, 0.3);
    kernel.runUntil(1050);
    // 10 Wh above the threshold at 36 W: 1000 s; just below it, so the agent charges.
    expect(reports).toHaveLength(1);
    expect(reports[0][1].type).toBe('robot.battery');
    expect(reports[0][1].time).toBeCloseTo(1000, 4);
    const level = (reports[0][1] as { level: number }).level;
    expect(level).toBeCloseTo(0.2, 9);
    expect(level).toBeLessThan(0.2);
    // Left idle, it reports again at every 1 % down (1 Wh at 36 W: 100 s).
    kernel.runUntil(1150);
    expect(reports.map(([, o]) => o.time)).toHaveLength(2);
    expect((reports[1][1] as { level: number }).level).toBeCloseTo(0.19, 9);
  });

  it('cancels what a robot was doing when it is given a new command', () => {
    const { kernel, w, reports } = world({ idleDrainW: 0 });
    w.add('r', { x: 0, y: 0 });
    w.navigate('r', { id: 'far', pose: { x: 100, y: 0 } });
    kernel.runUntil(1);
    w.navigate('r', { id: 'back', pose: { x: 0, y: 0 } });
    kernel.runUntil(1000);
    expect(reports.map(([, o]) => o.type === 'robot.arrived' && o.goal)).toEqual([false, 'back']);
    // It finishes the cell it had begun (to x = 3 at step 3), then drives back.
    expect(w.counters.distanceMetres).toBe(6);
  });

  it('crosses robots head-on in a corridor without a conflict', () => {
    // Two open bays (x = 0–1 and 13–14) joined by a corridor one cell wide (y = 1), with a passing place at x = 7, y = 0.
    const floor = buildFloor(
      {
        ...defaultFloorSpec(),
        width: 15,
        height: 3,
        obstacles: [
          { x: 2, y: 0, width: 5, height: 1 },
          { x: 8, y: 0, width: 5, height: 1 },
          { x: 2, y: 2, width: 11, height: 1 },
        ],
      },
      [],
    );
    const { kernel, w, reports } = world({ idleDrainW: 0, speed: 1 }, floor);
    w.add('a', { x: 1, y: 0 });
    w.add('b', { x: 13, y: 0 });
    w.navigate('a', { id: 'east', pose: { x: 13, y: 2 } });
    w.navigate('b', { id: 'west', pose: { x: 1, y: 2 } });
    kernel.runUntil(200);
    const arrivals = reports.filter(([, o]) => o.type === 'robot.arrived').map(([r]) => r);
    expect(arrivals.sort()).toEqual(['a', 'b']);
    expect(w.counters.collisions).toBe(0);
    expect(w.state('a').pose).toEqual({ x: 13, y: 2 });
    expect(w.state('b').pose).toEqual({ x: 1, y: 2 });
  });

  it('parks an idle robot, and a robot whose goal is taken waits until it is free', () => {
    const places = new Map([['station', 22]]); // cell (2, 2) of a 10-wide floor
    const floor = new Floor(Floor.open(10, 10).grid, 1, { x: 0, y: 0 }, places, [0, 9, 90, 99]);
    // The agent of a picks for 60 s as soon as it is at the station.
    const { kernel, w, reports } = world({ idleDrainW: 0, speed: 1 }, floor, (robot, obs) => {
      if (robot === 'a' && obs.type === 'robot.arrived') w.perform('a', { id: 'a:pick', kind: 'pick', seconds: 60 });
    });
    w.add('a', { x: 0, y: 0 });
    w.add('b', { x: 9, y: 0 });
    w.navigate('a', { id: 'station', pose: { x: 2, y: 2 } });
    kernel.runUntil(5);
    w.navigate('b', { id: 'station', pose: { x: 2, y: 2 } });
    kernel.runUntil(64);
    expect(reports.filter(([r, o]) => r === 'b' && o.type === 'robot.arrived')).toEqual([]);
    kernel.runUntil(200);
    // a finished its pick at 64, had nothing to do and parked; then b got the station.
    const bArrived = reports.find(([r, o]) => r === 'b' && o.type === 'robot.arrived')![1];
    expect(bArrived.time).toBeGreaterThan(64);
    expect(floor.isParking(floor.cellOf(w.state('a').pose))).toBe(true);
    expect(w.counters.waits).toBeGreaterThan(0);
    expect(w.counters.collisions).toBe(0);
  });

  it('reports a goal off the floor as blocked, from the kernel', () => {
    const { kernel, w, reports } = world({ idleDrainW: 0 });
    w.add('r', { x: 0, y: 0 });
    w.navigate('r', { id: 'far', pose: { x: 500, y: 0 } });
    expect(reports).toEqual([]);
    kernel.runUntil(1);
    expect(reports.map(([, o]) => o.type)).toEqual(['robot.blocked']);
  });

  it('a broken robot stops on its next cell, reports, and works again once repaired', () => {
    const { kernel, w, reports } = world({ idleDrainW: 0, speed: 1 });
    w.add('r', { x: 0, y: 0 });
    w.navigate('r', { id: 'b', pose: { x: 10, y: 0 } });
    kernel.at(3.5, () => w.fault('r', 'drive fault'), null);
    kernel.at(100, () => w.repair('r'), null);
    kernel.runUntil(50);
    expect(w.state('r').pose).toEqual({ x: 4, y: 0 });
    expect(reports.map(([, o]) => o.type)).toEqual(['robot.fault']);
    w.navigate('r', { id: 'b', pose: { x: 10, y: 0 } }); // ignored while broken
    kernel.runUntil(200);
    expect(reports.map(([, o]) => o.type)).toEqual(['robot.fault', 'robot.recovered']);
    expect(w.counters.breakdowns).toBe(1);
  });
});
