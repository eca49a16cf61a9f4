import { describe, expect, it } from 'vitest';
import { Kernel } from '../../sim/clock/kernel.js';
import type { RobotObservation } from '../../agents/ports/robot-port.js';
import { KinematicRobotWorld, type BodyParams } from './kinematic-world.js';

const params: BodyParams = { speed: 2, batteryWh: 100, drainWhPerMetre: 0.5, idleDrainW: 36, chargeW: 360, lowBattery: 0.2 };

function world(p: Partial<BodyParams> = {}) {
  const kernel = new Kernel();
  const reports: [string, RobotObservation][] = [];
  const w = new KinematicRobotWorld(kernel, { ...params, ...p }, (robot, obs) => reports.push([robot, obs]));
  return { kernel, w, reports };
}

describe('kinematic cobot world', () => {
  it('drives at nominal speed along the grid and drains by distance and standing time', () => {
    const { kernel, w, reports } = world();
    w.add('r', { x: 0, y: 0 });
    w.navigate('r', { id: 'b', pose: { x: 6, y: 4 } });
    kernel.runUntil(4.9);
    expect(reports).toEqual([]);
    kernel.runUntil(10);
    // 10 m at 2 m/s: 5 s; 5 Wh for the distance, 36 W for 5 s = 0.05 Wh.
    expect(reports.map(([, o]) => o)).toEqual([
      { type: 'robot.battery', level: (100 - 5 - 0.05) / 100, time: 5 },
      { type: 'robot.arrived', goal: 'b', time: 5 },
    ]);
    expect(w.counters.distanceMetres).toBe(10);
    expect(w.state('r').pose).toEqual({ x: 6, y: 4 });
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

  it('holds a robot part-way and reports its battery', () => {
    const { kernel, w, reports } = world({ idleDrainW: 0 });
    w.add('r', { x: 0, y: 0 });
    w.navigate('r', { id: 'b', pose: { x: 6, y: 4 } });
    kernel.runUntil(4);
    w.hold('r');
    kernel.runUntil(100);
    // 8 m done: 6 along x, then 2 along y.
    expect(w.state('r').pose).toEqual({ x: 6, y: 2 });
    expect(reports.map(([, o]) => o)).toEqual([{ type: 'robot.battery', level: 0.96, time: 4 }]);
    expect(w.counters.distanceMetres).toBe(8);
  });

  it('warns an idle robot when its battery reaches the low threshold', () => {
    const { kernel, w, reports } = world();
    w.add('r', { x: 0, y: 0 }, 0.3);
    kernel.runUntil(10_000);
    // 10 Wh above the threshold at 36 W: 1000 s.
    expect(reports).toHaveLength(1);
    expect(reports[0][1].type).toBe('robot.battery');
    expect(reports[0][1].time).toBeCloseTo(1000, 6);
    expect((reports[0][1] as { level: number }).level).toBeCloseTo(0.2, 9);
  });

  it('cancels what a robot was doing when it is given a new command', () => {
    const { kernel, w, reports } = world({ idleDrainW: 0 });
    w.add('r', { x: 0, y: 0 });
    w.navigate('r', { id: 'far', pose: { x: 100, y: 0 } });
    kernel.runUntil(1);
    w.navigate('r', { id: 'back', pose: { x: 0, y: 0 } });
    kernel.runUntil(1000);
    expect(reports.map(([, o]) => o.type === 'robot.arrived' && o.goal)).toEqual([false, 'back']);
    expect(w.counters.distanceMetres).toBe(4);
  });
});
