import { describe, expect, it } from 'vitest';
import { Floor } from '../../floor/floor.js';
import { LifelongPlanner } from './lifelong-planner.js';
import { StepExecutor } from './execution.js';

const W = 10;
const at = (x: number, y: number) => y * W + x;

/** Twelve robots on the rim of a 10 × 10 floor, each to a cell across it: a dense crossing. */
function crossing(): LifelongPlanner {
  const p = new LifelongPlanner(Floor.open(W, W));
  const ends: [number, number][] = [];
  for (let k = 1; k <= 3; k++) {
    ends.push([at(0, 2 * k), at(9, 2 * k + 1)], [at(9, 2 * k), at(0, 2 * k + 1)]);
    ends.push([at(2 * k, 0), at(2 * k + 1, 9)], [at(2 * k, 9), at(2 * k + 1, 0)]);
  }
  ends.forEach(([a], r) => p.add(r, a, 0));
  ends.forEach(([, b], r) => expect(p.plan(r, b, 0)).toBe(true));
  return p;
}

function run(gated: boolean, delayed: number, ticks: number): StepExecutor {
  const p = crossing();
  const x = new StepExecutor(p, 0, gated);
  for (let t = 0; t < 200 && !x.done(); t++) {
    if (t === 3) x.delay(delayed, ticks);
    x.step();
  }
  return x;
}

describe('delay-tolerant execution (previous occupant must have left)', () => {
  it('executes the plan on time with no conflict', () => {
    const x = run(true, 0, 0);
    expect(x.done()).toBe(true);
    expect(x.collisions).toBe(0);
  });

  it('whichever robot is delayed, and by how much: no collision, and every robot reaches its goal', () => {
    let collidedUngated = 0;
    for (let robot = 0; robot < 12; robot++) {
      for (const ticks of [2, 7, 20]) {
        const gated = run(true, robot, ticks);
        expect(gated.done(), `robot ${robot} delayed ${ticks}`).toBe(true);
        expect(gated.collisions, `robot ${robot} delayed ${ticks}`).toBe(0);
        if (run(false, robot, ticks).collisions > 0) collidedUngated++;
      }
    }
    // Without the rule, the same delays cause collisions: the test is not vacuous.
    expect(collidedUngated).toBeGreaterThan(0);
  });
});
