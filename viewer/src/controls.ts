import type { Ack, Control } from '../../bridges/viewer/protocol.js';
import { byTestId, h, setText } from './dom.js';
import { ackValue } from './format.js';
import type { Changes, Store } from './state.js';

export const SPEEDS = [1, 10, 60, 600, 3600, 20000];

/** Operator controls: pause, speed, faults, reset and the command box. Hidden for read-only viewers. */
export class Controls {
  private readonly pause: HTMLButtonElement;
  private readonly resume: HTMLButtonElement;
  private readonly speed: HTMLSelectElement;
  private readonly reset: HTMLButtonElement;
  private readonly faultMachine: HTMLSelectElement;
  private readonly faultSend: HTMLButtonElement;
  private readonly input: HTMLInputElement;
  private readonly send: HTMLButtonElement;
  private readonly commandResult: HTMLElement;
  private readonly controlResult: HTMLElement;
  private operator = false;

  constructor(private readonly root: HTMLElement, private readonly readOnlyNote: HTMLElement, private readonly store: Store,
    private readonly control: (c: Control) => Promise<Ack<unknown>>) {
    this.pause = byTestId('pause', root);
    this.resume = byTestId('resume', root);
    this.speed = byTestId('speed', root);
    this.reset = byTestId('reset', root);
    this.faultMachine = byTestId('fault-machine', root);
    this.faultSend = byTestId('fault-send', root);
    this.input = byTestId('command-input', root);
    this.send = byTestId('command-send', root);
    this.commandResult = byTestId('command-result', root);
    this.controlResult = byTestId('control-result', root);
    this.speed.replaceChildren(...SPEEDS.map((s) => h('option', { value: s, text: `×${s}` })));

    this.pause.addEventListener('click', () => void this.run({ action: 'pause' }, 'paused'));
    this.resume.addEventListener('click', () => void this.run({ action: 'resume' }, 'resumed'));
    this.reset.addEventListener('click', () => void this.run({ action: 'reset' }, 'reset: the run starts over'));
    this.speed.addEventListener('change', () => {
      const s = Number(this.speed.value);
      void this.run({ action: 'speed', speed: s }, `speed ×${s}`);
    });
    this.faultSend.addEventListener('click', () => {
      const m = this.faultMachine.value;
      if (m) void this.run({ action: 'fault', machine: m }, `fault injected on ${m}`);
    });
    this.send.addEventListener('click', () => void this.command());
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') void this.command();
    });
    this.setOperator(false);
  }

  setOperator(operator: boolean): void {
    this.operator = operator;
    this.root.hidden = !operator;
    this.readOnlyNote.hidden = operator;
    for (const el of this.root.querySelectorAll<HTMLButtonElement | HTMLInputElement | HTMLSelectElement>('button, input, select')) el.disabled = !operator;
  }

  /** Keeps the speed select and the fault list in step with the plant. */
  update(c: Changes): void {
    const st = this.store.state;
    if (c.snapshot || c.clock) {
      if (document.activeElement !== this.speed) {
        const v = String(st.speed);
        if (![...this.speed.options].some((o) => o.value === v)) this.speed.append(h('option', { value: v, text: `×${v}` }));
        this.speed.value = v;
      }
      this.pause.classList.toggle('active', st.paused);
      this.resume.classList.toggle('active', !st.paused && !st.finished);
    }
    if (c.snapshot || c.machinesAddedOrRemoved) {
      const keep = this.faultMachine.value;
      this.faultMachine.replaceChildren(...st.machines.map((m) => h('option', { value: m.id, text: m.id })));
      if (keep && st.machines.some((m) => m.id === keep)) this.faultMachine.value = keep;
    }
  }

  /** The fault select follows the machine picked on the floor or in the list. */
  selectMachine(id: string): void {
    if ([...this.faultMachine.options].some((o) => o.value === id)) this.faultMachine.value = id;
  }

  private async run(c: Control, done: string): Promise<void> {
    if (!this.operator) return;
    setText(this.controlResult, '…');
    this.controlResult.className = 'result';
    const a = await this.control(c);
    this.controlResult.className = a.ok ? 'result ok' : 'result refused';
    // A value that only echoes the request adds nothing; text from the server does.
    const extra = a.ok && typeof a.value === 'string' && a.value !== '' ? ` — ${ackValue(a.value)}` : '';
    setText(this.controlResult, a.ok ? `${done}${extra}` : `refused: ${a.reason}`);
  }

  private async command(): Promise<void> {
    const text = this.input.value.trim();
    if (!text || !this.operator) return;
    this.send.disabled = true;
    this.commandResult.className = 'result';
    setText(this.commandResult, `sending “${text}”…`);
    const a = await this.control({ action: 'command', text });
    this.send.disabled = false;
    this.commandResult.className = a.ok ? 'result ok' : 'result refused';
    setText(this.commandResult, a.ok ? `✓ accepted: ${ackValue(a.value)}` : `✗ refused: ${a.reason}`);
    if (a.ok) this.input.select();
  }
}
