import { describe, expect, it } from 'vitest';
import { Kernel } from '../clock/kernel.js';
import { MAX_SLICE_ENTRIES, RealtimeRunner } from './realtime.js';

describe('RealtimeRunner', () => {
  it('covers [0, horizon) as a discrete-event run does: an event at the horizon itself does not run', async () => {
    const kernel = new Kernel();
    const ran: number[] = [];
    for (const t of [0, 5, 10]) kernel.at(t, () => ran.push(t), undefined);
    await new RealtimeRunner(kernel, { speed: 1e6 }).run(10);
    expect(ran).toEqual([0, 5]);
    expect(kernel.now).toBe(10);
  });

  it('pauses, resumes and changes speed; simulated time never goes back', async () => {
    const kernel = new Kernel();
    const seen: number[] = [];
    const runner = new RealtimeRunner(kernel, { speed: 1000, tickMs: 5, onTick: (t) => seen.push(t) });
    const done = runner.run(1e9);
    await new Promise((r) => setTimeout(r, 30));
    runner.pause();
    const atPause = kernel.now;
    await new Promise((r) => setTimeout(r, 30));
    expect(kernel.now).toBe(atPause);
    runner.setSpeed(1e6);
    runner.resume();
    await new Promise((r) => setTimeout(r, 30));
    expect(kernel.now).toBeGreaterThan(atPause);
    runner.stop();
    await done;
    expect(seen.every((t, i) => i === 0 || t >= seen[i - 1])).toBe(true);
    expect(() => runner.setSpeed(0)).toThrow(/speed must be > 0/);
  });

  it('yields to the event loop while it catches up with a model it cannot keep up with', async () => {
    const kernel = new Kernel();
    let events = 0;
    // Far more work than the wall clock allows at this speed: the runner is always behind.
    const step = () => {
      events++;
      kernel.after(1e-6, step, undefined);
    };
    kernel.at(0, step, undefined);
    const runner = new RealtimeRunner(kernel, { speed: 1e9 });
    const done = runner.run(1e9);
    const between: number[] = [];
    let last = -1;
    await new Promise<void>((resolve) => {
      const poll = () => {
        if (last >= 0) between.push(events - last);
        last = events;
        if (between.length < 20) setImmediate(poll);
        else resolve();
      };
      setImmediate(poll);
    });
    runner.stop();
    await done;
    // Between two turns of the event loop the model never ran more than one slice.
    expect(Math.max(...between)).toBeLessThanOrEqual(MAX_SLICE_ENTRIES);
    expect(events).toBeGreaterThan(MAX_SLICE_ENTRIES);
  });

  it('holds time from the event that asks, runs what happens at that instant, and goes on once released', async () => {
    const kernel = new Kernel();
    const runner = new RealtimeRunner(kernel, { speed: 1e6 });
    let release: (() => void) | undefined;
    let heldAt = -1;
    const answered: number[] = [];
    // A call for proposals at t = 100 holds the clock, as a live run does for a remote bidder.
    kernel.at(100, () => {
      release = runner.hold();
      heldAt = kernel.now;
    }, undefined);
    kernel.at(102, () => answered.push(kernel.now), undefined);
    const done = runner.run(1e9);
    await new Promise((r) => setTimeout(r, 40));
    expect(heldAt).toBe(100);
    expect(kernel.now).toBe(100);
    // The answer arrives from outside at the held instant and is run there.
    kernel.at(kernel.now, () => answered.push(kernel.now), undefined);
    await new Promise((r) => setTimeout(r, 20));
    expect(answered).toEqual([100]);
    release!();
    release!(); // twice is harmless
    await new Promise((r) => setTimeout(r, 20));
    expect(answered).toEqual([100, 102]);
    expect(kernel.now).toBeGreaterThan(102);
    runner.stop();
    await done;
  });

  it('follows a leader: jumps ahead when behind; when ahead, stands still (running what is due now) until the leader catches up', async () => {
    const kernel = new Kernel();
    const runner = new RealtimeRunner(kernel, { speed: 1000, tickMs: 5 });
    const ran: number[] = [];
    const done = runner.run(1e9);
    runner.follow(4000, 1000, false);
    await new Promise((r) => setTimeout(r, 30));
    expect(kernel.now).toBeGreaterThanOrEqual(4000);
    // The leader says it is far behind (it held its clock): time does not go back, and stands instead of running on.
    const ahead = kernel.now;
    runner.follow(ahead - 500, 1000, false);
    kernel.at(kernel.now, () => ran.push(kernel.now), undefined);
    kernel.at(ahead + 300, () => ran.push(kernel.now), undefined);
    await new Promise((r) => setTimeout(r, 30));
    expect(ran).toEqual([ahead]);
    expect(kernel.now).toBe(ahead);
    // Once the leader's clock has passed it (after 0.5 s of wall time at ×1000), it moves on.
    await new Promise((r) => setTimeout(r, 1500));
    expect(kernel.now).toBeGreaterThan(ahead + 300);
    expect(ran).toEqual([ahead, ahead + 300]);
    runner.stop();
    await done;
  });

  it('does not end the run early when the clock is held in the last stretch before the horizon', async () => {
    const kernel = new Kernel();
    // Fast enough that the horizon is reached in the first tick, where the hold comes.
    const runner = new RealtimeRunner(kernel, { speed: 1e9 });
    const ran: number[] = [];
    let release: (() => void) | undefined;
    kernel.at(10, () => (release = runner.hold()), undefined);
    kernel.at(20, () => ran.push(kernel.now), undefined);
    let finished = false;
    const done = runner.run(100).then(() => (finished = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(finished).toBe(false);
    expect(kernel.now).toBe(10);
    release!();
    await done;
    expect(ran).toEqual([20]);
    expect(kernel.now).toBe(100);
  });
});
