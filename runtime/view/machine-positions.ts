import type { Scenario } from '../../scenarios/schema.js';
import type { FloorView, LogisticsMap } from '../../bridges/viewer/protocol.js';
import { cobotPlaces, floorSpec } from '../../scenarios/schema.js';
import { buildFloor } from '../../world/floor/build-floor.js';
import { expandMachines } from '../machines.js';

/** Spacing of machines drawn around one station, metres. */
const PITCH = 2.5;

/**
 * Places that belong to the factory floor, as opposed to the logistics map
 * (suppliers' works and truck depots, often kilometres away).
 */
export function floorPlaces(scenario: Scenario): Scenario['layout']['places'] {
  const far = new Set<string>([...scenario.suppliers.map((s) => s.location), ...scenario.trucks.map((t) => t.depot)]);
  return scenario.layout.places.filter((p) => !far.has(p.id) && p.kind !== 'depot');
}

/**
 * Where the viewer draws each machine: machines of a station in a compact
 * block just below it (a station is a cell; its machines stand around it),
 * machines without a station in rows beneath the floor.
 */
export function machinePositions(scenario: Scenario): Map<string, { x: number; y: number }> {
  const pos = new Map<string, { x: number; y: number }>();
  const byStation = new Map<string, string[]>();
  const loose: string[] = [];
  for (const m of expandMachines(scenario)) {
    if (m.station) byStation.set(m.station, [...(byStation.get(m.station) ?? []), m.id]);
    else loose.push(m.id);
  }
  const places = new Map(scenario.layout.places.map((p) => [p.id, p]));
  for (const [station, ids] of byStation) {
    const p = places.get(station)!;
    const cols = Math.ceil(Math.sqrt(ids.length));
    ids.forEach((id, i) => {
      const col = i % cols;
      const row = Math.floor(i / cols);
      pos.set(id, { x: p.x + (col - (cols - 1) / 2) * PITCH, y: p.y + 2 + row * PITCH });
    });
  }
  if (loose.length > 0) {
    const b = placeBounds(floorPlaces(scenario));
    const cols = Math.max(1, Math.floor((b.maxX - b.minX) / PITCH) + 1);
    loose.forEach((id, i) => pos.set(id, { x: b.minX + (i % cols) * PITCH, y: b.maxY + 4 + Math.floor(i / cols) * PITCH }));
  }
  return pos;
}

function placeBounds(places: readonly { x: number; y: number }[]): FloorView['bounds'] {
  if (places.length === 0) return { minX: 0, minY: 0, maxX: 10, maxY: 10 };
  return {
    minX: Math.min(...places.map((p) => p.x)),
    minY: Math.min(...places.map((p) => p.y)),
    maxX: Math.max(...places.map((p) => p.x)),
    maxY: Math.max(...places.map((p) => p.y)),
  };
}

/** The static floor a viewer draws: places, bounds (machines included), the cobots' obstacles as rectangles. */
export function floorView(scenario: Scenario): FloorView {
  const places = floorPlaces(scenario);
  const points = [...places, ...machinePositions(scenario).values()];
  const obstacles: FloorView['obstacles'] = [];
  if (scenario.cobots) {
    const floor = buildFloor(floorSpec(scenario), cobotPlaces(scenario), scenario.cobots.count);
    const { grid, cellSize, origin } = floor;
    // Blocked cells merged into horizontal runs: few rectangles for long walls and racks.
    for (let j = 0; j < grid.height; j++) {
      let start = -1;
      for (let i = 0; i <= grid.width; i++) {
        const blocked = i < grid.width && !grid.freeIndex(j * grid.width + i);
        if (blocked && start < 0) start = i;
        if (!blocked && start >= 0) {
          obstacles.push({ x: origin.x + (start - 0.5) * cellSize, y: origin.y + (j - 0.5) * cellSize, w: (i - start) * cellSize, h: cellSize });
          start = -1;
        }
      }
    }
    points.push({ x: origin.x - cellSize / 2, y: origin.y - cellSize / 2 }, { x: origin.x + (grid.width - 0.5) * cellSize, y: origin.y + (grid.height - 0.5) * cellSize });
  }
  const b = placeBounds(points);
  const margin = 3;
  return {
    places: places.map(({ id, kind, x, y }) => ({ id, kind, x, y })),
    bounds: { minX: b.minX - margin, minY: b.minY - margin, maxX: b.maxX + margin, maxY: b.maxY + margin },
    obstacles,
  };
}

/** The logistics map: every supplier's works, every truck depot, and the plant's goods-in dock. */
export function logisticsMap(scenario: Scenario): LogisticsMap {
  const places = new Map(scenario.layout.places.map((p) => [p.id, p]));
  const out = new Map<string, LogisticsMap['places'][number]>();
  const add = (id: string, kind: LogisticsMap['places'][number]['kind']) => {
    const p = places.get(id);
    if (p && !out.has(id)) out.set(id, { id, kind, x: p.x, y: p.y });
  };
  if (scenario.inventory) add(scenario.inventory.warehouse, 'plant');
  for (const s of scenario.suppliers) add(s.location, 'supplier');
  for (const t of scenario.trucks) add(t.depot, 'depot');
  return { places: [...out.values()] };
}
