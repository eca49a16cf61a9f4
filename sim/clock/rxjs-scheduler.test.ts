import { describe, expect, it } from 'vitest';
import { Subject, bufferTime, debounceTime, filter, interval, take, timer } from 'rxjs';
import { Kernel } from './kernel.js';
import { KernelScheduler } from './rxjs-scheduler.js';

describe('KernelScheduler: rxjs time operators on simulated time', () => {
  it('debounces a burst of events into one, at the burst’s last event plus the quiet time', () => {
    const kernel = new Kernel();
    const scheduler = new KernelScheduler(kernel);
    const events = new Subject<string>();
    const seen: [number, string][] = [];
    events.pipe(debounceTime(300_000, scheduler)).subscribe((e) => seen.push([kernel.now, e]));
    // A burst at 10, 20 and 100 s, then silence; another event at 2 h.
    for (const [t, e] of [[10, 'urgent order'], [20, 'supplier delay'], [100, 'truck down'], [7200, 'part needed']] as const) kernel.at(t, () => events.next(e), undefined);
    kernel.runUntil(86_400);
    expect(seen).toEqual([
      [400, 'truck down'],
      [7500, 'part needed'],
    ]);
  });

  it('buffers by simulated time and runs timers and intervals on the kernel, the same way every time', () => {
    const run = () => {
      const kernel = new Kernel();
      const scheduler = new KernelScheduler(kernel);
      const out: string[] = [];
      interval(60_000, scheduler)
        .pipe(
          filter((n) => n % 2 === 0),
          bufferTime(300_000, scheduler),
          take(3),
        )
        .subscribe((b) => out.push(`${kernel.now}:${b.join(',')}`));
      timer(90_000, scheduler).subscribe(() => out.push(`${kernel.now}:timer`));
      kernel.runUntil(3600);
      return out;
    };
    const first = run();
    // interval: n at 60·(n+1) s; a buffer closing at the instant an event comes was scheduled first, so it closes first.
    expect(first).toEqual(['90:timer', '300:0,2', '600:4,6,8', '900:10,12']);
    expect(run()).toEqual(first);
  });

  it('cancels the kernel timer when unsubscribed', () => {
    const kernel = new Kernel();
    const scheduler = new KernelScheduler(kernel);
    const fired: number[] = [];
    const sub = timer(60_000, scheduler).subscribe(() => fired.push(kernel.now));
    expect(kernel.pending).toBe(1);
    sub.unsubscribe();
    kernel.runUntil(3600);
    expect(fired).toEqual([]);
  });
});
