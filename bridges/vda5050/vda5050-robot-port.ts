import type { Pose, RobotListener, RobotPort } from '../../agents/ports/robot-port.js';
import type { RobotPortFactory } from '../../runtime/robot-control.js';
import type { Scenario } from '../../scenarios/schema.js';
import { MqttPort } from '../mqtt/mqtt-port.js';
import { readJsonPayload } from '../mqtt/json-payload.js';
import type { State, Vda5050Topic } from './messages.js';
import { floorRoute, scenarioFloor, straightRoute, type RoutePlanner } from './route.js';
import { parseVdaTopic, topicElementProblem, vdaFilter, vdaTopic } from './topics.js';
import { bundledValidator, type Vda5050Validator } from './validator.js';
import { VehicleLink, type LinkHost } from './vehicle-link.js';
import { cobotIds } from '../../runtime/machines.js';

/** Largest message the master reads; VDA 5050 leaves it to the factsheet (`msgLen`), 256 KB is plenty for a state. */
export const MAX_MASTER_PAYLOAD_BYTES = 256 * 1024;

export interface Vda5050MasterOptions {
  /** The MQTT broker the vehicles are on. */
  url: string;
  /** The vehicles' manufacturer: the third topic level. */
  manufacturer: string;
  /** Robot id (the cobot agent's name) → the vehicle's serialNumber. */
  vehicles: Readonly<Record<string, string>>;
  /** How an order's nodes are found; a straight line cut every 4 m without it. */
  route?: RoutePlanner;
  /** Nodes released ahead of the last node the vehicle passed (the base); the rest is horizon. Default 2. */
  baseNodes?: number;
  /** The map the nodes are on (`mapId`); default `floor`. */
  mapId?: string;
  /** How close to a node counts as passing it, metres (`allowedDeviationXY`); default 0.5. */
  deviation?: number;
  /** This master's name: its MQTT client id and the prefix of its order ids. Default `hyperfactory-master`. */
  name?: string;
  maxPayloadBytes?: number;
  /**
   * Wall ms a vehicle whose connection says ONLINE may go without sending a
   * state before it is reported lost (`robot.lost`: its agent hands its tasks
   * back); heard again, it is `robot.recovered`. VDA 5050 asks vehicles for a
   * state at least every 30 s, so the default is 75 s; `0` turns the watch off.
   */
  silenceMs?: number;
  /** Schema checks (the bundled official schemas by default). */
  validator?: Vda5050Validator;
  /** Told of every rejected or failed message (a log line); silent by default, they are counted in `stats`. */
  onProblem?: (problem: string) => void;
  /** Receives the master once it exists (tests read its stats and vehicles). */
  onMaster?: (master: Vda5050Master) => void;
}

export interface MasterStats {
  sent: Record<'order' | 'orderUpdate' | 'instantActions', number>;
  received: number;
  /** Rejected incoming messages, by why. */
  rejected: { notJson: number; invalid: number; unknownVehicle: number; unknownTopic: number };
  /** Outgoing messages that failed their own schema check (a bug) and were not sent. */
  invalidOutgoing: number;
  publishErrors: number;
}

/** A vehicle silent this long (wall ms) while ONLINE is lost: 2.5 × the 30 s VDA 5050 allows between two states. */
export const DEFAULT_SILENCE_MS = 75_000;

/** Connections made by masters of this process: unique client ids without randomness. */
let masterConnections = 0;

/**
 * The fleet-control side of VDA 5050 2.1 (the "master control"), as the
 * cobots' `RobotPort`: each agent's navigate becomes an order (route nodes,
 * the first few released as base, the rest horizon, more released by order
 * updates as the vehicle reports passing nodes), pick/place/charge become
 * instant actions (`pick`, `drop`, `startCharging`), hold becomes
 * `cancelOrder` (and `stopCharging`). The vehicles' `state` and
 * `connection` come back as observations: arrived, actionDone, battery,
 * charged, blocked (a failed action or a refused order), fault (a FATAL
 * error, or the connection broken or offline), lost (no state for
 * `silenceMs` while ONLINE) and recovered.
 *
 * Every message sent and received is checked against the official schemas;
 * a bad incoming one is counted and dropped, nothing else changes.
 */
export class Vda5050Master implements RobotPort {
  readonly stats: MasterStats = {
    sent: { order: 0, orderUpdate: 0, instantActions: 0 },
    received: 0,
    rejected: { notJson: 0, invalid: 0, unknownVehicle: 0, unknownTopic: 0 },
    invalidOutgoing: 0,
    publishErrors: 0,
  };
  private readonly links = new Map<string, VehicleLink>();
  private readonly bySerial = new Map<string, VehicleLink>();
  private readonly validator: Vda5050Validator;
  private readonly name: string;
  private readonly port: Promise<MqttPort | undefined>;
  private readonly host: LinkHost;
  private closed = false;
  private orderCount = 0;
  private readonly silenceWatch: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: Vda5050MasterOptions,
    report: RobotListener,
  ) {
    this.validator = options.validator ?? bundledValidator();
    this.name = options.name ?? 'hyperfactory-master';
    this.host = {
      name: this.name,
      manufacturer: options.manufacturer,
      mapId: options.mapId ?? 'floor',
      baseNodes: options.baseNodes ?? 2,
      deviation: options.deviation ?? 0.5,
      route: options.route ?? straightRoute(),
      report,
      nextOrderNumber: () => ++this.orderCount,
      send: (link, topic, msg, kind) => this.send(link, topic, msg, kind),
    };
    const bad = topicElementProblem('manufacturer', options.manufacturer);
    if (bad) throw new RangeError(`VDA 5050 master: ${bad}`);
    for (const [robot, serial] of Object.entries(options.vehicles)) {
      const problem = topicElementProblem('serialNumber', serial);
      if (problem) throw new RangeError(`VDA 5050 master, vehicle of ${robot}: ${problem}`);
      const link = new VehicleLink(robot, serial, this.host);
      this.links.set(robot, link);
      this.bySerial.set(serial, link);
    }
    this.port = this.connect();
    const silenceMs = options.silenceMs ?? DEFAULT_SILENCE_MS;
    if (silenceMs > 0) {
      this.silenceWatch = setInterval(() => {
        for (const l of this.links.values()) l.checkSilence(Date.now(), silenceMs);
      }, Math.max(50, Math.min(1000, silenceMs / 4)));
      this.silenceWatch.unref();
    }
  }

  /** Resolves once subscribed (or failed: the reason went to `onProblem`). */
  ready(): Promise<boolean> {
    return this.port.then((p) => p !== undefined);
  }

  /** What the master knows of a robot's vehicle (tests, diagnostics). */
  vehicle(robot: string): { state?: State; connection?: string; down: boolean; silent: boolean; orders: number; actionsSent: number } | undefined {
    const l = this.links.get(robot);
    return l && { state: l.state, connection: l.connection, down: l.down, silent: l.silent, orders: l.orders, actionsSent: l.actionsSent };
  }

  navigate(robot: string, goal: { id: string; pose: Pose }): void {
    this.link(robot).command({ kind: 'navigate', goal });
  }

  perform(robot: string, action: { id: string; kind: 'pick' | 'place' | 'charge'; seconds?: number }): void {
    this.link(robot).command({ kind: 'perform', action });
  }

  hold(robot: string): void {
    this.link(robot).command({ kind: 'hold' });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.silenceWatch);
    const port = await this.port;
    await port?.close();
  }

  private link(robot: string): VehicleLink {
    const l = this.links.get(robot);
    if (!l) throw new Error(`VDA 5050 master: no vehicle for robot "${robot}" (give it in options.vehicles)`);
    return l;
  }

  private send(l: VehicleLink, topic: Vda5050Topic, msg: unknown, kind: keyof MasterStats['sent']): void {
    const checked = this.validator.validate(topic, msg);
    if (!checked.ok) {
      this.stats.invalidOutgoing++;
      this.problem(`not sent to ${l.serial}: ${checked.reason}`);
      return;
    }
    this.stats.sent[kind]++;
    const bytes = new TextEncoder().encode(JSON.stringify(msg));
    void this.port.then(async (port) => {
      if (!port || this.closed) return;
      try {
        await port.publish(vdaTopic(this.options.manufacturer, l.serial, topic), bytes);
      } catch (e) {
        this.stats.publishErrors++;
        this.problem(`publish to ${l.serial}/${topic}: ${(e as Error).message}`);
      }
    });
  }

  private async connect(): Promise<MqttPort | undefined> {
    try {
      const port = await MqttPort.connect({ url: this.options.url, clientId: `${this.name}-${process.pid}-${++masterConnections}`, onError: (e) => this.problem(`vda5050 master: ${e.message}`) });
      if (this.closed) {
        await port.close();
        return undefined;
      }
      const m = this.options.manufacturer;
      for (const topic of ['state', 'connection', 'factsheet'] as const) await port.subscribe(vdaFilter(m, topic), (t, bytes) => this.receive(t, bytes));
      return port;
    } catch (e) {
      this.problem(`VDA 5050 master cannot reach ${this.options.url}: ${(e as Error).message}`);
      return undefined;
    }
  }

  /** Every incoming message: checked, then handled; a bad one is counted and dropped. */
  private receive(topic: string, bytes: Uint8Array): void {
    if (this.closed) return;
    this.stats.received++;
    const parsed = parseVdaTopic(topic);
    if (!parsed.ok) return this.reject('unknownTopic', parsed.reason);
    const l = this.bySerial.get(parsed.value.serialNumber);
    if (!l || parsed.value.manufacturer !== this.options.manufacturer) return this.reject('unknownVehicle', `${topic}: no vehicle with serialNumber "${parsed.value.serialNumber}" here`);
    const json = readJsonPayload(bytes, this.options.maxPayloadBytes ?? MAX_MASTER_PAYLOAD_BYTES);
    if (!json.ok) return this.reject('notJson', `${topic}: ${json.reason}`);
    const which = parsed.value.topic;
    if (which === 'state') {
      const v = this.validator.validate('state', json.value);
      if (!v.ok) return this.reject('invalid', `${topic}: ${v.reason}`);
      if (v.value.serialNumber !== l.serial) return this.reject('invalid', `${topic}: serialNumber "${v.value.serialNumber}" does not match the topic`);
      l.onState(v.value);
    } else if (which === 'connection') {
      const v = this.validator.validate('connection', json.value);
      if (!v.ok) return this.reject('invalid', `${topic}: ${v.reason}`);
      l.onConnection(v.value);
    } else if (which === 'factsheet') {
      const v = this.validator.validate('factsheet', json.value);
      if (!v.ok) return this.reject('invalid', `${topic}: ${v.reason}`);
    }
  }

  private reject(why: keyof MasterStats['rejected'], reason: string): void {
    this.stats.rejected[why]++;
    this.problem(`rejected: ${reason}`);
  }

  private problem(text: string): void {
    this.options.onProblem?.(text);
  }
}

/**
 * The cobots' agents drive VDA 5050 vehicles through this port: pass it as
 * `robotPort` of a run or live plant. The factory is called when the run is
 * built; the MQTT connection is made in the background and commands wait
 * until the vehicle has reported its state. Observations carry the kernel's
 * time (the run stamps them).
 */
export function vda5050RobotPort(options: Vda5050MasterOptions): RobotPortFactory {
  return (report) => {
    const master = new Vda5050Master(options, report);
    options.onMaster?.(master);
    return { navigate: (r, g) => master.navigate(r, g), perform: (r, a) => master.perform(r, a), hold: (r) => master.hold(r), close: () => void master.close() };
  };
}

/** The cobots of a scenario as vehicles (serialNumber = cobot id) and the floor's grid as the route planner: what `serve` passes. */
export function masterOptionsFor(scenario: Scenario): Pick<Vda5050MasterOptions, 'vehicles' | 'route'> {
  if (!scenario.cobots) throw new Error(`scenario ${scenario.name} has no cobots to drive over VDA 5050`);
  const vehicles = Object.fromEntries(cobotIds(scenario).map((id) => [id, id]));
  return { vehicles, route: floorRoute(scenarioFloor(scenario)) };
}
