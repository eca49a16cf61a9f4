import { request } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessTokens, newToken } from '../access/access-tokens.js';
import { afterEach, describe, expect, it } from 'vitest';
import { importErp } from '../../agents/supply/erp/import.js';
import { MemoryPlanSource } from './plan-source.js';
import { startErpApi, type ErpApi, type ErpApiOptions } from './server.js';

const EXAMPLE = new URL('../../scenarios/erp-example', import.meta.url).pathname;
const order = { id: 'so-1', customer: 'hydro', item: 'pump-a', qty: 2, due: '3d', priority: 5 };
let api: ErpApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function start(options: ErpApiOptions = {}, source = new MemoryPlanSource()) {
  api = await startErpApi(source, { port: 0, ...options });
  return { source, url: api.url };
}

const call = (url: string, method: string, body?: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('ERP API', () => {
  it('takes orders idempotently and gives them back', async () => {
    const { source, url } = await start();
    let r = await call(`${url}/orders`, 'POST', order);
    expect(r.status).toBe(201);
    expect(await r.json()).toEqual({ created: ['so-1'], unchanged: [] });
    expect(source.orders).toEqual([{ ...order, due: 3 * 86400 }]);
    // The same order again, written differently but meaning the same: 200, nothing new.
    r = await call(`${url}/orders`, 'POST', { ...order, due: 259200 });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ created: [], unchanged: ['so-1'] });
    // A batch with one new order.
    r = await call(`${url}/orders`, 'POST', [order, { ...order, id: 'so-2', qty: 1 }]);
    expect(r.status).toBe(201);
    expect(await r.json()).toEqual({ created: ['so-2'], unchanged: ['so-1'] });
    // Same id, other content: 409, and nothing of the request is taken.
    r = await call(`${url}/orders`, 'POST', [{ ...order, id: 'so-3' }, { ...order, qty: 7 }]);
    expect(r.status).toBe(409);
    expect(await r.json()).toEqual({
      error: 'conflict',
      message: '1 order id received before with other content; nothing taken',
      problems: [{ path: '[1].id', message: 'order "so-1" was received before with other content' }],
    });
    expect(source.orders.map((o) => o.id)).toEqual(['so-1', 'so-2']);
    r = await call(`${url}/orders/so-2`, 'GET');
    expect(await r.json()).toEqual({ order: { ...order, id: 'so-2', qty: 1, due: 259200 }, status: 'received' });
    expect((await call(`${url}/orders/so-9`, 'GET')).status).toBe(404);
    expect(await (await call(`${url}/plan`, 'GET')).json()).toEqual({ purchaseOrders: [], productionOrders: [], orders: ['so-1', 'so-2'] });
    expect(await (await call(`${url}/schedules`, 'GET')).json()).toEqual({ trucks: [] });
    expect(await (await call(`${url}/health`, 'GET')).json()).toEqual({ ok: true, orders: 2 });
  });

  it('sets stock levels', async () => {
    const { source, url } = await start();
    const r = await call(`${url}/stock/bearing/wh-main`, 'PUT', { onHand: 24 });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ item: 'bearing', location: 'wh-main', onHand: 24, reserved: 0 });
    await call(`${url}/stock/bearing/wh-main`, 'PUT', { onHand: 20, reserved: 4 });
    expect([...source.stock.values()]).toEqual([{ item: 'bearing', location: 'wh-main', onHand: 20, reserved: 4 }]);
  });

  it('answers every refusal with its status and reason', async () => {
    const { source, url } = await start({ maxBodyBytes: 1000 });
    let r = await call(`${url}/orders`, 'POST', '{"id": "so-1",\n "qty": }');
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({ error: 'bad-json', message: 'not JSON: unexpected "}" at line 2, column 9' });
    r = await call(`${url}/orders`, 'POST', [order, { ...order, id: 'so-2', qty: -1, due: 'soon', extra: 1 }]);
    expect(r.status).toBe(422);
    expect(await r.json()).toEqual({
      error: 'invalid',
      message: 'orders: 3 problems',
      problems: [
        { path: '[1].qty', message: 'Too small: expected number to be >0' },
        { path: '[1].due', message: '"soon" is not a duration (examples: 90s, 15m, 8h, 30d, 2w)' },
        { path: '[1]', message: 'unknown field "extra"' },
      ],
    });
    r = await call(`${url}/stock/bearing/wh-main`, 'PUT', { onHand: -1 });
    expect(r.status).toBe(422);
    expect(((await r.json()) as any).problems).toEqual([{ path: 'onHand', message: 'Too small: expected number to be >=0' }]);
    r = await call(`${url}/orders`, 'POST', [...Array(20)].map((_, i) => ({ ...order, id: `so-${i}` })));
    expect(r.status).toBe(413);
    expect(await r.json()).toEqual({ error: 'too-large', message: 'the body exceeds 1000 bytes' });
    r = await call(`${url}/orders`, 'POST', 'id=1', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(r.status).toBe(415);
    r = await call(`${url}/nowhere`, 'GET');
    expect(r.status).toBe(404);
    r = await call(`${url}/orders`, 'GET');
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('POST');
    expect(((await r.json()) as any).error).toBe('method-not-allowed');
    expect(source.orders).toEqual([]);
  });

  it('refuses a body larger than the limit even when streamed without a length', async () => {
    const { url } = await start({ maxBodyBytes: 100 });
    const { port } = new URL(url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/orders', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write(' '.repeat(50));
      req.end('{}');
    });
    expect(status).toBe(413);
  });

  it('needs the bearer token when one is configured', async () => {
    const { url } = await start({ token: 's3cret' });
    let r = await call(`${url}/plan`, 'GET');
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe('Bearer');
    r = await call(`${url}/orders`, 'POST', order, { authorization: 'Bearer wrong' });
    expect(r.status).toBe(401);
    r = await call(`${url}/orders`, 'POST', order, { authorization: 'Bearer s3cret' });
    expect(r.status).toBe(201);
    expect((await call(`${url}/health`, 'GET')).status).toBe(200);
    expect((await call(`${url}/openapi.json`, 'GET')).status).toBe(200);
  });

  it('gives each token of a tokens file its role: a viewer reads, an operator posts', async () => {
    const viewer = newToken('viewer');
    const operator = newToken('operator');
    const dir = mkdtempSync(join(tmpdir(), 'erp-tokens-'));
    writeFileSync(join(dir, 'tokens.json'), JSON.stringify({ version: 1, tokens: { dash: viewer.entry, ops: operator.entry } }));
    const fileTokens = new AccessTokens(join(dir, 'tokens.json'));
    try {
      const { url } = await start({ tokens: fileTokens });
      const as = (t: string) => ({ authorization: `Bearer ${t}` });
      expect((await call(`${url}/plan`, 'GET', undefined, as(viewer.token))).status).toBe(200);
      const denied = await call(`${url}/orders`, 'POST', order, as(viewer.token));
      expect(denied.status).toBe(403);
      expect(await denied.json()).toEqual({ error: 'forbidden', message: 'POST /orders needs the operator role; this token is viewer' });
      expect((await call(`${url}/orders`, 'POST', order, as(operator.token))).status).toBe(201);
      expect((await call(`${url}/plan`, 'GET', undefined, as('nobody'))).status).toBe(401);
    } finally {
      fileTokens.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checks orders and stock against master data when given', async () => {
    const { url } = await start({ master: importErp(EXAMPLE) });
    let r = await call(`${url}/orders`, 'POST', { ...order, item: 'pump-z', customer: 'nobody' });
    expect(r.status).toBe(422);
    expect(((await r.json()) as any).problems).toEqual([
      { path: 'item', message: 'unknown item "pump-z"' },
      { path: 'customer', message: 'unknown customer "nobody"' },
    ]);
    r = await call(`${url}/stock/bearing/mars`, 'PUT', { onHand: 1 });
    expect(((await r.json()) as any).problems).toEqual([{ path: 'location', message: 'unknown location "mars"' }]);
  });

  it('creates an order once when the same push races itself', async () => {
    const source = new MemoryPlanSource();
    const take = source.onOrder.bind(source);
    source.onOrder = async (o) => {
      await new Promise((r) => setTimeout(r, 50));
      take(o);
    };
    const { url } = await start({}, source);
    const statuses = await Promise.all([1, 2, 3].map(() => call(`${url}/orders`, 'POST', order).then((r) => r.status)));
    expect(statuses.sort()).toEqual([200, 200, 201]);
    expect(source.orders).toHaveLength(1);
  });

  it('reports a failing plan source as a 500 without a stack trace', async () => {
    const source = new MemoryPlanSource();
    source.onOrder = () => {
      throw new Error('planner is down');
    };
    const { url } = await start({}, source);
    const r = await call(`${url}/orders`, 'POST', order);
    expect(r.status).toBe(500);
    expect(await r.json()).toEqual({ error: 'internal', message: 'the request failed: planner is down' });
    // Not recorded: the ERP can send it again.
    expect((await call(`${url}/orders/so-1`, 'GET')).status).toBe(404);
  });
});
