import { Subject, share, take } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../sim/clock/kernel.js';
import { RandomStreams } from '../../sim/random/streams.js';
import { DegradingMachine } from './degrading-machine.js';
import { SENSOR_CHANNELS, telemetry$, windowed, type SensorSample, type SensorWindow } from './telemetry-stream.js';
import { turbineSpec } from './test-fixtures.js';

const HOUR = 3600;

function plant(seed = 1, n = 2) {
  const kernel = new Kernel();
  const streams = new RandomStreams(seed);
  const machines = Array.from({ length: n }, (_, i) => {
    const id = `turbine-${i + 1}`;
    const m = new DegradingMachine(id, turbineSpec(), kernel, { onset: (c) => streams.stream(`${id}/onset/${c}`), sensor: streams.stream(`${id}/sensor`) });
    m.setLoad(1);
    return m;
  });
  return { kernel, machines };
}

describe('telemetry stream', () => {
  it('samples every machine every interval on the kernel clock, synchronously in the event', () => {
    const { kernel, machines } = plant();
    const seen: [number, number, string][] = [];
    const sub = telemetry$(kernel, machines, HOUR).subscribe((s) => seen.push([kernel.now, s.t, s.machine]));
    expect(seen).toEqual([]);
    kernel.runUntil(3 * HOUR + 1);
    expect(seen).toEqual([
      [HOUR, HOUR, 'turbine-1'],
      [HOUR, HOUR, 'turbine-2'],
      [2 * HOUR, 2 * HOUR, 'turbine-1'],
      [2 * HOUR, 2 * HOUR, 'turbine-2'],
      [3 * HOUR, 3 * HOUR, 'turbine-1'],
      [3 * HOUR, 3 * HOUR, 'turbine-2'],
    ]);
    sub.unsubscribe();
  });

  it('cancels its kernel timer on unsubscribe', () => {
    const { kernel, machines } = plant();
    const seen: SensorSample[] = [];
    const sub = telemetry$(kernel, machines, HOUR).subscribe((s) => seen.push(s));
    kernel.runUntil(2 * HOUR + 1);
    expect(kernel.nextTime()).toBe(3 * HOUR);
    sub.unsubscribe();
    expect(kernel.nextTime()).toBe(Infinity);
    kernel.runUntil(10 * HOUR);
    expect(seen).toHaveLength(4);
  });

  it('stops mid-tick when the consumer completes (no extra sensor draws)', () => {
    const { kernel, machines } = plant();
    const seen: SensorSample[] = [];
    let done = false;
    telemetry$(kernel, machines, HOUR)
      .pipe(take(3))
      .subscribe({ next: (s) => seen.push(s), complete: () => (done = true) });
    kernel.runUntil(10 * HOUR);
    expect(done).toBe(true);
    expect(seen.map((s) => [s.t, s.machine])).toEqual([
      [HOUR, 'turbine-1'],
      [HOUR, 'turbine-2'],
      [2 * HOUR, 'turbine-1'],
    ]);
    expect(kernel.nextTime()).toBe(Infinity);
    // turbine-2's sensor stream was not drawn at 2 h: its next sample equals a fresh run's second one.
    const fresh = plant();
    const ref: SensorSample[] = [];
    telemetry$(fresh.kernel, fresh.machines, HOUR).subscribe((s) => ref.push(s));
    fresh.kernel.runUntil(2 * HOUR + 1);
    expect(machines[1].sample().vibRms).toBe(ref[3].vibRms);
  });

  it('is deterministic and shares one timer between consumers when shared', () => {
    const run = () => {
      const { kernel, machines } = plant(9);
      const t$ = telemetry$(kernel, machines, HOUR).pipe(share());
      const a: SensorSample[] = [];
      const b: SensorSample[] = [];
      t$.subscribe((s) => a.push(s));
      t$.subscribe((s) => b.push(s));
      kernel.runUntil(24 * HOUR + 1);
      expect(b).toEqual(a);
      return a;
    };
    const first = run();
    expect(first).toHaveLength(48);
    expect(run()).toEqual(first);
  });

  it('rejects a non-positive interval', () => {
    const { kernel, machines } = plant();
    expect(() => telemetry$(kernel, machines, 0)).toThrow(RangeError);
  });
});

describe('windowed', () => {
  const sample = (machine: string, t: number): SensorSample => ({
    t,
    machine,
    vibRms: t,
    vibKurtosis: 3,
    bandBearing: 0.1,
    band1x: 1,
    band2x: 0.3,
    temperature: 60 + t,
    powerKw: 100,
    acousticDb: 80,
    load: 1,
  });
  const col = (name: (typeof SENSOR_CHANNELS)[number]) => SENSOR_CHANNELS.indexOf(name);
  const W = SENSOR_CHANNELS.length;

  it('slides a window of the last `size` samples per machine, oldest first', () => {
    const src = new Subject<SensorSample>();
    const out: SensorWindow[] = [];
    windowed(src, 3).subscribe((w) => out.push(w));
    for (let t = 1; t <= 5; t++) {
      src.next(sample('a', t));
      if (t % 2 === 1) src.next(sample('b', t));
    }
    expect(out.map((w) => [w.machine, w.t])).toEqual([
      ['a', 3],
      ['a', 4],
      ['a', 5],
      ['b', 5],
    ]);
    const last = out[2].window;
    expect(last).toHaveLength(3 * W);
    expect([0, 1, 2].map((r) => last[r * W + col('vibRms')])).toEqual([3, 4, 5]);
    expect(last[2 * W + col('temperature')]).toBe(65);
    expect([0, 1, 2].map((r) => out[3].window[r * W + col('vibRms')])).toEqual([1, 3, 5]);
    // Windows are fresh arrays: a later one does not overwrite an earlier one.
    expect(out[0].window[col('vibRms')]).toBe(1);
  });

  it('emits every `stride` samples and passes completion on', () => {
    const src = new Subject<SensorSample>();
    const ts: number[] = [];
    let done = false;
    windowed(src, 2, 3).subscribe({ next: (w) => ts.push(w.t), complete: () => (done = true) });
    for (let t = 1; t <= 9; t++) src.next(sample('a', t));
    src.complete();
    expect(ts).toEqual([2, 5, 8]);
    expect(done).toBe(true);
    expect(() => windowed(src, 0)).toThrow(RangeError);
  });

  it('windows a live telemetry stream on the kernel', () => {
    const { kernel, machines } = plant(3, 3);
    const out: SensorWindow[] = [];
    const sub = windowed(telemetry$(kernel, machines, HOUR), 24).subscribe((w) => out.push(w));
    kernel.runUntil(30 * HOUR + 1);
    sub.unsubscribe();
    expect(out).toHaveLength(3 * 7);
    expect(out[0]).toMatchObject({ machine: 'turbine-1', t: 24 * HOUR });
    expect(out[0].window[23 * W + col('load')]).toBe(1);
    expect(kernel.nextTime()).toBe(Infinity);
  });
});
