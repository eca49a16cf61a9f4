/**
 * The scenario's `floor` section as the floor builder reads it (the zod
 * schema in `scenarios/schema.ts` produces this shape). Metres throughout;
 * a rectangle covers the cells whose centres lie in [x, x + width) ×
 * [y, y + height), so with 1 m cells `{ x: 2, width: 3 }` is columns 2, 3, 4.
 */
export interface FloorRect {
  id?: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A wall: every cell the segment passes through is blocked. */
export interface FloorWall {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface FloorSpec {
  /** Metres per cell side: one cell holds one cobot. */
  cellSize: number;
  /** Centre of cell (0, 0), metres; derived from the places when the size is not given. */
  origin?: { x: number; y: number };
  /** Extent in metres (both or neither); derived from the places, plus `margin`, when omitted. */
  width?: number;
  height?: number;
  /** Free cells around the places when the extent is derived. */
  margin: number;
  /** Racks, columns, machines' footprints: blocked cells. */
  obstacles: FloorRect[];
  walls: FloorWall[];
  /** Kept free even where an obstacle or wall covers them (doors, cross-aisles); never parking. */
  aisles: FloorRect[];
  /** Where idle cobots park; when empty, any free cell away from places and aisles. */
  parking: FloorRect[];
}

/** The floor of a scenario without a `floor` section: 1 m cells around the places, no obstacles. */
export const defaultFloorSpec = (): FloorSpec => ({ cellSize: 1, margin: 2, obstacles: [], walls: [], aisles: [], parking: [] });

/** One thing wrong with a floor, at a path inside the scenario (for located errors). */
export interface FloorProblem {
  path: (string | number)[];
  message: string;
}

/** A floor that cannot be built; `problems` says every reason. */
export class FloorError extends Error {
  override name = 'FloorError';
  constructor(readonly problems: FloorProblem[]) {
    super(problems.map((p) => `${p.path.join('.')}: ${p.message}`).join('\n'));
  }
}
