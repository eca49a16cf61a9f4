import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { ServerTls } from '../access/server-tls.js';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import type { ViewSource } from '../../runtime/view/view-source.js';
import { requiredRole } from '../../runtime/view/view-source.js';
import { AccessTokens, atLeast, type AccessRole } from '../access/access-tokens.js';
import { staticHandler } from './static-files.js';
import { allowedMachines, lesseeView, refusal, verifyLesseeSignIn, type LesseeOptions } from './lessee.js';
import { LesseeChallenges } from './lessee-challenge.js';
import {
  ControlSchema,
  DetailRequestSchema,
  VIEWER_PROTOCOL_VERSION,
  type Ack,
  type Control,
  type Delta,
  type Hello,
  type Role,
  type Snapshot,
} from './protocol.js';

export interface ViewerServerOptions {
  /** TCP port; 0 picks a free one. */
  port?: number;
  /** Interface to listen on: loopback unless told otherwise. */
  host?: string;
  /** Serve the page and socket.io over HTTPS (and WSS), so tokens and sign-ins never cross a network in clear. */
  tls?: ServerTls;
  /** The owner's token (admin: may control and reset the plant); without it and `tokens` every client is read-only. */
  operatorToken?: string;
  /** Further tokens with roles (viewer, operator, admin) from a tokens file; it should include the owner's. */
  tokens?: AccessTokens;
  /** The built page (`viewer/dist`); without it only the socket.io endpoint is served. */
  staticDir?: string;
  /** Milliseconds between frames (each client gets at most one frame per period, fewer if it draws slower). */
  frameMs?: number;
  /**
   * Accept lessees (`auth.lessee` sign-in, see lessee.ts): each sees and commands only the machines
   * `access` allows it, rechecked at every frame and control. Off by default (no lessee role).
   */
  lessees?: LesseeOptions;
}

/** What the server has sent and refused, for the benchmark and the tests. */
export interface ViewerStats {
  clients: number;
  framesSent: number;
  /** Bytes of socket.io packets sent, all clients together. */
  bytesSent: number;
  /** Client messages refused: malformed, unknown machine, a control without the operator role, or a lessee's without access. */
  rejected: number;
}

type Keyed = { id: string };
const LISTS = ['machines', 'cobots', 'stock', 'orders', 'trucks'] as const;
type ListName = (typeof LISTS)[number];
const keyOf = (list: ListName, v: Keyed | { item: string }): string => ('id' in v ? v.id : v.item);

/** A frame computed once per period; `json` holds each list's entities as JSON by key, for diffing. */
interface Frame {
  seq: number;
  view: Omit<Snapshot, 'seq'>;
  json: Record<ListName, Map<string, string>>;
}

interface Client {
  socket: Socket;
  role: Role;
  /** The token it connected with (looked up again at every control, so a revoked one stops working). */
  token?: string;
  /** The signed-in address, for a lessee. */
  account?: string;
  /** A lessee's machines in its last frame, sorted and joined: a change sends a fresh snapshot. */
  allowed?: string;
  inFlight: boolean;
  needsSnapshot: boolean;
  /** What this client holds: per list, id → JSON of the entity as last sent. */
  held: Record<ListName, Map<string, string>>;
  lastLedger: string;
  lastAlert: string;
  lastKpis: string;
  lastAttention: string;
  bytes: number;
}

/**
 * The viewer's socket.io server (protocol in `protocol.ts`). Every period it
 * asks the source for one frame and sends each client what changed since
 * the frame that client last acknowledged: a client drawing slowly skips
 * frames rather than queueing them, and the bytes it gets grow with what
 * changed, not with the size of the plant.
 */
export class ViewerServer {
  readonly stats: ViewerStats = { clients: 0, framesSent: 0, bytesSent: 0, rejected: 0 };
  private readonly clients = new Set<Client>();
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly source: ViewSource,
    private readonly http: HttpServer,
    private readonly io: Server,
    private readonly options: ViewerServerOptions,
    private readonly challenges: LesseeChallenges,
  ) {
    this.access = options.tokens ?? (options.operatorToken !== undefined ? new AccessTokens(undefined, options.operatorToken) : undefined);
  }

  /** Who each token is: the tokens file, or the owner's token alone. */
  private readonly access: AccessTokens | undefined;

  /** Starts listening; resolves once the port is open. */
  static async start(source: ViewSource, options: ViewerServerOptions = {}): Promise<ViewerServer> {
    const files = options.staticDir ? staticHandler(options.staticDir) : (_req: IncomingMessage, res: ServerResponse) => void res.writeHead(404).end();
    const challenges = new LesseeChallenges();
    // Lessees fetch their one-time sign-in challenge here (only when lessees are on).
    const route = (req: IncomingMessage, res: ServerResponse) => (options.lessees && challenges.handle(req, res)) || files(req, res);
    const https = options.tls ? createHttpsServer(options.tls.serverOptions, route) : undefined;
    // A renewed certificate applies to the next connection.
    if (https) https.on('close', options.tls!.serve(https));
    const http = https ?? createServer(route);
    const io = new Server(http, { serveClient: false, maxHttpBufferSize: 64 * 1024 });
    const server = new ViewerServer(source, http, io, options, challenges);
    // Who a client is, decided before it connects: a refused sign-in gets its reason as a connect_error.
    io.use((socket, next) => {
      try {
        socket.data = server.authenticate(socket.handshake.auth);
        next();
      } catch (e) {
        next(e instanceof Error ? e : new Error(String(e)));
      }
    });
    io.on('connection', (socket) => server.connect(socket));
    source.onRestart(() => {
      for (const c of server.clients) c.needsSnapshot = true;
    });
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    server.timer = setInterval(() => server.tick(), options.frameMs ?? 100);
    return server;
  }

  /** The page's address (without a token). */
  get url(): string {
    const a = this.http.address() as AddressInfo;
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return `${this.options.tls ? 'https' : 'http'}://${host}:${a.port}/`;
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await new Promise<void>((resolve) => void this.io.close(() => resolve()));
  }

  /** The role a handshake earns; throws (the connection is refused with the message) for a bad lessee sign-in. */
  private authenticate(raw: unknown): { role: Role; account?: string; token?: string } {
    const auth = (raw ?? {}) as { token?: unknown; lessee?: unknown };
    const token = auth.token;
    if (typeof token === 'string' && token !== '') {
      // A token that is not (or no longer) valid is refused, not quietly read-only: the client should know.
      const known = this.access?.roleOf(token);
      if (!known) throw new Error('unknown or revoked token');
      return { role: known.role, token };
    }
    const lessees = this.options.lessees;
    if (auth.lessee !== undefined) {
      if (!lessees) throw new Error('lessee sign-in is not enabled on this server');
      return { role: 'lessee', account: verifyLesseeSignIn(auth.lessee, this.challenges) };
    }
    if (lessees && !lessees.allowViewers) throw new Error('sign-in required: this plant shows its machines to its operator (auth.token) and to lessees (auth.lessee) only');
    return { role: 'viewer' };
  }

  /** Why the client's role may not send this control, or undefined; a token is looked up again (revoked since?). */
  private roleRefusal(client: Client, control: Control): string | undefined {
    const needed = requiredRole(control);
    let role: AccessRole = 'viewer';
    if (client.token !== undefined) {
      const now = this.access?.roleOf(client.token);
      if (!now) return 'unknown or revoked token';
      role = now.role;
    }
    if (atLeast(role, needed)) return undefined;
    return role === 'viewer' && client.token === undefined ? `read-only: this control needs the ${needed} role (a token)` : `this control needs the ${needed} role; this token is ${role}`;
  }

  private connect(socket: Socket): void {
    const { role, account, token } = socket.data as { role: Role; account?: string; token?: string };
    const client: Client = {
      socket,
      role,
      ...(account !== undefined ? { account } : {}),
      ...(token !== undefined ? { token } : {}),
      inFlight: false,
      needsSnapshot: true,
      held: { machines: new Map(), cobots: new Map(), stock: new Map(), orders: new Map(), trucks: new Map() },
      lastLedger: '',
      lastAlert: '',
      lastKpis: '',
      lastAttention: '',
      bytes: 0,
    };
    this.clients.add(client);
    this.stats.clients = this.clients.size;
    socket.conn.on('packetCreate', (packet: { data?: unknown }) => {
      const n = typeof packet.data === 'string' ? Buffer.byteLength(packet.data) : packet.data instanceof Buffer ? packet.data.length : 0;
      client.bytes += n;
      this.stats.bytesSent += n;
    });
    socket.on('disconnect', () => {
      this.clients.delete(client);
      this.stats.clients = this.clients.size;
    });
    socket.on('control', (raw: unknown, ack: unknown) => void this.onControl(client, raw, ack));
    socket.on('machine.detail', (raw: unknown, ack: unknown) => void this.onDetail(client, raw, ack));
    // Anything else a client sends is not part of the protocol: counted and dropped.
    socket.onAny((event: string) => {
      if (event !== 'control' && event !== 'machine.detail') this.stats.rejected++;
    });
    const hello: Hello = { protocol: VIEWER_PROTOCOL_VERSION, role, ...(account !== undefined ? { account } : {}), ...this.source.hello };
    socket.emit('hello', hello);
    this.sendTo(client, this.safeFrame());
  }

  private async onControl(client: Client, raw: unknown, ack: unknown): Promise<void> {
    const reply = typeof ack === 'function' ? (ack as (a: Ack<unknown>) => void) : () => {};
    const parsed = ControlSchema.safeParse(raw);
    if (!parsed.success) {
      this.stats.rejected++;
      reply({ ok: false, reason: `malformed control: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ')}` });
      return;
    }
    if (client.account !== undefined) {
      const refused = await this.lesseeRefusal(client.account, parsed.data);
      if (refused) {
        this.stats.rejected++;
        reply({ ok: false, reason: refused });
        return;
      }
    } else {
      const refused = this.roleRefusal(client, parsed.data);
      if (refused) {
        this.stats.rejected++;
        reply({ ok: false, reason: refused });
        return;
      }
    }
    try {
      const result = await this.source.control(parsed.data);
      if (!result.ok) this.stats.rejected++;
      reply(result);
      // Show the effect at once rather than at the next period.
      this.seq++;
      for (const c of this.clients) if (!c.inFlight) this.sendTo(c, this.safeFrame());
    } catch (e) {
      reply({ ok: false, reason: e instanceof Error ? e.message : String(e) });
    }
  }

  /**
   * A lessee may send only controls naming a machine (fault), and only on a machine it may use now;
   * the others act on the whole plant, which is the operator's.
   */
  private async lesseeRefusal(account: string, c: Control): Promise<string | undefined> {
    if (c.action !== 'fault') return `lessee: "${c.action}" acts on the whole plant; a lessee may only send controls naming a machine it leases (fault)`;
    return refusal(this.options.lessees!.access, account, c.machine);
  }

  private async onDetail(client: Client, raw: unknown, ack: unknown): Promise<void> {
    if (typeof ack !== 'function') {
      this.stats.rejected++;
      return;
    }
    const parsed = DetailRequestSchema.safeParse(raw);
    if (parsed.success && client.account !== undefined) {
      const refused = await refusal(this.options.lessees!.access, client.account, parsed.data.id);
      if (refused) {
        this.stats.rejected++;
        (ack as (a: Ack<unknown>) => void)({ ok: false, reason: refused });
        return;
      }
    }
    const detail = parsed.success ? this.source.detail(parsed.data.id) : undefined;
    if (!detail) this.stats.rejected++;
    (ack as (a: Ack<unknown>) => void)(detail ? { ok: true, value: detail } : { ok: false, reason: parsed.success ? `no machine "${parsed.data.id}"` : 'expected { id: string }' });
  }

  private frame: Frame | undefined;

  /** This period's frame, computed once for all clients. */
  private safeFrame(): Frame {
    if (this.frame && this.frame.seq === this.seq) return this.frame;
    const view = this.source.frame();
    const json = {} as Record<ListName, Map<string, string>>;
    for (const list of LISTS) json[list] = new Map((view[list] as (Keyed | { item: string })[]).map((v) => [keyOf(list, v), JSON.stringify(v)]));
    this.frame = { seq: this.seq, view, json };
    return this.frame;
  }

  private tick(): void {
    this.seq++;
    if (this.clients.size === 0) return;
    let frame;
    try {
      frame = this.safeFrame();
    } catch (e) {
      console.error(`viewer: cannot build a frame: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    for (const c of this.clients) if (!c.inFlight) this.sendTo(c, frame);
  }

  private sendTo(c: Client, frame: Frame): void {
    if (c.account === undefined) {
      this.emitFrame(c, frame);
      return;
    }
    // A lessee: access is asked (through the access's cache) for every machine of every frame,
    // so an expired lease drops the machine from the next frame. In flight while asking.
    c.inFlight = true;
    const account = c.account;
    void this.lesseeFrame(c, account, frame).then(
      (f) => {
        if (c.socket.connected) this.emitFrame(c, f);
      },
      (e: unknown) => {
        c.inFlight = false;
        console.error(`viewer: cannot build a frame for lessee ${account}: ${e instanceof Error ? e.message : String(e)}`);
      },
    );
  }

  /**
   * The frame filtered to the machines `account` may use now (see lessee.ts for what else is left out).
   * When that set changes the client gets a snapshot: a lease that ended takes the machine's alerts
   * and ledger entries off the page too, and a new one brings them.
   */
  private async lesseeFrame(c: Client, account: string, frame: Frame): Promise<Frame> {
    const allowed = await allowedMachines(this.options.lessees!.access, account, frame.json.machines.keys());
    const key = [...allowed].sort().join('\n');
    if (c.allowed !== undefined && c.allowed !== key) c.needsSnapshot = true;
    c.allowed = key;
    const json = { ...frame.json, machines: new Map([...frame.json.machines].filter(([id]) => allowed.has(id))) };
    return { seq: frame.seq, view: lesseeView(frame.view, allowed), json };
  }

  private emitFrame(c: Client, frame: Frame): void {
    const { view, json } = frame;
    const seq = frame.seq;
    c.inFlight = true;
    const acked = () => {
      c.inFlight = false;
    };
    const lastLedger = view.ledger.at(-1);
    const lastAlert = view.alerts.at(-1);
    const kpis = JSON.stringify(view.kpis);
    const attention = view.attention.map((a) => a.id).join(',');
    if (c.needsSnapshot) {
      c.needsSnapshot = false;
      for (const list of LISTS) c.held[list] = new Map(json[list]);
      c.lastLedger = lastLedger ? ledgerKey(lastLedger) : '';
      c.lastAlert = lastAlert?.id ?? '';
      c.lastKpis = kpis;
      c.lastAttention = attention;
      const snapshot: Snapshot = { seq, ...view };
      c.socket.emit('snapshot', snapshot, acked);
    } else {
      const delta: Delta = { seq, t: view.t, speed: view.speed, paused: view.paused, finished: view.finished };
      const removed: NonNullable<Delta['removed']> = {};
      for (const list of LISTS) {
        const held = c.held[list];
        const now = json[list];
        const changed: unknown[] = [];
        (view[list] as (Keyed | { item: string })[]).forEach((v) => {
          const k = keyOf(list, v);
          const s = now.get(k)!;
          if (held.get(k) !== s) {
            changed.push(v);
            held.set(k, s);
          }
        });
        if (changed.length > 0) (delta as unknown as Record<string, unknown[]>)[list] = changed;
        const gone = [...held.keys()].filter((k) => !now.has(k));
        for (const k of gone) held.delete(k);
        if (gone.length > 0 && list !== 'stock') removed[list] = gone;
      }
      if (Object.keys(removed).length > 0) delta.removed = removed;
      const ledgerFrom = view.ledger.findIndex((e) => ledgerKey(e) === c.lastLedger);
      const newLedger = view.ledger.slice(ledgerFrom + 1);
      if (newLedger.length > 0) delta.ledger = newLedger;
      const alertFrom = view.alerts.findIndex((a) => a.id === c.lastAlert);
      const newAlerts = view.alerts.slice(alertFrom + 1);
      if (newAlerts.length > 0) delta.alerts = newAlerts;
      if (kpis !== c.lastKpis) delta.kpis = view.kpis;
      if (attention !== c.lastAttention) delta.attention = view.attention;
      c.lastAttention = attention;
      c.lastLedger = lastLedger ? ledgerKey(lastLedger) : '';
      c.lastAlert = lastAlert?.id ?? '';
      c.lastKpis = kpis;
      c.socket.emit('delta', delta, acked);
    }
    this.stats.framesSent++;
  }
}

const ledgerKey = (e: { seq: number; hash: string; verification: string }): string => `${e.seq}:${e.hash}:${e.verification}`;

