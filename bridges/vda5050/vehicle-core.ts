import type { Pose, RobotObservation } from '../../agents/ports/robot-port.js';
import type { Action, ActionState, InstantActions, Load, Order, OrderEdge, OrderNode, State, VehicleError } from './messages.js';
import { orderShapeProblem, positionProblem } from './order-checks.js';

/** What a simulated vehicle drives: one cobot's body in the plant's world. */
export interface VehicleBody {
  /** World commands: call them only from kernel events (`inKernel`). */
  navigate(goal: { id: string; pose: Pose }): void;
  perform(action: { id: string; kind: 'pick' | 'place' | 'charge'; seconds?: number }): void;
  hold(): void;
  /** Where it is and its battery, without touching the simulation (any time). */
  peek(): { pose: Pose; level: number };
  inKernel(fn: () => void): void;
  /** An outside master commands it from now on / no longer (the plant's own agent gets it back). */
  takeOver(): void;
  release(): void;
}

/** Most finished action states kept in `state` (the newest). */
const KEPT_FINAL_ACTIONS = 20;
/** Most WARNING errors kept: the newest. */
const KEPT_WARNINGS = 10;
const FINAL = new Set(['FINISHED', 'FAILED']);
const ORDER_ERRORS = new Set(['validationError', 'orderError', 'orderUpdateError', 'noRouteError']);

/**
 * A VDA 5050 vehicle's order and action logic over a simulated body: it
 * takes orders and order updates (drives the base node by node, stops at
 * its end until an update releases more), instant actions, and the body's
 * reports, and says what its `state` is. Messages come here already read as
 * JSON and checked against the schemas; the rules the schemas cannot say
 * (sequence, update, start node) are checked here, and a refusal is an
 * error in the state, as VDA 5050 asks. The MQTT side is `simulated-vehicle.ts`.
 */
export class VehicleCore {
  orderId = '';
  orderUpdateId = 0;
  lastNodeId = '';
  lastNodeSequenceId = 0;
  paused = false;
  charging = false;
  /** The order's nodes and edges not yet traversed (base, then horizon). */
  private nodes: OrderNode[] = [];
  private edges: OrderEdge[] = [];
  /** The node being driven to, with the id the world knows the navigation by. */
  private target?: { nav: string; node: OrderNode; back?: boolean };
  /**
   * The first node of the order, when the vehicle took the order away from it:
   * a simulated body left idle parks out of the way by itself (the world's
   * traffic rule), so it drives back to where it stopped before going on.
   */
  private back?: OrderNode;
  /** Where the vehicle stopped when it last became idle (its order or action done). */
  private rest?: Pose;
  /** Actions of the node reached, run one by one before driving on. */
  private nodeActions: Action[] = [];
  /** Action running in the body (pick/drop), by actionId. */
  private running?: { id: string; type: string };
  private readonly actions = new Map<string, ActionState>();
  private errors: VehicleError[] = [];
  private fault?: VehicleError;
  private loads: Load[] = [];
  private navigations = 0;
  private controlled = false;
  /** Orders and instant actions refused by VDA 5050's rules (after passing the schema). */
  refused = 0;

  constructor(
    readonly serialNumber: string,
    private readonly body: VehicleBody,
    private readonly mapId: string,
    /** How far from the first node of a new order the vehicle may stand, metres. */
    private readonly tolerance: number,
    /** Something changed: a new state is due. */
    private readonly changed: () => void,
  ) {}

  /** An order or order update (schema-checked). Refusals become errors in the state. */
  order(o: Order): void {
    const ref = [
      { referenceKey: 'headerId', referenceValue: String(o.headerId) },
      { referenceKey: 'topic', referenceValue: 'order' },
      { referenceKey: 'orderId', referenceValue: o.orderId },
      { referenceKey: 'orderUpdateId', referenceValue: String(o.orderUpdateId) },
    ];
    const refuse = (errorType: string, errorDescription: string) => {
      this.refused++;
      this.warn({ errorType, errorLevel: 'WARNING', errorDescription, errorReferences: ref });
    };
    if (o.serialNumber !== this.serialNumber) return refuse('validationError', `serialNumber "${o.serialNumber}" is not this vehicle's ("${this.serialNumber}")`);
    const shape = orderShapeProblem(o) ?? positionProblem(o, this.mapId);
    if (shape) return refuse('validationError', shape);

    if (o.orderId === this.orderId) {
      if (o.orderUpdateId === this.orderUpdateId) return; // a resend: VDA 5050 says discard it
      if (o.orderUpdateId < this.orderUpdateId) return refuse('orderUpdateError', `orderUpdateId ${o.orderUpdateId} is older than the current ${this.orderUpdateId}`);
      // The update starts at the last node of the current base (traversed already, or still ahead).
      const base = this.lastBaseNode();
      const first = o.nodes[0];
      if (first.nodeId !== base.nodeId || first.sequenceId !== base.sequenceId) {
        return refuse('orderUpdateError', `the update's first node ${first.nodeId}#${first.sequenceId} is not the end of the current base ${base.nodeId}#${base.sequenceId}`);
      }
      this.clearOrderErrors();
      this.orderUpdateId = o.orderUpdateId;
      // The horizon is replaced by what the update says comes after the base.
      const keep = this.nodes.filter((n) => n.sequenceId < first.sequenceId || (n.sequenceId === first.sequenceId && n.released));
      const beyond = o.nodes.slice(1);
      this.nodes = [...keep, ...beyond];
      this.edges = [...this.edges.filter((e) => e.sequenceId < first.sequenceId), ...o.edges];
      this.queueActions([...beyond, ...o.edges]);
      this.changed();
      this.body.inKernel(() => this.advance());
      return;
    }

    if (this.busy()) return refuse('orderError', `order ${this.orderId} is still active: cancel it (cancelOrder) or wait for it to finish`);
    const first = o.nodes[0];
    const here = this.body.peek().pose;
    const p = first.nodePosition;
    const within = (q: Pose) => p !== undefined && Math.hypot(p.x - q.x, p.y - q.y) <= Math.max(this.tolerance, p.allowedDeviationXY ?? 0);
    // Where it stands, or where it stopped before parking by itself (VDA 5050: the start must be trivially reachable).
    const near = p ? within(here) || (this.rest !== undefined && within(this.rest)) : first.nodeId === this.lastNodeId;
    if (!near) return refuse('noRouteError', `the first node "${first.nodeId}" is not where the vehicle stands (${round(here.x)}, ${round(here.y)})`);
    this.clearOrderErrors();
    for (const [id, a] of this.actions) if (FINAL.has(a.actionStatus)) this.actions.delete(id);
    this.orderId = o.orderId;
    this.orderUpdateId = o.orderUpdateId;
    this.nodes = o.nodes.slice(1);
    this.edges = [...o.edges];
    this.queueActions([...o.nodes, ...o.edges]);
    this.takeOver();
    this.back = p && !within(here) ? first : undefined;
    this.rest = undefined;
    // The vehicle stands on the first node: traversed at once.
    this.reached(first);
    this.changed();
  }

  /** Instant actions (schema-checked), each answered in `actionStates`. */
  instantActions(m: InstantActions): void {
    for (const a of m.actions) {
      if (this.actions.has(a.actionId)) continue; // a resend
      this.actions.set(a.actionId, { actionId: a.actionId, actionType: a.actionType, actionStatus: 'WAITING' });
      this.instant(a);
    }
    this.trimActions();
    this.changed();
  }

  private instant(a: Action): void {
    const fail = (why: string, errorType = 'actionError') => {
      this.refused++;
      this.status(a.actionId, 'FAILED', why);
      this.warn({ errorType, errorLevel: 'WARNING', errorDescription: why, errorReferences: [{ referenceKey: 'actionId', referenceValue: a.actionId }] });
    };
    switch (a.actionType) {
      case 'cancelOrder': {
        if (!this.busy() && !this.running) return fail('no order to cancel', 'noOrderToCancel');
        for (const s of this.actions.values()) if (!FINAL.has(s.actionStatus) && s.actionId !== a.actionId && s.actionType !== 'startCharging') s.actionStatus = 'FAILED';
        this.nodes = [];
        this.edges = [];
        this.nodeActions = [];
        this.target = undefined;
        this.back = undefined;
        this.running = undefined;
        this.rested();
        this.body.inKernel(() => this.body.hold());
        this.status(a.actionId, 'FINISHED');
        this.releaseIfIdle();
        return;
      }
      case 'startPause':
        this.paused = true;
        this.target = undefined;
        this.body.inKernel(() => this.body.hold());
        return this.status(a.actionId, 'FINISHED');
      case 'stopPause':
        this.paused = false;
        this.body.inKernel(() => this.advance());
        return this.status(a.actionId, 'FINISHED');
      case 'startCharging':
        if (this.driving || this.running) return fail('cannot charge while driving or handling');
        this.takeOver();
        this.charging = true;
        this.body.inKernel(() => this.body.perform({ id: a.actionId, kind: 'charge' }));
        // VDA 5050: startCharging is FINISHED once charging is active.
        return this.status(a.actionId, 'FINISHED');
      case 'stopCharging':
        if (this.charging) {
          this.charging = false;
          this.body.inKernel(() => this.body.hold());
          this.releaseIfIdle();
        }
        return this.status(a.actionId, 'FINISHED');
      case 'pick':
      case 'drop':
        if (this.driving || this.running || this.charging) return fail(`cannot ${a.actionType} while driving, handling or charging`);
        this.takeOver();
        return this.handle(a);
      case 'stateRequest':
      case 'factsheetRequest':
        // Answered by the MQTT side, which sees the FINISHED status in the next state.
        return this.status(a.actionId, 'FINISHED');
      default:
        return fail(`action type "${a.actionType}" is not supported as an instant action`);
    }
  }

  /** A report of the body (from a kernel event). */
  observe(obs: RobotObservation): void {
    switch (obs.type) {
      case 'robot.arrived':
        if (this.target && obs.goal === this.target.nav) {
          const { node, back } = this.target;
          this.target = undefined;
          if (back) {
            this.back = undefined;
            this.advance();
          } else this.reached(node);
        }
        break;
      case 'robot.blocked':
        if (this.target && obs.goal === this.target.nav) {
          const node = this.target.node;
          this.target = undefined;
          this.warn({ errorType: 'noRouteError', errorLevel: 'WARNING', errorDescription: obs.reason, errorReferences: [{ referenceKey: 'orderId', referenceValue: this.orderId }, { referenceKey: 'nodeId', referenceValue: node.nodeId }] });
        }
        break;
      case 'robot.actionDone':
        if (this.running?.id === obs.action) {
          const { type } = this.running;
          this.running = undefined;
          this.loads = type === 'pick' ? [{ loadId: `load-${obs.action}`, loadType: 'tote' }] : [];
          this.status(obs.action, 'FINISHED');
          this.rested();
          this.nextNodeAction();
        }
        break;
      case 'robot.charged':
        if (this.charging) {
          this.charging = false;
          this.rested();
          this.releaseIfIdle();
          this.advance();
        }
        break;
      case 'robot.fault':
        this.fault = { errorType: 'vehicleFault', errorLevel: 'FATAL', errorDescription: obs.reason };
        this.target = undefined;
        if (this.running) {
          this.status(this.running.id, 'FAILED', obs.reason);
          this.running = undefined;
        }
        this.charging = false;
        break;
      case 'robot.recovered':
        this.fault = undefined;
        this.advance();
        break;
      case 'robot.battery':
        break;
      default:
        return;
    }
    this.changed();
  }

  /** Drives to the next released node, unless something holds the vehicle (from a kernel event). */
  advance(): void {
    if (this.fault || this.paused || this.target || this.running || this.charging || this.nodeActions.length > 0) return;
    const next = this.back ?? this.nodes[0];
    if (!next?.released) return;
    const p = next.nodePosition!;
    this.target = { nav: `${this.orderId}#${next.sequenceId}@${++this.navigations}`, node: next, back: next === this.back };
    this.body.navigate({ id: this.target.nav, pose: { x: p.x, y: p.y, ...(p.theta !== undefined ? { theta: p.theta } : {}) } });
    this.changed();
  }

  /** Driving along its base (VDA 5050's `driving`). */
  get driving(): boolean {
    return this.target !== undefined && !this.fault && !this.paused;
  }

  /** The order is not done: nodes left (base or horizon) or its actions still running. */
  private busy(): boolean {
    return this.nodes.length > 0 || this.target !== undefined || this.back !== undefined || this.nodeActions.length > 0;
  }

  /** What the `state` message says of the order and the vehicle (the header and position are added by the MQTT side). */
  snapshot(): Pick<State, 'orderId' | 'orderUpdateId' | 'lastNodeId' | 'lastNodeSequenceId' | 'driving' | 'paused' | 'newBaseRequest' | 'nodeStates' | 'edgeStates' | 'actionStates' | 'errors' | 'loads'> & { charging: boolean } {
    const base = this.nodes.filter((n) => n.released).length;
    return {
      orderId: this.orderId,
      orderUpdateId: this.orderUpdateId,
      lastNodeId: this.lastNodeId,
      lastNodeSequenceId: this.lastNodeSequenceId,
      driving: this.driving,
      paused: this.paused,
      // At (or one node from) the end of the base with horizon left: time for an update.
      newBaseRequest: base <= 1 && this.nodes.length > base,
      nodeStates: this.nodes.map((n) => ({ nodeId: n.nodeId, sequenceId: n.sequenceId, released: n.released, ...(n.nodePosition ? { nodePosition: { x: n.nodePosition.x, y: n.nodePosition.y, mapId: n.nodePosition.mapId } } : {}) })),
      edgeStates: this.edges.map((e) => ({ edgeId: e.edgeId, sequenceId: e.sequenceId, released: e.released })),
      actionStates: [...this.actions.values()].map((a) => ({ ...a })),
      errors: [...(this.fault ? [this.fault] : []), ...this.errors],
      loads: this.loads,
      charging: this.charging,
    };
  }

  private reached(node: OrderNode): void {
    this.lastNodeId = node.nodeId;
    this.lastNodeSequenceId = node.sequenceId;
    this.nodes = this.nodes.filter((n) => n.sequenceId > node.sequenceId);
    this.edges = this.edges.filter((e) => e.sequenceId > node.sequenceId);
    this.nodeActions = [...node.actions];
    this.nextNodeAction();
  }

  /** Runs the reached node's next action, or drives on when there is none. */
  private nextNodeAction(): void {
    const a = this.nodeActions.shift();
    if (!a) {
      if (this.nodes.length === 0 && !this.back) this.rested();
      this.body.inKernel(() => this.advance());
      this.releaseIfIdle();
      return;
    }
    if (a.actionType === 'pick' || a.actionType === 'drop') this.handle(a);
    else {
      this.status(a.actionId, 'FAILED', `node action type "${a.actionType}" is not supported`);
      this.nextNodeAction();
    }
  }

  /** A pick or drop in the body; `duration` (seconds) is how long it takes. */
  private handle(a: Action): void {
    const d = a.actionParameters?.find((p) => p.key === 'duration')?.value;
    const seconds = typeof d === 'number' && d >= 0 ? d : undefined;
    this.running = { id: a.actionId, type: a.actionType };
    this.status(a.actionId, 'RUNNING');
    this.body.inKernel(() => this.body.perform({ id: a.actionId, kind: a.actionType === 'pick' ? 'pick' : 'place', ...(seconds !== undefined ? { seconds } : {}) }));
  }

  /** Node actions wait for their node; edge actions are not supported and fail at once. */
  private queueActions(parts: readonly (OrderNode | OrderEdge)[]): void {
    for (const p of parts) {
      const edge = 'edgeId' in p;
      for (const a of p.actions) {
        this.actions.set(a.actionId, { actionId: a.actionId, actionType: a.actionType, actionStatus: edge ? 'FAILED' : 'WAITING', ...(edge ? { resultDescription: 'edge actions are not supported' } : {}) });
      }
    }
  }

  private status(actionId: string, actionStatus: ActionState['actionStatus'], resultDescription?: string): void {
    const s = this.actions.get(actionId);
    if (!s) return;
    s.actionStatus = actionStatus;
    if (resultDescription) s.resultDescription = resultDescription;
  }

  private lastBaseNode(): { nodeId: string; sequenceId: number } {
    const released = this.nodes.filter((n) => n.released);
    return released.length > 0 ? released[released.length - 1] : { nodeId: this.lastNodeId, sequenceId: this.lastNodeSequenceId };
  }

  /** Adds a WARNING error to the state (a refused message: the MQTT side reports unreadable ones here too). */
  warn(e: VehicleError): void {
    this.errors = [...this.errors, e].slice(-KEPT_WARNINGS);
    this.changed();
  }

  private clearOrderErrors(): void {
    this.errors = this.errors.filter((e) => !ORDER_ERRORS.has(e.errorType));
  }

  private trimActions(): void {
    const final = [...this.actions.values()].filter((a) => FINAL.has(a.actionStatus));
    for (const a of final.slice(0, Math.max(0, final.length - KEPT_FINAL_ACTIONS))) this.actions.delete(a.actionId);
  }

  private rested(): void {
    this.rest = this.body.peek().pose;
  }

  private takeOver(): void {
    if (this.controlled) return;
    this.controlled = true;
    this.body.takeOver();
  }

  /** Hands the body back to the plant once the outside master's order and actions are done. */
  private releaseIfIdle(): void {
    if (!this.controlled || this.busy() || this.running || this.charging) return;
    this.controlled = false;
    this.body.release();
  }
}

const round = (v: number) => Math.round(v * 100) / 100;
