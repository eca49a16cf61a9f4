import { io, type Socket } from 'socket.io-client';
import type { Ack, Control, Delta, Hello, MachineDetail, Snapshot } from '../../bridges/viewer/protocol.js';

type FrameAck = () => void;

interface ServerEvents {
  hello: (h: Hello) => void;
  snapshot: (s: Snapshot, ack: FrameAck) => void;
  delta: (d: Delta, ack: FrameAck) => void;
}

interface ClientEvents {
  control: (c: Control, ack: (a: Ack<unknown>) => void) => void;
  'machine.detail': (req: { id: string }, ack: (a: Ack<MachineDetail>) => void) => void;
}

export interface ConnectionHandlers {
  hello(h: Hello): void;
  /** Apply the frame; call `drawn` once it is on screen (the server waits for it). */
  snapshot(s: Snapshot, drawn: FrameAck): void;
  delta(d: Delta, drawn: FrameAck): void;
  status(connected: boolean, error?: string): void;
}

/** A request that got no answer in this time is reported as refused instead of hanging. */
const REQUEST_TIMEOUT_MS = 10_000;

export class Connection {
  private readonly socket: Socket<ServerEvents, ClientEvents>;

  constructor(token: string | undefined, handlers: ConnectionHandlers) {
    // Same origin as the page: the viewer server serves both.
    this.socket = io({ auth: token ? { token } : {} });
    this.socket.on('connect', () => handlers.status(true));
    this.socket.on('disconnect', (reason) => handlers.status(false, reason));
    this.socket.on('connect_error', (err) => handlers.status(false, err.message));
    this.socket.on('hello', (h) => handlers.hello(h));
    this.socket.on('snapshot', (s, ack) => handlers.snapshot(s, once(ack)));
    this.socket.on('delta', (d, ack) => handlers.delta(d, once(ack)));
  }

  control(c: Control): Promise<Ack<unknown>> {
    return new Promise((resolve) => {
      this.socket.timeout(REQUEST_TIMEOUT_MS).emit('control', c, (err: Error | null, a: Ack<unknown>) => {
        resolve(err ? { ok: false, reason: 'no answer from the server' } : a);
      });
    });
  }

  detail(id: string): Promise<Ack<MachineDetail>> {
    return new Promise((resolve) => {
      this.socket.timeout(REQUEST_TIMEOUT_MS).emit('machine.detail', { id }, (err: Error | null, a: Ack<MachineDetail>) => {
        resolve(err ? { ok: false, reason: 'no answer from the server' } : a);
      });
    });
  }
}

/** Frame acks are optional on the wire and must fire at most once. */
function once(ack: FrameAck | undefined): FrameAck {
  let done = false;
  return () => {
    if (done || typeof ack !== 'function') return;
    done = true;
    ack();
  };
}
