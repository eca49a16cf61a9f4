import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TallySnapshot } from './topic-tally.js';
import type { FromSubscriber, ToSubscriber } from './subscriber.js';

/** The bench's handle on the independent subscriber process (`subscriber.ts`). */
export class SubscriberProcess {
  private nextId = 1;
  private readonly waiting = new Map<number, (r: { snapshot: TallySnapshot; errors: number }) => void>();
  private readonly exited: Promise<void>;

  private constructor(readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.on('message', (m: FromSubscriber) => {
      if (m.type !== 'snapshot') return;
      this.waiting.get(m.id)?.({ snapshot: m.snapshot, errors: m.errors });
      this.waiting.delete(m.id);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Forks the subscriber and waits until its subscription is confirmed by the broker. */
  static async start(url: string, plant: string): Promise<SubscriberProcess> {
    const child = fork(fileURLToPath(new URL('./subscriber.js', import.meta.url)), [url, plant], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the subscriber did not subscribe within 15 s')), 15_000);
      child.once('exit', (code) => reject(new Error(`the subscriber exited (${code}) before subscribing`)));
      child.on('message', (m: FromSubscriber) => {
        if (m.type !== 'ready') return;
        clearTimeout(timer);
        resolve();
      });
    });
    return new SubscriberProcess(child);
  }

  /** What the subscriber has received so far. */
  snapshot(timeoutMs = 10_000): Promise<{ snapshot: TallySnapshot; errors: number }> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error('the subscriber did not answer'));
      }, timeoutMs);
      this.waiting.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.child.send({ type: 'snapshot', id } satisfies ToSubscriber);
    });
  }

  /** Asks it to disconnect and exit; kills it after 5 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (this.child.connected) this.child.send({ type: 'stop' } satisfies ToSubscriber);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}
