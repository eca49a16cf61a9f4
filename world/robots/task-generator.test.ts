import { describe, expect, it } from 'vitest';
import { Kernel } from '../../sim/clock/kernel.js';
import { RandomStreams } from '../../sim/random/streams.js';
import { Layout } from '../layout/layout.js';
import { TaskGenerator, type TaskStreamSpec, type TransportTask } from './task-generator.js';

const layout = new Layout([
  { id: 'cell-a', kind: 'station', x: 0, y: 0 },
  { id: 'storage', kind: 'storage', x: 10, y: 5 },
]);
const specs: TaskStreamSpec[] = [
  { id: 'a', from: 'cell-a', to: 'storage', interarrival: { dist: 'exponential', mean: 60 }, handlingTime: { dist: 'uniform', min: 10, max: 20 } },
  { id: 'b', from: 'storage', to: 'cell-a', interarrival: { dist: 'constant', value: 100 }, handlingTime: { dist: 'constant', value: 5 } },
];

function generate(seed: number, until: number) {
  const kernel = new Kernel();
  const tasks: TransportTask[] = [];
  const gen = new TaskGenerator(kernel, new RandomStreams(seed), layout, specs, (t) => tasks.push(t));
  gen.start();
  kernel.runUntil(until);
  return { kernel, gen, tasks };
}

describe('task generator', () => {
  it('numbers each stream\'s tasks and gives them places, poses and handling times', () => {
    const { tasks } = generate(1, 1000);
    const b = tasks.filter((t) => t.stream === 'b');
    expect(b.map((t) => [t.id, t.createdAt])).toEqual(Array.from({ length: 9 }, (_, i) => [`b-${i + 1}`, 100 * (i + 1)]));
    expect(b[0]).toMatchObject({ from: 'storage', to: 'cell-a', fromPose: { x: 10, y: 5 }, toPose: { x: 0, y: 0 }, pickSeconds: 5, placeSeconds: 5, handlingSeconds: 5 });
    const a = tasks.filter((t) => t.stream === 'a');
    expect(a.length).toBeGreaterThan(5);
    expect(a.map((t) => t.id)).toEqual(a.map((_, i) => `a-${i + 1}`));
    for (const t of a) {
      expect(t.pickSeconds).toBeGreaterThanOrEqual(10);
      expect(t.placeSeconds).toBeLessThan(20);
      expect(t.handlingSeconds).toBe(15);
    }
  });

  it('draws the same tasks for the same seed, other ones for another', () => {
    const times = (seed: number) => generate(seed, 2000).tasks.map((t) => [t.id, t.createdAt, t.pickSeconds]);
    expect(times(7)).toEqual(times(7));
    expect(times(7)).not.toEqual(times(8));
  });

  it('measures the latency of delivered tasks', () => {
    const { kernel, gen } = generate(1, 250);
    expect(gen.handlingSeconds('b-1', 'place')).toBe(5);
    gen.delivered('b-1');
    gen.delivered('b-1');
    kernel.runUntil(300);
    gen.delivered('b-2');
    expect(gen.counters.delivered).toBe(2);
    expect(gen.counters.latencySeconds).toBe(150 + 100);
    expect(gen.get('b-1')).toBeUndefined();
  });
});
