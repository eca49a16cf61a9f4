/**
 * The names a client finds in the plant's OPC UA address space, shared by
 * the server that builds it and the client that browses it: one place, so
 * the two cannot drift apart. Layout (browse paths, `docs/opcua.md`):
 *
 *   Objects/Machines                    (Machinery, i=1001)
 *     <machine>                         (plant namespace, s=<machine>)
 *       DI:Identification               (Machinery MachineIdentificationType)
 *       Machinery:Monitoring            (Machinery MonitoringType)
 *         <channel>                     (Double, AnalogItemType, s=<machine>.Monitoring.<channel>)
 *       Health                          (s=<machine>.Health)
 *         RemainingUsefulLifeHours, FailureProbability48h, AnomalyScore, AnomalyThreshold
 *       State                           (String, s=<machine>.State)
 */

export const MACHINERY_NS = 'http://opcfoundation.org/UA/Machinery/';
export const DI_NS = 'http://opcfoundation.org/UA/DI/';
/** The Machines folder, OPC 40001-1 §9.2: the entry point a SCADA system looks for. */
export const MACHINES_FOLDER_ID = 1001;

/** The namespace of the plant's own nodes: string node ids in it stay the same across restarts. */
export function plantNamespace(plant: string): string {
  return `urn:hyperfactory:${plant}`;
}

/** The globally unique identifier of one simulated machine (Identification/ProductInstanceUri). */
export function productInstanceUri(plant: string, machine: string): string {
  return `urn:hyperfactory:${plant}:${machine}`;
}

export const MONITORING = 'Monitoring';
export const HEALTH = 'Health';
export const STATE = 'State';

/** Health outputs of the predictive models, under `<machine>/Health`. */
export const HEALTH_VARIABLES = {
  rulHours: 'RemainingUsefulLifeHours',
  failureProbability: 'FailureProbability48h',
  anomaly: 'AnomalyScore',
  anomalyThreshold: 'AnomalyThreshold',
} as const;

/** Stable node ids (string, in the plant namespace): a SCADA tag list survives a restart of the server. */
export const nodeIds = {
  machine: (m: string) => m,
  monitoring: (m: string) => `${m}.${MONITORING}`,
  channel: (m: string, channel: string) => `${m}.${MONITORING}.${channel}`,
  health: (m: string) => `${m}.${HEALTH}`,
  healthVariable: (m: string, name: string) => `${m}.${HEALTH}.${name}`,
  state: (m: string) => `${m}.${STATE}`,
};

/**
 * The local control of a machine that obeys commands (`edge-machine-server.ts`):
 * `<machine>/Control` with methods Stop and Start and a read-only Boolean
 * Running. An agent host at the edge stops a machine through it when it is
 * cut off from the plant (docs/live-runs.md, "Local fail-safes").
 */
export const CONTROL = 'Control';
export const CONTROL_NAMES = { stop: 'Stop', start: 'Start', running: 'Running' } as const;
export const controlNodeIds = {
  control: (m: string) => `${m}.${CONTROL}`,
  method: (m: string, name: string) => `${m}.${CONTROL}.${name}`,
};
