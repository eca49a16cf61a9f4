import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../scenarios/load.js';
import { buildRun, closeRun, runPlant } from './plant.js';
import { projectRoot } from './paths.js';
import type { Envelope } from '../agents/protocol/envelope.js';
import type { DispatchBook } from '../agents/supply/logistics/dispatch-book.js';
import type { StockBook } from '../agents/supply/stock-book.js';

const scenario = loadScenario(join(projectRoot(), 'scenarios/supply-network.yaml'));
const DAYS = 21;

/** Runs the supply network for DAYS under a supply policy and keeps every message and the coordinator's books at the end. */
function simulate(policy: 'dynamic' | 'static') {
  const run = buildRun(scenario, { supplyPolicy: policy, validateMessages: true });
  const messages: Envelope[] = [];
  run.bus.observe((m) => messages.push(m));
  run.kernel.runUntil(DAYS * 86400);
  const books = run.host.get('supply')!.actor.getSnapshot().context as { book: StockBook; dispatch: DispatchBook };
  closeRun(run);
  return { messages, ...books };
}

describe.each(['dynamic', 'static'] as const)('supply network, %s policy (3 weeks)', (policy) => {
  const { messages, book, dispatch } = simulate(policy);
  const of = (type: string) => messages.filter((m) => m.type === type);

  it('loses no customer order line: each is delivered, with a truck, waiting for one, or backordered', () => {
    const ordered = of('customer.ordered').map((m) => (m.payload as { order: string }).order);
    expect(ordered.length).toBeGreaterThan(100);
    const delivered = of('delivery.served').flatMap((m) => {
      const p = m.payload as { job: string; kind: string };
      return p.kind === 'delivery' ? [p.job.slice(4)] : [];
    });
    const inDispatch = Object.keys(dispatch.jobs).flatMap((j) => (j.startsWith('out:') ? [j.slice(4)] : []));
    const backordered = Object.values(book.stock).flatMap((s) => s.backorders.flatMap((b) => (b.customer ? [b.customer.order] : [])));
    const accounted = [...delivered, ...inDispatch, ...backordered];
    expect(new Set(accounted).size).toBe(accounted.length); // nothing twice
    expect([...accounted].sort()).toEqual([...ordered].sort());
  });

  it('brings every shipped purchase order in, once: all of it received, or the rest on a truck or planned for a pickup', () => {
    const shipped = new Map(of('parts.shipped').map((m) => [(m.payload as { order: string }).order, (m.payload as { qty: number }).qty]));
    const received = new Map<string, number>();
    for (const m of of('parts.received')) {
      const p = m.payload as { order: string; qty: number };
      received.set(p.order, (received.get(p.order) ?? 0) + p.qty);
    }
    expect(received.size).toBeGreaterThan(0);
    for (const [order, qty] of shipped) {
      // An order bigger than a truck comes in several loads (jobs in:<order>/k).
      const pending = Object.values(dispatch.jobs)
        .filter((j) => j.purchaseOrder === order)
        .reduce((n, j) => n + j.stop.qty, 0);
      expect((received.get(order) ?? 0) + pending, `order ${order}`).toBe(qty);
    }
  });

  it('trucks come home between trips and unload', () => {
    const unloads = of('delivery.unloaded');
    expect(new Set(unloads.map((m) => m.from)).size).toBeGreaterThan(1);
    const loadedOnce = unloads.flatMap((m) => (m.payload as { jobs: string[] }).jobs);
    expect(new Set(loadedOnce).size).toBe(loadedOnce.length);
  });
});

describe('supply network: the two policies', () => {
  it('dynamic re-optimises (revisions to trucks) and static plans weekly routes, each deterministic', () => {
    const a = runPlant(scenario, { supplyPolicy: 'dynamic', until: 7 * 86400 });
    expect(runPlant(scenario, { supplyPolicy: 'dynamic', until: 7 * 86400 }).logHash).toBe(a.logHash);
    const s = runPlant(scenario, { supplyPolicy: 'static', until: 7 * 86400 });
    expect(s.logHash).not.toBe(a.logHash);
    expect(a.kpis.deliveriesDone).toBeGreaterThan(0);
    expect(s.kpis.deliveriesDone).toBeGreaterThan(0);
  });
});
