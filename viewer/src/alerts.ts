import type { Alert } from '../../bridges/viewer/protocol.js';
import { h, setText } from './dom.js';
import { simTime } from './format.js';
import { byUrgency, type Changes, type Store } from './state.js';

/** At most this many open alerts show (in two columns of four); the rest fold into "+N more". */
const SHOWN = 8;
/** More than this many open alerts go into two columns, so the list stays four rows tall. */
const ONE_COLUMN = 4;

const SEV_LABEL: Record<Alert['severity'], string> = { critical: 'CRITICAL', warning: 'WARNING', info: 'INFO' };

/**
 * "Needs attention": what is open now (the server's `attention` list),
 * critical first, newest first within a severity. Beside it, a fold-out of
 * recent events: the alert history, every severity, newest first.
 */
export class AlertList {
  private readonly list: HTMLElement;
  private readonly counts = h('span', { class: 'counts', 'data-testid': 'attention-counts' });
  private readonly historyToggle = h('button', { class: 'link history-toggle', 'data-testid': 'alert-history-toggle', 'aria-expanded': 'false' });
  private readonly history = h('ol', { class: 'history-list', 'data-testid': 'alert-history', hidden: true });
  /** Folds an expanded list back; beside the heading, so it is at hand however far the list scrolled. */
  private readonly fewer = h('button', { class: 'link fewer', 'data-testid': 'alerts-fewer', text: 'show fewer', hidden: true });
  private expanded = false;
  private historyOpen = false;

  constructor(root: HTMLElement, private readonly store: Store, private readonly onSubject: (subject: string) => void) {
    const list = root.querySelector<HTMLElement>('[data-testid="alerts"]');
    this.list = list ?? root.appendChild(h('ul', { class: 'alerts', 'data-testid': 'alerts' }));
    root.querySelector('h2')?.after(this.counts, this.fewer);
    this.fewer.addEventListener('click', () => {
      this.expanded = false;
      this.renderAttention();
    });
    root.append(this.historyToggle, this.history);
    this.historyToggle.addEventListener('click', () => {
      this.historyOpen = !this.historyOpen;
      this.historyToggle.setAttribute('aria-expanded', String(this.historyOpen));
      this.history.hidden = !this.historyOpen;
      this.renderHistoryToggle();
      if (this.historyOpen) this.renderHistory();
    });
    this.renderHistoryToggle();
  }

  update(c: Changes): void {
    if (c.snapshot || c.attention) this.renderAttention();
    if (c.snapshot || c.alerts) {
      this.renderHistoryToggle();
      if (this.historyOpen) this.renderHistory();
    }
  }

  private renderAttention(): void {
    const open = byUrgency(this.store.state.attention);
    const crit = open.filter((a) => a.severity === 'critical').length;
    const warn = open.filter((a) => a.severity === 'warning').length;
    const info = open.length - crit - warn;
    const counts: [number, string, Alert['severity']][] = [
      [crit, 'critical', 'critical'], [warn, warn === 1 ? 'warning' : 'warnings', 'warning'], [info, 'info', 'info'],
    ];
    this.counts.replaceChildren(...counts.filter(([n]) => n > 0).map(([n, what, sev]) => h('span', { class: `count ${sev}`, text: `${n} ${what}` })));
    if (!open.length) {
      this.expanded = false;
      this.fewer.hidden = true;
      this.list.classList.remove('two-col', 'expanded');
      this.list.replaceChildren(h('li', { class: 'calm', text: 'Nothing needs attention.' }));
      return;
    }
    const fits = open.length <= SHOWN;
    if (fits) this.expanded = false;
    const shown = fits || this.expanded ? open : open.slice(0, SHOWN - 1);
    const items = shown.map((a) => this.item(a, 'alert'));
    if (!fits && !this.expanded) {
      const more = h('button', { class: 'link more', 'data-testid': 'alerts-more', text: `+${open.length - shown.length} more` });
      more.addEventListener('click', () => {
        this.expanded = true;
        this.renderAttention();
      });
      items.push(h('li', { class: 'more-row' }, more));
    }
    this.fewer.hidden = !this.expanded;
    this.list.classList.toggle('two-col', items.length > ONE_COLUMN);
    this.list.classList.toggle('expanded', this.expanded);
    this.list.replaceChildren(...items);
  }

  private renderHistoryToggle(): void {
    const n = this.store.state.alerts.length;
    setText(this.historyToggle, this.historyOpen ? 'Hide events' : `Recent events (${n})`);
    this.historyToggle.title = this.historyOpen ? 'Hide the alert history' : 'Every alert raised lately, open or not, newest first';
  }

  private renderHistory(): void {
    const past = [...this.store.state.alerts].reverse();
    if (!past.length) {
      this.history.replaceChildren(h('li', { class: 'calm', text: 'No events yet.' }));
      return;
    }
    const open = new Set(this.store.state.attention.map((a) => a.id));
    this.history.replaceChildren(...past.map((a) => {
      const li = this.item(a, 'event');
      if (!open.has(a.id)) li.classList.add('closed');
      return li;
    }));
  }

  private item(a: Alert, testId: string): HTMLElement {
    // "cnc-3: vibration …", "press-1 broke down": the subject column already names it.
    const lead = [`${a.subject}: `, `${a.subject} `].find((p) => a.text.startsWith(p) && a.text.length > p.length);
    const text = lead ? a.text.slice(lead.length) : a.text;
    const subject = this.store.machine(a.subject)
      ? h('button', { class: 'link subject', text: a.subject, title: `Open ${a.subject}` })
      : h('span', { class: 'subject', text: a.subject });
    // The spaces between the parts keep the item's text a sentence ("press-1 broke down …") for copying and search;
    // the flex layout does not render them.
    const li = h('li', { 'data-testid': testId, 'data-severity': a.severity, class: `alert ${a.severity}`, title: `${SEV_LABEL[a.severity].toLowerCase()} · ${simTime(a.t)} · ${a.text}` },
      h('span', { class: 'sev', text: SEV_LABEL[a.severity] }), ' ',
      h('span', { class: 'muted time', text: simTime(a.t) }), ' ',
      subject, ' ',
      h('span', { class: 'text', text }));
    if (subject instanceof HTMLButtonElement) subject.addEventListener('click', () => this.onSubject(a.subject));
    return li;
  }
}
