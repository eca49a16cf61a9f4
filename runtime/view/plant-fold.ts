import type { LogRecord } from '../../sim/log/event-log.js';
import type { Scenario } from '../../scenarios/schema.js';
import type { Alert, LedgerEntry, MachineState, MachineView, OrderView, StockView } from '../../bridges/viewer/protocol.js';
import { isTwinEventType, machineOf } from '../../agents/ledger/twin-events.js';
import { expandMachines } from '../machines.js';
import { machinePositions } from './machine-positions.js';
import { degradationSignal } from './health-signal.js';
import { LedgerCheck } from './ledger-check.js';
import { cobotIds } from '../machines.js';

const SERIES_POINTS = 2000;
const LEDGER_KEPT = 200;
const ALERTS_KEPT = 100;

interface MachineFold {
  view: MachineView;
  /** Agent state before the current one (a stop after a failure is a repair). */
  previous?: string;
  baseline?: number;
  series: [number, number][];
  /** Anomaly scores over time, when a model serves the machine. */
  anomalies: [number, number][];
  history: { t: number; kind: string; text: string }[];
}

export interface CobotFold {
  state: string;
  since: number;
  task?: { id: string; from: string; to: string; fromPose: { x: number; y: number }; toPose: { x: number; y: number } };
}

export interface TruckFold {
  /** idle, busy.toPickup, busy.toDropoff, busy.returning (home), busy.serving, broken. */
  state: string;
  /** When it set off for `to`, or stopped. */
  since: number;
  /** Where it last stood (a place id). */
  at: string;
  /** Where it is driving to. */
  to?: string;
  /** Places of the stops after `to`, home last when it is out. */
  route: string[];
}

type Payload = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const obj = (v: unknown): Payload => (v && typeof v === 'object' ? (v as Payload) : {});

/**
 * The plant as an observer sees it through the event log: every record of a
 * run, folded in order, gives machines' states and health signals, cobots'
 * and trucks' jobs, stock, purchase orders with their quotes, the ledger's
 * entries (each re-hashed to check the chain) and the alerts an operator
 * needs. The live viewer and the replay of a recorded log run the same fold,
 * so what one shows the other shows too.
 */
export class PlantFold {
  t = 0;
  finished = false;
  /** The run's final KPIs, once its `run.finished` record is read. */
  finalKpis?: Record<string, number>;
  readonly machines = new Map<string, MachineFold>();
  readonly cobots = new Map<string, CobotFold>();
  readonly trucks = new Map<string, TruckFold>();
  /** Place and kind of every truck job seen (calls for bids, revisions). */
  private readonly truckJobs = new Map<string, { place: string; kind: string }>();
  readonly stock = new Map<string, StockView>();
  readonly orders = new Map<string, OrderView>();
  readonly ledger: LedgerEntry[] = [];
  readonly alerts: Alert[] = [];
  /** Open alerts by what they are about; closed when that is resolved. */
  private readonly open = new Map<string, Alert>();
  /** Counts read off the log (the replay's KPIs). */
  readonly counts = { tasksCompleted: 0, tasksFailed: 0, failures: 0, services: 0, deliveries: 0, ledgerEvents: 0 };
  /** Downtime accumulated by machines in closed stops, seconds. */
  private readonly down = { unplanned: 0, planned: 0 };
  private readonly orderOf = new Map<string, string>();
  private readonly ledgerCheck = new LedgerCheck(LEDGER_KEPT);
  private injected = new Set<string>();
  private readonly cobotIds: ReadonlySet<string>;
  private alertSeq = 0;

  constructor(private readonly scenario: Scenario) {
    this.cobotIds = new Set(cobotIds(scenario));
    const threshold = scenario.maintenance.threshold;
    const positions = machinePositions(scenario);
    for (const m of expandMachines(scenario)) {
      const type = scenario.machineTypes[m.type];
      const sig = type?.signal ?? (type?.degradation && degradationSignal(type.degradation, threshold));
      const pos = positions.get(m.id)!;
      this.machines.set(m.id, {
        view: {
          id: m.id,
          type: m.type,
          ...(m.station ? { station: m.station } : {}),
          x: pos.x,
          y: pos.y,
          state: 'running',
          since: 0,
          ...(sig
            ? {
                health: 1,
                signal: {
                  name: sig.name,
                  unit: sig.unit ?? '',
                  value: sig.baseline,
                  threshold: threshold && threshold.signal === sig.name ? threshold.value : sig.baseline + sig.rise,
                },
              }
            : {}),
        },
        baseline: sig?.baseline,
        series: [],
        anomalies: [],
        history: [],
      });
    }
    for (const item of scenario.inventory?.items ?? []) {
      this.stock.set(item.id, { item: item.id, onHand: item.initialStock, reorderPoint: item.reorderPoint, onOrder: 0 });
    }
    for (const truck of scenario.trucks ?? []) this.trucks.set(truck.id, { state: 'idle', since: 0, at: truck.depot, route: [] });
  }

  /** Folds one record of the log (records must come in log order). */
  apply(r: LogRecord): void {
    this.t = r.t;
    if (r.type === 'state') return this.onState(str(r.agent) ?? '', str(r.state) ?? '', r.t);
    if (r.type === 'run.finished') {
      this.finished = true;
      this.finalKpis = r.kpis as Record<string, number>;
      return;
    }
    if (r.type === 'operator.fault') {
      this.injected.add(str(r.machine) ?? '');
      return;
    }
    const p = obj(r.payload);
    if (isTwinEventType(r.type)) {
      const machine = machineOf(p);
      this.ledgerCheck.sawEvent({ id: str(r.id) ?? '', time: r.t, type: r.type, ...(machine !== undefined ? { machine } : {}), payload: p });
    }
    this.onMessage(r.type, str(r.from) ?? '', str(r.to) ?? '', str(r.conversation) ?? '', p, r.t);
  }

  /** What needs attention now, newest first. */
  attention(): Alert[] {
    return [...this.open.values()].reverse();
  }

  /** Downtime so far, hours, including stops in progress at `t`. */
  downtimeHours(t = this.t): { unplanned: number; planned: number } {
    let { unplanned, planned } = this.down;
    for (const m of this.machines.values()) {
      if (m.view.state === 'failed' || m.view.state === 'repair') unplanned += t - m.view.since;
      else if (m.view.state === 'maintenance' || m.view.state === 'waiting') planned += t - m.view.since;
    }
    return { unplanned: unplanned / 3600, planned: planned / 3600 };
  }

  detail(id: string): { series: [number, number][]; anomalies: [number, number][]; history: MachineFold['history'] } | undefined {
    const m = this.machines.get(id);
    return m && { series: m.series, anomalies: m.anomalies, history: m.history };
  }

  private onState(agent: string, state: string, t: number): void {
    const machine = this.machines.get(agent);
    if (machine) return this.onMachineState(machine, state, t);
    if (this.cobotIds.has(agent)) {
      const c = this.cobots.get(agent) ?? { state, since: t };
      if (c.state !== state && state.startsWith('fault')) this.alert(t, 'warning', agent, `${agent} broke down`, `cobot:${agent}`);
      if (!state.startsWith('fault')) this.resolve(`cobot:${agent}`);
      c.state = state;
      c.since = t;
      if (state === 'idle' || state.startsWith('moving.toCharger') || state === 'charging') c.task = undefined;
      this.cobots.set(agent, c);
      return;
    }
    const truck = this.trucks.get(agent);
    if (truck) {
      // Arrived where it drove to: it stands there (serving a stop, stranded, or done).
      if (state === 'serving' || state === 'idle' || state === 'broken') {
        if (truck.to !== undefined) truck.at = truck.to;
        truck.to = undefined;
        truck.since = t;
        truck.state = state === 'serving' ? 'busy.serving' : state;
        if (state !== 'serving') truck.route = [];
      }
    }
  }

  /** Where and what a truck job is, from the calls and revisions that carry its stop. */
  private learnStop(stop: Payload): void {
    const job = str(stop.job);
    const place = str(stop.place);
    if (job && place) this.truckJobs.set(job, { place, kind: str(stop.kind) ?? 'pickup' });
  }

  /** A truck's report: where it is heading now and the stops after. */
  private onTruckProgress(truck: TruckFold, p: Payload, t: number): void {
    const home = this.scenario.inventory?.warehouse;
    const at = str(p.at) ?? truck.at;
    if (p.available === false) {
      truck.state = 'broken';
      truck.at = at;
      truck.to = undefined;
      truck.route = [];
      return;
    }
    // Heading somewhere new: it left where it was (or where it was driving to) now.
    if (at !== (truck.to ?? truck.at)) {
      truck.at = truck.to ?? truck.at;
      truck.to = at;
      truck.since = t;
    }
    const current = str(p.current);
    const kind = current ? this.truckJobs.get(current)?.kind : undefined;
    if (truck.to !== undefined) truck.state = kind === 'delivery' ? 'busy.toDropoff' : kind === 'pickup' ? 'busy.toPickup' : 'busy.returning';
    const trips = Array.isArray(p.trips) ? (p.trips as unknown[][]) : [];
    const places: string[] = [];
    trips.forEach((trip, k) => {
      if (k > 0 && home) places.push(home);
      for (const j of trip) {
        const place = this.truckJobs.get(String(j))?.place;
        if (place) places.push(place);
      }
    });
    if (home && (places.length > 0 || at !== home)) places.push(home);
    truck.route = places;
  }

  private onMachineState(m: MachineFold, state: string, t: number): void {
    const v = m.view;
    const before = v.state;
    if (before === 'failed' || before === 'repair') this.down.unplanned += t - v.since;
    else if (before === 'maintenance' || before === 'waiting') this.down.planned += t - v.since;
    const next: MachineState =
      state === 'down'
        ? 'failed'
        : state.startsWith('maintenance')
          ? before === 'failed' || before === 'repair'
            ? 'repair'
            : 'maintenance'
          : state === 'running' || state === 'degraded'
            ? 'running'
            : 'idle';
    if (state === 'degraded') {
      const s = v.signal;
      const text = s ? `${v.id}: ${s.name} ${s.value.toFixed(2)} ${s.unit} past its alarm level ${s.threshold?.toFixed(2)}` : `${v.id} is degraded`;
      this.alert(t, 'warning', v.id, text, `machine:${v.id}`);
      m.history.push({ t, kind: 'alarm', text });
    }
    if (state === 'down') {
      this.counts.failures++;
      const injected = this.injected.delete(v.id);
      const text = `${v.id} broke down${injected ? ' (fault injected by the operator)' : ''}`;
      this.alert(t, 'critical', v.id, text, `machine:${v.id}`);
      m.history.push({ t, kind: 'failure', text });
    }
    // Back in production after a stop: whatever was open about it is dealt with.
    if (state === 'running' && before !== 'running') this.resolve(`machine:${v.id}`);
    m.previous = state;
    if (next !== before) v.since = t;
    v.state = next;
  }

  private onMessage(type: string, from: string, to: string, conversation: string, p: Payload, t: number): void {
    switch (type) {
      case 'telemetry.sample':
        return this.onTelemetry(str(p.machine) ?? from, obj(p.signals), t);
      case 'maintenance.prediction':
        return this.onPrediction(p, t);
      case 'maintenance.alert':
        return this.onMaintenanceAlert(p, t);
      case 'maintenance.requested':
      case 'maintenance.completed':
      case 'repair.assigned':
        return this.onWorkOrder(type, p, t);
      case 'task.awarded': {
        const spec = obj(p.spec);
        const c = this.cobots.get(to) ?? { state: 'idle', since: t };
        c.task = {
          id: str(spec.task) ?? conversation,
          from: str(spec.from) ?? '',
          to: str(spec.to) ?? '',
          fromPose: obj(spec.fromPose) as { x: number; y: number },
          toPose: obj(spec.toPose) as { x: number; y: number },
        };
        this.cobots.set(to, c);
        return;
      }
      case 'task.completed':
        this.counts.tasksCompleted++;
        return;
      case 'task.failed':
        this.counts.tasksFailed++;
        if (this.cobots.get(from)) this.cobots.get(from)!.task = undefined;
        return;
      case 'parts.cfp': {
        const spec = obj(p.spec);
        const id = str(spec.order) ?? conversation;
        this.orderOf.set(conversation, id);
        const existing = this.orders.get(id);
        this.orders.set(id, { id, item: str(spec.item) ?? '?', qty: num(spec.qty) ?? 0, status: 'calling', quotes: existing?.quotes ?? [], since: t });
        return;
      }
      case 'parts.proposal': {
        const order = this.orders.get(this.orderOf.get(conversation) ?? '');
        if (order) order.quotes = [...order.quotes, { supplier: from, price: num(p.cost) ?? 0, leadTime: num(obj(p.details).leadTimeSeconds) ?? 0 }];
        return;
      }
      case 'parts.awarded': {
        const order = this.orders.get(this.orderOf.get(conversation) ?? '');
        const stock = this.stock.get(str(obj(p.spec).item) ?? '');
        if (stock) stock.onOrder += num(obj(p.spec).qty) ?? 0;
        if (order) Object.assign(order, { status: 'awarded', supplier: str(p.winner), since: t });
        return;
      }
      case 'parts.shipped': {
        const order = this.orders.get(str(p.order) ?? '');
        if (order) Object.assign(order, { status: 'shipped', since: t });
        return;
      }
      case 'parts.requested': {
        const stock = this.stock.get(str(p.item) ?? '');
        if (stock && stock.onHand < (num(p.qty) ?? 0)) {
          this.alert(t, 'warning', str(p.item) ?? '?', `${p.item} out of stock for ${str(p.machine) ?? str(p.workOrder) ?? from}: ordering`, `item:${p.item}`);
        }
        return;
      }
      case 'parts.available': {
        const stock = this.stock.get(str(p.item) ?? '');
        if (stock) stock.onHand -= num(p.qty) ?? 0;
        return;
      }
      case 'delivery.cfp': {
        this.learnStop(obj(obj(p.spec).stop));
        return;
      }
      case 'route.revised': {
        for (const trip of Array.isArray(p.trips) ? p.trips : []) for (const s of Array.isArray(trip) ? trip : []) this.learnStop(obj(s));
        return;
      }
      case 'truck.progress': {
        const truck = this.trucks.get(from);
        if (truck) this.onTruckProgress(truck, p, t);
        return;
      }
      case 'parts.received': {
        const stock = this.stock.get(str(p.item) ?? '');
        const qty = num(p.qty) ?? 0;
        if (stock) {
          stock.onHand += qty;
          stock.onOrder = Math.max(0, stock.onOrder - qty);
        }
        this.counts.deliveries++;
        if (str(p.item) !== undefined) this.resolve(`item:${p.item}`);
        this.orders.delete(str(p.order) ?? '');
        return;
      }
      case 'ledger.recorded':
        return this.onLedger(p, t);
      case 'operator.refused':
        this.alert(t, 'info', 'operator', `command refused: ${str(p.reason) ?? ''}`);
        return;
    }
  }

  private onTelemetry(id: string, signals: Payload, t: number): void {
    const m = this.machines.get(id);
    const s = m?.view.signal;
    if (!m || !s) return;
    const value = num(signals[s.name]);
    if (value === undefined) return;
    s.value = value;
    if (m.series.length >= SERIES_POINTS) m.series.splice(0, m.series.length - SERIES_POINTS + 1);
    m.series.push([t, value]);
    const span = (s.threshold ?? value) - (m.baseline ?? 0);
    m.view.health = span > 0 ? Math.min(1, Math.max(0, 1 - (value - (m.baseline ?? 0)) / span)) : 1;
  }

  /** A model's reading, shown on the machine (alerts come from the coordinator: `maintenance.alert`). */
  private onPrediction(p: Payload, t: number): void {
    const m = this.machines.get(str(p.machine) ?? '');
    if (!m) return;
    const v = m.view;
    v.rulHours = num(p.rulHours);
    const shares = obj(p.components);
    const components = Object.fromEntries(Object.entries(shares).filter((e): e is [string, number] => typeof e[1] === 'number'));
    v.failure = { probability: num(p.failureProbability) ?? 0, horizonHours: num(p.horizonHours) ?? 0, ...(Object.keys(components).length > 0 ? { components } : {}) };
    const anomaly = num(p.anomaly);
    if (anomaly !== undefined) {
      v.anomaly = anomaly;
      if (m.anomalies.length >= SERIES_POINTS) m.anomalies.splice(0, m.anomalies.length - SERIES_POINTS + 1);
      m.anomalies.push([t, anomaly]);
    }
  }

  /** The coordinator's alert from predictions: open until it says cleared. */
  private onMaintenanceAlert(p: Payload, t: number): void {
    const machine = str(p.machine) ?? '?';
    const key = `${str(p.kind) ?? 'alert'}:${machine}`;
    if (p.state === 'cleared') this.resolve(key);
    else if (!this.isOpen(key)) this.alert(t, 'warning', machine, str(p.text) ?? `${machine}: ${str(p.kind) ?? 'alert'}`, key);
  }

  private onWorkOrder(type: string, p: Payload, t: number): void {
    const m = this.machines.get(str(p.machine) ?? '');
    if (!m) return;
    const wo = str(p.workOrder);
    if (type === 'maintenance.requested') {
      m.view.workOrder = wo;
      const reason = str(p.reason) ?? 'maintenance';
      const text = `${wo}: service requested (${reason}${p.value !== undefined ? `, ${str(p.signal) ?? 'signal'} ${p.value}` : ''})`;
      m.history.push({ t, kind: 'request', text });
      this.alert(t, 'info', m.view.id, `${m.view.id}: ${text}`);
    } else if (type === 'repair.assigned') {
      m.history.push({ t, kind: 'assigned', text: `${wo}: ${str(p.kind) ?? 'work'} assigned` });
    } else {
      this.counts.services++;
      m.view.workOrder = undefined;
      // Renewed: the next reading tells its condition; until then it is as new.
      if (m.view.health !== undefined) m.view.health = 1;
      if (m.view.signal && m.baseline !== undefined) m.view.signal.value = m.baseline;
      m.history.push({ t, kind: 'completed', text: `${wo}: ${str(p.kind) ?? 'work'} completed by ${str(p.technician) ?? '?'}` });
    }
  }

  private onLedger(p: Payload, t: number): void {
    const seq = num(p.seq) ?? -1;
    const hash = str(p.hash) ?? '';
    const eventId = str(p.event) ?? '';
    const { verification, event } = this.ledgerCheck.check(seq, hash, eventId);
    this.counts.ledgerEvents++;
    if (verification === 'mismatch') this.alert(t, 'critical', eventId, `ledger record ${seq} does not match its event ${eventId}`, `ledger:${seq}`);
    this.ledger.push({ seq, t, event: eventId, eventType: str(p.eventType) ?? event?.type ?? '?', ...(event?.machine ? { machine: event.machine } : {}), hash, verification });
    if (this.ledger.length > LEDGER_KEPT) this.ledger.splice(0, this.ledger.length - LEDGER_KEPT);
  }

  /** Raises an alert; with `openAs`, it stays in `attention()` until `resolve(openAs)`. */
  private alert(t: number, severity: Alert['severity'], subject: string, text: string, openAs?: string): void {
    const a: Alert = { id: `a${++this.alertSeq}`, t, severity, subject, text };
    if (openAs !== undefined) {
      this.open.delete(openAs); // re-inserted: newest last
      this.open.set(openAs, a);
    }
    this.alerts.push(a);
    if (this.alerts.length > ALERTS_KEPT) this.alerts.splice(0, this.alerts.length - ALERTS_KEPT);
  }

  private isOpen(key: string): boolean {
    return this.open.has(key);
  }

  private resolve(key: string): void {
    this.open.delete(key);
  }
}
