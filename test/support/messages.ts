import type { Envelope } from '../../agents/protocol/envelope.js';
import type { MessageType, Payload } from '../../agents/protocol/messages.js';
import type { MessageEvent } from '../../agents/host/effects.js';

/** A delivered message as an agent receives it, for driving agent machines in tests. */
export function message<T extends MessageType>(type: T, payload: Payload<T>, from = 'peer', conversation = 'c-1', time = 0): MessageEvent<T> {
  const msg = { id: `${from}:1`, time, from, to: 'me', conversation, type, payload } as Envelope<T>;
  return { type, msg };
}
