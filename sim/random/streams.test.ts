import { describe, expect, it } from 'vitest';
import { RandomStreams } from './streams.js';
import { meanOf, sampler, type Distribution } from './distributions.js';
import { RandomStream } from './stream.js';

describe('random streams', () => {
  it('are reproducible for the same seed and name', () => {
    const a = new RandomStreams(7).stream('m-1/job');
    const b = new RandomStreams(7).stream('m-1/job');
    expect(Array.from({ length: 5 }, () => a.next())).toEqual(Array.from({ length: 5 }, () => b.next()));
  });

  it('differ across seeds and names', () => {
    const x = new RandomStreams(1).stream('a').next();
    expect(new RandomStreams(2).stream('a').next()).not.toBe(x);
    expect(new RandomStreams(1).stream('b').next()).not.toBe(x);
  });

  it('do not shift when another stream is added or drawn from', () => {
    const alone = new RandomStreams(3);
    const crowded = new RandomStreams(3);
    crowded.stream('newcomer').next();
    crowded.stream('newcomer').next();
    const s1 = alone.stream('turbine/failure');
    const s2 = crowded.stream('turbine/failure');
    expect([s1.next(), s1.next()]).toEqual([s2.next(), s2.next()]);
  });

  it('give uniforms in [0, 1) with the right mean and restore from a checkpoint', () => {
    const s = new RandomStream('u', 9);
    let sum = 0;
    let outside = 0;
    for (let i = 0; i < 100000; i++) {
      const u = s.next();
      if (!(u >= 0 && u < 1)) outside++;
      sum += u;
    }
    expect(outside).toBe(0);
    expect(sum / 100000).toBeCloseTo(0.5, 2);
    const state = s.getState();
    const after = [s.next(), s.next()];
    s.setState(state);
    expect([s.next(), s.next()]).toEqual(after);
  });

  it.each<[Distribution, number]>([
    [{ dist: 'exponential', mean: 600 }, 600],
    [{ dist: 'weibull', shape: 2, scale: 28800 }, 25523.34],
    [{ dist: 'lognormal', mean: 3600, sd: 1800 }, 3600],
    [{ dist: 'triangular', min: 1, mode: 2, max: 6 }, 3],
    [{ dist: 'normal', mean: 5, sd: 1 }, 5],
  ])('samples %o with mean %d', (d, expected) => {
    const draw = sampler(d);
    const s = new RandomStream('d', 1);
    let sum = 0;
    const n = 200000;
    for (let i = 0; i < n; i++) sum += draw(s);
    expect(sum / n / expected).toBeCloseTo(1, 1);
    expect(meanOf(d) / expected).toBeCloseTo(1, 4);
  });
});
