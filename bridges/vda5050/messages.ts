/**
 * The six VDA 5050 2.1 messages, hand-written from the official JSON schemas
 * (`schemas/*.schema.json`, which stay the authority: every message sent or
 * received is validated against them by `validator.ts`). Only the fields this
 * bridge reads or writes are spelled out in full; the rest are optional.
 */

/** The protocol version written into every message's header. */
export const VDA5050_VERSION = '2.1.0';

/** Fields every message but the factsheet starts with (the factsheet's headerId and timestamp are optional). */
export interface Header {
  /** Per topic and sender, incremented by 1 with each message sent. */
  headerId: number;
  /** ISO 8601 UTC, e.g. `2026-11-26T07:10:03.12Z`. */
  timestamp: string;
  version: string;
  manufacturer: string;
  serialNumber: string;
}

export type BlockingType = 'NONE' | 'SOFT' | 'HARD';

export interface ActionParameter {
  key: string;
  value: string | number | boolean | unknown[] | Record<string, unknown>;
}

export interface Action {
  actionType: string;
  actionId: string;
  actionDescription?: string;
  blockingType: BlockingType;
  actionParameters?: ActionParameter[];
}

export interface NodePosition {
  x: number;
  y: number;
  theta?: number;
  allowedDeviationXY?: number;
  allowedDeviationTheta?: number;
  mapId: string;
  mapDescription?: string;
}

export interface OrderNode {
  nodeId: string;
  /** Even numbers: 0, 2, 4 … (edges take the odd ones between). */
  sequenceId: number;
  nodeDescription?: string;
  /** True: part of the base (the vehicle may drive there); false: horizon (planned, not yet released). */
  released: boolean;
  nodePosition?: NodePosition;
  actions: Action[];
}

export interface OrderEdge {
  edgeId: string;
  sequenceId: number;
  edgeDescription?: string;
  released: boolean;
  startNodeId: string;
  endNodeId: string;
  maxSpeed?: number;
  length?: number;
  actions: Action[];
}

/** `uagv/v2/<m>/<s>/order`: master → vehicle. */
export interface Order extends Header {
  orderId: string;
  /** 0 for a new order; each update of the same order sends a higher one. */
  orderUpdateId: number;
  zoneSetId?: string;
  nodes: OrderNode[];
  edges: OrderEdge[];
}

/** `uagv/v2/<m>/<s>/instantActions`: master → vehicle. */
export interface InstantActions extends Header {
  actions: Action[];
}

/** The schema's enum; 2.1's text also names PAUSED, which its schema does not have, so it is never sent. */
export type ActionStatus = 'WAITING' | 'INITIALIZING' | 'RUNNING' | 'FINISHED' | 'FAILED';

export interface ActionState {
  actionId: string;
  actionType?: string;
  actionDescription?: string;
  actionStatus: ActionStatus;
  resultDescription?: string;
}

export interface NodeState {
  nodeId: string;
  sequenceId: number;
  nodeDescription?: string;
  released: boolean;
  nodePosition?: { x: number; y: number; theta?: number; mapId: string };
}

export interface EdgeState {
  edgeId: string;
  sequenceId: number;
  edgeDescription?: string;
  released: boolean;
}

export interface AgvPosition {
  x: number;
  y: number;
  theta: number;
  mapId: string;
  mapDescription?: string;
  positionInitialized: boolean;
  localizationScore?: number;
  deviationRange?: number;
}

export interface Velocity {
  vx?: number;
  vy?: number;
  omega?: number;
}

export interface Load {
  loadId?: string;
  loadType?: string;
  loadPosition?: string;
  weight?: number;
}

export interface BatteryState {
  /** Percent, 0–100. */
  batteryCharge: number;
  batteryVoltage?: number;
  batteryHealth?: number;
  charging: boolean;
  /** Metres the vehicle can still drive. */
  reach?: number;
}

export type ErrorLevel = 'WARNING' | 'FATAL';

export interface ErrorReference {
  referenceKey: string;
  referenceValue: string;
}

export interface VehicleError {
  /** E.g. `validationError`, `orderError`, `orderUpdateError`, `noRouteError`, `noOrderToCancel`. */
  errorType: string;
  errorReferences?: ErrorReference[];
  errorDescription?: string;
  errorHint?: string;
  errorLevel: ErrorLevel;
}

export interface Information {
  infoType: string;
  infoReferences?: ErrorReference[];
  infoDescription?: string;
  infoLevel: 'INFO' | 'DEBUG';
}

/** `uagv/v2/<m>/<s>/state`: vehicle → master, on every change and at least every 30 s. */
export interface State extends Header {
  maps?: { mapId: string; mapVersion: string; mapDescription?: string; mapStatus: 'ENABLED' | 'DISABLED' }[];
  /** Empty when the vehicle has had no order yet. */
  orderId: string;
  orderUpdateId: number;
  zoneSetId?: string;
  /** Empty when no node has been reached yet. */
  lastNodeId: string;
  lastNodeSequenceId: number;
  driving: boolean;
  paused?: boolean;
  /** The vehicle is close to the end of its base and asks for more. */
  newBaseRequest?: boolean;
  distanceSinceLastNode?: number;
  operatingMode: 'AUTOMATIC' | 'SEMIAUTOMATIC' | 'MANUAL' | 'SERVICE' | 'TEACHIN';
  /** Nodes of the order still to be traversed (base and horizon). */
  nodeStates: NodeState[];
  edgeStates: EdgeState[];
  agvPosition?: AgvPosition;
  velocity?: Velocity;
  loads?: Load[];
  actionStates: ActionState[];
  batteryState: BatteryState;
  errors: VehicleError[];
  information?: Information[];
  safetyState: { eStop: 'AUTOACK' | 'MANUAL' | 'REMOTE' | 'NONE'; fieldViolation: boolean };
}

/** `uagv/v2/<m>/<s>/visualization`: vehicle → anyone, a higher-rate position (all fields optional in the schema). */
export interface Visualization extends Partial<Header> {
  agvPosition?: AgvPosition;
  velocity?: Velocity;
}

export type ConnectionState = 'ONLINE' | 'OFFLINE' | 'CONNECTIONBROKEN';

/** `uagv/v2/<m>/<s>/connection`: vehicle → master, retained; CONNECTIONBROKEN is the MQTT last will. */
export interface Connection extends Header {
  connectionState: ConnectionState;
}

/** `uagv/v2/<m>/<s>/factsheet`: vehicle → master (retained here), what the vehicle is and can do. */
export interface Factsheet extends Omit<Header, 'headerId' | 'timestamp'> {
  headerId?: number;
  timestamp?: string;
  typeSpecification: {
    seriesName: string;
    seriesDescription?: string;
    agvKinematic: 'DIFF' | 'OMNI' | 'THREEWHEEL';
    agvClass: 'FORKLIFT' | 'CONVEYOR' | 'TUGGER' | 'CARRIER';
    maxLoadMass: number;
    localizationTypes: ('NATURAL' | 'REFLECTOR' | 'RFID' | 'DMC' | 'SPOT' | 'GRID')[];
    navigationTypes: ('PHYSICAL_LINE_GUIDED' | 'VIRTUAL_LINE_GUIDED' | 'AUTONOMOUS')[];
  };
  physicalParameters: {
    speedMin: number;
    speedMax: number;
    accelerationMax: number;
    decelerationMax: number;
    heightMin?: number;
    heightMax: number;
    width: number;
    length: number;
  };
  protocolLimits: {
    maxStringLens: Record<string, number | boolean>;
    maxArrayLens: Record<string, number>;
    timing: { minOrderInterval: number; minStateInterval: number; defaultStateInterval?: number; visualizationInterval?: number };
  };
  protocolFeatures: {
    optionalParameters: { parameter: string; support: 'SUPPORTED' | 'REQUIRED'; description?: string }[];
    agvActions: {
      actionType: string;
      actionDescription?: string;
      actionScopes: ('INSTANT' | 'NODE' | 'EDGE')[];
      actionParameters?: { key: string; valueDataType: string; description?: string; isOptional?: boolean }[];
      resultDescription?: string;
      blockingTypes?: BlockingType[];
    }[];
  };
  agvGeometry: Record<string, unknown>;
  loadSpecification: Record<string, unknown>;
  vehicleConfig?: Record<string, unknown>;
}

/** The six topics, each with its message type. */
export interface TopicMessages {
  order: Order;
  instantActions: InstantActions;
  state: State;
  visualization: Visualization;
  connection: Connection;
  factsheet: Factsheet;
}

export type Vda5050Topic = keyof TopicMessages;

export const VDA5050_TOPICS: readonly Vda5050Topic[] = ['order', 'instantActions', 'state', 'visualization', 'connection', 'factsheet'];
