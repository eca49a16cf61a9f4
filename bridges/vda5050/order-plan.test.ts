import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../scenarios/load.js';
import { projectRoot } from '../../runtime/paths.js';
import { haveOfficialSchemas, OFFICIAL_SCHEMAS } from '../../test/support/vda5050-recorder.js';
import { VDA5050_VERSION } from './messages.js';
import { orderShapeProblem } from './order-checks.js';
import { OrderPlan } from './order-plan.js';
import { floorRoute, scenarioFloor, straightRoute } from './route.js';
import { HeaderCounter, parseVdaTopic, vdaTopic } from './topics.js';
import { bundledValidator, Vda5050Validator } from './validator.js';

const scenario = loadScenario(join(projectRoot(), 'scenarios/cobot-floor.yaml'));
const floor = scenarioFloor(scenario);
const to = { manufacturer: 'hf', serialNumber: 'cobot-1', version: VDA5050_VERSION, mapId: 'floor' };

describe('VDA 5050 orders as the master builds them', () => {
  it('routes on the floor grid around the racks, with nodes at corners and every few cells, never stopping on a place', () => {
    const route = floorRoute(floor, { spacing: 4 })({ x: 12, y: 38 }, { x: 16, y: 7 })!;
    expect(route[0].pose).toEqual({ x: 12, y: 38 });
    expect(route.at(-1)!.pose).toEqual({ x: 16, y: 7 });
    for (const w of route) expect(floor.grid.freeIndex(floor.cellOf(w.pose))).toBe(true);
    for (const w of route.slice(1, -1)) expect(floor.isPlace(floor.cellOf(w.pose)) || floor.isParking(floor.cellOf(w.pose))).toBe(false);
    // A shortest way: the nodes' Manhattan legs add up to the grid distance.
    let legs = 0;
    for (let i = 1; i < route.length; i++) legs += Math.abs(route[i].pose.x - route[i - 1].pose.x) + Math.abs(route[i].pose.y - route[i - 1].pose.y);
    expect(legs).toBe(floor.grid.distancesTo(floor.cellOf({ x: 16, y: 7 }))[floor.cellOf({ x: 12, y: 38 })]);
    expect(floorRoute(floor)({ x: 12, y: 38 }, { x: 12, y: 5 })).toBeUndefined(); // on a rack
    expect(straightRoute(4)({ x: 0, y: 0 }, { x: 10, y: 0 }).map((w) => w.pose.x)).toEqual([0, 3.333, 6.667, 10]);
  });

  it('releases a base of K nodes, the rest horizon; updates start at the last base node with the next orderUpdateId', () => {
    const nodes = floorRoute(floor)({ x: 12, y: 38 }, { x: 16, y: 7 })!;
    const headers = new HeaderCounter();
    const plan = new OrderPlan('o-1', { id: 'rack-01', pose: { x: 16, y: 7 } }, nodes, 2, to, 0.5);
    const order = plan.order(headers.take('order'));
    expect(order.nodes.map((n) => n.released)).toEqual(nodes.map((_, i) => i < 3));
    expect(order.nodes.map((n) => n.sequenceId)).toEqual(nodes.map((_, i) => 2 * i));
    expect(order.edges.map((e) => e.sequenceId)).toEqual(nodes.slice(1).map((_, i) => 2 * i + 1));
    expect(order.nodes.at(-1)!.nodeId).toBe('rack-01');
    expect(orderShapeProblem(order)).toBeUndefined();
    expect(plan.update(0, headers.take('order'))).toBeUndefined(); // nothing more to release yet
    const u = plan.update(1, headers.take('order'))!;
    expect(u.orderUpdateId).toBe(1);
    expect(u.nodes[0]).toMatchObject({ nodeId: order.nodes[2].nodeId, sequenceId: 4, released: true });
    expect(u.nodes.filter((n) => n.released).length).toBe(2);
    expect(orderShapeProblem(u)).toBeUndefined();
    expect(u.headerId).toBe(order.headerId + 2);
    const all = plan.update(nodes.length, headers.take('order'))!;
    expect(all.nodes.every((n) => n.released)).toBe(true);
    expect(plan.fullyReleased).toBe(true);
    for (const m of [order, u, all]) expect(bundledValidator().validate('order', m)).toEqual({ ok: true, value: m });
  });

  it.skipIf(!haveOfficialSchemas)(`passes the official schemas (${OFFICIAL_SCHEMAS}), and a bad order fails naming the field`, () => {
    const v = new Vda5050Validator(OFFICIAL_SCHEMAS);
    const plan = new OrderPlan('o-2', { id: 'g', pose: { x: 3, y: 0 } }, straightRoute(1)({ x: 0, y: 0 }, { x: 3, y: 0 }), 1, to, 0.5);
    const order = plan.order(new HeaderCounter().take('order'));
    expect(v.validate('order', order).ok).toBe(true);
    const bad = v.validate('order', { ...order, nodes: [{ ...order.nodes[0], released: 'yes' }] });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.reason).toContain('/nodes/0/released must be boolean');
    const missing = v.validate('state', {});
    expect(!missing.ok && missing.reason).toMatch(/state: \/ misses required field "headerId"/);
  });

  it('reads topics, and refuses other layouts and subtopics', () => {
    expect(vdaTopic('hf', 'cobot-1', 'state')).toBe('uagv/v2/hf/cobot-1/state');
    expect(parseVdaTopic('uagv/v2/hf/cobot-1/order')).toEqual({ ok: true, value: { manufacturer: 'hf', serialNumber: 'cobot-1', topic: 'order' } });
    expect(parseVdaTopic('uagv/v1/hf/cobot-1/order').ok).toBe(false);
    expect(parseVdaTopic('uagv/v2/hf/cobot-1/zoneSet')).toEqual({ ok: false, reason: 'unknown VDA 5050 topic "zoneSet" in "uagv/v2/hf/cobot-1/zoneSet"' });
  });

  it('spots what the schema cannot: sequence, alternation, base before horizon', () => {
    const plan = new OrderPlan('o-3', { id: 'g', pose: { x: 3, y: 0 } }, straightRoute(1)({ x: 0, y: 0 }, { x: 3, y: 0 }), 1, to, 0.5);
    const o = plan.order(new HeaderCounter().take('order'));
    expect(orderShapeProblem({ ...o, edges: o.edges.slice(1) })).toMatch(/^edges: 4 nodes need 3 edges/);
    expect(orderShapeProblem({ ...o, nodes: o.nodes.map((n, i) => (i === 3 ? { ...n, released: true } : n)) })).toMatch(/nodes\/3\/released: a released node after the horizon began/);
    expect(orderShapeProblem({ ...o, nodes: o.nodes.map((n, i) => (i === 1 ? { ...n, sequenceId: 4 } : n)) })).toMatch(/nodes\/1\/sequenceId: expected 2/);
  });
});
