import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { ServerTls } from '../access/server-tls.js';
import { AccessTokens, atLeast } from '../access/access-tokens.js';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { CustomerOrderSchema, ErpId, type CustomerOrder, type ErpData, type Stock } from '../../agents/supply/erp/model.js';
import { MAX_ORDERS_PER_REQUEST, StockLevelSchema } from './api-schemas.js';
import { checkBody, formatPath, HttpError, invalid, issueProblems, readJsonBody, sendError, sendJson } from './http.js';
import { openApiDocument } from './openapi.js';
import type { PlanSource } from './plan-source.js';

/**
 * The ERP API (see docs/erp.md and `GET /openapi.json`): an ERP pushes
 * customer orders and stock levels and reads plans and schedules. Orders
 * are idempotent by id; every refused request gets a JSON answer saying
 * why, with its status, and changes nothing.
 */

export interface ErpApiOptions {
  /** TCP port; 0 picks a free one. */
  port?: number;
  /** Interface to listen on: loopback unless told otherwise. */
  host?: string;
  /** Serve over HTTPS, so bearer tokens never cross a network in clear. */
  tls?: ServerTls;
  /** When set, every route but /health and /openapi.json needs `Authorization: Bearer <token>` (the owner's: admin). */
  token?: string;
  /** Tokens with roles (`bridges/access`): reading needs viewer, posting orders and counts needs operator. */
  tokens?: AccessTokens;
  /** Largest request body, bytes (1 MiB). */
  maxBodyBytes?: number;
  /** Master data to check orders and stock against (unknown item, customer, location → 422). */
  master?: Pick<ErpData, 'items' | 'customers' | 'locations'>;
}

export interface ErpApi {
  /** `http://host:port`, no trailing slash. */
  url: string;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, params: string[]) => Promise<void>;
interface Route {
  pattern: RegExp;
  methods: Record<string, Handler>;
  public?: boolean;
}

/** Starts the API; resolves once it listens. */
export async function startErpApi(source: PlanSource, options: ErpApiOptions = {}): Promise<ErpApi> {
  const maxBytes = options.maxBodyBytes ?? 1024 * 1024;
  const orders = new Map<string, { order: CustomerOrder; json: string }>();
  const openapi = JSON.stringify(openApiDocument({ token: options.token !== undefined }));
  const master = options.master && {
    items: new Set(options.master.items.map((i) => i.id)),
    customers: new Set(options.master.customers.map((c) => c.id)),
    locations: new Set(options.master.locations.map((l) => l.id)),
  };
  const unknown = (problems: { path: string; message: string }[], set: Set<string> | undefined, id: string, path: PropertyKey[], what: string) => {
    if (set && !set.has(id)) problems.push({ path: formatPath(path), message: `unknown ${what} "${id}"` });
  };

  const postOrders: Handler = async (req, res) => {
    const body = await readJsonBody(req, maxBytes);
    const many = Array.isArray(body);
    const list: CustomerOrder[] = many
      ? checkBody(z.array(CustomerOrderSchema).min(1).max(MAX_ORDERS_PER_REQUEST), body, 'orders')
      : [checkBody(CustomerOrderSchema, body, 'order')];
    const problems: { path: string; message: string }[] = [];
    const at = (i: number, field: string) => (many ? [i, field] : [field]);
    const seen = new Set<string>();
    list.forEach((o, i) => {
      if (seen.has(o.id)) problems.push({ path: formatPath(at(i, 'id')), message: `order "${o.id}" is given twice in this request` });
      seen.add(o.id);
      unknown(problems, master?.items, o.item, at(i, 'item'), 'item');
      unknown(problems, master?.customers, o.customer, at(i, 'customer'), 'customer');
    });
    if (problems.length > 0) throw invalid('orders', problems);
    const conflicts = list.flatMap((o, i) => {
      const before = orders.get(o.id);
      return before && before.json !== JSON.stringify(o) ? [{ path: formatPath(at(i, 'id')), message: `order "${o.id}" was received before with other content` }] : [];
    });
    if (conflicts.length > 0) throw new HttpError(409, 'conflict', `${conflicts.length} order id${conflicts.length > 1 ? 's' : ''} received before with other content; nothing taken`, conflicts);
    const created: string[] = [];
    const unchanged: string[] = [];
    // Booked before the source is told (it may await), so a concurrent request sees the id taken.
    const fresh = list.filter((o) => !orders.has(o.id));
    for (const o of list) (orders.has(o.id) ? unchanged : created).push(o.id);
    for (const o of fresh) orders.set(o.id, { order: o, json: JSON.stringify(o) });
    for (const [i, o] of fresh.entries()) {
      try {
        await source.onOrder(o);
      } catch (e) {
        // The ones the source did not take are forgotten, so the ERP can send them again.
        for (const rest of fresh.slice(i)) orders.delete(rest.id);
        throw e;
      }
    }
    sendJson(res, created.length > 0 ? 201 : 200, { created, unchanged });
  };

  const getOrder: Handler = async (_req, res, [id]) => {
    const o = orders.get(id);
    if (!o) throw new HttpError(404, 'not-found', `no order "${id}"`);
    sendJson(res, 200, { order: o.order, status: source.orderStatus?.(id) ?? 'received' });
  };

  const putStock: Handler = async (req, res, [item, location]) => {
    const problems: { path: string; message: string }[] = [];
    for (const [name, v] of [['item', item], ['location', location]] as const) {
      const r = ErpId.safeParse(v);
      if (!r.success) problems.push({ path: name, message: `"${v}": ${r.error.issues[0].message}` });
    }
    unknown(problems, master?.items, item, ['item'], 'item');
    unknown(problems, master?.locations, location, ['location'], 'location');
    const body = await readJsonBody(req, maxBytes);
    const r = StockLevelSchema.safeParse(body);
    if (!r.success) problems.push(...issueProblems(r.error));
    if (problems.length > 0 || !r.success) throw invalid('stock', problems);
    const stock: Stock = { item, location, ...r.data };
    await source.onStock(stock);
    sendJson(res, 200, stock);
  };

  const routes: Route[] = [
    { pattern: /^\/orders$/, methods: { POST: postOrders } },
    { pattern: /^\/orders\/([^/]+)$/, methods: { GET: getOrder } },
    { pattern: /^\/stock\/([^/]+)\/([^/]+)$/, methods: { PUT: putStock } },
    { pattern: /^\/plan$/, methods: { GET: async (_q, res) => sendJson(res, 200, source.plan()) } },
    { pattern: /^\/schedules$/, methods: { GET: async (_q, res) => sendJson(res, 200, source.schedules()) } },
    { pattern: /^\/health$/, methods: { GET: async (_q, res) => sendJson(res, 200, { ok: true, orders: orders.size }) }, public: true },
    {
      pattern: /^\/openapi\.json$/,
      methods: {
        GET: async (_q, res) => {
          res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(openapi) });
          res.end(openapi);
        },
      },
      public: true,
    },
  ];

  const access = options.tokens ?? (options.token !== undefined ? new AccessTokens(undefined, options.token) : undefined);
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://erp').pathname;
    const route = routes.find((r) => r.pattern.test(path));
    if (!route) throw new HttpError(404, 'not-found', `no route ${path} (see /openapi.json)`);
    const method = req.method ?? 'GET';
    const handler = route.methods[method];
    if (!handler) throw new HttpError(405, 'method-not-allowed', `${method} is not allowed on ${path}`, undefined, { allow: Object.keys(route.methods).join(', ') });
    if (access && !route.public) {
      const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
      const who = bearer === undefined ? undefined : access.roleOf(bearer);
      if (!who) throw new HttpError(401, 'unauthorized', bearer === undefined ? 'send Authorization: Bearer <token>' : 'unknown or revoked token', undefined, { 'www-authenticate': 'Bearer' });
      const needed = method === 'GET' || method === 'HEAD' ? 'viewer' : 'operator';
      if (!atLeast(who.role, needed)) throw new HttpError(403, 'forbidden', `${method} ${path} needs the ${needed} role; this token is ${who.role}`);
    }
    let params: string[];
    try {
      params = route.pattern.exec(path)!.slice(1).map(decodeURIComponent);
    } catch {
      throw new HttpError(400, 'bad-path', `the path ${path} is not well encoded`);
    }
    return handler(req, res, params);
  };

  const respond = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((e: unknown) => {
      if (!(e instanceof HttpError)) e = new HttpError(500, 'internal', `the request failed: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) sendError(res, e as HttpError);
      else res.end();
      if (!req.complete) req.resume();
    });
  };
  const https = options.tls ? createHttpsServer(options.tls.serverOptions, respond) : undefined;
  // A renewed certificate applies to the next connection.
  if (https) https.on('close', options.tls!.serve(https));
  const http = https ?? createServer(respond);
  // Node closes an idle keep-alive socket after 5 s; a client that reuses it at that moment (the plant's
  // thread was busy, e.g. a HiGHS re-plan) gets ECONNRESET. Clients (undici, browsers) drop idle sockets
  // sooner than this, so the server never closes one under a request in flight.
  http.keepAliveTimeout = 65_000;
  http.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      http.off('error', reject);
      resolve();
    });
  });
  const a = http.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}

