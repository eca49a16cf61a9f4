/**
 * Problem lines for an operator's terminal, without letting one repeated
 * problem flood it: a revoked agent that keeps talking, or an intruder
 * replaying frames, would otherwise write a line per message — thousands a
 * second at high speed — and bury everything else. Each kind of problem
 * gets its first few lines in full per window; the rest are counted and
 * summed up in one line when the window ends. What is counted is never
 * lost from the record: refused envelopes are each in the event log.
 */
export interface ThrottleOptions {
  /** Lines of one kind written in full per window. */
  burst: number;
  /** The window, wall-clock ms. */
  windowMs: number;
}

const DEFAULTS: ThrottleOptions = { burst: 3, windowMs: 10_000 };

/**
 * What makes two problem lines the same kind: a refused envelope's sender,
 * signer and reason (not its id, time or detail); any other line is its own kind.
 */
export function problemKind(line: string): string {
  const refused = /^(.*refused envelope \S+) \S+ (from "[^"]*"(?: signed by "[^"]*")?: [a-z-]+):/.exec(line);
  return refused ? `${refused[1]} ${refused[2]}` : line;
}

export class ThrottledLines {
  private readonly o: ThrottleOptions;
  /** Per kind in this window: lines written, lines held back. */
  private readonly window = new Map<string, { written: number; held: number }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: (line: string) => void,
    options: Partial<ThrottleOptions> = {},
  ) {
    this.o = { ...DEFAULTS, ...options };
  }

  say(line: string): void {
    const kind = problemKind(line);
    let seen = this.window.get(kind);
    if (!seen) this.window.set(kind, (seen = { written: 0, held: 0 }));
    if (seen.written < this.o.burst) {
      seen.written++;
      this.write(line);
    } else seen.held++;
    // A wall-clock window that does not keep the process alive.
    this.timer ??= setTimeout(() => this.endWindow(), this.o.windowMs).unref();
  }

  /** Writes what was held back and stops the window. */
  close(): void {
    clearTimeout(this.timer);
    this.endWindow();
  }

  private endWindow(): void {
    this.timer = undefined;
    const secs = Math.round(this.o.windowMs / 1000);
    for (const [kind, { held }] of this.window) if (held > 0) this.write(`(${held} more in ${secs} s like: ${kind})`);
    this.window.clear();
  }
}
