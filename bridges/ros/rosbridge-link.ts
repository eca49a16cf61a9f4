import { Ros } from './roslib.js';

export interface LinkOptions {
  /** First wait before reconnecting, ms; it doubles on each failed attempt up to `maxBackoffMs`. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  onUp?: () => void;
  onDown?: () => void;
  onProblem?: (line: string) => void;
}

/**
 * A roslib connection that comes back: roslib 2 does not reconnect by
 * itself, so this reconnects with exponential backoff for as long as it is
 * open. Topics made on `ros` subscribe again by themselves on reconnection
 * (roslib's `reconnect_on_close`); goals are the user's to send again.
 */
export class RosbridgeLink {
  readonly ros = new Ros({});
  private attempt = 0;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;
  private wasUp = false;

  constructor(
    readonly url: string,
    private readonly options: LinkOptions = {},
  ) {
    this.ros.on('connection', () => {
      // Closed while connecting: the socket came up after close().
      if (this.closed) return this.ros.close();
      this.attempt = 0;
      this.wasUp = true;
      this.options.onUp?.();
    });
    this.ros.on('close', () => {
      if (this.closed) return;
      if (this.wasUp) {
        this.wasUp = false;
        this.options.onDown?.();
      }
      this.later();
    });
    // Refused connections end in `close` too: reported, retried there.
    this.ros.on('error', () => {});
    this.connect();
  }

  get up(): boolean {
    return this.ros.isConnected;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retry);
    this.ros.close();
  }

  private connect(): void {
    if (this.closed) return;
    this.ros.connect(this.url).catch((e: unknown) => {
      this.options.onProblem?.(`rosbridge ${this.url}: ${(e as Error).message}`);
      this.later();
    });
  }

  private later(): void {
    if (this.closed || this.retry) return;
    const { minBackoffMs = 200, maxBackoffMs = 5000 } = this.options;
    const wait = Math.min(maxBackoffMs, minBackoffMs * 2 ** this.attempt++);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.connect();
    }, wait);
  }
}
