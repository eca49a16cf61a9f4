import type {
  Alert, CobotView, Delta, Hello, LedgerEntry, MachineView, OrderView, Snapshot, StockView, TruckView,
} from '../../bridges/viewer/protocol.js';

/** Kept short: the feed and the alert list only ever show the latest. */
export const LEDGER_KEEP = 200;
export const ALERTS_KEEP = 100;

/**
 * The page's copy of the plant, shaped like a Snapshot (arrays, so tests can
 * read it as plain data), plus `hello`. Indexes by id live beside it.
 */
export type ViewState = Snapshot & { hello?: Hello };

/** What a frame changed, so each panel redraws only when it has to. */
export interface Changes {
  snapshot: boolean;
  clock: boolean;
  machines: Set<string>;
  machinesAddedOrRemoved: boolean;
  cobots: Set<string>;
  cobotsRemoved: boolean;
  stock: boolean;
  orders: boolean;
  trucks: boolean;
  ledger: boolean;
  alerts: boolean;
  attention: boolean;
  kpis: boolean;
}

export function noChanges(): Changes {
  return {
    snapshot: false, clock: false, machines: new Set(), machinesAddedOrRemoved: false, cobots: new Set(), cobotsRemoved: false,
    stock: false, orders: false, trucks: false, ledger: false, alerts: false, attention: false, kpis: false,
  };
}

/** Folds b into a (frames may arrive faster than the page draws). */
export function mergeChanges(a: Changes, b: Changes): Changes {
  for (const id of b.machines) a.machines.add(id);
  for (const id of b.cobots) a.cobots.add(id);
  a.snapshot ||= b.snapshot;
  a.clock ||= b.clock;
  a.machinesAddedOrRemoved ||= b.machinesAddedOrRemoved;
  a.cobotsRemoved ||= b.cobotsRemoved;
  a.stock ||= b.stock;
  a.orders ||= b.orders;
  a.trucks ||= b.trucks;
  a.ledger ||= b.ledger;
  a.alerts ||= b.alerts;
  a.attention ||= b.attention;
  a.kpis ||= b.kpis;
  return a;
}

export function emptyState(): ViewState {
  return {
    seq: -1, t: 0, speed: 1, paused: false, finished: false,
    floor: { places: [], bounds: { minX: 0, minY: 0, maxX: 1, maxY: 1 }, obstacles: [] },
    map: { places: [] },
    machines: [], cobots: [], stock: [], orders: [], trucks: [], ledger: [], alerts: [], attention: [], kpis: {},
  };
}

/** A list kept as an array with an id → position index. */
class Keyed<T> {
  private index = new Map<string, number>();
  constructor(private readonly key: (x: T) => string) {}

  reset(list: T[]): void {
    this.index.clear();
    list.forEach((x, i) => this.index.set(this.key(x), i));
  }

  get(list: T[], id: string): T | undefined {
    const i = this.index.get(id);
    return i === undefined ? undefined : list[i];
  }

  /** Returns true when the item is new. */
  upsert(list: T[], item: T): boolean {
    const id = this.key(item);
    const i = this.index.get(id);
    if (i !== undefined) {
      list[i] = item;
      return false;
    }
    this.index.set(id, list.length);
    list.push(item);
    return true;
  }

  remove(list: T[], ids: string[]): boolean {
    const gone = new Set(ids.filter((id) => this.index.has(id)));
    if (gone.size === 0) return false;
    const kept = list.filter((x) => !gone.has(this.key(x)));
    list.length = 0;
    list.push(...kept);
    this.reset(list);
    return true;
  }
}

export class Store {
  readonly state: ViewState = emptyState();
  private readonly machines = new Keyed<MachineView>((m) => m.id);
  private readonly cobots = new Keyed<CobotView>((c) => c.id);
  private readonly stock = new Keyed<StockView>((s) => s.item);
  private readonly orders = new Keyed<OrderView>((o) => o.id);
  private readonly trucks = new Keyed<TruckView>((t) => t.id);

  machine(id: string): MachineView | undefined {
    return this.machines.get(this.state.machines, id);
  }

  cobot(id: string): CobotView | undefined {
    return this.cobots.get(this.state.cobots, id);
  }

  setHello(h: Hello): void {
    this.state.hello = h;
  }

  /** A snapshot replaces everything. */
  applySnapshot(s: Snapshot): Changes {
    const st = this.state;
    Object.assign(st, {
      seq: s.seq, t: s.t, speed: s.speed, paused: s.paused, finished: s.finished, floor: s.floor,
      // A server older than the logistics map sends none: no map.
      map: { places: [...(s.map?.places ?? [])] },
      machines: [...s.machines], cobots: [...s.cobots], stock: [...s.stock], orders: [...s.orders], trucks: [...s.trucks],
      ledger: [...s.ledger].sort((a, b) => a.seq - b.seq).slice(-LEDGER_KEEP),
      alerts: s.alerts.slice(-ALERTS_KEEP),
      // A server older than the attention list sends none: nothing is known to be open.
      attention: [...(s.attention ?? [])],
      kpis: { ...s.kpis },
    });
    this.machines.reset(st.machines);
    this.cobots.reset(st.cobots);
    this.stock.reset(st.stock);
    this.orders.reset(st.orders);
    this.trucks.reset(st.trucks);
    const c = noChanges();
    c.snapshot = true;
    return c;
  }

  applyDelta(d: Delta): Changes {
    const st = this.state;
    const c = noChanges();
    c.clock = st.t !== d.t || st.speed !== d.speed || st.paused !== d.paused || st.finished !== d.finished;
    st.seq = d.seq;
    st.t = d.t;
    st.speed = d.speed;
    st.paused = d.paused;
    st.finished = d.finished;
    for (const m of d.machines ?? []) {
      if (this.machines.upsert(st.machines, m)) c.machinesAddedOrRemoved = true;
      c.machines.add(m.id);
    }
    for (const r of d.cobots ?? []) {
      this.cobots.upsert(st.cobots, r);
      c.cobots.add(r.id);
    }
    for (const s of d.stock ?? []) this.stock.upsert(st.stock, s);
    for (const o of d.orders ?? []) this.orders.upsert(st.orders, o);
    for (const t of d.trucks ?? []) this.trucks.upsert(st.trucks, t);
    c.stock = (d.stock?.length ?? 0) > 0;
    c.orders = (d.orders?.length ?? 0) > 0;
    c.trucks = (d.trucks?.length ?? 0) > 0;
    const rm = d.removed;
    if (rm) {
      if (rm.machines && this.machines.remove(st.machines, rm.machines)) c.machinesAddedOrRemoved = true;
      if (rm.cobots && this.cobots.remove(st.cobots, rm.cobots)) c.cobotsRemoved = true;
      if (rm.orders && this.orders.remove(st.orders, rm.orders)) c.orders = true;
      if (rm.trucks && this.trucks.remove(st.trucks, rm.trucks)) c.trucks = true;
    }
    if (d.ledger?.length) {
      upsertLedger(st.ledger, d.ledger);
      c.ledger = true;
    }
    if (d.alerts?.length) {
      st.alerts.push(...d.alerts);
      if (st.alerts.length > ALERTS_KEEP) st.alerts.splice(0, st.alerts.length - ALERTS_KEEP);
      c.alerts = true;
    }
    if (d.attention) {
      st.attention = [...d.attention];
      c.attention = true;
    }
    if (d.kpis) {
      Object.assign(st.kpis, d.kpis);
      c.kpis = true;
    }
    return c;
  }
}

const RANK: Record<Alert['severity'], number> = { critical: 0, warning: 1, info: 2 };

/**
 * The attention list in display order: critical first, then warnings, then
 * info; newest first within each (ties keep the server's newest-first order).
 */
export function byUrgency(alerts: readonly Alert[]): Alert[] {
  return alerts
    .map((a, i) => ({ a, i }))
    .sort((x, y) => RANK[x.a.severity] - RANK[y.a.severity] || y.a.t - x.a.t || x.i - y.i)
    .map((x) => x.a);
}

/** Ledger entries upsert by seq (verification changes arrive as the same seq), oldest first. */
function upsertLedger(ledger: LedgerEntry[], entries: LedgerEntry[]): void {
  for (const e of entries) {
    // New entries nearly always come last; search from the end.
    let i = ledger.length - 1;
    while (i >= 0 && ledger[i].seq > e.seq) i--;
    if (i >= 0 && ledger[i].seq === e.seq) ledger[i] = e;
    else ledger.splice(i + 1, 0, e);
  }
  if (ledger.length > LEDGER_KEEP) ledger.splice(0, ledger.length - LEDGER_KEEP);
}
