import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Ack, MachineDetail } from '../../bridges/viewer/protocol.js';
import { healthColour, machineColour } from './colours.js';
import { h, setText } from './dom.js';
import { ackValue, duration, hours, num, percent, simTime, simTimeShort } from './format.js';
import type { Changes, Store } from './state.js';

const REFRESH_MS = 2000;
const HISTORY_SHOWN = 50;

export interface MachinePanelActions {
  detail(id: string): Promise<Ack<MachineDetail>>;
  fault(id: string): Promise<Ack<unknown>>;
  close(): void;
}

/** The selected machine: live state, predictive outputs, its signal over time and its upkeep history. */
export class MachinePanel {
  private readonly root: HTMLElement;
  private readonly title = h('h2');
  private readonly subtitle = h('span', { class: 'muted' });
  private readonly stateBadge = h('span', { class: 'badge' });
  private readonly since = h('span', { class: 'muted' });
  private readonly workOrder = h('span', { class: 'wo' });
  private readonly stats = h('div', { class: 'stats' });
  private readonly noModel = h('p', { class: 'note', text: 'no predictive model on this run' });
  private readonly signalChart = h('div', { class: 'chart' });
  private readonly anomalyChart = h('div', { class: 'chart' });
  private readonly history = h('ol', { class: 'history' });
  private readonly faultButton: HTMLButtonElement;
  private readonly message = h('p', { class: 'message' });
  private readonly detailError = h('p', { class: 'note' });
  private id: string | undefined;
  private detail: MachineDetail | undefined;
  private timer: number | undefined;
  private request = 0;
  private plots: uPlot[] = [];
  private operator = false;

  constructor(root: HTMLElement, private readonly store: Store, private readonly actions: MachinePanelActions) {
    this.root = root;
    root.hidden = true;
    this.faultButton = h('button', { class: 'danger', 'data-testid': 'inject-fault', title: 'Make this machine fail now', text: 'Inject fault' });
    this.faultButton.addEventListener('click', () => void this.injectFault());
    const close = h('button', { class: 'icon', title: 'Close', 'aria-label': 'Close', text: '×' });
    close.addEventListener('click', () => this.actions.close());
    root.append(
      h('div', { class: 'panel-head' }, this.title, this.subtitle, h('span', { class: 'spacer' }), close),
      h('div', { class: 'state-line' }, this.stateBadge, this.since, this.workOrder),
      this.stats,
      this.noModel,
      h('h3', { text: 'Signal' }),
      this.signalChart,
      h('div', { class: 'anomaly-block' }, h('h3', { text: 'Anomaly score' }), this.anomalyChart),
      h('h3', { text: 'Maintenance history' }),
      this.history,
      this.detailError,
      h('div', { class: 'actions' }, this.faultButton, this.message),
    );
    new ResizeObserver(() => this.resizePlots()).observe(this.signalChart);
  }

  get openId(): string | undefined {
    return this.id;
  }

  setOperator(operator: boolean): void {
    this.operator = operator;
    this.faultButton.hidden = !operator;
    this.faultButton.disabled = !operator;
  }

  open(id: string): void {
    if (this.id !== id) {
      this.id = id;
      this.detail = undefined;
      this.destroyPlots();
      this.history.replaceChildren();
      setText(this.message, '');
      setText(this.detailError, '');
    }
    this.root.hidden = false;
    this.renderLive();
    this.fetch();
    window.clearInterval(this.timer);
    this.timer = window.setInterval(() => this.fetch(), REFRESH_MS);
  }

  close(): void {
    this.id = undefined;
    this.root.hidden = true;
    window.clearInterval(this.timer);
    this.destroyPlots();
  }

  update(c: Changes): void {
    if (this.id && (c.snapshot || c.machines.has(this.id) || c.machinesAddedOrRemoved || c.clock)) this.renderLive();
  }

  private fetch(): void {
    const id = this.id;
    if (!id) return;
    const n = ++this.request;
    void this.actions.detail(id).then((a) => {
      // A slower answer for a machine no longer shown is dropped.
      if (n !== this.request || id !== this.id) return;
      if (!a.ok) {
        setText(this.detailError, `details unavailable: ${a.reason}`);
        return;
      }
      setText(this.detailError, '');
      this.detail = a.value;
      this.renderDetail();
      this.renderLive();
    });
  }

  private async injectFault(): Promise<void> {
    const id = this.id;
    if (!id || !this.operator) return;
    this.faultButton.disabled = true;
    const a = await this.actions.fault(id);
    this.faultButton.disabled = false;
    this.message.className = a.ok ? 'message ok' : 'message refused';
    setText(this.message, a.ok ? `fault injected: ${ackValue(a.value)}` : `refused: ${a.reason}`);
  }

  /** Fields from the 10 Hz view, with the detail's predictive outputs as fallback. */
  private renderLive(): void {
    const id = this.id;
    if (!id) return;
    const m = this.store.machine(id);
    setText(this.title, id);
    if (!m) {
      setText(this.subtitle, 'no longer in the view');
      return;
    }
    setText(this.subtitle, [m.type, m.station].filter(Boolean).join(' · '));
    setText(this.stateBadge, m.state);
    this.stateBadge.className = `badge state-${m.state}`;
    this.stateBadge.style.borderColor = machineColour(m);
    const t = this.store.state.t;
    setText(this.since, `since ${simTime(m.since)} (${duration(Math.max(0, t - m.since))})`);
    setText(this.workOrder, m.workOrder ? `work order ${m.workOrder}` : '');

    const d = this.detail;
    const anomaly = m.anomaly ?? lastValue(d?.anomaly);
    const rul = m.rulHours ?? d?.rulHours;
    const failure = m.failure ?? d?.failure;
    this.noModel.hidden = anomaly !== undefined || rul !== undefined || failure !== undefined;
    const cells: [string, string, string?][] = [
      ['Health', m.health === undefined ? '—' : percent(m.health), m.health === undefined ? undefined : healthColour(m.health)],
      ['Signal', m.signal ? `${num(m.signal.value, 2)} ${m.signal.unit}` : '—'],
      ['Threshold', m.signal?.threshold === undefined ? '—' : `${num(m.signal.threshold, 2)} ${m.signal.unit}`],
      ['Anomaly', anomaly === undefined ? '—' : num(anomaly, 2)],
      ['RUL', hours(rul)],
      [failure ? `P(fail ≤ ${num(failure.horizonHours)} h)` : 'P(failure)', failure ? percent(failure.probability) : '—'],
    ];
    // Per component, most at risk first, when the model tells them apart.
    for (const [component, p] of Object.entries(failure?.components ?? {}).sort((a, b) => b[1] - a[1])) cells.push([`P(${component})`, percent(p)]);
    if (this.stats.childElementCount !== cells.length) {
      this.stats.replaceChildren(...cells.map(() => h('div', { class: 'stat' }, h('span', { class: 'label' }), h('span', { class: 'value' }))));
    }
    cells.forEach(([label, value, colour], i) => {
      const cell = this.stats.children[i];
      setText(cell.children[0], label);
      setText(cell.children[1], value);
      (cell.children[1] as HTMLElement).style.color = colour ?? '';
    });
  }

  private renderDetail(): void {
    const d = this.detail;
    if (!d) return;
    const m = this.id ? this.store.machine(this.id) : undefined;
    const threshold = m?.signal?.threshold;
    const xs = d.series.points.map((p) => p[0]);
    const ys = d.series.points.map((p) => p[1]);
    const signalData: uPlot.AlignedData = threshold === undefined ? [xs, ys] : [xs, ys, xs.map(() => threshold)];
    const anomalyPoints = d.anomaly ?? [];
    const anomalyData: uPlot.AlignedData = [anomalyPoints.map((p) => p[0]), anomalyPoints.map((p) => p[1])];

    if (this.plots.length === 0 || (this.plots[0].series.length === 3) !== (threshold !== undefined)) {
      this.destroyPlots();
      const unit = d.series.unit;
      const series: uPlot.Series[] = [{}, { label: `${d.series.name} (${unit})`, stroke: '#38bdf8', width: 1.5, fill: 'rgba(56, 189, 248, 0.08)' }];
      if (threshold !== undefined) series.push({ label: 'threshold', stroke: '#ef4444', width: 1, dash: [6, 4] });
      this.plots.push(new uPlot(chartOptions(this.signalChart.clientWidth, 150, series), signalData, this.signalChart));
      this.plots.push(new uPlot(
        chartOptions(this.signalChart.clientWidth, 90, [{}, { label: 'anomaly', stroke: '#a78bfa', width: 1.5, fill: 'rgba(167, 139, 250, 0.1)' }]),
        anomalyData, this.anomalyChart));
    } else {
      this.plots[0].setData(signalData);
      this.plots[1].setData(anomalyData);
    }
    this.anomalyChart.parentElement!.hidden = anomalyPoints.length === 0;

    const items = d.history.slice(-HISTORY_SHOWN).reverse();
    this.history.replaceChildren(...(items.length
      ? items.map((e) => h('li', {}, h('span', { class: 'muted time', text: simTime(e.t) }), h('span', { class: `badge kind-${e.kind}`, text: e.kind }), h('span', { text: e.text })))
      : [h('li', { class: 'muted', text: 'no failures, repairs or services yet' })]));
  }

  private resizePlots(): void {
    const w = this.signalChart.clientWidth;
    if (w <= 0) return;
    for (const p of this.plots) p.setSize({ width: w, height: p.height });
  }

  private destroyPlots(): void {
    for (const p of this.plots) p.destroy();
    this.plots = [];
  }
}

function lastValue(points: [number, number][] | undefined): number | undefined {
  return points?.length ? points[points.length - 1][1] : undefined;
}

function chartOptions(width: number, height: number, series: uPlot.Series[]): uPlot.Options {
  const axis: uPlot.Axis = { stroke: '#8b98a9', grid: { stroke: 'rgba(148, 163, 184, 0.10)', width: 1 }, ticks: { stroke: 'rgba(148, 163, 184, 0.2)', width: 1 }, font: '11px system-ui, sans-serif' };
  return {
    width: Math.max(200, width),
    height,
    series,
    legend: { show: series.length > 2, live: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: false } },
    axes: [
      { ...axis, values: (_u, vals) => vals.map((v) => simTimeShort(v)), space: 80 },
      { ...axis, size: 44 },
    ],
  };
}
