import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { problemKind, ThrottledLines } from './throttled-lines.js';

/** A flood of one problem shows a few lines and a count; other problems still show. */
describe('throttled problem lines', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const refusal = (n: number, from = 'cobot-1') => `refused envelope task.proposal robotics/task:${n}-${from} from "${from}" signed by "${from}": revoked: "${from}" is revoked in principals.json`;

  it('a refused envelope is of the kind of its type, sender, signer and reason; other lines are their own kind', () => {
    expect(problemKind(refusal(1))).toBe('refused envelope task.proposal from "cobot-1" signed by "cobot-1": revoked');
    expect(problemKind(refusal(2))).toBe(problemKind(refusal(1)));
    expect(problemKind(`agent host a: ${refusal(3)}`)).toBe('agent host a: refused envelope task.proposal from "cobot-1" signed by "cobot-1": revoked');
    expect(problemKind('refused envelope task.bid x:1 from "cobot-2": unsigned: no signature')).toBe('refused envelope task.bid from "cobot-2": unsigned');
    expect(problemKind('live run: refused message from a host: not JSON')).toBe('live run: refused message from a host: not JSON');
  });

  it('writes the first lines of a kind in full, counts the rest, and sums them up when the window ends or it closes', () => {
    const out: string[] = [];
    const lines = new ThrottledLines((l) => out.push(l), { burst: 2, windowMs: 10_000 });
    for (let i = 0; i < 1000; i++) lines.say(refusal(i));
    lines.say(refusal(0, 'cobot-2'));
    lines.say('ledger: node unreachable');
    expect(out).toEqual([refusal(0), refusal(1), refusal(0, 'cobot-2'), 'ledger: node unreachable']);
    vi.advanceTimersByTime(10_000);
    expect(out.slice(4)).toEqual(['(998 more in 10 s like: refused envelope task.proposal from "cobot-1" signed by "cobot-1": revoked)']);
    // A new window: full lines again, then the count at close.
    for (let i = 0; i < 5; i++) lines.say(refusal(i));
    lines.close();
    expect(out.slice(5)).toEqual([refusal(0), refusal(1), '(3 more in 10 s like: refused envelope task.proposal from "cobot-1" signed by "cobot-1": revoked)']);
    // Every line said is written or counted.
    lines.close();
    expect(out).toHaveLength(8);
  });
});
