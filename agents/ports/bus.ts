import type { Envelope } from '../protocol/envelope.js';

/** Group addresses start with `#` (`#suppliers`); every other address is one agent's id. */
export const isGroupAddress = (address: string): boolean => address.startsWith('#');

export type Deliver = (envelope: Envelope) => void;

/**
 * The message bus agents talk through. The in-memory bus delivers in
 * simulated time; the MQTT bus carries the same envelopes between processes.
 * Agents never see which one they are on.
 */
export interface Bus {
  /** Sends a message. Delivery happens later (at the same simulated instant, after the sender's step). */
  send(envelope: Envelope): void;
  /** Attaches an agent under its address and the groups it belongs to. */
  attach(address: string, groups: readonly string[], deliver: Deliver): () => void;
  /** Sees every message as it is delivered (the event log, the twin recorder, the viewer). */
  observe(listener: (envelope: Envelope) => void): () => void;
}
