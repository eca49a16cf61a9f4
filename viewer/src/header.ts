import { h, setText } from './dom.js';
import { simTime, speed } from './format.js';
import type { Store } from './state.js';

/** One line saying what runs: scenario, policy, seed, live or replay, simulated time and speed. */
export class Header {
  private readonly run = h('span', { class: 'run' });
  private readonly source = h('span', { class: 'pill' });
  private readonly time = h('span', { class: 'time', 'data-testid': 'sim-time' });
  private readonly speedText = h('span', { class: 'speed', title: 'simulated seconds per real second' });
  private readonly status = h('span', { class: 'pill' });
  private readonly role = h('span', { class: 'pill role' });
  private readonly link = h('span', { class: 'link-state' });
  private connected = false;
  private linkNote = 'connecting…';

  constructor(root: HTMLElement, private readonly store: Store) {
    root.append(
      h('span', { class: 'brand', text: 'HyperFactory' }),
      this.source, this.run,
      h('span', { class: 'spacer' }),
      this.time, this.speedText, this.status, this.role, this.link,
    );
    this.render();
  }

  setConnection(connected: boolean, note?: string): void {
    this.connected = connected;
    this.linkNote = connected ? 'connected' : note ? `disconnected (${note}) — retrying` : 'disconnected — retrying';
    this.render();
  }

  render(): void {
    const st = this.store.state;
    const hello = st.hello;
    if (hello) {
      setText(this.source, hello.source === 'replay' ? 'REPLAY' : 'LIVE');
      this.source.className = `pill source ${hello.source}`;
      const mismatch = hello.protocol !== 1 ? ` · protocol v${hello.protocol} (page speaks v1)` : '';
      setText(this.run, `scenario ${hello.scenario} · policy ${hello.policy} · seed ${hello.seed}${mismatch}`);
      this.run.title = `${hello.source === 'replay' ? 'Replaying a recorded run' : 'Live simulation'} of scenario ${hello.scenario} under the ${hello.policy} policy (seed ${hello.seed}), ${simTime(hello.horizon)} horizon`;
      setText(this.role, hello.role === 'operator' || hello.role === 'admin' ? hello.role : 'read-only');
      this.role.className = `pill role ${hello.role}`;
    } else {
      setText(this.run, 'waiting for the plant…');
    }
    setText(this.time, simTime(st.t));
    setText(this.speedText, speed(st.speed));
    const state = st.finished ? 'finished' : st.paused ? 'paused' : 'running';
    setText(this.status, state);
    this.status.className = `pill status ${state}`;
    setText(this.link, this.linkNote);
    this.link.className = `link-state ${this.connected ? 'up' : 'down'}`;
  }
}
