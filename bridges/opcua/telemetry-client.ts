import type { RunContext } from '../../runtime/context.js';
import { telemetryChannels } from '../../runtime/ingest.js';
import type { MachineSpec } from '../../runtime/machines.js';
import type { TelemetrySink } from '../mqtt/telemetry-ingest.js';
import { EndpointLink, type OpcuaSecurity } from './endpoint-link.js';

/** One machine of the plant whose telemetry comes from a machine on an OPC UA server. */
export interface OpcuaFeed {
  /** The machine in the plant. */
  id: string;
  /** The server, `opc.tcp://host:port`. */
  endpoint: string;
  /** The machine's browse name under the server's Machines folder. */
  remoteName: string;
}

export interface OpcuaTelemetryStats {
  /** Samples the plant took. */
  samples: number;
  /** Refused: a value of the wrong type, NaN, a bad status, an unknown variable or machine, the plant's refusal. */
  rejected: number;
  /** Sessions and subscriptions created: more than one each after the link was rebuilt. */
  sessions: number;
  subscriptions: number;
}

/** A live plant that takes telemetry from outside; its context names each machine's channels. */
export interface OpcuaTelemetrySink extends TelemetrySink {
  readonly context?: RunContext | undefined;
}

/** The machines of a scenario that read their telemetry over OPC UA (`telemetryOpcua`). */
export function opcuaFeeds(specs: readonly MachineSpec[]): OpcuaFeed[] {
  return specs.flatMap((s) => (s.telemetryOpcua ? [{ id: s.id, endpoint: s.telemetryOpcua.endpoint, remoteName: s.telemetryOpcua.machine }] : []));
}

/**
 * Real machines into the simulation over OPC UA: one client per server,
 * subscribed to the sensor variables of each remote machine (found by
 * browsing Machines/<name>/Monitoring, not by numeric node ids). The values
 * of one machine that share a source timestamp become one sample for
 * `plant.ingest`. The link reconnects and subscribes again by itself when
 * the server goes away and comes back, restarted or not. A bad value is
 * counted and reported in one line and dropped; the rest of its sample, and
 * everything after it, still arrives.
 */
export class OpcuaTelemetrySource {
  readonly stats: OpcuaTelemetryStats = { samples: 0, rejected: 0, sessions: 0, subscriptions: 0 };
  private readonly links: EndpointLink[] = [];

  private constructor() {}

  /**
   * Starts a link per server and returns at once: a server that is down is
   * retried (every 0.25 s growing to 2 s) until it answers or `close`.
   */
  static start(plant: OpcuaTelemetrySink, machines: readonly OpcuaFeed[], onProblem: (line: string) => void = () => {}, o: { security?: OpcuaSecurity } = {}): OpcuaTelemetrySource {
    const source = new OpcuaTelemetrySource();
    const report = (line: string) => {
      try {
        onProblem(line);
      } catch {
        // a failing reporter must not stop the link
      }
    };
    const byEndpoint = new Map<string, OpcuaFeed[]>();
    for (const m of machines) byEndpoint.set(m.endpoint, [...(byEndpoint.get(m.endpoint) ?? []), m]);
    for (const [endpoint, feeds] of byEndpoint) {
      const link = new EndpointLink(endpoint, feeds, {
        security: o.security ?? 'None',
        stats: source.stats,
        onProblem: report,
        channelsOf: (id) => {
          const model = plant.context?.machines.get(id);
          return model ? telemetryChannels(model) : undefined;
        },
        ingest: (id, signals) => plant.ingest(id, signals),
      });
      source.links.push(link);
      link.start();
    }
    return source;
  }

  /** Ends every session and connection; nothing is ingested afterwards. */
  async close(): Promise<void> {
    await Promise.all(this.links.map((l) => l.close()));
  }
}
