import { describe, expect, it } from 'vitest';
import { createActor, setup } from 'xstate';
import { Kernel, Priority } from './kernel.js';
import { EventQueue } from './event-queue.js';
import { kernelClock } from './xstate-clock.js';

describe('event queue', () => {
  it('orders by time, then priority, then insertion', () => {
    const q = new EventQueue();
    const seen: string[] = [];
    const push = (t: number, p: number, name: string) => q.push(t, p, () => seen.push(name), undefined);
    push(5, 0, 'e');
    push(1, 10, 'b');
    push(1, 0, 'a');
    push(1, 10, 'c');
    push(3, 0, 'd');
    for (let top = q.pop(); top; top = q.pop()) top.fn(top.arg);
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('drops cancelled timers and stays a valid heap under random use', () => {
    const q = new EventQueue();
    let x = 12345;
    const rand = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
    const timers = Array.from({ length: 2000 }, (_, i) => q.push(Math.floor(rand() * 100), Math.floor(rand() * 3), () => {}, i));
    for (const t of timers) if (rand() < 0.3) t.cancelled = true;
    const live = timers.filter((t) => !t.cancelled).sort((a, b) => a.time - b.time || a.priority - b.priority || a.seq - b.seq);
    const popped = [];
    for (let top = q.pop(); top; top = q.pop()) popped.push(top);
    expect(popped.map((t) => t.seq)).toEqual(live.map((t) => t.seq));
  });
});

describe('kernel', () => {
  it('runs [0, horizon) and leaves the clock at the horizon', () => {
    const k = new Kernel();
    const seen: number[] = [];
    for (const t of [1, 5, 10, 15]) k.at(t, (v: number) => seen.push(v), t);
    k.runUntil(10);
    expect(seen).toEqual([1, 5]);
    expect(k.now).toBe(10);
    k.runUntil(20);
    expect(seen).toEqual([1, 5, 10, 15]);
  });

  it('refuses to schedule in the past', () => {
    const k = new Kernel();
    k.runUntil(5);
    expect(() => k.at(4, () => {}, undefined)).toThrow(/before now/);
  });

  it('runs same-instant events by priority', () => {
    const k = new Kernel();
    const seen: string[] = [];
    k.at(1, () => seen.push('timer'), undefined, Priority.timer);
    k.at(1, () => seen.push('message'), undefined, Priority.message);
    k.at(1, () => seen.push('world'), undefined, Priority.world);
    k.runUntil(2);
    expect(seen).toEqual(['world', 'message', 'timer']);
  });

  it('gives XState actors its clock: delays run in simulated time', () => {
    const k = new Kernel();
    const m = setup({}).createMachine({ initial: 'a', states: { a: { after: { 90000: 'b' } }, b: {} } });
    const actor = createActor(m, { clock: kernelClock(k) }).start();
    k.runUntil(89.9);
    expect(actor.getSnapshot().value).toBe('a');
    k.runUntil(90.1);
    expect(actor.getSnapshot().value).toBe('b');
  });

  it('cancels XState timers through the kernel when the state is left', () => {
    const k = new Kernel();
    const m = setup({}).createMachine({ initial: 'a', states: { a: { after: { 1000: 'b' }, on: { go: 'c' } }, b: {}, c: {} } });
    const actor = createActor(m, { clock: kernelClock(k) }).start();
    actor.send({ type: 'go' });
    k.runUntil(10);
    expect(actor.getSnapshot().value).toBe('c');
    expect(k.pending).toBe(0);
  });
});
