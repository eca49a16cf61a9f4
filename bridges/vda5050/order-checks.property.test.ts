import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import type { Pose, RobotObservation } from '../../agents/ports/robot-port.js';
import { mutatedJson } from '../../test/support/fuzz.js';
import * as gen from '../../test/support/vda5050-arbitraries.js';
import { VDA5050_VERSION, type Order, type State } from './messages.js';
import { orderShapeProblem, positionProblem } from './order-checks.js';
import { OrderPlan } from './order-plan.js';
import { HeaderCounter } from './topics.js';
import { bundledValidator } from './validator.js';
import { VehicleCore, type VehicleBody } from './vehicle-core.js';

/**
 * VDA 5050's order rules (`order-checks.ts`) and the vehicle that applies
 * them (`VehicleCore`), fed whatever passes the schema: the rules refuse
 * with the field path, the vehicle never throws, and the state it reports
 * after any sequence of messages still passes the state schema (a state
 * failing it would be dropped, and the master would lose the vehicle).
 */

const validator = bundledValidator();

/** A body that does what it is told at once and reports only when the test says so. */
class FakeBody implements VehicleBody {
  pose: Pose = { x: 0, y: 0 };
  queue: (() => void)[] = [];
  navigations: { id: string; pose: Pose }[] = [];
  actions: string[] = [];
  navigate(goal: { id: string; pose: Pose }): void {
    expect(Number.isFinite(goal.pose.x) && Number.isFinite(goal.pose.y)).toBe(true);
    this.navigations.push(goal);
  }
  perform(action: { id: string; kind: 'pick' | 'place' | 'charge'; seconds?: number }): void {
    if (action.seconds !== undefined) expect(action.seconds).toBeGreaterThanOrEqual(0);
    this.actions.push(action.id);
  }
  hold(): void {}
  peek(): { pose: Pose; level: number } {
    return { pose: this.pose, level: 0.5 };
  }
  inKernel(fn: () => void): void {
    this.queue.push(fn);
  }
  takeOver(): void {}
  release(): void {}
  run(): void {
    for (let n = 0; n < 100 && this.queue.length > 0; n++) this.queue.shift()!();
  }
}

/** The state a simulated vehicle publishes (simulated-vehicle.ts `publishState`). */
function stateOf(core: VehicleCore, body: FakeBody, headers: HeaderCounter): State {
  const { charging, ...order } = core.snapshot();
  return {
    ...headers.take('state'),
    version: VDA5050_VERSION,
    manufacturer: gen.MANUFACTURER,
    serialNumber: gen.SERIAL,
    ...order,
    operatingMode: 'AUTOMATIC',
    agvPosition: { x: body.pose.x, y: body.pose.y, theta: 0, mapId: gen.MAP_ID, positionInitialized: true },
    batteryState: { batteryCharge: 50, charging },
    safetyState: { eStop: 'NONE', fieldViolation: false },
  };
}

type Step =
  | { kind: 'order'; msg: unknown }
  | { kind: 'instantActions'; msg: unknown }
  | { kind: 'report'; which: 'arrive' | 'blocked' | 'actionDone' | 'charged' | 'fault' | 'recovered' | 'battery' }
  | { kind: 'move'; to: number };

/** Orders near where the vehicle stands (so some are taken), and mutations of them and of instant actions. */
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: gen.order.map((o) => ({ kind: 'order' as const, msg: startHere(o) })) },
  { weight: 3, arbitrary: mutatedJson(gen.order.map(startHere), 2).map((msg) => ({ kind: 'order' as const, msg })) },
  { weight: 2, arbitrary: gen.instantActions.map((msg) => ({ kind: 'instantActions' as const, msg })) },
  { weight: 1, arbitrary: mutatedJson(gen.instantActions, 2).map((msg) => ({ kind: 'instantActions' as const, msg })) },
  { weight: 4, arbitrary: fc.constantFrom('arrive', 'arrive', 'blocked', 'actionDone', 'charged', 'fault', 'recovered', 'battery' as const).map((which) => ({ kind: 'report' as const, which })) },
  { weight: 1, arbitrary: fc.nat({ max: 5 }).map((to) => ({ kind: 'move' as const, to })) },
);

/** The vehicle stands at (0, 0): orders that start there can be taken. */
function startHere(o: Order): Order {
  const [first, ...rest] = o.nodes;
  return { ...o, nodes: [{ ...first, nodePosition: { x: 0, y: 0, mapId: gen.MAP_ID } }, ...rest] };
}

describe('VDA 5050 order rules and the vehicle applying them', () => {
  test.prop([mutatedJson(gen.order)], { numRuns: 300 })('an order that passes the schema is either kept by the rules or refused naming nodes/… or edges/…', (msg) => {
    const v = validator.validate('order', msg);
    if (!v.ok) return;
    for (const problem of [orderShapeProblem(v.value), positionProblem(v.value, gen.MAP_ID)]) {
      if (problem !== undefined) expect(problem).toMatch(/^(nodes|edges)(\/\d+(\/\w+)*)?: \S/);
    }
  });

  test.prop([gen.order], { numRuns: 200 })('a valid order stays valid for the rules when any node moves to another sequence number: the problem names that node or its edge', (o) => {
    fc.pre(o.nodes.length > 1);
    const broken: Order = { ...o, nodes: o.nodes.map((n, i) => (i === o.nodes.length - 1 ? { ...n, sequenceId: n.sequenceId + 2 } : n)) };
    expect(orderShapeProblem(o)).toBeUndefined();
    expect(orderShapeProblem(broken)).toMatch(new RegExp(`^nodes/${o.nodes.length - 1}/sequenceId: `));
  });

  test.prop([fc.array(step, { minLength: 1, maxLength: 25 })], { numRuns: 150 })(
    'any sequence of messages and body reports: the vehicle never throws, and every state it reports passes the state schema',
    (steps) => {
      const body = new FakeBody();
      const headers = new HeaderCounter();
      const core = new VehicleCore(gen.SERIAL, body, gen.MAP_ID, 0.5, () => {});
      for (const s of steps) {
        if (s.kind === 'order' || s.kind === 'instantActions') {
          const v = validator.validate(s.kind, s.msg);
          if (v.ok && s.kind === 'order') core.order(v.value as Order);
          else if (v.ok) core.instantActions(v.value as never);
        } else if (s.kind === 'move') {
          const target = body.navigations.at(-1 - s.to);
          if (target) body.pose = target.pose;
        } else {
          const last = body.navigations.at(-1);
          const goal = last?.id ?? 'none';
          const time = 0;
          const obs: RobotObservation = {
            arrive: { type: 'robot.arrived' as const, goal, time },
            blocked: { type: 'robot.blocked' as const, goal, reason: 'blocked', time },
            actionDone: { type: 'robot.actionDone' as const, action: body.actions.at(-1) ?? 'none', time },
            charged: { type: 'robot.charged' as const, time },
            fault: { type: 'robot.fault' as const, reason: 'fault', time },
            recovered: { type: 'robot.recovered' as const, time },
            battery: { type: 'robot.battery' as const, level: 0.5, time },
          }[s.which];
          if (s.which === 'arrive' && last) body.pose = last.pose;
          core.observe(obs);
        }
        body.run();
        const state = stateOf(core, body, headers);
        const checked = validator.validate('state', JSON.parse(JSON.stringify(state)));
        expect(checked.ok ? '' : checked.reason).toBe('');
        // Refusals are in the state with what went wrong.
        for (const e of state.errors) expect(e.errorDescription ?? '').not.toBe('');
      }
    },
  );

  test.prop(
    [
      fc.array(fc.record({ x: fc.integer({ min: -50, max: 50 }), y: fc.integer({ min: -50, max: 50 }) }), { minLength: 1, maxLength: 12 }),
      fc.integer({ min: 0, max: 4 }),
      fc.array(fc.nat(), { maxLength: 12 }),
    ],
    { numRuns: 200 },
  )("the master's orders and updates (OrderPlan, the encoder) pass the schema and the rules, and a vehicle takes every one", (points, lookahead, passes) => {
    const nodes = points.map((p, i) => ({ id: `n${i}`, pose: p }));
    const plan = new OrderPlan('o-1', { id: 'goal', pose: nodes.at(-1)!.pose }, nodes, lookahead, { manufacturer: gen.MANUFACTURER, serialNumber: gen.SERIAL, version: VDA5050_VERSION, mapId: gen.MAP_ID }, 0.5);
    const headers = new HeaderCounter();
    const body = new FakeBody();
    body.pose = { ...nodes[0].pose };
    const core = new VehicleCore(gen.SERIAL, body, gen.MAP_ID, 0.5, () => {});
    const messages = [plan.order(headers.take('order'))];
    for (const p of passes) {
      const u = plan.update(p % nodes.length, headers.take('order'));
      if (u) messages.push(u);
    }
    for (const m of messages) {
      const wire = JSON.parse(JSON.stringify(m)) as unknown;
      const v = validator.validate('order', wire);
      expect(v.ok ? '' : v.reason).toBe('');
      expect(orderShapeProblem(m) ?? positionProblem(m, gen.MAP_ID)).toBeUndefined();
      core.order(m);
      body.run();
      expect(core.snapshot().errors).toEqual([]);
      expect(core.orderUpdateId).toBe(m.orderUpdateId);
    }
  });
});
