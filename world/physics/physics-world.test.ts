import { describe, expect, it } from 'vitest';
import { Kernel } from '../../sim/clock/kernel.js';
import type { RobotObservation } from '../../agents/ports/robot-port.js';
import { Floor } from '../floor/floor.js';
import { PhysicsRobotWorld, type PhysicsParams } from './physics-world.js';

const params: PhysicsParams = {
  speed: 1,
  batteryWh: 100,
  drainWhPerMetre: 0.1,
  idleDrainW: 0,
  chargeW: 100,
  lowBattery: 0.1,
  radius: 0.3,
  mass: 60,
  maxSpeed: 1.25,
  maxAcceleration: 1,
};

function world(floor = Floor.open(12, 12)) {
  const kernel = new Kernel();
  const reports: [string, RobotObservation][] = [];
  const w = new PhysicsRobotWorld(kernel, floor, params, (robot, obs) => reports.push([robot, obs]));
  const arrivals = () => reports.filter(([, o]) => o.type === 'robot.arrived').map(([r, o]) => [r, o.time] as const);
  return { kernel, w, reports, arrivals };
}

/** Eight robots on the rim of a square, each driving to the opposite side: the routes cross in the middle. */
function crossing(w: PhysicsRobotWorld): void {
  const ends = [
    [1, 5, 10, 5],
    [10, 6, 1, 6],
    [5, 1, 5, 10],
    [6, 10, 6, 1],
    [1, 1, 9, 10],
    [10, 10, 2, 1],
    [1, 10, 9, 1],
    [10, 1, 2, 10],
  ];
  ends.forEach(([x, y], i) => w.add(`r${i}`, { x, y }));
  ends.forEach(([, , x, y], i) => w.navigate(`r${i}`, { id: `g${i}`, pose: { x, y } }));
}

describe('physics cobot world', () => {
  it('drives a planned route within its limits and arrives close to the plan’s time', () => {
    const { kernel, w, arrivals } = world();
    w.add('r', { x: 0, y: 0 });
    w.navigate('r', { id: 'g', pose: { x: 6, y: 4 } });
    kernel.runUntil(60);
    const [[, time]] = arrivals();
    // 10 cells at 1 m/s: 10 s planned; starting and stopping cost a little.
    expect(time).toBeGreaterThan(10);
    expect(time).toBeLessThan(12.5);
    const { pose } = w.state('r');
    expect(Math.hypot(pose.x - 6, pose.y - 4)).toBeLessThan(0.1);
    expect(w.counters.distanceMetres).toBeGreaterThan(9.5);
    expect(w.counters.distanceMetres).toBeLessThan(10.5);
    // No ticks once everybody stands.
    const steps = w.steps;
    kernel.runUntil(600);
    expect(w.steps).toBe(steps);
  });

  it('crosses eight robots through one point without a contact', () => {
    const { kernel, w, arrivals } = world();
    crossing(w);
    kernel.runUntil(120);
    expect(arrivals()).toHaveLength(8);
    expect(w.counters.collisions).toBe(0);
    expect(w.matter.obstacleContacts).toBe(0);
  });

  it('a robot held back 8 s in the crossing causes no contact and no deadlock: the others wait for it', () => {
    const free = world();
    crossing(free.w);
    free.kernel.runUntil(120);
    const { kernel, w, arrivals } = world();
    crossing(w);
    kernel.at(3, () => w.stall('r4', 8), null);
    kernel.runUntil(200);
    expect(arrivals()).toHaveLength(8);
    expect(w.counters.collisions).toBe(0);
    const last = (a: readonly (readonly [string, number])[]) => Math.max(...a.map(([, t]) => t));
    expect(last(arrivals())).toBeGreaterThan(last(free.arrivals()) + 4);
  });

  it('is deterministic', () => {
    const a = world();
    const b = world();
    for (const { w, kernel } of [a, b]) {
      crossing(w);
      kernel.runUntil(30);
    }
    for (let i = 0; i < 8; i++) expect(b.w.state(`r${i}`).pose).toEqual(a.w.state(`r${i}`).pose);
  });
});
