import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { LinkWatch, type LinkState } from './link-watch.js';

/** A watch on a simulated clock, with every change it reported. */
function watch(timeoutMs = 3000) {
  const clock = new SimulatedClock();
  const changes: string[] = [];
  const w = new LinkWatch({ timeoutMs }, (to: LinkState, from: LinkState, cause: string) => changes.push(`${from}→${to}: ${cause}`), clock);
  return { w, clock, changes };
}

describe('link watch (linked → isolated → resyncing → linked)', () => {
  it('starts isolated, and is linked only once the plant is heard and the backlog delivered', () => {
    const { w, changes } = watch();
    expect(w.state).toBe('isolated');
    w.send({ type: 'backlog.delivered' });
    expect(w.state).toBe('isolated');
    w.send({ type: 'plant.heard' });
    expect(w.state).toBe('resyncing');
    w.send({ type: 'plant.heard' });
    expect(w.state).toBe('resyncing');
    w.send({ type: 'backlog.delivered' });
    expect(w.state).toBe('linked');
    expect(changes).toEqual(['isolated→resyncing: the plant is heard again', 'resyncing→linked: backlog delivered']);
  });

  it('a lost broker connection isolates at once; the plant heard before the connection is back changes nothing', () => {
    const { w, changes } = watch();
    w.send({ type: 'plant.heard' });
    w.send({ type: 'backlog.delivered' });
    w.send({ type: 'mqtt.down' });
    expect(w.state).toBe('isolated');
    expect(changes.at(-1)).toBe('linked→isolated: broker connection lost');
    // A late message from the old connection's buffer is no proof of a link.
    w.send({ type: 'plant.heard' });
    expect(w.state).toBe('isolated');
    w.send({ type: 'mqtt.up' });
    w.send({ type: 'plant.heard' });
    expect(w.state).toBe('resyncing');
    // Lost again while resyncing: isolated again, the backlog not yet delivered.
    w.send({ type: 'mqtt.down' });
    expect(w.state).toBe('isolated');
  });

  it('a plant silent longer than the timeout isolates; each word from it restarts the timer', () => {
    const { w, clock, changes } = watch(3000);
    w.send({ type: 'plant.heard' });
    w.send({ type: 'backlog.delivered' });
    clock.increment(2000);
    w.send({ type: 'plant.heard' });
    clock.increment(2000);
    expect(w.state).toBe('linked');
    clock.increment(1001);
    expect(w.state).toBe('isolated');
    expect(changes.at(-1)).toBe('linked→isolated: the plant not heard for 3 s');
    // Heard again over the connection that stayed up: resyncing.
    w.send({ type: 'plant.heard' });
    expect(w.state).toBe('resyncing');
  });

  it('resyncing with a plant that falls silent again (its backlog never acknowledged): isolated after the timeout', () => {
    const { w, clock, changes } = watch(3000);
    w.send({ type: 'plant.heard' });
    clock.increment(2000);
    w.send({ type: 'plant.heard' });
    clock.increment(2999);
    expect(w.state).toBe('resyncing');
    clock.increment(2);
    expect(w.state).toBe('isolated');
    expect(changes.at(-1)).toBe('resyncing→isolated: the plant not heard for 3 s while resyncing');
  });

  it('refuses a timeout that is not a positive number', () => {
    expect(() => new LinkWatch({ timeoutMs: 0 }, () => {})).toThrow('link timeout must be a positive number of ms, got 0');
    expect(() => new LinkWatch({ timeoutMs: Number.NaN }, () => {})).toThrow(/got NaN/);
  });
});
