import type { LivePlant } from '../../runtime/view/live-plant.js';
import type { Scenario } from '../../scenarios/schema.js';
import { MqttPort } from '../mqtt/mqtt-port.js';
import type { Factsheet } from './messages.js';
import { emptyVehicleStats, SimulatedVehicle, type SimulatedVehicleOptions, type VehicleStats } from './simulated-vehicle.js';
import { parseVdaTopic, topicElementProblem, vdaFilter } from './topics.js';
import { bundledValidator, type Vda5050Validator } from './validator.js';
import { cobotIds } from '../../runtime/machines.js';

/** Largest order or instant-actions message a vehicle reads (an order of a few hundred nodes fits). */
export const MAX_VEHICLE_PAYLOAD_BYTES = 256 * 1024;

export interface Vda5050VehiclesOptions {
  /** The MQTT broker the master is on. */
  url: string;
  /** The third topic level of every vehicle. */
  manufacturer: string;
  /** The map the vehicles' positions are on; default `floor` (the master's default). */
  mapId?: string;
  /** Wall ms between two states without a change; VDA 5050 asks for at most 30 s (the default). */
  stateIntervalMs?: number;
  /** Wall ms between two visualization messages; default 1000. */
  visualizationIntervalMs?: number;
  maxPayloadBytes?: number;
  /** Who takes a cobot over when the plant's own agents drive the world (`vda5050:<master>`); default `master`. */
  master?: string;
  validator?: Vda5050Validator;
  /** Told of every refused message, publish failure or MQTT error (a log line). */
  onProblem?: (problem: string) => void;
}

export interface Vda5050Vehicles {
  /** Counters of all the vehicles (and of messages for vehicles that are not here). */
  readonly stats: VehicleStats;
  /** By serialNumber (= cobot id). */
  readonly vehicles: ReadonlyMap<string, SimulatedVehicle>;
  /** Each vehicle says OFFLINE and disconnects. */
  close(): Promise<void>;
}

/**
 * Puts every simulated cobot of a running plant on MQTT as a VDA 5050 2.1
 * AGV (serialNumber = cobot id), so a VDA 5050 master (this project's
 * `vda5050RobotPort`, or any fleet manager) can drive it. World commands go
 * through the plant's fleet control as kernel events. When the plant's own
 * agents drive the world, a vehicle taking an order is taken over from its
 * agent until the order is done or cancelled.
 *
 * A listener on the manufacturer's topics counts what no vehicle takes:
 * messages for unknown serial numbers and unknown subtopics.
 */
export async function startVda5050Vehicles(plant: LivePlant, options: Vda5050VehiclesOptions): Promise<Vda5050Vehicles> {
  const run = plant.context;
  if (!run) throw new Error('VDA 5050 vehicles: the plant is not running yet (start them once plant.context is set)');
  const { robots: control, fleet, scenario } = run;
  if (!control || !fleet || !scenario.cobots) throw new Error(`VDA 5050 vehicles: scenario ${scenario.name} has no cobots`);
  const bad = topicElementProblem('manufacturer', options.manufacturer);
  if (bad) throw new RangeError(`VDA 5050 vehicles: ${bad}`);
  const stats = emptyVehicleStats();
  const validator = options.validator ?? bundledValidator();
  const mapId = options.mapId ?? 'floor';
  const stateIntervalMs = options.stateIntervalMs ?? 30_000;
  const visualizationIntervalMs = options.visualizationIntervalMs ?? 1000;
  const by = `vda5050:${options.master ?? 'master'}`;
  const ids = cobotIds(scenario);
  const vehicles = new Map<string, SimulatedVehicle>();
  const unobserve = control.observe((robot, obs) => vehicles.get(robot)?.observe(obs));
  const factsheet = cobotFactsheet(scenario, stateIntervalMs, visualizationIntervalMs);

  const monitor = await MqttPort.connect({ url: options.url, clientId: `vda5050-${options.manufacturer}-fleet-${process.pid}`, onError: (e) => options.onProblem?.(`vda5050 vehicles: ${e.message}`) });
  await monitor.subscribe(vdaFilter(options.manufacturer, '#'), (topic) => {
    const parsed = parseVdaTopic(topic);
    if (!parsed.ok) {
      stats.received++;
      stats.rejected.unknownTopic++;
      options.onProblem?.(parsed.reason);
    } else if ((parsed.value.topic === 'order' || parsed.value.topic === 'instantActions') && !ids.includes(parsed.value.serialNumber)) {
      stats.received++;
      stats.rejected.unknownVehicle++;
      options.onProblem?.(`${topic}: no vehicle with serialNumber "${parsed.value.serialNumber}"`);
    }
  });

  const started = await Promise.allSettled(
    ids.map((id) => {
      const o: SimulatedVehicleOptions = {
        url: options.url,
        manufacturer: options.manufacturer,
        serialNumber: id,
        mapId,
        tolerance: fleet.floor.cellSize,
        factsheet,
        stateIntervalMs,
        visualizationIntervalMs,
        maxPayloadBytes: options.maxPayloadBytes ?? MAX_VEHICLE_PAYLOAD_BYTES,
        validator,
        stats,
        onProblem: options.onProblem,
        body: {
          navigate: (goal) => fleet.navigate(id, goal),
          perform: (action) => fleet.perform(id, action),
          hold: () => fleet.hold(id),
          peek: () => fleet.peek(id),
          inKernel: (fn) => control.inKernel(fn),
          takeOver: () => control.takeOver(id, by),
          release: () => control.release(id),
        },
      };
      return SimulatedVehicle.start(o).then((v) => vehicles.set(id, v));
    }),
  );
  const close = async () => {
    unobserve();
    await Promise.all([...vehicles.values()].map((v) => v.close()));
    await monitor.close();
  };
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await close();
    throw failed.reason;
  }
  return { stats, vehicles, close };
}

/** A factsheet for the scenario's cobots: their speeds and size, the actions the simulated vehicles take. */
export function cobotFactsheet(scenario: Scenario, stateIntervalMs: number, visualizationIntervalMs: number): SimulatedVehicleOptions['factsheet'] {
  const c = scenario.cobots!;
  const size = Math.round(2 * c.radius * 100) / 100;
  const instant = (actionType: string, actionDescription: string, extra: Partial<Factsheet['protocolFeatures']['agvActions'][number]> = {}) => ({ actionType, actionDescription, actionScopes: ['INSTANT' as const], ...extra });
  return {
    typeSpecification: {
      seriesName: `hyperfactory-${c.idPrefix}`,
      seriesDescription: `Simulated mobile cobot of scenario ${scenario.name}: ${c.batteryWh} Wh battery, charges at ${c.chargeW} W`,
      agvKinematic: 'DIFF',
      agvClass: 'CARRIER',
      maxLoadMass: Math.round(c.mass / 2),
      localizationTypes: ['NATURAL'],
      navigationTypes: ['AUTONOMOUS'],
    },
    physicalParameters: {
      speedMin: 0,
      speedMax: c.maxSpeed ?? c.speed,
      accelerationMax: c.maxAcceleration,
      decelerationMax: c.maxAcceleration,
      heightMax: 1,
      width: size,
      length: size,
    },
    protocolLimits: {
      maxStringLens: {},
      maxArrayLens: {},
      timing: { minOrderInterval: 0, minStateInterval: 0, defaultStateInterval: stateIntervalMs / 1000, visualizationInterval: visualizationIntervalMs / 1000 },
    },
    protocolFeatures: {
      // No `blockingTypes`: the 2.1.0 schema puts its enum on the array itself, so no array passes it.
      optionalParameters: [],
      agvActions: [
        instant('pick', 'Picks up a load where the vehicle stands.', { actionScopes: ['INSTANT', 'NODE'], actionParameters: [{ key: 'duration', valueDataType: 'NUMBER', description: 'seconds the handling takes', isOptional: true }] }),
        instant('drop', 'Puts the load down where the vehicle stands.', { actionScopes: ['INSTANT', 'NODE'], actionParameters: [{ key: 'duration', valueDataType: 'NUMBER', description: 'seconds the handling takes', isOptional: true }] }),
        instant('startCharging', 'Charges until full (FINISHED once charging).'),
        instant('stopCharging', 'Stops charging.'),
        instant('cancelOrder', 'Stops and drops the order and its actions.'),
        instant('startPause', 'Stops where it is, keeps the order.'),
        instant('stopPause', 'Drives on.'),
        instant('stateRequest', 'Publishes a state now.'),
        instant('factsheetRequest', 'Publishes the factsheet now.'),
      ],
    },
    agvGeometry: {},
    loadSpecification: { loadPositions: ['top'] },
  };
}
