import { describe, expect, it } from 'vitest';
import { RandomStream } from '../../sim/random/stream.js';
import { randomInstance } from './instances.js';
import { scoreQueues, sequentialAuction } from './auction.js';
import { assignmentProgram, assignmentQueues, sequencingProgram, sequencingQueues } from './formulations.js';
import { bestOrders, bruteAssignment, bruteSequencing } from './brute-force.js';
import { solveProgram } from './highs.js';
import { toLpText } from './lp-text.js';

/** Checks the formulations on tiny instances (not speed): HiGHS's optimum is the brute-force one and never above the auction. */
const tiny = (seed: number, n: number, m: number) => randomInstance(new RandomStream(`test/auction/${n}x${m}`, seed), n, m);
const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThan(1e-6 * Math.max(1, Math.abs(b)));

describe('auction benchmark formulations', () => {
  it('writes CPLEX LP text', () => {
    const text = toLpText({ objective: [[2.5, 'x'], [-1, 'y']], rows: [{ name: 'c', terms: [[1, 'x'], [1, 'y']], op: '>=', rhs: 1 }], binaries: ['x', 'y'] });
    expect(text).toBe('Minimize\n obj: 2.5 x - 1 y\nSubject To\n c: 1 x + 1 y >= 1\nBinary\n x y\nEnd\n');
  });

  it('one task per cobot: the assignment optimum is the brute-force optimum and at most the auction', async () => {
    for (let seed = 1; seed <= 4; seed++) {
      const inst = tiny(seed, 4, seed % 2 === 0 ? 4 : 3);
      const solved = await solveProgram(assignmentProgram(inst));
      const queues = assignmentQueues(inst, solved.value);
      expect(queues.every((q) => q.length <= 1)).toBe(true);
      close(scoreQueues(inst, queues).total, solved.objective);
      close(solved.objective, bruteAssignment(inst));
      expect(solved.objective).toBeLessThanOrEqual(sequentialAuction(inst, { oneTaskPerCobot: true }).total + 1e-6);
    }
  });

  it('several tasks per cobot: the sequencing optimum is the brute-force optimum and at most the auction', async () => {
    for (const [seed, n, m] of [[1, 2, 4], [2, 3, 4], [3, 2, 5], [4, 3, 5]]) {
      const inst = tiny(seed, n, m);
      const solved = await solveProgram(sequencingProgram(inst));
      const queues = sequencingQueues(inst, solved.value);
      expect(queues.flat().sort()).toEqual(inst.tasks.map((_, j) => j));
      close(scoreQueues(inst, queues).total, solved.objective);
      close(solved.objective, bruteSequencing(inst));
      const auction = sequentialAuction(inst);
      close(scoreQueues(inst, auction.queues).total, auction.total);
      expect(solved.objective).toBeLessThanOrEqual(auction.total + 1e-6);
      const reordered = scoreQueues(inst, bestOrders(inst, auction.queues)).total;
      expect(reordered).toBeLessThanOrEqual(auction.total + 1e-6);
      expect(solved.objective).toBeLessThanOrEqual(reordered + 1e-6);
    }
  });
});
