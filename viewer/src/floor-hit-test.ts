import { COBOT_RADIUS_M, type CobotLayer } from './floor-cobots.js';
import type { FloorTransform } from './floor-transform.js';
import { percent } from './format.js';
import type { Store } from './state.js';

/** What is under the pointer. */
export type Hit = { kind: 'machine' | 'cobot' | 'truck' | 'place'; id: string };

/**
 * The nearest thing within reach of the pointer (CSS px). Cobots win over
 * machines, machines over trucks and places, so the small moving things stay
 * pickable where they pass over the others.
 */
export function findHit(store: Store, view: FloorTransform, cobots: CobotLayer, px: number, py: number): Hit | undefined {
  const st = store.state;
  const s = view.scale;
  const [wx, wy] = view.toWorld(px, py);
  let best: Hit | undefined;
  let bestD = Infinity;
  const consider = (kind: Hit['kind'], id: string, x: number, y: number, reachPx: number): void => {
    const d = Math.hypot(x - wx, y - wy) * s;
    if (d <= reachPx && d < bestD) {
      bestD = d;
      best = { kind, id };
    }
  };
  const now = performance.now();
  for (const r of st.cobots) {
    const [x, y] = cobots.at(r, now);
    consider('cobot', r.id, x, y, Math.max(4, COBOT_RADIUS_M * s) + 3);
  }
  if (best) return best;
  const half = view.machinePx() / 2;
  for (const m of st.machines) consider('machine', m.id, m.x, m.y, half * 1.3 + 2);
  if (best) return best;
  for (const t of st.trucks) consider('truck', t.id, t.x, t.y, 10);
  for (const p of st.floor.places) consider('place', p.id, p.x, p.y, 10);
  return best;
}

/** One line for the tooltip. */
export function describeHit(store: Store, hit: Hit): string {
  if (hit.kind === 'machine') {
    const m = store.machine(hit.id);
    if (!m) return hit.id;
    const health = m.health === undefined ? '' : ` · health ${percent(m.health)}`;
    return `${m.id} (${m.type}) · ${m.state}${health}${m.workOrder ? ` · WO ${m.workOrder}` : ''} — click for details`;
  }
  if (hit.kind === 'cobot') {
    const r = store.cobot(hit.id);
    if (!r) return hit.id;
    const task = r.task ? ` · task ${r.task.id}: ${r.task.from} → ${r.task.to}` : ' · no task';
    const battery = r.battery === undefined ? '' : ` · battery ${percent(r.battery)}`;
    return `${r.id} · ${r.state}${task}${battery}`;
  }
  if (hit.kind === 'truck') {
    const t = store.state.trucks.find((x) => x.id === hit.id);
    return t ? `truck ${t.id} · ${t.state}${t.route.length ? ` · → ${t.route.join(' → ')}` : ''}` : hit.id;
  }
  const p = store.state.floor.places.find((x) => x.id === hit.id);
  return p ? `${p.id} (${p.kind})` : hit.id;
}
