import type { RobotObservation } from '../../agents/ports/robot-port.js';
import { MqttPort } from '../mqtt/mqtt-port.js';
import { readJsonPayload } from '../mqtt/json-payload.js';
import { VDA5050_VERSION, type Connection, type Factsheet, type State, type Vda5050Topic, type Visualization } from './messages.js';
import { HeaderCounter, vdaTopic } from './topics.js';
import type { Vda5050Validator } from './validator.js';
import { VehicleCore, type VehicleBody } from './vehicle-core.js';

export interface VehicleStats {
  received: number;
  published: number;
  publishErrors: number;
  /** Incoming messages refused, by why; each refusal of an order or action is also an error in the vehicle's state. */
  rejected: { notJson: number; invalid: number; refused: number; unknownVehicle: number; unknownTopic: number };
  /** Own messages that failed the schema check (a bug) and were not sent. */
  invalidOutgoing: number;
}

export const emptyVehicleStats = (): VehicleStats => ({
  received: 0,
  published: 0,
  publishErrors: 0,
  rejected: { notJson: 0, invalid: 0, refused: 0, unknownVehicle: 0, unknownTopic: 0 },
  invalidOutgoing: 0,
});

export interface SimulatedVehicleOptions {
  url: string;
  manufacturer: string;
  serialNumber: string;
  mapId: string;
  body: VehicleBody;
  /** How far from an order's first node the vehicle may stand, metres. */
  tolerance: number;
  /** The factsheet, without its header. */
  factsheet: Omit<Factsheet, 'headerId' | 'timestamp' | 'version' | 'manufacturer' | 'serialNumber'>;
  /** Wall milliseconds between two states when nothing changes (VDA 5050: at most 30 s). */
  stateIntervalMs: number;
  /** Wall milliseconds between two visualization messages. */
  visualizationIntervalMs: number;
  maxPayloadBytes: number;
  validator: Vda5050Validator;
  /** Shared by the fleet's vehicles. */
  stats: VehicleStats;
  onProblem?: (problem: string) => void;
}

/**
 * One simulated AGV on MQTT, speaking VDA 5050 2.1 for a cobot of the
 * plant: its own client (the last will is its `connection`
 * CONNECTIONBROKEN, retained), `connection` ONLINE and the factsheet
 * (retained) when connected, `state` on every change and at least every
 * `stateIntervalMs`, `visualization` every `visualizationIntervalMs`. It
 * takes `order` and `instantActions`; the order logic is `VehicleCore`.
 */
export class SimulatedVehicle {
  readonly core: VehicleCore;
  private readonly timers: NodeJS.Timeout[] = [];
  private stateQueued = false;
  private closed = false;
  /** Hung (`hang`): sends nothing and reads nothing, its connection up. */
  private hung = false;

  private constructor(
    private readonly o: SimulatedVehicleOptions,
    private readonly port: MqttPort,
    private readonly headers: HeaderCounter,
  ) {
    this.core = new VehicleCore(o.serialNumber, o.body, o.mapId, o.tolerance, () => this.scheduleState());
  }

  /** Connects (with the will), subscribes, then announces itself: ONLINE, factsheet, state. */
  static async start(o: SimulatedVehicleOptions): Promise<SimulatedVehicle> {
    const headers = new HeaderCounter();
    const will = (h: HeaderCounter) => ({ topic: vdaTopic(o.manufacturer, o.serialNumber, 'connection'), payload: JSON.stringify(connection(o, h, 'CONNECTIONBROKEN')), retain: true });
    const port = await MqttPort.connect({ url: o.url, clientId: `vda5050-${o.manufacturer}-${o.serialNumber}`, will: will(headers), onError: (e) => o.onProblem?.(`${o.serialNumber}: ${e.message}`) });
    const v = new SimulatedVehicle(o, port, headers);
    for (const topic of ['order', 'instantActions'] as const) await port.subscribe(vdaTopic(o.manufacturer, o.serialNumber, topic), (_t, bytes) => v.receive(topic, bytes));
    port.onReconnect(
      () => v.announce(false),
      // A fresh will (header and time) for the next session.
      () => port.setWill(will(v.headers)),
    );
    await v.announce(true);
    v.timers.push(setInterval(() => v.publishState(), o.stateIntervalMs));
    v.timers.push(setInterval(() => v.publishVisualization(), o.visualizationIntervalMs));
    return v;
  }

  get serialNumber(): string {
    return this.o.serialNumber;
  }

  /** A report of the body in the plant (from a kernel event). */
  observe(obs: RobotObservation): void {
    this.core.observe(obs);
  }

  /** Cuts the connection as a network failure would (tests): the broker publishes the will, the client reconnects. */
  dropConnection(): void {
    this.port.dropConnection();
  }

  /**
   * Its controller hangs (fault injection): it sends nothing and drops what
   * it is sent, while its MQTT connection stays up (the client library still
   * answers the broker's pings), so no will tells anyone. The body in the
   * plant carries on with what it was doing. `resume` ends it.
   */
  hang(): void {
    this.hung = true;
  }

  /** The controller works again: it says where it is (a state) and takes messages again. */
  resume(): void {
    if (!this.hung) return;
    this.hung = false;
    this.publishState();
  }

  /** Says OFFLINE (retained) and disconnects cleanly, so the will is not published. */
  async close(): Promise<void> {
    if (this.closed) return;
    for (const t of this.timers) clearInterval(t);
    await this.publish('connection', connection(this.o, this.headers, 'OFFLINE'), true).catch(() => undefined);
    this.closed = true;
    await this.port.close();
  }

  private async announce(first: boolean): Promise<void> {
    await this.publish('connection', connection(this.o, this.headers, 'ONLINE'), true);
    if (first) await this.publishFactsheet();
    this.publishState();
  }

  private receive(topic: 'order' | 'instantActions', bytes: Uint8Array): void {
    if (this.hung) return;
    const { stats } = this.o;
    stats.received++;
    const refs = [{ referenceKey: 'topic', referenceValue: topic }];
    const json = readJsonPayload(bytes, this.o.maxPayloadBytes);
    if (!json.ok) {
      stats.rejected.notJson++;
      this.problem(`${topic}: ${json.reason}`);
      return this.core.warn({ errorType: 'validationError', errorLevel: 'WARNING', errorDescription: json.reason, errorReferences: refs });
    }
    const checked = this.o.validator.validate(topic, json.value);
    if (!checked.ok) {
      stats.rejected.invalid++;
      this.problem(checked.reason);
      const headerId = (json.value as { headerId?: unknown } | null)?.headerId;
      const ref = typeof headerId === 'number' ? [...refs, { referenceKey: 'headerId', referenceValue: String(headerId) }] : refs;
      return this.core.warn({ errorType: 'validationError', errorLevel: 'WARNING', errorDescription: checked.reason, errorReferences: ref });
    }
    const before = this.core.refused;
    if (topic === 'order') this.core.order(checked.value as Extract<typeof checked.value, { orderId: string }>);
    else {
      const m = checked.value as Extract<typeof checked.value, { actions: unknown }>;
      this.core.instantActions(m);
      if (m.actions.some((a) => a.actionType === 'factsheetRequest')) void this.publishFactsheet();
      if (m.actions.some((a) => a.actionType === 'stateRequest')) this.publishState();
    }
    stats.rejected.refused += this.core.refused - before;
  }

  private scheduleState(): void {
    if (this.stateQueued || this.closed) return;
    this.stateQueued = true;
    // Changes within one turn of the event loop (one batch of kernel events) make one state.
    setImmediate(() => {
      this.stateQueued = false;
      this.publishState();
    });
  }

  private publishState(): void {
    if (this.closed || this.hung) return;
    const core = this.core.snapshot();
    const { charging, ...order } = core;
    const peek = this.o.body.peek();
    const state: State = {
      ...this.header('state'),
      ...order,
      operatingMode: 'AUTOMATIC',
      agvPosition: this.position(peek.pose),
      batteryState: { batteryCharge: Math.round(peek.level * 1000) / 10, charging },
      safetyState: { eStop: 'NONE', fieldViolation: false },
    };
    void this.publish('state', state).catch(() => undefined);
  }

  private publishVisualization(): void {
    if (this.closed || this.hung) return;
    const msg: Visualization = { ...this.header('visualization'), agvPosition: this.position(this.o.body.peek().pose) };
    void this.publish('visualization', msg).catch(() => undefined);
  }

  private publishFactsheet(): Promise<void> {
    const msg: Factsheet = { ...this.header('factsheet'), ...this.o.factsheet };
    return this.publish('factsheet', msg, true).catch(() => undefined);
  }

  private position(pose: { x: number; y: number; theta?: number }) {
    return { x: round(pose.x), y: round(pose.y), theta: pose.theta ?? 0, mapId: this.o.mapId, positionInitialized: true };
  }

  private header(topic: Vda5050Topic) {
    return { ...this.headers.take(topic), version: VDA5050_VERSION, manufacturer: this.o.manufacturer, serialNumber: this.o.serialNumber };
  }

  /** Checks the message against its schema, then publishes it; a message failing its schema is a bug: counted, not sent. */
  private async publish(topic: Vda5050Topic, msg: unknown, retain = false): Promise<void> {
    const checked = this.o.validator.validate(topic, msg);
    if (!checked.ok) {
      this.o.stats.invalidOutgoing++;
      this.problem(`not sent: ${checked.reason}`);
      return;
    }
    try {
      await this.port.publish(vdaTopic(this.o.manufacturer, this.o.serialNumber, topic), new TextEncoder().encode(JSON.stringify(msg)), { retain });
      this.o.stats.published++;
    } catch (e) {
      this.o.stats.publishErrors++;
      this.problem(`publish ${topic}: ${(e as Error).message}`);
    }
  }

  private problem(text: string): void {
    this.o.onProblem?.(`${this.o.serialNumber}: ${text}`);
  }
}

function connection(o: { manufacturer: string; serialNumber: string }, headers: HeaderCounter, connectionState: Connection['connectionState']): Connection {
  return { ...headers.take('connection'), version: VDA5050_VERSION, manufacturer: o.manufacturer, serialNumber: o.serialNumber, connectionState };
}

const round = (v: number) => Math.round(v * 1000) / 1000;
