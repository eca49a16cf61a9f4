import { describe, expect, it } from 'vitest';
import { Kernel } from '../../sim/clock/kernel.js';
import { RandomStreams } from '../../sim/random/streams.js';
import { DegradingMachine } from './degrading-machine.js';
import type { DegradationSpec } from './degradation-spec.js';
import { sensorReading, steadyTemperature } from './sensor-model.js';
import { singleComponentSpec, turbineSpec } from './test-fixtures.js';

const DAY = 86400;

function build(spec: DegradationSpec = turbineSpec(), seed = 1, id = 'turbine-1') {
  const kernel = new Kernel();
  const streams = new RandomStreams(seed);
  const machine = new DegradingMachine(id, spec, kernel, {
    onset: (c) => streams.stream(`${id}/onset/${c}`),
    sensor: streams.stream(`${id}/sensor`),
  });
  return { kernel, machine };
}

/** Drives a machine like its owner would: load changes, one failure event, renewal after failure, hourly samples. */
function history(seed: number) {
  const { kernel, machine } = build(turbineSpec(), seed);
  const out: unknown[] = [];
  let failure: { cancelled: boolean } | undefined;
  const reschedule = () => {
    kernel.cancel(failure);
    const f = machine.nextFailure();
    failure = f && kernel.at(f.time, () => {
      out.push(['failed', kernel.now, f.component]);
      machine.renew(f.component);
      reschedule();
    }, undefined);
  };
  const setLoad = (load: number) => {
    machine.setLoad(load);
    reschedule();
  };
  setLoad(1);
  for (let d = 1; d < 120; d++) kernel.at(d * DAY, setLoad, d % 7 === 0 ? 0 : 0.5 + 0.5 * ((d * 37) % 10) / 10);
  const sample = () => {
    out.push(machine.sample());
    kernel.after(3600, sample, undefined);
  };
  kernel.after(3600, sample, undefined);
  kernel.runUntil(120 * DAY);
  return out;
}

describe('degrading machine', () => {
  it('is deterministic: same seed, same samples and failures', () => {
    const a = history(4);
    expect(history(4)).toEqual(a);
    expect(history(5)).not.toEqual(a);
    expect(a.filter((e) => Array.isArray(e)).length).toBeGreaterThan(0);
  });

  it('fails when the kernel reaches nextFailure(), exactly where the wear crosses failAt', () => {
    const { kernel, machine } = build();
    machine.setLoad(0.9);
    const f = machine.nextFailure()!;
    const c = machine.components.find((x) => x.id === f.component)!;
    kernel.at(f.time - 1, () => expect(c.wear(kernel.now)).toBeLessThan(c.spec.failAt), undefined);
    let fired = false;
    kernel.at(f.time, () => {
      fired = true;
      expect(c.wear(kernel.now)).toBeCloseTo(c.spec.failAt, 9);
      expect(machine.rul()).toBe(0);
      for (const other of machine.components) if (other !== c) expect(other.failed(kernel.now)).toBe(false);
    }, undefined);
    kernel.runUntil(f.time + 1);
    expect(fired).toBe(true);
  });

  it('has no failure while stopped and reschedules it when the load changes', () => {
    const { kernel, machine } = build();
    expect(machine.nextFailure()).toBeUndefined();
    machine.setLoad(1);
    const full = machine.nextFailure()!;
    expect(machine.rul()).toBeCloseTo(full.time, 6);
    kernel.runUntil(DAY);
    machine.setLoad(0.5);
    const half = machine.nextFailure()!;
    expect(half.time).toBeGreaterThan(full.time);
    expect(DAY + machine.rul()).toBeCloseTo(half.time, 6);
    expect(machine.rul(1)).toBeLessThan(machine.rul(0.5));
    expect(machine.rul(0)).toBe(Infinity);
    expect(() => machine.setLoad(-0.1)).toThrow(RangeError);
  });

  it('renews one component or all', () => {
    const { kernel, machine } = build();
    machine.setLoad(1);
    kernel.runUntil(200 * DAY);
    expect(Object.values(machine.health()).every((h) => h < 0.5)).toBe(true);
    machine.renew('cooling');
    expect(machine.health().cooling).toBe(1);
    expect(machine.health().bearing).toBeLessThan(0.5);
    machine.renew();
    expect(machine.health()).toEqual({ bearing: 1, 'rotor-balance': 1, cooling: 1 });
    expect(machine.nextFailure()!.time).toBeGreaterThan(200 * DAY);
    expect(() => machine.renew('gearbox')).toThrow(/no component "gearbox"/);
  });

  it('heats up with a first-order lag that does not depend on how often it is sampled', () => {
    const spec = singleComponentSpec('cooling', { components: [{ id: 'cooling', onset: { dist: 'constant', value: '100d' }, progression: { rate: '0.05/d' } }] });
    const rare = build(spec);
    const often = build(spec);
    for (const m of [rare, often]) m.machine.setLoad(1);
    for (let k = 1; k <= 10; k++) often.kernel.at((k * 1800) / 10, () => often.machine.sample(), undefined);
    let a = 0;
    let b = 0;
    rare.kernel.at(1800, () => (a = rare.machine.sample().temperature), undefined);
    often.kernel.at(1800, () => (b = often.machine.sample().temperature), undefined);
    rare.kernel.runUntil(3600);
    often.kernel.runUntil(3600);
    expect(a).toBeCloseTo(25 + 45 * (1 - 1 / Math.E), 9);
    expect(b).toBeCloseTo(a, 9);
  });

  it('shows a bearing fault in kurtosis days before the RMS alarm', () => {
    const spec = singleComponentSpec('bearing');
    const { kernel, machine } = build(spec);
    machine.setLoad(1);
    const fail = machine.nextFailure()!.time;
    const healthy = sensorReading(spec, 1, machine.severities(0), steadyTemperature(spec, 1, machine.severities(0)));
    let kurtosisAlarm = Infinity;
    let rmsAlarm = Infinity;
    for (let t = 0; t < fail; t += 3600) {
      kernel.runUntil(t);
      const r = machine.sample();
      if (r.vibKurtosis > 4 && kurtosisAlarm === Infinity) kurtosisAlarm = t;
      if (r.vibRms > 1.25 * healthy.vibRms && rmsAlarm === Infinity) rmsAlarm = t;
    }
    expect(kurtosisAlarm).toBeLessThan(rmsAlarm - DAY);
    expect(rmsAlarm).toBeLessThan(fail);
  });
});
