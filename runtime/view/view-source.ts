import type { Ack, Control, CobotView, Hello, KpiView, MachineDetail, Snapshot, TruckView } from '../../bridges/viewer/protocol.js';
import type { Scenario } from '../../scenarios/schema.js';
import type { Layout } from '../../world/layout/layout.js';
import type { PlantFold } from './plant-fold.js';

/**
 * What the viewer server shows: a live plant or a recorded log. The server
 * asks for whole frames and diffs them per client; a source only says what
 * the plant looks like now and carries out controls.
 */
export interface ViewSource {
  readonly hello: Omit<Hello, 'role' | 'protocol'>;
  /** The whole view now (the server numbers frames). */
  frame(): Omit<Snapshot, 'seq'>;
  detail(id: string): MachineDetail | undefined;
  /** Carries out a control; the server has checked the caller's role. */
  control(c: Control): Promise<Ack<unknown>>;
  /** Called after a reset or a seek: the view starts over, clients need a snapshot. */
  onRestart(listener: () => void): void;
  close(): Promise<void>;
}

/** The least role that may send a control (viewer < operator < admin, `bridges/access/access-tokens.ts`). */
export function requiredRole(c: Control): 'viewer' | 'operator' | 'admin' {
  if (c.action === 'seek') return 'viewer'; // a replay's time slider changes nothing
  if (c.action === 'reset') return 'admin'; // discards the run
  return 'operator';
}

/**
 * Trucks on the logistics map. The log says where a truck goes and when it
 * set off; its position between two places is drawn along the straight line
 * at the truck's nominal speed, which is as much as a viewer needs.
 */
export function truckViews(fold: PlantFold, scenario: Scenario, layout: Layout, t: number): TruckView[] {
  return [...fold.trucks].map(([id, tr]) => {
    const spec = scenario.trucks.find((x) => x.id === id)!;
    const target = tr.to;
    const from = layout.pose(tr.at);
    let x = from.x;
    let y = from.y;
    if (target) {
      const to = layout.pose(target);
      const d = Math.hypot(to.x - from.x, to.y - from.y);
      const f = d > 0 ? Math.min(1, ((t - tr.since) * spec.speed) / d) : 1;
      x += (to.x - from.x) * f;
      y += (to.y - from.y) * f;
    }
    const route = target ? [target, ...tr.route] : tr.route;
    return { id, state: tr.state, x, y, route };
  });
}

/** A frame from the fold plus what the source knows better (cobots' poses, KPIs). */
export function foldFrame(
  fold: PlantFold,
  base: { t: number; speed: number; paused: boolean; finished: boolean; floor: Snapshot['floor']; map: Snapshot['map'] },
  cobots: CobotView[],
  trucks: TruckView[],
  kpis: KpiView,
): Omit<Snapshot, 'seq'> {
  return {
    ...base,
    machines: [...fold.machines.values()].map((m) => m.view),
    cobots,
    stock: [...fold.stock.values()],
    orders: [...fold.orders.values()],
    trucks,
    ledger: fold.ledger.slice(-50),
    alerts: fold.alerts.slice(-50),
    attention: fold.attention(),
    kpis,
  };
}

/** Machine detail from the fold (sensor series and history); a model's outputs are added by the source. */
export function foldDetail(fold: PlantFold, id: string): MachineDetail | undefined {
  const m = fold.machines.get(id);
  const d = fold.detail(id);
  if (!m || !d) return undefined;
  const s = m.view.signal;
  return {
    id,
    type: m.view.type,
    series: { name: s?.name ?? '', unit: s?.unit ?? '', points: d.series.slice(-500) },
    ...(d.anomalies.length > 0 ? { anomaly: d.anomalies.slice(-500) } : {}),
    ...(m.view.rulHours !== undefined ? { rulHours: m.view.rulHours } : {}),
    ...(m.view.failure ? { failure: m.view.failure } : {}),
    history: d.history.slice(-100),
  };
}
