import type { Pose } from '../../agents/ports/robot-port.js';
import type { Order, OrderEdge, OrderNode } from './messages.js';
import type { Waypoint } from './route.js';

/** What the header of a message needs besides its topic's counter. */
export interface Addressee {
  manufacturer: string;
  serialNumber: string;
  version: string;
  mapId: string;
}

/**
 * One order of the master as it releases it: the whole route is known from
 * the start; the base (released nodes, the vehicle may drive there) grows
 * by order updates as the vehicle passes nodes, the rest is horizon (the
 * plan, shown so the vehicle can see where it goes next, not yet released).
 *
 * Node `i` has sequenceId `2i`, the edge from node `i` to `i + 1` has
 * `2i + 1`: the numbering VDA 5050 asks for, running across all messages
 * of one orderId.
 */
export class OrderPlan {
  /** The orderUpdateId of the last message sent (0 for the order itself). */
  updateId = 0;
  /** Nodes released so far (a prefix of `nodes`). */
  released: number;
  /** Index of the last node of the base in the last message sent: where the next update starts. */
  private baseEnd: number;

  constructor(
    readonly orderId: string,
    /** The goal the robot's agent asked for: its id is reported on arrival. */
    readonly goal: { id: string; pose: Pose },
    readonly nodes: readonly Waypoint[],
    /** Nodes released ahead of the vehicle: the first message releases this many after the start node. */
    private readonly lookahead: number,
    private readonly to: Addressee,
    /** How close counts as passing a node, metres (`allowedDeviationXY`). */
    private readonly deviation: number,
  ) {
    if (nodes.length === 0) throw new RangeError(`order ${orderId}: a route needs at least one node`);
    this.released = Math.min(nodes.length, 1 + Math.max(1, lookahead));
    this.baseEnd = this.released - 1;
  }

  get lastIndex(): number {
    return this.nodes.length - 1;
  }

  get fullyReleased(): boolean {
    return this.released === this.nodes.length;
  }

  /** The first message: from the vehicle's node, base then horizon. */
  order(header: { headerId: number; timestamp: string }): Order {
    return this.message(header, 0);
  }

  /**
   * After the vehicle passed node `passed`: releases nodes so that the base
   * reaches `lookahead` nodes beyond it, and returns the update (same
   * orderId, orderUpdateId + 1, starting at the last node of the previous
   * base), or undefined when nothing more is to be released yet.
   */
  update(passed: number, header: { headerId: number; timestamp: string }): Order | undefined {
    const want = Math.min(this.nodes.length, passed + 1 + Math.max(1, this.lookahead));
    if (want <= this.released) return undefined;
    const from = this.baseEnd;
    this.released = want;
    this.baseEnd = want - 1;
    this.updateId++;
    return this.message(header, from);
  }

  /** The node index a state's `lastNodeSequenceId` names, or -1 when it is not a node of this order. */
  indexOf(sequenceId: number): number {
    return sequenceId % 2 === 0 && sequenceId / 2 <= this.lastIndex ? sequenceId / 2 : -1;
  }

  private message(header: { headerId: number; timestamp: string }, from: number): Order {
    const nodes: OrderNode[] = [];
    const edges: OrderEdge[] = [];
    for (let i = from; i < this.nodes.length; i++) {
      const w = this.nodes[i];
      nodes.push({
        nodeId: this.nodeId(i),
        sequenceId: 2 * i,
        released: i < this.released,
        nodePosition: { x: w.pose.x, y: w.pose.y, mapId: this.to.mapId, allowedDeviationXY: this.deviation },
        actions: [],
      });
      if (i > from) {
        const a = this.nodes[i - 1];
        edges.push({
          edgeId: `${this.nodeId(i - 1)}>${this.nodeId(i)}`,
          sequenceId: 2 * i - 1,
          released: i < this.released,
          startNodeId: this.nodeId(i - 1),
          endNodeId: this.nodeId(i),
          length: Math.round(Math.hypot(w.pose.x - a.pose.x, w.pose.y - a.pose.y) * 1000) / 1000,
          actions: [],
        });
      }
    }
    return {
      ...header,
      version: this.to.version,
      manufacturer: this.to.manufacturer,
      serialNumber: this.to.serialNumber,
      orderId: this.orderId,
      orderUpdateId: this.updateId,
      nodes,
      edges,
    };
  }

  /** The last node is named after the goal (what the agent asked for); the others after their cells. */
  nodeId(i: number): string {
    return i === this.lastIndex && i > 0 ? this.goal.id : this.nodes[i].id;
  }
}
