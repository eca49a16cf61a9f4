import { afterAll, beforeAll, describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { anyJson, mutatedJson } from '../../test/support/fuzz.js';
import { HealthSchema, OrderRecordSchema, OrdersRequestSchema, OrdersResultSchema, ProblemSchema, StockLevelSchema } from './api-schemas.js';
import { MemoryPlanSource } from './plan-source.js';
import { startErpApi, type ErpApi } from './server.js';

/**
 * The ERP API's bodies, as properties: the request schemas take valid
 * orders and stock levels and refuse mutated ones; and, through a running
 * API, any sequence of requests (valid, mutated, malformed) is answered with
 * the documented JSON (a 4xx with `{error, message, problems?}` naming every
 * problem's path, never a 500), and only accepted requests change what the
 * API holds (idempotent by order id, a refused request takes nothing).
 */

const erpId = fc.stringMatching(/^[a-z0-9][a-z0-9_.-]{0,10}$/);
const CUSTOMERS = ['hydro', 'agri'];
const ITEMS = ['pump-a', 'seal'];
const order = fc.record(
  {
    id: fc.oneof(erpId, fc.constantFrom('so-1', 'so-2', 'so-3')),
    customer: fc.constantFrom(...CUSTOMERS),
    item: fc.constantFrom(...ITEMS),
    qty: fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.double({ min: 0.001, max: 1e6, noNaN: true })),
    due: fc.oneof(fc.nat({ max: 10 ** 7 }), fc.tuple(fc.nat({ max: 400 }), fc.constantFrom('s', 'h', 'd', 'w')).map(([n, u]) => `${n}${u}`)),
    priority: fc.integer({ min: 0, max: 9 }),
  },
  { requiredKeys: ['id', 'customer', 'item', 'qty', 'due'] },
);
const ordersBody = fc.oneof(order, fc.array(order, { minLength: 1, maxLength: 4 }));
const stockBody = fc.record({ onHand: fc.double({ min: 0, max: 1e9, noNaN: true }), reserved: fc.double({ min: 0, max: 1e9, noNaN: true }) }, { requiredKeys: ['onHand'] });

describe('ERP API request schemas', () => {
  test.prop([ordersBody, stockBody])('valid orders and stock levels pass, and a parsed body passes again unchanged', (orders, stock) => {
    const o = OrdersRequestSchema.parse(JSON.parse(JSON.stringify(orders)));
    expect(OrdersRequestSchema.parse(o)).toEqual(o);
    const s = StockLevelSchema.parse(stock);
    expect(s.reserved).toBe(stock.reserved ?? 0);
  });

  test.prop([fc.oneof(mutatedJson(ordersBody), mutatedJson(stockBody), anyJson)], { numRuns: 300 })('any body: passes with finite numbers, or fails with issues that each have a message', (body) => {
    for (const schema of [OrdersRequestSchema, StockLevelSchema]) {
      const r = schema.safeParse(body);
      if (r.success) JSON.stringify(r.data, (_k, v: unknown) => (typeof v === 'number' && expect(Number.isFinite(v)).toBe(true), v));
      else for (const i of r.error.issues) expect(i.message.trim()).not.toBe('');
    }
  });
});

type Req =
  | { kind: 'orders'; body: unknown; raw?: string }
  | { kind: 'stock'; item: string; location: string; body: unknown }
  | { kind: 'get'; id: string }
  | { kind: 'health' };

const req: fc.Arbitrary<Req> = fc.oneof(
  { weight: 4, arbitrary: ordersBody.map((body): Req => ({ kind: 'orders', body })) },
  { weight: 4, arbitrary: mutatedJson(ordersBody, 2).map((body): Req => ({ kind: 'orders', body })) },
  { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('{"id": "so-1",', '[', '\u00ff', '')).map((raw): Req => ({ kind: 'orders', body: undefined, raw })) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('stock' as const), item: fc.oneof(fc.constantFrom(...ITEMS), fc.constantFrom('ghost', 'bad id', '%E0%A4%A', '..')), location: fc.constantFrom('wh-main', 'nowhere'), body: fc.oneof(stockBody, mutatedJson(stockBody, 2)) }) },
  { weight: 2, arbitrary: fc.oneof(erpId, fc.constantFrom('so-1', 'so-2', 'so-3', '%2F', 'a%20b')).map((id): Req => ({ kind: 'get', id })) },
  { weight: 1, arbitrary: fc.constant<Req>({ kind: 'health' }) },
);

describe('ERP API answers', () => {
  let api: ErpApi;
  let source: MemoryPlanSource;
  beforeAll(async () => {
    source = new MemoryPlanSource();
    api = await startErpApi(source, { port: 0, maxBodyBytes: 4096, master: { items: ITEMS.map((id) => ({ id }) as never), customers: CUSTOMERS.map((id) => ({ id }) as never), locations: [{ id: 'wh-main' } as never] } });
  });
  afterAll(() => api.close());
  let prefix = 0;

  test.prop([fc.array(req, { minLength: 1, maxLength: 8 })], { numRuns: 60 })(
    'any requests: documented JSON answers, never a 500; only what is accepted is kept',
    async (requests) => {
      // Every run gets its own order ids: the API keeps orders for its lifetime.
      const run = `r${++prefix}-`;
      const rename = (b: unknown): unknown => {
        if (Array.isArray(b)) return b.map(rename);
        if (b && typeof b === 'object' && typeof (b as { id?: unknown }).id === 'string') return { ...b, id: run + (b as { id: string }).id };
        return b;
      };
      const kept = new Map<string, unknown>();
      const ordersBefore = source.orders.length;
      for (const r of requests) {
        let res: Response;
        if (r.kind === 'orders') {
          res = await fetch(`${api.url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: r.raw ?? JSON.stringify(rename(r.body)) ?? 'null' });
        } else if (r.kind === 'stock') {
          res = await fetch(`${api.url}/stock/${r.item}/${r.location}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(r.body) ?? 'null' });
        } else if (r.kind === 'get') {
          res = await fetch(`${api.url}/orders/${run}${r.id}`);
        } else res = await fetch(`${api.url}/health`);
        const text = await res.text();
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        const json = JSON.parse(text) as unknown;
        expect(res.status).not.toBe(500);
        if (res.status >= 400) {
          const p = ProblemSchema.parse(json);
          expect(p.message.trim()).not.toBe('');
          if (res.status === 422) expect(p.problems?.length).toBeGreaterThan(0);
          continue;
        }
        if (r.kind === 'orders') {
          const result = OrdersResultSchema.parse(json);
          // What went over the wire: JSON has no -0, so a generated due of -0 arrives as 0.
          const parsed = OrdersRequestSchema.parse(JSON.parse(JSON.stringify(rename(r.body))));
          for (const o of Array.isArray(parsed) ? parsed : [parsed]) {
            // Idempotent: an id taken before with other content would have been a 409.
            if (kept.has(o.id)) expect(kept.get(o.id)).toEqual(o);
            kept.set(o.id, o);
          }
          expect(res.status).toBe(result.created.length > 0 ? 201 : 200);
        } else if (r.kind === 'get') {
          const record = OrderRecordSchema.parse(json);
          expect(kept.get(record.order.id)).toEqual(record.order);
        } else if (r.kind === 'health') HealthSchema.parse(json);
      }
      // The source got each accepted order once, and nothing refused.
      const got = source.orders.slice(ordersBefore);
      expect(new Set(got.map((o) => o.id)).size).toBe(got.length);
      expect(new Map(got.map((o) => [o.id, o]))).toEqual(kept);
    },
  );
});
