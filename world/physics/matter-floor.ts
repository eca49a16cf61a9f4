import Matter from 'matter-js';
import type { Floor } from '../floor/floor.js';

/** matter-js units per metre: its collision tolerances (slop) are tuned for bodies tens of units wide. */
export const SCALE = 100;
const COBOT = 'cobot';
const OBSTACLE = 'obstacle';

export interface CobotShape {
  /** m */
  radius: number;
  /** kg */
  mass: number;
}

/**
 * The floor in matter-js: gravity off (a top view), the floor's blocked
 * cells as static boxes, each cobot a frictionless disc that does not spin.
 * matter-js integrates in its own time unit; one `step` is one fixed tick of
 * the simulation (its length is the caller's), and velocities are set in
 * metres per second and converted to displacement per tick. Contacts that
 * begin between two cobots are counted (`collisions`), and between a cobot
 * and an obstacle (`obstacleContacts`).
 */
export class MatterFloor {
  readonly engine: Matter.Engine;
  collisions = 0;
  obstacleContacts = 0;
  private readonly bodies: Matter.Body[] = [];

  constructor(
    readonly tickSeconds: number,
    floor?: Floor,
  ) {
    this.engine = Matter.Engine.create({ gravity: { x: 0, y: 0, scale: 0 }, enableSleeping: false });
    if (floor) this.addObstacles(floor);
    Matter.Events.on(this.engine, 'collisionStart', (e: Matter.IEventCollision<Matter.Engine>) => {
      for (const p of e.pairs) {
        const a = p.bodyA.label;
        const b = p.bodyB.label;
        if (a === COBOT && b === COBOT) this.collisions++;
        else if (a === COBOT || b === COBOT) this.obstacleContacts++;
      }
    });
  }

  /** Adds a cobot at (x, y) metres; returns its number. */
  addCobot(x: number, y: number, shape: CobotShape): number {
    const body = Matter.Bodies.circle(x * SCALE, y * SCALE, shape.radius * SCALE, {
      label: COBOT,
      friction: 0,
      frictionAir: 0,
      frictionStatic: 0,
      restitution: 0,
    });
    Matter.Body.setMass(body, shape.mass);
    Matter.Body.setInertia(body, Infinity);
    Matter.Composite.add(this.engine.world, body);
    this.bodies.push(body);
    return this.bodies.length - 1;
  }

  x(k: number): number {
    return this.bodies[k].position.x / SCALE;
  }

  y(k: number): number {
    return this.bodies[k].position.y / SCALE;
  }

  /** Velocity of cobot k, m/s. */
  vx(k: number): number {
    return this.bodies[k].velocity.x / SCALE / this.tickSeconds;
  }

  vy(k: number): number {
    return this.bodies[k].velocity.y / SCALE / this.tickSeconds;
  }

  /** Sets cobot k's velocity, m/s. */
  setVelocity(k: number, vx: number, vy: number): void {
    const f = SCALE * this.tickSeconds;
    Matter.Body.setVelocity(this.bodies[k], { x: vx * f, y: vy * f });
  }

  /** Advances the world by one tick. */
  step(): void {
    Matter.Engine.update(this.engine, 1000 / 60);
  }

  /** The floor's blocked cells as static boxes, one per run of blocked cells in a row. */
  private addObstacles(floor: Floor): void {
    const { grid, cellSize, origin } = floor;
    const boxes: Matter.Body[] = [];
    for (let j = 0; j < grid.height; j++) {
      let i = 0;
      while (i < grid.width) {
        if (grid.free(i, j)) {
          i++;
          continue;
        }
        const start = i;
        while (i < grid.width && !grid.free(i, j)) i++;
        const w = (i - start) * cellSize;
        const cx = origin.x + (start - 0.5) * cellSize + w / 2;
        const cy = origin.y + j * cellSize;
        boxes.push(Matter.Bodies.rectangle(cx * SCALE, cy * SCALE, w * SCALE, cellSize * SCALE, { isStatic: true, label: OBSTACLE }));
      }
    }
    if (boxes.length > 0) Matter.Composite.add(this.engine.world, boxes);
  }
}
