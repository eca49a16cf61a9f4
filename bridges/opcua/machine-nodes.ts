import { createHash } from 'node:crypto';
import { AccessLevelFlag, BrowseDirection, DataType, NodeClass, StatusCodes, type BaseNode, makeEUInformation, standardUnits, type EUInformation, type Namespace, type UAObject, type UAVariable } from 'node-opcua';
import { DI_NS, HEALTH, HEALTH_VARIABLES, MACHINERY_NS, MACHINES_FOLDER_ID, MONITORING, STATE, nodeIds, productInstanceUri } from './names.js';

/** One simulated machine as the server shows it. */
export interface MachineDescription {
  id: string;
  /** Its machine type in the scenario (Identification/Model). */
  type: string;
  /** Its sensor channels (`telemetryChannels`), with the unit when the scenario says it. */
  channels: readonly { name: string; unit?: string }[];
}

/** The variables of one machine the plant's records update. */
export interface MachineNodes {
  channels: Map<string, UAVariable>;
  health: Record<keyof typeof HEALTH_VARIABLES, UAVariable>;
  state: UAVariable;
}

/** Engineering units (UNECE codes) and plausible ranges of the degradation model's channels (`sensor-model.ts`). */
const CHANNEL_UNITS: Record<string, { unit?: EUInformation; range: [number, number] }> = {
  vibRms: { unit: makeEUInformation('C16', 'mm/s', 'millimetre per second'), range: [0, 50] },
  vibKurtosis: { range: [0, 50] },
  bandBearing: { unit: makeEUInformation('C16', 'mm/s', 'millimetre per second'), range: [0, 50] },
  band1x: { unit: makeEUInformation('C16', 'mm/s', 'millimetre per second'), range: [0, 50] },
  band2x: { unit: makeEUInformation('C16', 'mm/s', 'millimetre per second'), range: [0, 50] },
  temperature: { unit: standardUnits.degree_celsius, range: [-20, 200] },
  powerKw: { unit: standardUnits.kilowatt, range: [0, 10_000] },
  acousticDb: { unit: makeEUInformation('2N', 'dB', 'decibel'), range: [0, 140] },
  load: { unit: makeEUInformation('C62', '1', 'one (fraction of rated load)'), range: [0, 1] },
};

/** Units a scenario's `signal.unit` may name. */
const UNIT_TEXT: Record<string, EUInformation> = {
  'mm/s': makeEUInformation('C16', 'mm/s', 'millimetre per second'),
  '°C': standardUnits.degree_celsius,
  C: standardUnits.degree_celsius,
  kW: standardUnits.kilowatt,
  dB: makeEUInformation('2N', 'dB', 'decibel'),
  '%': standardUnits.percent,
  bar: standardUnits.bar,
  rpm: standardUnits.revolutions_per_minute,
};

const HOURS = makeEUInformation('HUR', 'h', 'hour');

/** Serial numbers: stable for a plant and machine, so a SCADA asset register keeps them across runs. */
export function serialNumber(plant: string, machine: string): string {
  return `HF-${createHash('sha256').update(`${plant}:${machine}`).digest('hex').slice(0, 10).toUpperCase()}`;
}

/**
 * Adds one machine under the Machines folder: an OPC 40001 Identification
 * (MachineIdentificationType, instantiated from the Machinery nodeset, as an
 * AddIn), a Monitoring object (MonitoringType) with one read-only Double
 * AnalogItem per sensor channel, the models' health outputs and the state.
 * Values start as BadWaitingForInitialData until the plant writes them.
 */
export function addMachine(ns: Namespace, plant: string, m: MachineDescription): MachineNodes {
  const as = ns.addressSpace;
  const machinery = as.getNamespaceIndex(MACHINERY_NS);
  const di = as.getNamespaceIndex(DI_NS);
  const id = (s: string) => `ns=${ns.index};s=${s}`;
  const machines = as.findNode(`ns=${machinery};i=${MACHINES_FOLDER_ID}`) as UAObject;
  const machine = ns.addObject({ browseName: m.id, nodeId: id(nodeIds.machine(m.id)), organizedBy: machines, description: `Simulated ${m.type} ${m.id} of ${plant}` });

  const identification = as.findObjectType('MachineIdentificationType', machinery)!.instantiate({
    browseName: { name: 'Identification', namespaceIndex: di },
    nodeId: id(`${m.id}.Identification`),
    namespace: ns,
    addInOf: machine,
    optionals: ['Model', 'ProductCode', 'ManufacturerUri'],
  });
  const text = (value: string) => ({ dataType: DataType.LocalizedText, value: { text: value } });
  const str = (value: string) => ({ dataType: DataType.String, value });
  const set = (name: string, variant: { dataType: DataType; value: unknown }) => identification.getPropertyByName(name, di)?.setValueFromSource(variant);
  set('Manufacturer', text('HyperFactory (simulated)'));
  set('ManufacturerUri', str('urn:hyperfactory'));
  set('SerialNumber', str(serialNumber(plant, m.id)));
  set('ProductInstanceUri', str(productInstanceUri(plant, m.id)));
  set('Model', text(m.type));
  set('ProductCode', str(m.type));

  const monitoring = as.findObjectType('MonitoringType', machinery)!.instantiate({
    browseName: { name: MONITORING, namespaceIndex: machinery },
    nodeId: id(nodeIds.monitoring(m.id)),
    namespace: ns,
    componentOf: machine,
  });
  const channels = new Map<string, UAVariable>();
  for (const c of m.channels) {
    const known = CHANNEL_UNITS[c.name];
    const unit = (c.unit !== undefined ? UNIT_TEXT[c.unit] : undefined) ?? known?.unit;
    const range = known?.range ?? [0, 1000];
    channels.set(
      c.name,
      ns.addAnalogDataItem({
        browseName: c.name,
        nodeId: id(nodeIds.channel(m.id, c.name)),
        componentOf: monitoring,
        dataType: 'Double',
        minimumSamplingInterval: 0,
        engineeringUnitsRange: { low: range[0], high: range[1] },
        ...(unit ? { engineeringUnits: unit } : {}),
      }),
    );
  }

  const healthFolder = ns.addObject({ browseName: HEALTH, nodeId: id(nodeIds.health(m.id)), componentOf: machine, description: 'Outputs of the predictive models (maintenance.prediction)' });
  const healthVariable = (name: string, unit?: EUInformation) =>
    ns.addAnalogDataItem({
      browseName: name,
      nodeId: id(nodeIds.healthVariable(m.id, name)),
      componentOf: healthFolder,
      dataType: 'Double',
        minimumSamplingInterval: 0,
      engineeringUnitsRange: { low: 0, high: name === HEALTH_VARIABLES.rulHours ? 1e5 : name === HEALTH_VARIABLES.failureProbability ? 1 : 1e3 },
      ...(unit ? { engineeringUnits: unit } : {}),
    });
  const health = {
    rulHours: healthVariable(HEALTH_VARIABLES.rulHours, HOURS),
    failureProbability: healthVariable(HEALTH_VARIABLES.failureProbability, makeEUInformation('C62', '1', 'probability')),
    anomaly: healthVariable(HEALTH_VARIABLES.anomaly),
    anomalyThreshold: healthVariable(HEALTH_VARIABLES.anomalyThreshold),
  };
  const state = ns.addVariable({ browseName: STATE, nodeId: id(nodeIds.state(m.id)), componentOf: machine, dataType: 'String', minimumSamplingInterval: 0, description: 'The machine agent’s state (running, degraded, down, maintenance…)' });

  readOnly(machine);
  for (const v of [...channels.values(), ...Object.values(health)]) v.setValueFromSource({ dataType: DataType.Double, value: 0 }, StatusCodes.BadWaitingForInitialData);
  state.setValueFromSource({ dataType: DataType.String, value: '' }, StatusCodes.BadWaitingForInitialData);
  return { channels, health, state };
}

/** Writes a number to a Double variable; a value that is not a finite number is skipped (the log's payloads are checked already). */
export function writeDouble(v: UAVariable, value: unknown, when: Date): void {
  if (typeof value === 'number' && Number.isFinite(value)) v.setValueFromSource({ dataType: DataType.Double, value }, StatusCodes.Good, when);
}

/** Nothing under a machine is writable by clients, whoever they are: the simulation is the only source (writes give BadNotWritable). */
function readOnly(node: BaseNode): void {
  for (const ref of node.findReferencesExAsObject('Aggregates', BrowseDirection.Forward)) {
    if (ref.nodeClass === NodeClass.Variable) {
      const v = ref as UAVariable;
      v.accessLevel = AccessLevelFlag.CurrentRead;
      v.userAccessLevel = AccessLevelFlag.CurrentRead;
    }
    readOnly(ref);
  }
}
