import type { MessageType, Payload } from '../protocol/messages.js';
import type { Envelope } from '../protocol/envelope.js';
import type { NegotiatedTopic } from '../protocol/messages.js';

/**
 * Agents are pure XState machines: they never call a port themselves. They
 * `emit` effects, and the agent host carries them out: `send` goes to the bus,
 * everything else to the port the agent kind is wired to.
 */
export type SendEffect = {
  [T in MessageType]: {
    type: 'send';
    to: string;
    message: T;
    payload: Payload<T>;
    /** Conversation to continue; a new one (named after the message id) when omitted. */
    conversation?: string;
  };
}[MessageType];

/** Builds a typed send effect (keeps payloads checked against the catalogue). */
export function send<T extends MessageType>(to: string, message: T, payload: Payload<T>, conversation?: string) {
  return { type: 'send', to, message, payload, conversation } as SendEffect;
}

/** The XState event an agent receives for a delivered message. */
export type MessageEvent<T extends MessageType> = { type: T; msg: Envelope<T> };

/**
 * Opens a contract-net negotiation: the host starts a manager agent for it
 * (`agents/protocol/contract-net.ts`), which reports `<topic>.settled` back to
 * the agent that emitted this effect. The manager's id is `<opener>/<topic>:<n>`.
 */
export type NegotiateEffect = {
  type: 'negotiate';
  topic: NegotiatedTopic;
  participants: string;
  spec: Record<string, unknown>;
  bidWindowSeconds?: number;
  expectedBidders?: number;
  maxRounds?: number;
  retryDelaySeconds?: number;
  graceSeconds?: number;
  exclude?: string[];
  notifyLosers?: boolean;
};

export function negotiate(effect: Omit<NegotiateEffect, 'type'>): NegotiateEffect {
  return { type: 'negotiate', ...effect };
}
