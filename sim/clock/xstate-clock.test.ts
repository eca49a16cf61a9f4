import { describe, expect, it } from 'vitest';
import { Kernel } from './kernel.js';
import { kernelClock } from './xstate-clock.js';

describe('kernelClock', () => {
  it('runs timeouts on the kernel, in seconds, and cancels them', () => {
    const kernel = new Kernel();
    const clock = kernelClock(kernel);
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(kernel.now), 1500);
    clock.clearTimeout(clock.setTimeout(() => fired.push(-1), 500));
    kernel.runUntil(10);
    expect(fired).toEqual([1.5]);
  });

  it('does not queue a timeout of Infinity: it never fires, and a cancelled one must not hold its actor for the rest of the run', () => {
    const kernel = new Kernel();
    const clock = kernelClock(kernel);
    const timer = clock.setTimeout(() => {
      throw new Error('never');
    }, Infinity);
    expect(kernel.pending).toBe(0);
    clock.clearTimeout(timer);
    kernel.runUntil(1e9);
    expect(kernel.pending).toBe(0);
  });
});
