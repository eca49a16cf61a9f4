import type { Pose, RobotListener } from '../../agents/ports/robot-port.js';
import { VDA5050_VERSION, type Action, type Connection, type InstantActions, type State } from './messages.js';
import { OrderPlan } from './order-plan.js';
import type { RoutePlanner } from './route.js';
import { HeaderCounter } from './topics.js';

export type Command =
  | { kind: 'navigate'; goal: { id: string; pose: Pose } }
  | { kind: 'perform'; action: { id: string; kind: 'pick' | 'place' | 'charge'; seconds?: number } }
  | { kind: 'hold' };

/** What a link needs of its master: where messages go, where observations go, how orders are planned. */
export interface LinkHost {
  readonly name: string;
  readonly manufacturer: string;
  readonly mapId: string;
  readonly baseNodes: number;
  readonly deviation: number;
  readonly route: RoutePlanner;
  /** Observations for the agents; their `time` is left 0: the run stamps them with the kernel's time (`reportThroughKernel`). */
  readonly report: RobotListener;
  nextOrderNumber(): number;
  /** Checks and publishes a message to the link's vehicle. */
  send(link: VehicleLink, topic: 'order' | 'instantActions', msg: unknown, kind: 'order' | 'orderUpdate' | 'instantActions'): void;
}

const FINAL = new Set(['FINISHED', 'FAILED']);
/** Times an order is planned again when the vehicle says it does not stand at its first node. */
const MAX_START_RETRIES = 20;

/**
 * What the master knows of one vehicle and how it commands it: the agent's
 * last command (held until the vehicle is known, online and done stopping
 * what ran before), the order being released, the agent's actions in
 * flight, and the reading of each state and connection message into the
 * agent's observations. The MQTT side is `Vda5050Master`.
 */
export class VehicleLink {
  readonly headers = new HeaderCounter();
  state?: State;
  connection?: Connection['connectionState'];
  /** Reported down to the agent (connection lost, a FATAL error, or silent). */
  down = false;
  /** Said nothing past its deadline while its connection stayed ONLINE (`checkSilence`): reported lost. */
  silent = false;
  /** Wall ms of its last state or connection message (undefined before the first). */
  private heardAt?: number;
  /** The agent's last command: a hold the vehicle may have missed while silent is sent again when it is back. */
  private lastCommand?: Command;
  orders = 0;
  actionsSent = 0;
  private plan?: OrderPlan;
  private arrived = false;
  private blockedReported = false;
  /** A command waiting until the vehicle is known, online, or done cancelling. */
  private pending?: Command;
  /** Instant actions the master waits for before sending the pending command. */
  private readonly waitingFor = new Set<string>();
  /** The agent's pick/place/charge by VDA actionId: what to report when it ends. */
  private readonly actions = new Map<string, { id: string; kind: 'pick' | 'place' | 'charge'; sawCharging: boolean; reported: boolean }>();
  private battery?: number;
  /** Orders of the current command sent again because the vehicle was not at their start. */
  private retries = 0;
  /** Order and action ids sent that no state has mentioned yet: the vehicle may be doing them already. */
  private readonly inFlight = new Set<string>();

  constructor(
    readonly robot: string,
    readonly serial: string,
    private readonly host: LinkHost,
  ) {}

  /** The agent's new command: it replaces whatever the last one left undone, nothing of which is reported any more. */
  command(c: Command): void {
    this.plan = undefined;
    this.actions.clear();
    this.waitingFor.clear();
    this.retries = 0;
    this.pending = c;
    this.lastCommand = c;
    this.flush();
  }

  /** Sends the pending command when the vehicle can take it. */
  private flush(): void {
    const c = this.pending;
    const s = this.state;
    if (!c || !s || this.connection === 'CONNECTIONBROKEN' || this.connection === 'OFFLINE' || this.waitingFor.size > 0) return;
    // What the last state says runs, and what was sent since and may run by now.
    const active = s.nodeStates.length > 0 || [...this.inFlight].some((id) => id.startsWith('order:'));
    const running = s.actionStates.some((a) => !FINAL.has(a.actionStatus) && (a.actionType === 'pick' || a.actionType === 'drop')) || [...this.inFlight].some((id) => id.startsWith('action:'));
    const charging = s.batteryState.charging || s.actionStates.some((a) => a.actionType === 'startCharging' && !FINAL.has(a.actionStatus));
    // Whatever runs is stopped first; the command goes when the vehicle says the stop is done.
    const stops: Action[] = [];
    if (active || running) stops.push(this.action('cancelOrder'));
    if (charging && !(c.kind === 'perform' && c.action.kind === 'charge')) stops.push(this.action('stopCharging'));
    if (stops.length > 0) {
      for (const a of stops) this.waitingFor.add(a.actionId);
      this.sendActions(stops);
      if (c.kind === 'hold') this.pending = undefined;
      return;
    }
    this.pending = undefined;
    if (c.kind === 'navigate') this.sendOrder(c.goal);
    else if (c.kind === 'perform') {
      const a = this.action(c.action.kind === 'charge' ? 'startCharging' : c.action.kind === 'pick' ? 'pick' : 'drop');
      if (c.action.seconds !== undefined) a.actionParameters = [{ key: 'duration', value: c.action.seconds }];
      this.actions.set(a.actionId, { id: c.action.id, kind: c.action.kind, sawCharging: false, reported: false });
      if (c.action.kind !== 'charge') this.inFlight.add(`action:${a.actionId}`);
      this.sendActions([a]);
    }
  }

  private action(actionType: string): Action {
    this.actionsSent++;
    return { actionType, actionId: `${this.host.name}:${this.serial}:${actionType}:${this.actionsSent}`, blockingType: actionType === 'pick' || actionType === 'drop' ? 'HARD' : 'NONE' };
  }

  private sendOrder(goal: { id: string; pose: Pose }): void {
    const at = this.state!.agvPosition;
    const from = at ? { x: at.x, y: at.y } : goal.pose;
    const nodes = this.host.route(from, goal.pose) ?? [
      { id: 'start', pose: from },
      { id: goal.id, pose: goal.pose },
    ];
    this.orders++;
    const plan = new OrderPlan(
      `${this.host.name}:${this.serial}:${this.host.nextOrderNumber()}`,
      goal,
      nodes,
      this.host.baseNodes,
      { manufacturer: this.host.manufacturer, serialNumber: this.serial, version: VDA5050_VERSION, mapId: this.host.mapId },
      this.host.deviation,
    );
    this.plan = plan;
    this.inFlight.add(`order:${plan.orderId}`);
    this.arrived = false;
    this.blockedReported = false;
    this.host.send(this, 'order', plan.order(this.headers.take('order')), 'order');
  }

  private sendActions(actions: Action[]): void {
    const msg: InstantActions = { ...this.headers.take('instantActions'), version: VDA5050_VERSION, manufacturer: this.host.manufacturer, serialNumber: this.serial, actions };
    this.host.send(this, 'instantActions', msg, 'instantActions');
  }

  /** The vehicle's `connection` (schema-checked): online again, it is asked for a state; lost, it is a fault. */
  onConnection(c: Connection): void {
    this.heard();
    const was = this.connection;
    this.connection = c.connectionState;
    if (c.connectionState === 'ONLINE') {
      // Back from a lost connection: what it was asked before may be lost with it; its next state tells.
      if (was !== 'ONLINE') {
        this.waitingFor.clear();
        this.inFlight.clear();
      }
      // Ask for a state when none came yet (a vehicle that was up before this master).
      if (!this.state || was !== 'ONLINE') this.sendActions([this.action('stateRequest')]);
    }
    this.updateDown();
    this.flush();
  }

  /**
   * The vehicle's `state` (schema-checked): in-flight messages it mentions,
   * battery, the agent's actions ended, order progress (updates released,
   * arrival, refusal), faults; then the pending command if it can go now.
   */
  onState(s: State): void {
    this.heard();
    this.state = s;
    for (const id of this.inFlight) {
      const [kind, ref] = [id.slice(0, id.indexOf(':')), id.slice(id.indexOf(':') + 1)];
      const seen = kind === 'order' ? s.orderId === ref || s.errors.some((e) => e.errorReferences?.some((r) => r.referenceKey === 'orderId' && r.referenceValue === ref)) : s.actionStates.some((a) => a.actionId === ref);
      if (seen) this.inFlight.delete(id);
    }
    const level = Math.max(0, Math.min(1, s.batteryState.batteryCharge / 100));
    const battery = () => {
      if (this.battery === level) return;
      this.battery = level;
      this.host.report(this.robot, { type: 'robot.battery', level, time: 0 });
    };
    if (this.battery === undefined || Math.abs(level - this.battery) >= 0.01) battery();

    for (const a of s.actionStates) {
      if (this.waitingFor.has(a.actionId) && FINAL.has(a.actionStatus)) {
        this.waitingFor.delete(a.actionId);
        // Everything sent before a finished cancel is over, mentioned in a state or not.
        if (a.actionType === 'cancelOrder') this.inFlight.clear();
      }
      const mine = this.actions.get(a.actionId);
      if (!mine || mine.reported) continue;
      if (a.actionStatus === 'FAILED') {
        mine.reported = true;
        this.host.report(this.robot, { type: 'robot.blocked', goal: mine.id, reason: a.resultDescription ?? `${a.actionType ?? 'action'} failed`, time: 0 });
      } else if (mine.kind === 'charge') {
        if (s.batteryState.charging) mine.sawCharging = true;
        // Charged: it charged and stopped by itself (full); or it was full already and never started.
        if (a.actionStatus === 'FINISHED' && !s.batteryState.charging && (mine.sawCharging || s.batteryState.batteryCharge >= 99.9)) {
          mine.reported = true;
          battery();
          this.host.report(this.robot, { type: 'robot.charged', time: 0 });
        }
      } else if (a.actionStatus === 'FINISHED') {
        mine.reported = true;
        battery();
        this.host.report(this.robot, { type: 'robot.actionDone', action: mine.id, time: 0 });
      }
    }
    for (const [id, a] of this.actions) if (a.reported) this.actions.delete(id);

    const plan = this.plan;
    if (plan && s.orderId === plan.orderId) {
      const refused = s.errors.find((e) => e.errorLevel === 'WARNING' && e.errorReferences?.some((r) => r.referenceKey === 'orderId' && r.referenceValue === plan.orderId));
      const passed = plan.indexOf(s.lastNodeSequenceId);
      if (!plan.fullyReleased && s.orderUpdateId === plan.updateId && passed >= 0) {
        const update = plan.update(passed, this.headers.take('order'));
        if (update) this.host.send(this, 'order', update, 'orderUpdate');
      }
      if (refused && !this.blockedReported) {
        this.blockedReported = true;
        this.host.report(this.robot, { type: 'robot.blocked', goal: plan.goal.id, reason: `${refused.errorType}: ${refused.errorDescription ?? ''}`.trim(), time: 0 });
      } else if (!this.arrived && plan.fullyReleased && passed === plan.lastIndex && s.nodeStates.length === 0 && !s.driving) {
        this.arrived = true;
        this.plan = undefined;
        battery();
        this.host.report(this.robot, { type: 'robot.arrived', goal: plan.goal.id, time: 0 });
      }
    } else if (plan && this.blockedReported === false) {
      // The order itself was refused before it was taken (its id never showed in a state).
      const refused = s.errors.find((e) => e.errorReferences?.some((r) => r.referenceKey === 'orderId' && r.referenceValue === plan.orderId));
      if (refused?.errorType === 'noRouteError' && this.retries < MAX_START_RETRIES) {
        // Not where the order starts: the vehicle moved after its last state (a simulated body parks when
        // left idle; a real one may be pushed). Planned again from where this state says it is.
        this.retries++;
        this.sendOrder(plan.goal);
      } else if (refused) {
        this.blockedReported = true;
        this.host.report(this.robot, { type: 'robot.blocked', goal: plan.goal.id, reason: `${refused.errorType}: ${refused.errorDescription ?? ''}`.trim(), time: 0 });
      }
    }
    this.updateDown();
    this.flush();
  }

  /**
   * A vehicle ONLINE that has sent no state for `silenceMs` (VDA 5050 asks
   * for one at least every 30 s) has hung or lost its network without its
   * broker noticing yet: it is lost, and its agent hands its tasks back
   * rather than wait for a vehicle that may never finish them. Called by the
   * master's watch, `now` in wall ms.
   */
  checkSilence(now: number, silenceMs: number): void {
    if (this.silent || this.heardAt === undefined || this.connection !== 'ONLINE' || now - this.heardAt < silenceMs) return;
    this.silent = true;
    this.updateDown(`no state for ${Math.round((now - this.heardAt) / 1000)} s`);
  }

  /** Any message from the vehicle: a silent one is back, and what it was sent meanwhile may be lost. */
  private heard(): void {
    this.heardAt = Date.now();
    if (!this.silent) return;
    this.silent = false;
    this.waitingFor.clear();
    this.inFlight.clear();
    // Its agent gave its task up and stopped it; the vehicle may have missed that and still run the old order.
    if (this.lastCommand?.kind === 'hold' && !this.pending) this.pending = this.lastCommand;
  }

  /** Down when the connection is lost, the vehicle has a FATAL error or is silent; each change is one fault (or loss) or recovery. */
  private updateDown(silence?: string): void {
    const fatal = this.state?.errors.find((e) => e.errorLevel === 'FATAL');
    const offline = this.connection === 'CONNECTIONBROKEN' || this.connection === 'OFFLINE';
    const down = offline || fatal !== undefined || this.silent;
    if (down === this.down) return;
    this.down = down;
    if (!down) this.host.report(this.robot, { type: 'robot.recovered', time: 0 });
    else if (offline || fatal) {
      const reason = offline ? `VDA 5050 connection ${this.connection}` : `${fatal!.errorType}: ${fatal!.errorDescription ?? 'FATAL error'}`;
      this.host.report(this.robot, { type: 'robot.fault', reason, time: 0 });
    } else this.host.report(this.robot, { type: 'robot.lost', reason: silence ?? 'silent', time: 0 });
  }
}
