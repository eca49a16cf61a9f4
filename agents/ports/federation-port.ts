/**
 * The transport federated learning runs on: topics carrying opaque bytes,
 * delivered at least once. Agents (the aggregator, the sites) see only this;
 * a run wires it to MQTT (an embedded broker or Mosquitto) or anything else
 * with publish/subscribe semantics. The protocol on top validates every
 * message, so the port promises nothing about what arrives.
 */
export type MessageHandler = (topic: string, payload: Uint8Array) => void;

export interface FederationPort {
  /** Publishes bytes on a topic; resolves once the transport has taken charge of them (the broker's acknowledgement at QoS 1). */
  publish(topic: string, payload: Uint8Array): Promise<void>;
  /**
   * Delivers every message whose topic matches `filter` (MQTT wildcards:
   * `+` one level, `#` the rest) to `handler`; resolves once the
   * subscription is active, with a function that ends it.
   */
  subscribe(filter: string, handler: MessageHandler): Promise<() => Promise<void>>;
  /** Ends the connection; later publishes fail. */
  close(): Promise<void>;
}

/** Opens one connection per participant (each site and the aggregator has its own, as separate plants would). */
export type ConnectPort = (clientId: string) => Promise<FederationPort>;
