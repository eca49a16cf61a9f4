import { WebSocket } from 'ws';
import type { RejectKind, ServerOp } from './protocol.js';
import type { RosClient } from './ros-commands.js';

type Level = 'error' | 'warning' | 'info' | 'none';
const LEVELS: Level[] = ['error', 'warning', 'info'];
/** A client this far behind gets no telemetry until it catches up (a slow link must not eat the server's memory). */
const MAX_BUFFERED = 1 << 20;

export interface Subscription {
  throttleMs: number;
  last: number;
}

/** One rosbridge client: its subscriptions, its status level, and its socket. */
export class Connection implements RosClient {
  readonly subs = new Map<string, Subscription>();
  level: Level = 'error';

  constructor(
    readonly name: string,
    private readonly ws: WebSocket,
    private readonly sent: () => void,
  ) {}

  send(op: ServerOp): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(JSON.stringify(op));
    this.sent();
  }

  get congested(): boolean {
    return this.ws.bufferedAmount > MAX_BUFFERED;
  }

  status(level: 'error' | 'warning' | 'info', msg: string, id?: string): void {
    if (this.level === 'none' || LEVELS.indexOf(level) > LEVELS.indexOf(this.level)) return;
    this.send({ op: 'status', level, msg, ...(id !== undefined ? { id } : {}) });
  }
}

export const emptyRejects = (): Record<RejectKind, number> => ({
  'not-json': 0,
  'not-an-op': 0,
  'unknown-op': 0,
  'bad-field': 0,
  'too-large': 0,
  oversized: 0,
  'unknown-topic': 0,
  'wrong-type': 0,
  'read-only-topic': 0,
  'unknown-action': 0,
  'unknown-service': 0,
  'unknown-goal': 0,
  'not-controller': 0,
  'not-running': 0,
});
