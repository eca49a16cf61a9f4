import { Priority, type Kernel } from '../../sim/clock/kernel.js';
import { decodeEnvelope, type Envelope } from '../../agents/protocol/envelope.js';
import { isGroupAddress, type Bus, type Deliver } from '../../agents/ports/bus.js';

export interface MemoryBusOptions {
  /** Check every envelope against the catalogue (tests, debugging): a schema bug in an agent fails loudly. */
  validate?: boolean;
  /**
   * Carries what is not wholly for this process to the others (an agent host
   * of a live run over MQTT): messages to an address not attached here, and
   * every group message (other processes hold members too).
   */
  elsewhere?: (envelope: Envelope) => void;
}

/**
 * The in-process bus: a message is delivered through the kernel at the
 * instant it was sent, after the event that sent it, so agents never re-enter
 * each other and delivery order is part of the deterministic schedule.
 */
export class MemoryBus implements Bus {
  private addresses = new Map<string, Deliver>();
  private groups = new Map<string, Set<string>>();
  private observers: ((e: Envelope) => void)[] = [];
  /** Messages addressed to nobody (an agent gone, a group without members). */
  undeliverable = 0;

  constructor(
    private readonly kernel: Kernel,
    private readonly options: MemoryBusOptions = {},
  ) {}

  attach(address: string, groups: readonly string[], deliver: Deliver): () => void {
    if (this.addresses.has(address)) throw new Error(`address "${address}" is taken`);
    this.addresses.set(address, deliver);
    for (const g of groups) {
      let members = this.groups.get(g);
      if (!members) this.groups.set(g, (members = new Set()));
      members.add(address);
    }
    return () => {
      this.addresses.delete(address);
      for (const g of groups) this.groups.get(g)?.delete(address);
    };
  }

  observe(listener: (e: Envelope) => void): () => void {
    this.observers.push(listener);
    return () => {
      this.observers = this.observers.filter((l) => l !== listener);
    };
  }

  send(envelope: Envelope): void {
    if (this.options.validate) {
      const result = decodeEnvelope(JSON.parse(JSON.stringify(envelope)));
      if (!result.ok) throw new Error(`invalid message ${envelope.type} from ${envelope.from}: ${result.reason}`);
    }
    this.kernel.after(0, this.deliver, envelope, Priority.message);
  }

  private deliver = (envelope: Envelope): void => {
    for (const o of this.observers) o(envelope);
    const to = envelope.to;
    if (isGroupAddress(to)) {
      const members = this.groups.get(to);
      if (members) for (const m of [...members]) this.addresses.get(m)?.(envelope);
      if (this.options.elsewhere) this.options.elsewhere(envelope);
      else if (!members || members.size === 0) this.undeliverable++;
      return;
    }
    const target = this.addresses.get(to);
    if (target) target(envelope);
    else if (this.options.elsewhere) this.options.elsewhere(envelope);
    else this.undeliverable++;
  };
}
