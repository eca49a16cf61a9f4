import type { MachineView } from '../../bridges/viewer/protocol.js';
import { machineColour } from './colours.js';
import { h, setText } from './dom.js';
import { hours, num } from './format.js';
import type { Changes, Store } from './state.js';

interface Row {
  tr: HTMLElement;
  swatch: HTMLElement;
  state: HTMLElement;
  bar: HTMLElement;
  health: HTMLElement;
  signal: HTMLElement;
  rul: HTMLElement;
}

/** Every machine as a clickable row; rows are updated in place, only for machines that changed. */
export class MachineList {
  private readonly body: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly filter: HTMLInputElement;
  private readonly rows = new Map<string, Row>();
  /** Rows scrolled into view; the others are refreshed when they come into view. */
  private readonly visible = new Set<string>();
  private readonly stale = new Set<string>();
  private readonly observer: IntersectionObserver;
  private selected: string | undefined;

  constructor(root: HTMLElement, private readonly store: Store, onSelect: (id: string) => void) {
    this.summary = h('span', { class: 'muted' });
    this.filter = h('input', { type: 'search', placeholder: 'filter…', 'aria-label': 'filter machines', class: 'filter' });
    this.filter.addEventListener('input', () => this.applyFilter());
    this.body = h('div', { class: 'rows', role: 'rowgroup' });
    // 500 machines changing ten times a second: only rows on screen are written to.
    const scroller = h('div', { class: 'scroll', 'data-testid': 'machine-list' });
    this.observer = new IntersectionObserver((entries) => {
      for (const e of entries) {
        const id = (e.target as HTMLElement).dataset.id;
        if (!id) continue;
        if (e.isIntersecting) {
          this.visible.add(id);
          if (this.stale.delete(id)) this.fill(id);
        } else {
          this.visible.delete(id);
        }
      }
    }, { root: scroller, rootMargin: '120px 0px' });
    // Div rows rather than a table: off-screen rows then skip layout and paint (content-visibility).
    const table = h('div', { class: 'machines', role: 'table' },
      h('div', { class: 'mrow head', role: 'row' }, ...['Machine', 'State', 'Health', 'Signal', 'RUL'].map((t) => h('span', { role: 'columnheader', text: t }))),
      this.body);
    scroller.append(table);
    root.append(
      h('div', { class: 'panel-head' }, h('h2', { text: 'Machines' }), this.summary, this.filter),
      scroller,
    );
    this.body.addEventListener('click', (e) => {
      const tr = (e.target as HTMLElement).closest<HTMLElement>('[data-testid="machine-row"]');
      if (tr?.dataset.id) onSelect(tr.dataset.id);
    });
  }

  update(c: Changes): void {
    if (c.snapshot || c.machinesAddedOrRemoved) this.rebuild();
    else {
      for (const id of c.machines) {
        if (this.visible.has(id) || id === this.selected) this.fill(id);
        else this.stale.add(id);
      }
    }
    if (c.snapshot || c.machines.size > 0 || c.machinesAddedOrRemoved) this.summarise();
  }

  select(id: string | undefined): void {
    if (this.selected) this.rows.get(this.selected)?.tr.classList.remove('selected');
    this.selected = id;
    if (id) this.rows.get(id)?.tr.classList.add('selected');
  }

  private rebuild(): void {
    this.observer.disconnect();
    this.rows.clear();
    this.visible.clear();
    this.stale.clear();
    const frag = document.createDocumentFragment();
    for (const m of this.store.state.machines) {
      const row: Row = {
        tr: h('div', { class: 'mrow', role: 'row', 'data-testid': 'machine-row', 'data-id': m.id, tabindex: 0 }),
        swatch: h('i', { class: 'swatch' }),
        state: h('span', { class: 'badge' }),
        bar: h('i'),
        health: h('span', { class: 'num' }),
        signal: h('span', { class: 'num', role: 'cell' }),
        rul: h('span', { class: 'num', role: 'cell' }),
      };
      row.tr.append(
        h('span', { class: 'id', role: 'cell', title: `${m.id} (${m.type})` }, row.swatch, m.id),
        h('span', { role: 'cell' }, row.state),
        h('span', { class: 'health', role: 'cell' }, h('span', { class: 'minibar' }, row.bar), row.health),
        row.signal,
        row.rul,
      );
      row.tr.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') row.tr.click();
      });
      this.rows.set(m.id, row);
      this.fill(m.id, m);
      frag.append(row.tr);
    }
    this.body.replaceChildren(frag);
    for (const row of this.rows.values()) this.observer.observe(row.tr);
    this.select(this.selected);
    this.applyFilter();
  }

  private fill(id: string, given?: MachineView): void {
    const m = given ?? this.store.machine(id);
    const row = this.rows.get(id);
    if (!m || !row) return;
    const colour = machineColour(m);
    if (row.swatch.style.background !== colour) row.swatch.style.background = colour;
    setText(row.state, m.state);
    const cls = `badge state-${m.state}`;
    if (row.state.className !== cls) row.state.className = cls;
    const width = m.health === undefined ? '0%' : `${Math.round(m.health * 100)}%`;
    if (row.bar.style.width !== width) {
      row.bar.style.width = width;
      row.bar.style.background = colour;
    }
    setText(row.health, m.health === undefined ? '—' : `${Math.round(m.health * 100)}%`);
    setText(row.signal, m.signal ? `${num(m.signal.value, 2)} ${m.signal.unit}` : '—');
    setText(row.rul, m.rulHours === undefined ? '—' : hours(m.rulHours));
  }

  private summarise(): void {
    const counts = new Map<string, number>();
    for (const m of this.store.state.machines) counts.set(m.state, (counts.get(m.state) ?? 0) + 1);
    const parts = [`${this.store.state.machines.length}`];
    for (const s of ['failed', 'repair', 'maintenance'] as const) {
      const n = counts.get(s);
      if (n) parts.push(`${n} ${s}`);
    }
    setText(this.summary, parts.join(' · '));
  }

  private applyFilter(): void {
    const q = this.filter.value.trim().toLowerCase();
    for (const [id, row] of this.rows) {
      const m = this.store.machine(id);
      const show = !q || id.toLowerCase().includes(q) || (m?.type.toLowerCase().includes(q) ?? false) || (m?.state.includes(q) ?? false);
      row.tr.hidden = !show;
    }
  }
}
