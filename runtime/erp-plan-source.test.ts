import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../scenarios/load.js';
import { startErpApi } from '../bridges/erp/server.js';
import { projectRoot } from './paths.js';
import { LivePlant } from './view/live-plant.js';
import { PlantPlanSource } from './erp-plan-source.js';
import { ProductionPlanner } from './production-planner.js';
import { waitUntil } from '../test/support/wait.js';

const scenario = loadScenario(join(projectRoot(), 'scenarios/supply-network.yaml'));
const erpScenario = loadScenario(join(projectRoot(), 'scenarios/erp-supply.yaml'));

/** Calls the API with the token; the answer's status and JSON body. */
function caller(url: string) {
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: 'Bearer secret', 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
}

/** Polls `GET /plan` (every 100 ms) until its production plan satisfies `ok`; fails naming `what` after `ms`. */
async function planUntil(call: ReturnType<typeof caller>, what: string, ok: (p: Record<string, any>) => boolean, ms = 60_000): Promise<Record<string, any>> {
  const end = Date.now() + ms;
  for (;;) {
    const plan = (await call('GET', '/plan')).body.productionPlan as Record<string, any>;
    if (ok(plan)) return plan;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last production plan: ${JSON.stringify(plan).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the ERP API on a live plant (real HTTP, the plant running at ×3600)', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  });

  it('takes a customer order into the supply chain, shows it in the schedules and reports it delivered; stock counts land; bad bodies change nothing', async () => {
    const live = new LivePlant(scenario, { speed: 3600 });
    cleanups.push(() => live.close());
    const source = new PlantPlanSource(scenario, () => live.context);
    const api = await startErpApi(source, { port: 0, host: '127.0.0.1', token: 'secret', master: source.master() });
    cleanups.push(() => api.close());
    const call = caller(api.url);
    await waitUntil('the plant to start', () => live.context !== undefined && live.context.kernel.now > 0);

    const customer = scenario.customers[0];
    const order = { id: 'erp-1', customer: customer.id, item: customer.items![0].item, qty: 2, due: 3 * 86400, priority: 5 };
    expect((await call('POST', '/orders', order)).status).toBe(201);
    await waitUntil('the order to reach the supply chain', () => {
      const jobs = (live.context?.host.get('supply')?.actor.getSnapshot().context as { dispatch: { jobs: Record<string, unknown> } }).dispatch.jobs;
      return jobs['out:erp-1'] !== undefined || source.orderStatus('erp-1') !== 'received';
    });
    const schedules = await call('GET', '/schedules');
    expect(schedules.status).toBe(200);
    expect(Array.isArray(schedules.body.trucks)).toBe(true);
    await waitUntil('the order to be delivered', () => source.orderStatus('erp-1') === 'delivered', 60_000);
    expect((await call('GET', '/orders/erp-1')).body.status).toBe('delivered');

    // A stock count at the warehouse replaces the stock on hand.
    const item = scenario.inventory!.items[1].id;
    expect((await call('PUT', `/stock/${item}/${scenario.inventory!.warehouse}`, { onHand: 500 })).status).toBe(200);
    await waitUntil('the count to land', () => {
      const plan = source.plan() as { stock: { item: string; onHand: number }[] };
      return (plan.stock.find((s) => s.item === item)?.onHand ?? 0) >= 400;
    });
    const plan = await call('GET', '/plan');
    expect(plan.body).toHaveProperty('purchaseOrders');
    // No ERP export, no bill of materials: no production plan, and the plan says why.
    expect(plan.body.productionPlan).toEqual({ status: 'none', reason: 'the scenario has no ERP data (bill of materials) to plan production from' });

    // Refused with a reason, nothing taken: an unknown customer, stock elsewhere than the warehouse.
    const bad = await call('POST', '/orders', { ...order, id: 'erp-2', customer: 'nobody' });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toContain('unknown customer');
    const elsewhere = await call('PUT', `/stock/${item}/${customer.location}`, { onHand: 5 });
    expect(elsewhere.status).toBe(422);
    expect(JSON.stringify(elsewhere.body)).toContain('warehouse');
  }, 90_000);

  it('plans production from the ERP export and re-plans after an order the ERP pushes and a count at the plant', async () => {
    const live = new LivePlant(erpScenario, { speed: 3600 });
    cleanups.push(() => live.close());
    const planner = ProductionPlanner.forScenario(erpScenario, { debounceMs: 200 })!.start();
    cleanups.push(() => planner.close());
    const source = new PlantPlanSource(erpScenario, () => live.context, { planner });
    const api = await startErpApi(source, { port: 0, host: '127.0.0.1', token: 'secret', master: source.master() });
    cleanups.push(() => api.close());
    const call = caller(api.url);
    await waitUntil('the plant to start', () => live.context !== undefined && live.context.kernel.now > 0);

    const first = await planUntil(call, 'the first production plan', (p) => p.status !== 'pending');
    expect(['optimal', 'time-limit']).toContain(first.status);
    expect(first.reason).toMatch(/^start: the ERP export/);
    expect(first.orders.some((o: { kind: string }) => o.kind === 'make')).toBe(true);

    const order = { id: 'so-3001', customer: 'agri', item: 'pump-b', qty: 3, due: '12d', priority: 5 };
    expect((await call('POST', '/orders', order)).status).toBe(201);
    const replanned = await planUntil(call, 'a plan solved for so-3001', (p) => typeof p.reason === 'string' && p.reason.includes('so-3001'));
    expect(['optimal', 'time-limit']).toContain(replanned.status);
    expect(replanned.reason).toContain('3 × pump-b due in period 12');
    expect(replanned.diff.summary[0]).toBe('order: 3 × pump-b due in period 12');
    expect(replanned.solvedAt >= first.solvedAt).toBe(true);

    // Components at the plant are counted for the production plan only; the warehouse's reach the supply chain too.
    expect((await call('PUT', '/stock/motor/plant-1', { onHand: 1 })).status).toBe(200);
    const counted = await planUntil(call, 'a plan solved for the count', (p) => typeof p.reason === 'string' && p.reason.includes('stock count: motor at plant-1'));
    expect(counted.diff.summary[0]).toMatch(/^stock count: motor 1 on hand/);
    expect((await call('PUT', '/stock/motor/cust-agri', { onHand: 1 })).status).toBe(422);
  }, 120_000);
});
