import type { Ack, Control } from '../../bridges/viewer/protocol.js';
import { h, setText } from './dom.js';
import { simTime } from './format.js';
import type { Store } from './state.js';

/** The replay's time slider: follows the frames, and seeks on release. */
export class ReplayBar {
  private readonly slider: HTMLInputElement;
  private readonly now = h('span', { class: 'time' });
  private readonly end = h('span', { class: 'muted' });
  private readonly result = h('span', { class: 'result' });
  private dragging = false;

  constructor(private readonly root: HTMLElement, private readonly store: Store, control: (c: Control) => Promise<Ack<unknown>>) {
    root.hidden = true;
    this.slider = h('input', { type: 'range', min: 0, max: 1, step: 'any', value: 0, 'data-testid': 'replay-slider', 'aria-label': 'replay time' });
    root.append(h('span', { class: 'label', text: 'Replay' }), this.now, this.slider, this.end, this.result);
    this.slider.addEventListener('pointerdown', () => (this.dragging = true));
    this.slider.addEventListener('pointerup', () => (this.dragging = false));
    // While dragging show the time under the thumb, not the plant's.
    this.slider.addEventListener('input', () => {
      this.dragging = true;
      setText(this.now, simTime(Number(this.slider.value)));
    });
    this.slider.addEventListener('change', () => {
      this.dragging = false;
      const t = Number(this.slider.value);
      setText(this.result, `seeking to ${simTime(t)}…`);
      this.result.className = 'result';
      void control({ action: 'seek', t }).then((a) => {
        this.result.className = a.ok ? 'result ok' : 'result refused';
        setText(this.result, a.ok ? '' : `refused: ${a.reason}`);
      });
    });
  }

  update(): void {
    const hello = this.store.state.hello;
    const replay = hello?.source === 'replay';
    this.root.hidden = !replay;
    if (!replay || !hello) return;
    const max = String(hello.horizon);
    if (this.slider.max !== max) this.slider.max = max;
    setText(this.end, `/ ${simTime(hello.horizon)}`);
    if (!this.dragging) {
      const t = String(this.store.state.t);
      if (this.slider.value !== t) this.slider.value = t;
      setText(this.now, simTime(this.store.state.t));
    }
  }
}
