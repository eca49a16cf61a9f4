/**
 * The soak's independent subscriber: its own process and its own MQTT
 * client (QoS 1, a persistent session so a reconnect loses nothing), on
 * everything under the plant's root. It tallies what the broker delivers
 * (`TopicTally`) and answers the bench over the IPC channel. Being a
 * separate process keeps its work and memory out of the plant's figures,
 * and it sees the broker's output exactly as any outside consumer would.
 *
 *   forked by bench/soak/subscriber-client.ts: argv = [url, plant]
 */
import { MqttPort } from '../../bridges/mqtt/mqtt-port.js';
import { PLANT_TOPIC_ROOT } from '../../bridges/mqtt/plant-topics.js';
import { TopicTally } from './topic-tally.js';

/** Parent → subscriber. */
export type ToSubscriber = { type: 'snapshot'; id: number } | { type: 'stop' };
/** Subscriber → parent. */
export type FromSubscriber = { type: 'ready' } | { type: 'snapshot'; id: number; snapshot: ReturnType<TopicTally['snapshot']>; errors: number };

const [url, plant] = process.argv.slice(2);
if (!url || !plant || !process.send) {
  process.stderr.write('subscriber: forked by the soak bench with [url, plant] and an IPC channel\n');
  process.exit(2);
}
const send = (m: FromSubscriber) => process.send!(m);
const tally = new TopicTally(plant);
let errors = 0;
const port = await MqttPort.connect({
  url,
  clientId: `soak-subscriber-${process.pid}`,
  sessionExpirySeconds: 300,
  onError: (e) => {
    errors++;
    process.stderr.write(`subscriber: ${e.message}\n`);
  },
});
await port.subscribe(`${PLANT_TOPIC_ROOT}/${plant}/#`, (topic, payload) => tally.add(topic, payload));
process.on('message', (m: ToSubscriber) => {
  if (m.type === 'snapshot') send({ type: 'snapshot', id: m.id, snapshot: tally.snapshot(), errors });
  else void port.close().finally(() => process.exit(0));
});
// The bench is gone (crash, kill): do not outlive it.
process.on('disconnect', () => void port.close().finally(() => process.exit(0)));
send({ type: 'ready' });
