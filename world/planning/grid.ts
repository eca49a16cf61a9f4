/**
 * A 4-connected occupancy grid: the floor as path planners see it. Cell (x, y)
 * is column x, row y, counted from the top-left corner (the Moving AI
 * convention). Cells are indexed `y * width + x` for compact tables.
 */
export interface Cell {
  x: number;
  y: number;
}

export class Grid {
  /** 1 where the cell is blocked. */
  private readonly blockedCells: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    blocked?: Uint8Array,
  ) {
    if (!(width > 0 && height > 0 && Number.isInteger(width) && Number.isInteger(height))) {
      throw new RangeError(`grid size must be positive integers, got ${width} × ${height}`);
    }
    this.blockedCells = blocked ?? new Uint8Array(width * height);
    if (this.blockedCells.length !== width * height) throw new RangeError('blocked mask does not match the grid size');
  }

  get size(): number {
    return this.width * this.height;
  }

  index(x: number, y: number): number {
    return y * this.width + x;
  }

  cell(index: number): Cell {
    return { x: index % this.width, y: Math.floor(index / this.width) };
  }

  inside(x: number, y: number): boolean {
    return x >= 0 && y >= 0 && x < this.width && y < this.height;
  }

  /** Inside the grid and not blocked. */
  free(x: number, y: number): boolean {
    return this.inside(x, y) && this.blockedCells[y * this.width + x] === 0;
  }

  freeIndex(i: number): boolean {
    return i >= 0 && i < this.blockedCells.length && this.blockedCells[i] === 0;
  }

  block(x: number, y: number): void {
    if (this.inside(x, y)) this.blockedCells[this.index(x, y)] = 1;
  }

  /** Free 4-neighbours of a cell index, in a fixed order (right, down, left, up) for determinism. */
  neighbours(i: number, out: number[] = []): number[] {
    out.length = 0;
    const x = i % this.width;
    const y = (i - x) / this.width;
    if (x + 1 < this.width && this.blockedCells[i + 1] === 0) out.push(i + 1);
    if (y + 1 < this.height && this.blockedCells[i + this.width] === 0) out.push(i + this.width);
    if (x > 0 && this.blockedCells[i - 1] === 0) out.push(i - 1);
    if (y > 0 && this.blockedCells[i - this.width] === 0) out.push(i - this.width);
    return out;
  }

  freeCount(): number {
    let n = 0;
    for (const b of this.blockedCells) if (b === 0) n++;
    return n;
  }

  /** Breadth-first distances (in moves) from `target` to every cell; -1 where unreachable. */
  distancesTo(target: number): Int32Array {
    const dist = new Int32Array(this.size).fill(-1);
    if (!this.freeIndex(target)) return dist;
    const queue = new Int32Array(this.size);
    let head = 0;
    let tail = 0;
    dist[target] = 0;
    queue[tail++] = target;
    const nb: number[] = [];
    while (head < tail) {
      const c = queue[head++];
      for (const n of this.neighbours(c, nb)) {
        if (dist[n] < 0) {
          dist[n] = dist[c] + 1;
          queue[tail++] = n;
        }
      }
    }
    return dist;
  }
}
