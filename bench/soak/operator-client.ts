import { MqttPort } from '../../bridges/mqtt/mqtt-port.js';
import { plantTopics } from '../../bridges/mqtt/plant-topics.js';

const encoder = new TextEncoder();

export interface CommandCounts {
  sent: number;
  /** Answers received on `commands/results`, matched by id. */
  answered: number;
  accepted: number;
  refused: number;
  /** Ids sent and never answered (must be empty once the plant has drained). */
  unanswered: string[];
}

/**
 * An operator console on the broker: sends commands to the plant's
 * `commands` topic and matches each answer on `commands/results` by id, so
 * the command path is soaked too and a lost command or answer shows.
 * Each stop of the soak sends one command the plant takes (a cobot sent to
 * charge) and one it must refuse (a malformed one).
 */
export class OperatorClient {
  private readonly pending = new Set<string>();
  readonly counts: Omit<CommandCounts, 'unanswered'> = { sent: 0, answered: 0, accepted: 0, refused: 0 };

  private constructor(
    private readonly port: MqttPort,
    private readonly topics: ReturnType<typeof plantTopics>,
  ) {}

  static async connect(url: string, plant: string): Promise<OperatorClient> {
    const port = await MqttPort.connect({ url, clientId: `soak-operator-${process.pid}`, sessionExpirySeconds: 300 });
    const client = new OperatorClient(port, plantTopics(plant));
    await port.subscribe(client.topics.commandResults, (_topic, bytes) => client.onResult(bytes));
    return client;
  }

  /** One good and one malformed command, ids prefixed with `tag`. */
  async sendRound(tag: string, cobot: string): Promise<void> {
    await this.send(`${tag}-charge`, { id: `${tag}-charge`, text: `charge ${cobot}` });
    await this.send(`${tag}-bad`, { id: `${tag}-bad`, text: 42 });
  }

  snapshot(): CommandCounts {
    return { ...this.counts, unanswered: [...this.pending] };
  }

  async close(): Promise<void> {
    await this.port.close();
  }

  private async send(id: string, body: unknown): Promise<void> {
    this.pending.add(id);
    this.counts.sent++;
    await this.port.publish(this.topics.commands, encoder.encode(JSON.stringify(body)));
  }

  private onResult(bytes: Uint8Array): void {
    const r = JSON.parse(new TextDecoder().decode(bytes)) as { id?: string; ok?: boolean };
    if (r.id === undefined || !this.pending.delete(r.id)) return;
    this.counts.answered++;
    if (r.ok) this.counts.accepted++;
    else this.counts.refused++;
  }
}
