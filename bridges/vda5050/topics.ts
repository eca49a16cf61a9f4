import { VDA5050_TOPICS, type Vda5050Topic } from './messages.js';

/** VDA 5050's interface name and major version: topics are `uagv/v2/<manufacturer>/<serialNumber>/<topic>`. */
export const INTERFACE_NAME = 'uagv';
export const MAJOR_VERSION = 'v2';

/** What VDA 5050 allows in a topic level (manufacturer, serial number): no `/`, no wildcards, no spaces. */
const TOPIC_ELEMENT = /^[A-Za-z0-9_.:-]+$/;

/** Why `value` cannot be a manufacturer or serial number in a topic, or undefined when it can. */
export function topicElementProblem(what: 'manufacturer' | 'serialNumber', value: string): string | undefined {
  if (!TOPIC_ELEMENT.test(value)) return `${what} "${value}" may hold only A–Z, a–z, 0–9, "_", ".", ":" and "-" (it is a topic level)`;
  return undefined;
}

/** The topic of one vehicle's message: `uagv/v2/<manufacturer>/<serialNumber>/<topic>`. */
export function vdaTopic(manufacturer: string, serialNumber: string, topic: Vda5050Topic): string {
  return `${INTERFACE_NAME}/${MAJOR_VERSION}/${manufacturer}/${serialNumber}/${topic}`;
}

/** A subscription filter for `topic` of every vehicle of `manufacturer` (`+` for all manufacturers). */
export function vdaFilter(manufacturer: string, topic: Vda5050Topic | '#'): string {
  return topic === '#' ? `${INTERFACE_NAME}/${MAJOR_VERSION}/${manufacturer}/#` : `${INTERFACE_NAME}/${MAJOR_VERSION}/${manufacturer}/+/${topic}`;
}

export interface ParsedTopic {
  manufacturer: string;
  serialNumber: string;
  topic: Vda5050Topic;
}

/** Reads a VDA 5050 topic, or says why it is not one (another interface, version or subtopic). */
export function parseVdaTopic(topic: string): { ok: true; value: ParsedTopic } | { ok: false; reason: string } {
  const levels = topic.split('/');
  if (levels.length !== 5 || levels[0] !== INTERFACE_NAME || levels[1] !== MAJOR_VERSION) {
    return { ok: false, reason: `topic "${topic}" is not ${INTERFACE_NAME}/${MAJOR_VERSION}/<manufacturer>/<serialNumber>/<topic>` };
  }
  const name = levels[4];
  if (!(VDA5050_TOPICS as readonly string[]).includes(name)) return { ok: false, reason: `unknown VDA 5050 topic "${name}" in "${topic}"` };
  return { ok: true, value: { manufacturer: levels[2], serialNumber: levels[3], topic: name as Vda5050Topic } };
}

/**
 * Header ids, per topic and sender: VDA 5050 counts each topic separately,
 * incremented by 1 with each message sent (not necessarily received).
 */
export class HeaderCounter {
  private readonly next = new Map<string, number>();

  /** The next header for `topic`: its id and the timestamp now. */
  take(topic: Vda5050Topic): { headerId: number; timestamp: string } {
    const id = this.next.get(topic) ?? 0;
    this.next.set(topic, id + 1);
    return { headerId: id, timestamp: isoTimestamp() };
  }
}

/** ISO 8601 UTC with milliseconds: what `date-time` in the schemas accepts. */
export function isoTimestamp(date = new Date()): string {
  return date.toISOString();
}
