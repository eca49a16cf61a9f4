import { RandomStream, type StreamState } from './stream.js';

/**
 * Named random streams of one run. Each agent and purpose asks for its own
 * stream by name ("turbine-1/failure", "supplier-2/lead-time"), so adding an
 * agent or a draw elsewhere never shifts another stream's numbers.
 */
export class RandomStreams {
  private streams = new Map<string, RandomStream>();

  constructor(readonly seed: number) {}

  stream(name: string): RandomStream {
    let s = this.streams.get(name);
    if (!s) {
      s = new RandomStream(name, this.seed);
      this.streams.set(name, s);
    }
    return s;
  }

  /** States of every stream created so far, by name (for checkpoints). */
  snapshot(): Record<string, StreamState> {
    const out: Record<string, StreamState> = {};
    for (const [name, s] of [...this.streams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[name] = s.getState();
    return out;
  }

  restore(states: Record<string, StreamState>): void {
    for (const [name, state] of Object.entries(states)) this.stream(name).setState(state);
  }
}
