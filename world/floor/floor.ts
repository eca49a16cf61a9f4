import type { Pose } from '../../agents/ports/robot-port.js';
import { Grid } from '../planning/grid.js';

/**
 * The cobots' floor as planners and worlds see it: an occupancy grid of
 * square cells of `cellSize` metres, the cells of the named places cobots
 * drive to, and the parking cells idle cobots wait in. Cell (i, j) has its
 * centre at origin + (i, j) · cellSize, so a place on whole metres sits on a
 * cell centre with 1 m cells. Built by `buildFloor` from the scenario.
 */
export class Floor {
  /** 1 on the cell of a place cobots drive to. */
  private readonly placeMask: Uint8Array;
  /** 1 on a parking cell. */
  private readonly parkingMask: Uint8Array;

  constructor(
    readonly grid: Grid,
    readonly cellSize: number,
    readonly origin: { x: number; y: number },
    private readonly places: ReadonlyMap<string, number>,
    /** Parking cells, row-major. */
    readonly parking: readonly number[],
    /** Cells of the chargers, in the layout's order. */
    readonly chargers: readonly number[] = [],
  ) {
    this.placeMask = new Uint8Array(grid.size);
    for (const c of places.values()) this.placeMask[c] = 1;
    this.parkingMask = new Uint8Array(grid.size);
    for (const c of parking) this.parkingMask[c] = 1;
  }

  /** An open rectangular floor (tests, benchmarks): `width` × `height` cells, origin (0, 0). */
  static open(width: number, height: number, cellSize = 1, places: ReadonlyMap<string, number> = new Map()): Floor {
    const grid = new Grid(width, height);
    const parking: number[] = [];
    for (let c = 0; c < grid.size; c++) parking.push(c);
    return new Floor(grid, cellSize, { x: 0, y: 0 }, places, parking);
  }

  /** The cell whose square contains `pose`, or -1 off the floor. */
  cellOf(pose: Pose): number {
    const i = Math.round((pose.x - this.origin.x) / this.cellSize);
    const j = Math.round((pose.y - this.origin.y) / this.cellSize);
    return this.grid.inside(i, j) ? this.grid.index(i, j) : -1;
  }

  /** The centre of a cell, metres. */
  centre(cell: number): Pose {
    const { x, y } = this.grid.cell(cell);
    return { x: this.origin.x + x * this.cellSize, y: this.origin.y + y * this.cellSize };
  }

  /** The cell of a place cobots drive to. */
  placeCell(id: string): number {
    const c = this.places.get(id);
    if (c === undefined) throw new Error(`place "${id}" is not on the cobots' floor`);
    return c;
  }

  hasPlace(id: string): boolean {
    return this.places.has(id);
  }

  isPlace(cell: number): boolean {
    return this.placeMask[cell] === 1;
  }

  isParking(cell: number): boolean {
    return this.parkingMask[cell] === 1;
  }

  isCharger(cell: number): boolean {
    return this.chargers.includes(cell);
  }

  /**
   * Where robots homed at `homes` (one entry per robot, in order) start: the
   * nearest parking cell to their home not taken by an earlier robot, so
   * that robots sharing a home do not share a cell; a free non-place cell
   * when the parking is full.
   */
  startCells(homes: readonly string[]): number[] {
    const taken = new Uint8Array(this.grid.size);
    return homes.map((home) => {
      const dist = this.grid.distancesTo(this.placeCell(home));
      let best = -1;
      let fallback = -1;
      for (let c = 0; c < dist.length; c++) {
        if (dist[c] < 0 || taken[c]) continue;
        if (this.isParking(c) && (best < 0 || dist[c] < dist[best])) best = c;
        if (!this.isPlace(c) && (fallback < 0 || dist[c] < dist[fallback])) fallback = c;
      }
      const cell = best >= 0 ? best : fallback;
      if (cell < 0) throw new Error(`no free cell left on the floor for a cobot homed at "${home}"`);
      taken[cell] = 1;
      return cell;
    });
  }
}
