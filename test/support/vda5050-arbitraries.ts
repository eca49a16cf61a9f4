import { fc } from '@fast-check/vitest';
import type { Action, InstantActions, Order, OrderEdge, OrderNode, State } from '../../bridges/vda5050/messages.js';
import { VDA5050_VERSION } from '../../bridges/vda5050/messages.js';

/** Generators of VALID VDA 5050 2.1 messages (schema-valid and, for orders, keeping the rules of `order-checks.ts`). */

export const MAP_ID = 'floor';
export const MANUFACTURER = 'hf';
export const SERIAL = 'agv-1';

const PI = 3.14159265359;
export const topicElement = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,12}$/);
const id = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), fc.string({ maxLength: 10 }));
const coordinate = fc.double({ min: -1000, max: 1000, noNaN: true });

export const timestamp = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString());

export const header = fc.record({
  headerId: fc.nat(),
  timestamp,
  version: fc.constant(VDA5050_VERSION),
  manufacturer: fc.constant(MANUFACTURER),
  serialNumber: fc.constant(SERIAL),
});

export const ACTION_TYPES = ['pick', 'drop', 'cancelOrder', 'startPause', 'stopPause', 'startCharging', 'stopCharging', 'stateRequest', 'factsheetRequest', 'fly'] as const;

export const action: fc.Arbitrary<Action> = fc.record(
  {
    actionType: fc.oneof(fc.constantFrom(...ACTION_TYPES), fc.string({ maxLength: 8 })),
    actionId: id,
    actionDescription: fc.string({ maxLength: 10 }),
    blockingType: fc.constantFrom('NONE', 'SOFT', 'HARD' as const),
    actionParameters: fc.array(
      fc.record({
        key: fc.oneof(fc.constant('duration'), fc.string({ maxLength: 6 })),
        value: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string({ maxLength: 6 }), fc.boolean(), fc.array(fc.nat(), { maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 3 }), fc.nat(), { maxKeys: 2 })),
      }),
      { maxLength: 2 },
    ),
  },
  { requiredKeys: ['actionType', 'actionId', 'blockingType'] },
);

const position = fc.record(
  {
    x: coordinate,
    y: coordinate,
    theta: fc.double({ min: -PI, max: PI, noNaN: true }),
    allowedDeviationXY: fc.double({ min: 0, max: 5, noNaN: true }),
    mapId: fc.constant(MAP_ID),
  },
  { requiredKeys: ['x', 'y', 'mapId'] },
);

/**
 * An order that passes the schema and VDA 5050's sequence rules: nodes and
 * edges alternate from an even first sequenceId, the base first, every node
 * after the first with a position on `MAP_ID`.
 */
export const order: fc.Arbitrary<Order> = fc
  .record({
    header,
    orderId: id,
    orderUpdateId: fc.nat({ max: 20 }),
    first: fc.nat({ max: 10 }).map((n) => 2 * n),
    nodes: fc.array(fc.record({ nodeId: id, position: fc.option(position, { nil: undefined, freq: 5 }), actions: fc.array(action, { maxLength: 2 }) }), { minLength: 1, maxLength: 6 }),
    released: fc.nat(),
    edgeActions: fc.array(action, { maxLength: 1 }),
  })
  .map(({ header: h, orderId, orderUpdateId, first, nodes: specs, released, edgeActions }) => {
    const base = 1 + (released % specs.length);
    const nodes: OrderNode[] = specs.map((s, i) => ({
      nodeId: s.nodeId,
      sequenceId: first + 2 * i,
      released: i < base,
      // Every node after the first needs a position (positionProblem); the first may be named by its id only.
      ...(s.position || i > 0 ? { nodePosition: s.position ?? { x: 0, y: 0, mapId: MAP_ID } } : {}),
      actions: s.actions,
    }));
    const edges: OrderEdge[] = nodes.slice(1).map((n, k) => ({
      edgeId: `${nodes[k].nodeId}>${n.nodeId}`,
      sequenceId: n.sequenceId - 1,
      released: n.released,
      startNodeId: nodes[k].nodeId,
      endNodeId: n.nodeId,
      actions: k === 0 ? edgeActions : [],
    }));
    return { ...h, orderId, orderUpdateId, nodes, edges };
  });

export const instantActions: fc.Arbitrary<InstantActions> = fc.record({ header, actions: fc.array(action, { maxLength: 4 }) }).map(({ header: h, actions }) => ({ ...h, actions }));

/** A state as a vehicle publishes it (a subset of the optional fields). */
export const state: fc.Arbitrary<State> = fc
  .record({
    header,
    orderId: id,
    orderUpdateId: fc.nat(),
    lastNodeId: id,
    lastNodeSequenceId: fc.nat(),
    driving: fc.boolean(),
    paused: fc.boolean(),
    nodeStates: fc.array(fc.record({ nodeId: id, sequenceId: fc.nat(), released: fc.boolean() }), { maxLength: 3 }),
    edgeStates: fc.array(fc.record({ edgeId: id, sequenceId: fc.nat(), released: fc.boolean() }), { maxLength: 3 }),
    agvPosition: fc.record({ x: coordinate, y: coordinate, theta: fc.double({ min: -PI, max: PI, noNaN: true }), mapId: fc.constant(MAP_ID), positionInitialized: fc.boolean() }),
    actionStates: fc.array(fc.record({ actionId: id, actionType: fc.string({ maxLength: 6 }), actionStatus: fc.constantFrom('WAITING', 'INITIALIZING', 'RUNNING', 'FINISHED', 'FAILED' as const) }), { maxLength: 3 }),
    batteryCharge: fc.double({ min: 0, max: 100, noNaN: true }),
    charging: fc.boolean(),
    errors: fc.array(fc.record({ errorType: fc.string({ maxLength: 8 }), errorLevel: fc.constantFrom('WARNING', 'FATAL' as const), errorDescription: fc.string({ maxLength: 10 }) }), { maxLength: 2 }),
  })
  .map(({ header: h, batteryCharge, charging, ...rest }) => ({
    ...h,
    ...rest,
    operatingMode: 'AUTOMATIC' as const,
    batteryState: { batteryCharge, charging },
    safetyState: { eStop: 'NONE' as const, fieldViolation: false },
  }));
