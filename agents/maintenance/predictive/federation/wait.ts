/**
 * Waiting for peers over a network: until a condition holds, the time runs
 * out, or the run is aborted. A federation is a live protocol between
 * processes, so its deadlines are wall-clock timers (not the simulation
 * kernel's clock: nothing here is a simulated run).
 */
export class FederationTimeoutError extends Error {
  override name = 'FederationTimeoutError';
}

export class FederationAbortedError extends Error {
  override name = 'FederationAbortedError';
}

/** A condition re-checked whenever a message arrives (`poke`). */
export class Waiter {
  private pending?: { check: () => void };

  /** Call after every state change: wakes the waiter if its condition now holds. */
  poke(): void {
    this.pending?.check();
  }

  /** Resolves once `done()` holds; rejects with `timeout()`'s message after `ms`, or when `signal` aborts. */
  until(done: () => boolean, ms: number, timeout: () => string, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const finish = (error?: Error) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.pending = undefined;
        if (error) reject(error);
        else resolve();
      };
      const onAbort = () => finish(new FederationAbortedError('the federation was stopped'));
      const timer = setTimeout(() => finish(new FederationTimeoutError(timeout())), ms);
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort);
      this.pending = { check: () => done() && finish() };
      this.pending.check();
    });
  }
}

/** `90 s`, `12 min`: a timeout as people read it. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${Number((ms / 1000).toFixed(1))} s`;
  return `${Math.round(ms / 60_000)} min`;
}
