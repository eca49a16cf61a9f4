import { h, setText } from './dom.js';
import { compact, duration, hours, num, percent } from './format.js';
import type { Changes, Store } from './state.js';

export interface KpiSpec {
  key: string;
  label: string;
  format: (x: number) => string;
  hint?: string;
  alarm?: (x: number) => boolean;
}

const count = (x: number): string => num(x, Number.isInteger(x) ? 0 : 1);
const positive = (x: number): boolean => x > 0;
/** Seconds: plain up to ten minutes ("161 s"), then the largest sensible unit. */
const seconds = (x: number): string => (Number.isFinite(x) && Math.abs(x) < 600 ? `${Math.round(x)} s` : duration(x));
const km = (x: number): string => `${num(x, Math.abs(x) < 10 ? 1 : 0)} km`;

/** The plant's core KPIs (every run reports them): one row of big tiles, in this order. */
export const CORE: KpiSpec[] = [
  { key: 'oee', label: 'OEE', format: percent, hint: 'Overall equipment effectiveness: availability × quality' },
  { key: 'throughputUnits', label: 'Throughput', format: (x) => `${num(x)} u`, hint: 'Units produced' },
  { key: 'unplannedDowntimeHours', label: 'Unplanned downtime', format: hours, alarm: positive, hint: 'Machine hours lost to failures and repairs' },
  { key: 'plannedDowntimeHours', label: 'Planned downtime', format: hours, hint: 'Machine hours in maintenance or waiting for it' },
  { key: 'maintenanceCost', label: 'Maintenance cost', format: compact, hint: 'Cost of repairs and services (currency units)' },
  { key: 'logisticsCost', label: 'Logistics cost', format: compact, hint: 'Cost of deliveries (currency units)' },
  { key: 'inventoryCost', label: 'Inventory cost', format: compact, hint: 'Cost of holding stock (currency units)' },
  { key: 'stockouts', label: 'Stockouts', format: count, alarm: positive, hint: 'Times a part was needed and not on hand' },
];

/** Everything else a run may report (cobots, tasks, the ledger, a replay's counts): a compact group, in this order. */
export const SECONDARY: KpiSpec[] = [
  { key: 'tasksCreated', label: 'Tasks created', format: count, hint: 'Transport tasks created' },
  { key: 'tasksCompleted', label: 'Tasks done', format: count, hint: 'Transport tasks delivered' },
  { key: 'tasksFailed', label: 'Tasks failed', format: count, alarm: positive },
  { key: 'taskLatencyMeanSeconds', label: 'Task latency', format: seconds, hint: 'Mean time from a task’s creation to its delivery' },
  { key: 'cobotDistanceKm', label: 'Cobot distance', format: km, hint: 'Distance driven by all cobots' },
  { key: 'cobotChargingHours', label: 'Charging', format: hours, hint: 'Cobot hours spent charging' },
  { key: 'cobotBatteryDepletions', label: 'Battery depletions', format: count, alarm: positive, hint: 'Cobots that ran flat' },
  { key: 'cobotWaits', label: 'Cobot waits', format: count, hint: 'Times a cobot waited for another to pass' },
  { key: 'cobotWaitingHours', label: 'Cobot waiting', format: hours, hint: 'Cobot hours spent waiting for others' },
  { key: 'collisions', label: 'Collisions', format: count, alarm: positive },
  { key: 'cobotBreakdowns', label: 'Cobot breakdowns', format: count, alarm: positive },
  { key: 'failures', label: 'Failures', format: count, hint: 'Machine failures' },
  { key: 'services', label: 'Services', format: count, hint: 'Preventive services done' },
  { key: 'deliveries', label: 'Deliveries', format: count, hint: 'Parts deliveries received' },
  { key: 'ledgerEvents', label: 'Ledger events', format: count, hint: 'Twin events written to the ledger' },
];

/** Fewer core KPIs than this (a replay reports only the downtimes): the big row takes the others too. */
const MIN_CORE = 4;
/** The big row holds at most this many tiles. */
const ROW = 8;

const KNOWN = new Map([...CORE, ...SECONDARY].map((s) => [s.key, s]));
const ORDER = new Map([...CORE, ...SECONDARY].map((s, i) => [s.key, i]));
const CORE_KEYS = new Set(CORE.map((s) => s.key));

/** A spec for a KPI this page does not know, from its name: "fooBarHours" → "Foo bar", in hours. */
export function specFor(key: string): KpiSpec {
  const known = KNOWN.get(key);
  if (known) return known;
  const units: [RegExp, (x: number) => string][] = [
    [/Hours$/, hours], [/Seconds$/, seconds], [/Km$/, km], [/Cost$/, compact], [/Units$/, (x) => `${num(x)} u`],
  ];
  const unit = units.find(([re]) => re.test(key) && key.replace(re, '').length > 0);
  const stem = unit ? key.replace(unit[0], '') : key;
  const words = stem.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  const label = unit?.[0].source === 'Cost$' ? `${words} cost` : words;
  return { key, label: label.charAt(0).toUpperCase() + label.slice(1), format: unit ? unit[1] : count };
}

/** Splits the reported KPIs into the big row and the compact group, each in display order. */
export function layoutKpis(kpis: Record<string, number>): { core: KpiSpec[]; more: KpiSpec[] } {
  const keys = Object.keys(kpis);
  const rank = (k: string): number => ORDER.get(k) ?? Number.MAX_SAFE_INTEGER;
  // Known names in their fixed order, unknown ones after them in the order the run reports them.
  const ordered = keys.map((k, i) => ({ k, i })).sort((a, b) => rank(a.k) - rank(b.k) || a.i - b.i).map(({ k }) => specFor(k));
  const core = ordered.filter((s) => CORE_KEYS.has(s.key));
  if (core.length >= MIN_CORE) return { core, more: ordered.filter((s) => !CORE_KEYS.has(s.key)) };
  return { core: ordered.slice(0, ROW), more: ordered.slice(ROW) };
}

/** The exact value, for tooltips. */
function raw(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(8)));
}

interface Cell { spec: KpiSpec; el: HTMLElement; value: HTMLElement; title: string }

/** Live KPIs: the core ones as a row of big tiles, the rest as a compact, wrapping group of labelled values. */
export class KpiBar {
  private readonly core = h('div', { class: 'kpi-core' });
  private readonly more = h('div', { class: 'kpi-more', 'data-testid': 'kpis-more' });
  private readonly cells = new Map<string, Cell>();
  private layout = '';

  constructor(private readonly root: HTMLElement, private readonly store: Store) {}

  update(c: Changes): void {
    if (!c.snapshot && !c.kpis) return;
    const kpis = this.store.state.kpis;
    const { core, more } = layoutKpis(kpis);
    const layout = `${core.map((s) => s.key).join(',')}|${more.map((s) => s.key).join(',')}`;
    if (c.snapshot || layout !== this.layout) {
      this.layout = layout;
      this.cells.clear();
      this.core.replaceChildren(...core.map((s) => this.cell(s, 'kpi')));
      this.more.replaceChildren(...more.map((s) => this.cell(s, 'kpi-small')));
      this.more.hidden = more.length === 0;
      if (!core.length) this.root.replaceChildren(h('span', { class: 'muted', text: 'no KPIs yet' }));
      else this.root.replaceChildren(this.core, this.more);
    }
    for (const cell of this.cells.values()) {
      const v = kpis[cell.spec.key];
      setText(cell.value, cell.spec.format(v));
      cell.el.classList.toggle('alarm', cell.spec.alarm?.(v) ?? false);
      const title = `${cell.spec.hint ? `${cell.spec.hint}\n` : ''}${cell.spec.key} = ${raw(v)}`;
      if (title !== cell.title) {
        cell.title = title;
        cell.el.title = title;
      }
    }
  }

  private cell(spec: KpiSpec, cls: string): HTMLElement {
    const value = h('span', { class: 'value' });
    const el = h('div', { class: cls, 'data-kpi': spec.key }, h('span', { class: 'label', text: spec.label }), value);
    this.cells.set(spec.key, { spec, el, value, title: '' });
    return el;
  }
}
