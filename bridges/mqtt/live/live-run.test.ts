import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../../scenarios/load.js';
import { LivePlant } from '../../../runtime/view/live-plant.js';
import { projectRoot } from '../../../runtime/paths.js';
import type { LogRecord } from '../../../sim/log/event-log.js';
import { MOSQUITTO, startMosquitto, type Mosquitto } from '../../../test/support/mosquitto.js';
import { waitUntil } from '../../../test/support/wait.js';
import { RemoteAgents } from './remote-agents.js';
import { MqttPort } from '../mqtt-port.js';
import { liveTopics } from './live-messages.js';

const SCENARIO = join(projectRoot(), 'scenarios', 'cobot-floor.yaml');
const BIN = join(projectRoot(), 'bin', 'hyperfactory.js');
const built = existsSync(join(projectRoot(), 'dist', 'cli', 'main.js'));

/** An agent host as its own process (the compiled CLI, as a user runs it). */
function agentHost(url: string, id: string, agents: string): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, [BIN, 'agent-host', SCENARIO, '--agents', agents, '--mqtt', url, '--host-id', id], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}

describe.skipIf(!existsSync(MOSQUITTO) || !built)('a live run across processes on Mosquitto', () => {
  let broker: Mosquitto;
  let plant: LivePlant;
  let remote: RemoteAgents;
  const hosts: ReturnType<typeof agentHost>[] = [];
  const records: LogRecord[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    broker = await startMosquitto();
    const scenario = loadScenario(SCENARIO);
    scenario.cobots!.count = 4;
    scenario.cobots!.breakdownRate = 0;
    remote = new RemoteAgents({ plant: scenario.name, agents: 'cobot-*', onProblem: (l) => problems.push(l) });
    plant = new LivePlant(scenario, { speed: 60, placement: remote.placement });
    plant.onRecord((r) => records.push(r));
    await remote.connect(broker.url);
    remote.followClock(
      () => {
        const f = plant.frame();
        return { t: f.t, speed: f.speed, paused: f.paused, finished: f.finished };
      },
      () => plant.hold(),
    );
    hosts.push(agentHost(broker.url, 'host-a', 'cobot-[12]'), agentHost(broker.url, 'host-b', 'cobot-[34]'));
  }, 30_000);

  afterAll(async () => {
    for (const h of hosts) h.child.kill('SIGKILL');
    await plant?.close();
    await remote?.close();
    await broker?.stop();
  });

  const completed = () => plant.frame().kpis.tasksCompleted;
  /** Tasks awarded to a cobot and not completed yet, by negotiation: who holds each. */
  const settled = (r: LogRecord) => r.payload as { outcome: string; winner?: string; spec: { task: string } };
  /** Tasks awarded and not completed yet: who holds each. */
  const open = () => {
    const holder = new Map<string, string>();
    for (const r of records) {
      if (r.type !== 'task.settled') continue;
      const p = settled(r);
      if (p.outcome === 'awarded') holder.set(p.spec.task, p.winner!);
      else holder.delete(p.spec.task);
    }
    return holder;
  };

  it('runs the cobots in two agent hosts: they bid, win and deliver through the plant', async () => {
    await waitUntil('every cobot placed on a host', () => remote.placements().every((p) => p.host !== undefined), 30_000);
    expect(Object.fromEntries(remote.placements().map((p) => [p.id, p.host]))).toEqual({ 'cobot-1': 'host-a', 'cobot-2': 'host-a', 'cobot-3': 'host-b', 'cobot-4': 'host-b' });
    // The plant runs no cobot actor itself: their states come from the hosts.
    await waitUntil('tasks delivered by hosted cobots', () => completed() >= 3, 60_000);
    const winners = new Set([...records].filter((r) => r.type === 'task.settled' && (r.payload as { outcome: string }).outcome === 'completed').map((r) => (r.payload as { winner: string }).winner));
    expect([...winners].every((w) => /^cobot-[1-4]$/.test(w))).toBe(true);
    expect(records.some((r) => r.type === 'state' && r.agent === 'cobot-3' && r.state !== 'remote')).toBe(true);
    expect(remote.stats.rejected).toBe(0);
  }, 120_000);

  it('kills one host: its cobots are lost, what they had won is re-auctioned to the others, and the run carries on', async () => {
    await waitUntil('a task held by a cobot of host-b', () => [...open().values()].some((w) => w === 'cobot-3' || w === 'cobot-4'), 60_000);
    const pending = [...open()].filter(([, w]) => w === 'cobot-3' || w === 'cobot-4').map(([task]) => task);
    const before = completed();
    hosts[1].child.kill('SIGKILL');

    await waitUntil('host-b lost', () => remote.placements().filter((p) => p.host === undefined).length === 2, 30_000);
    expect(remote.stats.lost).toBe(2);
    await waitUntil('agent.lost told to the negotiations', () => records.filter((r) => r.type === 'agent.lost').length === 2, 30_000);
    // Every task host-b's cobots held is awarded again, to a cobot of host-a.
    await waitUntil(
      'the lost tasks re-awarded',
      () => pending.every((task) => open().get(task) === 'cobot-1' || open().get(task) === 'cobot-2' || records.some((r) => r.type === 'task.settled' && settled(r).spec.task === task && settled(r).outcome === 'completed')),
      60_000,
    ).catch((e: Error) => {
      const trail = records.filter((r) => r.type === 'agent.lost' || (r.type === 'task.settled' && pending.includes(settled(r).spec.task)) || (typeof r.conversation === 'string' && r.type.startsWith('task.') && pending.some((t) => JSON.stringify(r.payload).includes(`"${t}"`))));
      throw new Error(`${e.message}; pending ${pending.join(', ')}; trail:\n${trail.map((r) => JSON.stringify(r)).join('\n')}`);
    });
    await waitUntil('host-a carries on delivering', () => completed() >= before + 3, 60_000);
    expect(hosts[0].child.exitCode).toBeNull();
    // The lost cobots' bodies are held: nobody drives them.
    expect(plant.context!.robots!.controller('cobot-3')).toMatch(/host-b/);
  }, 180_000);

  it('refuses a host that speaks for agents it does not run, and malformed messages, and carries on', async () => {
    const rogue = await MqttPort.connect({ url: broker.url, clientId: 'rogue' });
    const topics = liveTopics('cobot-floor');
    const send = (v: unknown) => rogue.publish(topics.toPlant, new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v)));
    const rejected = remote.stats.rejected;
    await send('not json');
    await send({ kind: 'effect', host: 'host-x', agent: 'cobot-1', effect: { type: 'robot.hold', robot: 'cobot-1' } });
    await send({ kind: 'message', host: 'host-a', envelope: { id: 'x', from: 'cobot-1', to: 'robotics', type: 'task.proposal' } });
    await send({ kind: 'state', host: 'host-a', agent: 'cobot-1', state: 42 });
    await waitUntil('four refusals', () => remote.stats.rejected >= rejected + 4, 10_000);
    expect(problems.some((p) => p.includes('host-x') && p.includes('does not run'))).toBe(true);
    expect(problems.some((p) => p.includes('not JSON'))).toBe(true);
    const before = completed();
    await waitUntil('still delivering', () => completed() > before, 60_000);
    await rogue.close();
  }, 90_000);
});
