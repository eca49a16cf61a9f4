import type { MachineView } from '../../bridges/viewer/protocol.js';

/** Colours of the floor, shared by the canvas, the legend and the lists. */

type Rgb = [number, number, number];
const GREEN: Rgb = [46, 184, 92];
const AMBER: Rgb = [240, 170, 40];
const RED: Rgb = [226, 62, 50];

const rgb = ([r, g, b]: Rgb): string => `rgb(${r}, ${g}, ${b})`;
const mix = (a: Rgb, b: Rgb, f: number): Rgb => [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * f)) as Rgb;

/** Health is quantised to 5 % steps so machines batch into few fill colours. */
const HEALTH_STEPS = 20;
const HEALTH_COLOURS: string[] = Array.from({ length: HEALTH_STEPS + 1 }, (_, i) => {
  const h = i / HEALTH_STEPS;
  return rgb(h >= 0.5 ? mix(AMBER, GREEN, (h - 0.5) * 2) : mix(RED, AMBER, h * 2));
});

export const FAILED = 'rgb(122, 22, 28)';
export const FAILED_EDGE = 'rgb(255, 82, 82)';
export const REPAIR = 'rgb(79, 110, 247)';
export const MAINTENANCE = 'rgb(56, 182, 240)';

export function healthColour(health: number): string {
  const h = Math.min(1, Math.max(0, health));
  return HEALTH_COLOURS[Math.round(h * HEALTH_STEPS)];
}

/** Green → amber → red by health; dark red when failed; blue while being repaired or serviced. */
export function machineColour(m: Pick<MachineView, 'state' | 'health'>): string {
  switch (m.state) {
    case 'failed':
      return FAILED;
    case 'repair':
      return REPAIR;
    case 'maintenance':
      return MAINTENANCE;
    default:
      // No signal means no known wear: shown as healthy.
      return healthColour(m.health ?? 1);
  }
}

export const COBOT = {
  moving: 'rgb(226, 232, 240)',
  handling: 'rgb(167, 139, 250)',
  charging: 'rgb(250, 204, 21)',
  fault: 'rgb(239, 68, 68)',
  idle: 'rgb(120, 134, 156)',
} as const;

export function cobotColour(state: string): string {
  if (state.startsWith('moving')) return COBOT.moving;
  if (state.startsWith('handling')) return COBOT.handling;
  if (state.startsWith('charg')) return COBOT.charging;
  if (state.startsWith('fault') || state.startsWith('broken') || state.startsWith('fail')) return COBOT.fault;
  if (state.startsWith('idle')) return COBOT.idle;
  return COBOT.moving;
}

export const FLOOR = {
  background: '#0d1218',
  grid: 'rgba(148, 163, 184, 0.06)',
  gridMajor: 'rgba(148, 163, 184, 0.11)',
  obstacle: '#27313d',
  obstacleEdge: '#34404e',
  station: 'rgba(148, 163, 184, 0.10)',
  stationEdge: 'rgba(148, 163, 184, 0.35)',
  label: 'rgba(203, 213, 225, 0.85)',
  labelDim: 'rgba(148, 163, 184, 0.75)',
  charger: 'rgb(250, 204, 21)',
  place: 'rgb(100, 116, 139)',
  path: 'rgba(125, 211, 252, 0.38)',
  pathEnd: 'rgba(125, 211, 252, 0.7)',
  truck: 'rgb(251, 146, 60)',
  selection: '#ffffff',
  collision: 'rgb(255, 60, 60)',
} as const;

/** The logistics map: places by kind, trucks by state (the route ahead is drawn in the truck's colour). */
export const MAP = {
  background: '#0d1218',
  grid: 'rgba(148, 163, 184, 0.07)',
  plant: 'rgb(56, 189, 248)',
  supplier: 'rgb(52, 211, 153)',
  depot: 'rgb(148, 163, 184)',
  label: 'rgba(203, 213, 225, 0.9)',
  labelDim: 'rgba(148, 163, 184, 0.8)',
  outline: 'rgba(13, 18, 24, 0.95)',
} as const;

export const TRUCK = {
  idle: 'rgb(120, 134, 156)',
  toPickup: 'rgb(251, 146, 60)',
  toDropoff: 'rgb(250, 204, 21)',
  returning: 'rgb(167, 139, 250)',
  broken: 'rgb(248, 113, 113)',
} as const;

/** Idle grey; busy by leg: to a pickup (or at a stop) orange, to a customer yellow, home violet; broken down red. */
export function truckColour(state: string): string {
  if (state === 'broken') return TRUCK.broken;
  if (!state.startsWith('busy')) return TRUCK.idle;
  if (state.endsWith('toDropoff')) return TRUCK.toDropoff;
  if (state.endsWith('returning')) return TRUCK.returning;
  return TRUCK.toPickup;
}
