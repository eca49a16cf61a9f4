import Ajv2020 from 'ajv/dist/2020.js';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryPlanSource } from './plan-source.js';
import { startErpApi, type ErpApi } from './server.js';

let api: ErpApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe('the OpenAPI document', () => {
  it('is served, names every path with its request schema, and its schemas compile and check bodies', async () => {
    api = await startErpApi(new MemoryPlanSource(), { port: 0, token: 't' });
    const r = await fetch(`${api.url}/openapi.json`);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = JSON.parse(await r.text());
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(['/health', '/openapi.json', '/orders', '/orders/{id}', '/plan', '/schedules', '/stock/{item}/{location}']);
    expect(doc.paths['/orders'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/OrdersRequest' });
    expect(doc.paths['/stock/{item}/{location}'].put.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/StockLevel' });
    expect(doc.paths['/plan'].get.security).toEqual([{ bearer: [] }]);
    expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' });

    // Every $ref points at a component.
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const ref of refs) expect(Object.keys(doc.components.schemas)).toContain(ref.slice(8, -1).replace('#/components/schemas/', ''));

    const ajv = new (Ajv2020 as unknown as typeof Ajv2020.default)({ strict: false, allErrors: true });
    ajv.addSchema(doc, 'openapi.json');
    for (const name of Object.keys(doc.components.schemas)) {
      expect(() => ajv.getSchema(`openapi.json#/components/schemas/${name}`)).not.toThrow();
    }
    const orders = ajv.getSchema('openapi.json#/components/schemas/OrdersRequest')!;
    const order = { id: 'so-1', customer: 'hydro', item: 'pump-a', qty: 2, due: '3d' };
    expect(orders(order)).toBe(true);
    expect(orders([order, { ...order, id: 'so-2' }])).toBe(true);
    expect(orders({ ...order, qty: 0 })).toBe(false);
    expect(orders({ ...order, colour: 'red' })).toBe(false);
    const stock = ajv.getSchema('openapi.json#/components/schemas/StockLevel')!;
    expect(stock({ onHand: 3 })).toBe(true);
    expect(stock({ onHand: -3 })).toBe(false);
    expect(doc.components.schemas.CustomerOrder.properties.due.description).toMatch(/Due time/);
  });
});
