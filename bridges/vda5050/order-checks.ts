import type { Order } from './messages.js';

/**
 * VDA 5050's rules on an order that its schema cannot say: nodes and edges
 * alternate (node sequenceIds even, edges odd, each edge between the nodes
 * around it), the base (released) comes before the horizon and starts with
 * the first node. Undefined when the order keeps them, else what is wrong
 * and where.
 */
export function orderShapeProblem(order: Order): string | undefined {
  const { nodes, edges } = order;
  if (nodes.length === 0) return 'nodes: an order needs at least one node';
  if (edges.length !== nodes.length - 1) return `edges: ${nodes.length} nodes need ${nodes.length - 1} edges, got ${edges.length}`;
  const first = nodes[0].sequenceId;
  if (first % 2 !== 0) return `nodes/0/sequenceId: node sequenceIds are even, got ${first}`;
  if (!nodes[0].released) return 'nodes/0/released: the first node of an order is part of the base';
  let horizon = false;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    if (n.sequenceId !== first + 2 * i) return `nodes/${i}/sequenceId: expected ${first + 2 * i} (nodes and edges alternate), got ${n.sequenceId}`;
    if (n.released && horizon) return `nodes/${i}/released: a released node after the horizon began`;
    if (!n.released) horizon = true;
    if (i === 0) continue;
    const e = edges[i - 1];
    const prev = nodes[i - 1];
    if (e.sequenceId !== n.sequenceId - 1) return `edges/${i - 1}/sequenceId: expected ${n.sequenceId - 1}, got ${e.sequenceId}`;
    if (e.startNodeId !== prev.nodeId || e.endNodeId !== n.nodeId) return `edges/${i - 1}: must go from "${prev.nodeId}" to "${n.nodeId}", goes from "${e.startNodeId}" to "${e.endNodeId}"`;
    if (e.released !== n.released) return `edges/${i - 1}/released: an edge is released with the node it leads to`;
  }
  return undefined;
}

/** Where a node is: every node the vehicle drives to needs a position on the vehicle's map. */
export function positionProblem(order: Order, mapId: string): string | undefined {
  for (const [i, n] of order.nodes.entries()) {
    if (!n.nodePosition) {
      if (i === 0) continue; // the start may be named by its nodeId only
      return `nodes/${i}/nodePosition: this vehicle needs a position for every node it drives to ("${n.nodeId}" has none)`;
    }
    if (n.nodePosition.mapId !== mapId) return `nodes/${i}/nodePosition/mapId: "${n.nodePosition.mapId}" is not this vehicle's map "${mapId}"`;
  }
  return undefined;
}
