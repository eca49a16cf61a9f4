import './style.css';
import type { Alert, Control } from '../../bridges/viewer/protocol.js';
import { AlertList } from './alerts.js';
import { Connection } from './connection.js';
import { Controls } from './controls.js';
import { byTestId, setText } from './dom.js';
import { FloorCanvas } from './floor-canvas.js';
import { Header } from './header.js';
import { KpiBar } from './kpi-bar.js';
import { LedgerFeed } from './ledger-feed.js';
import { legend, mapLegend } from './legend.js';
import { hasMap } from './logistics-geometry.js';
import { LogisticsMapView } from './logistics-map.js';
import { MachineList } from './machine-list.js';
import { MachinePanel } from './machine-panel.js';
import { ReplayBar } from './replay.js';
import { type Changes, mergeChanges, noChanges, Store, type ViewState } from './state.js';
import { SupplyPanel } from './supply-panel.js';

/** Hooks the browser tests and the fps benchmark read. */
interface ViewerHooks {
  frames: number;
  lastSeq: number;
  t: number;
  state: ViewState;
  connected: boolean;
  machineColour(id: string): string | undefined;
}

declare global {
  interface Window { __viewer: ViewerHooks }
}

const token = new URLSearchParams(location.search).get('token') ?? undefined;
const store = new Store();

const floorCanvas = byTestId<HTMLCanvasElement>('floor');
const floor = new FloorCanvas(floorCanvas, store);
const hooks: ViewerHooks = {
  frames: 0, lastSeq: -1, t: 0, state: store.state, connected: false,
  machineColour: (id) => floor.colourOf(id),
};
window.__viewer = hooks;

// Callbacks below reach the connection created at the end, once the page is wired.
const control = (c: Control): ReturnType<Connection['control']> => connection.control(c);

const header = new Header(byTestId('header'), store);
const alerts = new AlertList(document.getElementById('attention')!, store, (subject) => {
  if (store.machine(subject)) select(subject);
});
const kpis = new KpiBar(byTestId('kpis'), store);
const machineList = new MachineList(document.getElementById('machines')!, store, (id) => select(id));
const panelEl = byTestId('machine-panel');
const panel = new MachinePanel(panelEl, store, {
  detail: (id) => connection.detail(id),
  fault: (id) => control({ action: 'fault', machine: id }),
  close: () => select(undefined),
});
const controls = new Controls(document.getElementById('controls')!, document.getElementById('read-only-note')!, store, control);
const replay = new ReplayBar(document.getElementById('replay')!, store, control);
const supply = new SupplyPanel(byTestId('stock'), byTestId('orders'), byTestId('trucks'), store);
const ledger = new LedgerFeed(byTestId('ledger'), store);
const mapCanvas = byTestId<HTMLCanvasElement>('logistics-map');
const mapCol = document.getElementById('map-col')!;
mapCol.append(mapLegend());
const logisticsPanel = document.getElementById('logistics')!;
const logisticsBody = document.getElementById('logistics-body')!;
const logisticsNote = document.getElementById('logistics-note')!;
const logistics = new LogisticsMapView(mapCanvas, mapCol, store, (visible) => {
  logisticsBody.classList.toggle('no-map', !visible);
  logisticsNote.hidden = !visible;
});
document.getElementById('floor-wrap')!.after(legend());
const floorCounts = document.getElementById('floor-counts')!;

function select(id: string | undefined): void {
  floor.selected = id;
  machineList.select(id);
  if (id) {
    panel.open(id);
    controls.selectMachine(id);
    requestAnimationFrame(revealPanel);
  } else {
    panel.close();
  }
}

/** Scrolls the side column (never the page) so the panel's top shows. */
function revealPanel(): void {
  const col = panelEl.parentElement;
  if (!col) return;
  const c = col.getBoundingClientRect();
  const p = panelEl.getBoundingClientRect();
  if (p.top > c.bottom - 160 || p.top < c.top) col.scrollBy({ top: p.top - c.top - 8 });
}

// --- frames: apply at once, draw on the next animation frame, then acknowledge ---

let pending: Changes = noChanges();
let dirty = false;
const acks: (() => void)[] = [];

function onFrame(c: Changes, drawn: () => void, newAlerts: Alert[] = []): void {
  const now = performance.now();
  floor.update(c, now);
  for (const a of newAlerts) if (/collision/i.test(a.text)) floor.markCollision(a.subject, now);
  pending = mergeChanges(pending, c);
  dirty = true;
  hooks.lastSeq = store.state.seq;
  hooks.t = store.state.t;
  // A hidden tab gets no animation frames: acknowledge now rather than stall the stream.
  if (document.hidden) queueMicrotask(drawn);
  else acks.push(drawn);
}

function refreshPanels(c: Changes): void {
  header.render();
  replay.update();
  alerts.update(c);
  kpis.update(c);
  machineList.update(c);
  panel.update(c);
  controls.update(c);
  supply.update(c);
  logistics.update(c);
  // A run without trucks or a map (no suppliers): no Trucks panel at all.
  if (c.snapshot || c.trucks) logisticsPanel.hidden = !hasMap(store.state.map) && !store.state.trucks.length;
  ledger.update(c);
  if (c.snapshot || c.machinesAddedOrRemoved || c.cobotsRemoved || c.cobots.size) {
    const st = store.state;
    setText(floorCounts, `${st.machines.length} machines · ${st.cobots.length} cobots · ${st.trucks.length} trucks`);
  }
  if (c.snapshot && panel.openId && !store.machine(panel.openId)) select(undefined);
}

function tick(now: number): void {
  if (dirty) {
    const c = pending;
    pending = noChanges();
    dirty = false;
    refreshPanels(c);
  }
  floor.draw(now);
  hooks.frames++;
  for (const ack of acks.splice(0)) ack();
  requestAnimationFrame(tick);
}
requestAnimationFrame(tick);

/** Shows a tooltip beside the pointer, on its left when it would run off the canvas's right edge. */
function showTooltip(tip: HTMLElement, canvas: HTMLElement, e: MouseEvent, text: string, flipWithin: number): void {
  setText(tip, text);
  tip.hidden = false;
  const right = e.offsetX > canvas.clientWidth - flipWithin;
  tip.style.left = `${right ? e.offsetX - tip.offsetWidth - 12 : e.offsetX + 14}px`;
  tip.style.top = `${e.offsetY + 14}px`;
}

// --- pointer on the floor ---

const tooltip = document.getElementById('floor-tooltip')!;
floorCanvas.addEventListener('mousemove', (e) => {
  const hit = floor.hitTest(e.offsetX, e.offsetY);
  floor.hover = hit;
  floorCanvas.style.cursor = hit?.kind === 'machine' ? 'pointer' : 'default';
  if (!hit) {
    tooltip.hidden = true;
    return;
  }
  showTooltip(tooltip, floorCanvas, e, floor.describe(hit), 280);
});
floorCanvas.addEventListener('mouseleave', () => {
  floor.hover = undefined;
  tooltip.hidden = true;
});
floorCanvas.addEventListener('click', (e) => {
  const hit = floor.hitTest(e.offsetX, e.offsetY);
  if (hit?.kind === 'machine') select(hit.id);
});
const mapTooltip = document.getElementById('map-tooltip')!;
mapCanvas.addEventListener('mousemove', (e) => {
  const text = logistics.describe(e.offsetX, e.offsetY);
  if (!text) {
    mapTooltip.hidden = true;
    return;
  }
  showTooltip(mapTooltip, mapCanvas, e, text, 240);
});
mapCanvas.addEventListener('mouseleave', () => {
  mapTooltip.hidden = true;
});
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && panel.openId) select(undefined);
});

// --- the server ---

const connection = new Connection(token, {
  hello(h) {
    store.setHello(h);
    const operator = h.role === 'operator' || h.role === 'admin';
    controls.setOperator(operator);
    panel.setOperator(operator);
    header.render();
    replay.update();
  },
  snapshot(s, drawn) {
    onFrame(store.applySnapshot(s), drawn);
  },
  delta(d, drawn) {
    onFrame(store.applyDelta(d), drawn, d.alerts);
  },
  status(connected, note) {
    hooks.connected = connected;
    header.setConnection(connected, note);
  },
});
