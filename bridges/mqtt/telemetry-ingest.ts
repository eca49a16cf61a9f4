import type { Ack } from '../viewer/protocol.js';
import type { MqttPort } from './mqtt-port.js';
import { oneLine } from '../../agents/protocol/one-line.js';
import { readJsonPayload } from './json-payload.js';

/** A live plant that takes machines' telemetry from outside. */
export interface TelemetrySink {
  ingest(machine: string, signals: Readonly<Record<string, unknown>>): Ack<unknown>;
}

export interface IngestStats {
  accepted: number;
  /** Samples refused: not JSON, oversized, not an object of numbers, unknown channel, run ended. */
  rejected: number;
}

/** Largest sample accepted: nine channels of JSON numbers are a few hundred bytes. */
export const MAX_SAMPLE_BYTES = 4096;

/**
 * Real sensors into the simulation: subscribes to each machine's
 * `telemetryTopic` and hands every sample to the plant, which checks it and
 * enters it as that machine's telemetry. A sample is JSON, either
 * `{"signals": {"vibRms": 2.1, …}}` or the bare object of channels. A bad
 * one is counted and reported, and changes nothing.
 */
export class TelemetryIngest {
  readonly stats: IngestStats = { accepted: 0, rejected: 0 };
  private readonly unsubscribes: (() => Promise<void>)[] = [];

  private constructor(private readonly onProblem: (line: string) => void) {}

  static async start(sink: TelemetrySink, port: MqttPort, machines: readonly { id: string; telemetryTopic?: string }[], onProblem: (line: string) => void = () => {}): Promise<TelemetryIngest> {
    const ingest = new TelemetryIngest(onProblem);
    for (const m of machines) {
      if (!m.telemetryTopic) continue;
      ingest.unsubscribes.push(await port.subscribe(m.telemetryTopic, (topic, bytes) => ingest.onSample(sink, m.id, topic, bytes)));
    }
    return ingest;
  }

  private onSample(sink: TelemetrySink, machine: string, topic: string, bytes: Uint8Array): void {
    const signals = parseSample(bytes);
    const ack = typeof signals === 'string' ? { ok: false as const, reason: signals } : sink.ingest(machine, signals);
    if (ack.ok) {
      this.stats.accepted++;
      return;
    }
    this.stats.rejected++;
    // The sink's reason may quote the sample (a channel name with a line break): kept to one line.
    this.onProblem(`mqtt: sample on ${topic} for ${machine} refused: ${oneLine(ack.reason)}`);
  }

  async close(): Promise<void> {
    for (const u of this.unsubscribes.splice(0)) await u().catch(() => {});
  }
}

/** The channels of a sample, or why it is not one. */
export function parseSample(bytes: Uint8Array): Record<string, unknown> | string {
  const read = readJsonPayload(bytes, MAX_SAMPLE_BYTES);
  if (!read.ok) return read.reason;
  const raw = read.value;
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isObject(raw)) return 'a sample is a JSON object of channels, or {"signals": {…}}';
  const signals = 'signals' in raw ? raw.signals : raw;
  return isObject(signals) ? signals : '"signals" must be an object of channels';
}
