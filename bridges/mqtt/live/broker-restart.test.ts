import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../../scenarios/load.js';
import { LivePlant } from '../../../runtime/view/live-plant.js';
import { projectRoot } from '../../../runtime/paths.js';
import type { LogRecord } from '../../../sim/log/event-log.js';
import { MOSQUITTO, startMosquitto, type Mosquitto } from '../../../test/support/mosquitto.js';
import { startAgentHost, TaskLedger, type AgentHostChild } from '../../../test/support/live-run.js';
import { waitUntil } from '../../../test/support/wait.js';
import { RemoteAgents } from './remote-agents.js';

const SCENARIO = join(projectRoot(), 'scenarios', 'cobot-floor.yaml');
const built = existsSync(join(projectRoot(), 'dist', 'cli', 'main.js'));

/**
 * Fault injection: the MQTT broker of a live run restarts. Mosquitto keeps
 * its sessions and queued QoS 1 messages in a persistence file; the plant
 * (this process) and two agent hosts (the compiled CLI) reconnect by
 * themselves. Checked on the plant's own event log: no task is done twice,
 * none is lost (everything announced before the restart gets done), what
 * a host held when it was declared lost is awarded again, and the robotics
 * coordinator hears when each lost cobot runs again (`agent.back`).
 */
describe.skipIf(!existsSync(MOSQUITTO) || !built)('a live run across processes through a Mosquitto restart', () => {
  let broker: Mosquitto;
  let plant: LivePlant;
  let remote: RemoteAgents;
  const hosts: AgentHostChild[] = [];
  const records: LogRecord[] = [];
  const problems: string[] = [];
  const ledger = new TaskLedger(records);

  beforeAll(async () => {
    broker = await startMosquitto({ persistence: { autosaveSeconds: 1 } });
    const scenario = loadScenario(SCENARIO);
    scenario.cobots!.count = 4;
    scenario.cobots!.breakdownRate = 0;
    // Fewer task streams than the cobots can serve: every task announced before a restart can be seen done after it.
    scenario.tasks = scenario.tasks!.slice(0, 6);
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
    hosts.push(startAgentHost(SCENARIO, broker.url, 'host-a', 'cobot-[12]'), startAgentHost(SCENARIO, broker.url, 'host-b', 'cobot-[34]'));
  }, 30_000);

  afterAll(async () => {
    for (const h of hosts) h.child.kill('SIGKILL');
    await plant?.close();
    await remote?.close();
    await broker?.stop();
  });

  const completed = () => plant.frame().kpis.tasksCompleted;
  const hosted = (w: string | undefined) => w !== undefined && /^cobot-[1-4]$/.test(w);
  const allPlaced = () => remote.placements().every((p) => p.host !== undefined);
  /** What the run looked like when something was not met (the broker's and hosts' own words included). */
  const context = () => `placements ${JSON.stringify(remote.placements())}; stats ${JSON.stringify(remote.stats)}; problems ${problems.slice(-5).join(' | ')}; broker: ${broker.log().slice(-500)}; hosts: ${hosts.map((h) => h.output().slice(-400)).join(' || ')}`;

  /**
   * Restarts the broker while hosted cobots hold tasks, then waits for the
   * run to go on and every task announced before the restart to be done.
   */
  async function restartMidRun(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    await waitUntil('hosted cobots holding tasks', () => [...ledger.open().values()].filter(hosted).length >= 2, 60_000);
    const before = ledger.announced();
    const held = new Map(ledger.open());
    const lostIndex = records.length;
    const delivered = completed();

    await broker.restart({ signal, downMs: 1500 });

    await waitUntil('every cobot on a host again', allPlaced, 60_000).catch((e: Error) => {
      throw new Error(`${e.message}: ${context()}`);
    });
    await waitUntil('deliveries after the restart', () => completed() >= delivered + 3, 90_000).catch((e: Error) => {
      throw new Error(`${e.message}: ${context()}`);
    });
    // Each cobot lost with its host is told back to the robotics coordinator once it speaks again, from the host it
    // is on now, so what found no bidder meanwhile is announced at once.
    const since = () => records.slice(lostIndex);
    const lostAgents = new Set(since().filter((r) => r.type === 'agent.lost').map((r) => (r.payload as { agent: string }).agent));
    const backAfterLoss = (agent: string) => {
      const lastLoss = since().findLastIndex((r) => r.type === 'agent.lost' && (r.payload as { agent: string }).agent === agent);
      return since().slice(lastLoss).find((r) => r.type === 'agent.back' && (r.payload as { agent: string }).agent === agent);
    };
    await waitUntil('each lost cobot back', () => [...lostAgents].every((a) => backAfterLoss(a) !== undefined), 60_000).catch((e: Error) => {
      throw new Error(`${e.message}: lost ${[...lostAgents].join(', ')}; ${context()}`);
    });
    for (const agent of lostAgents) {
      const back = backAfterLoss(agent)!;
      expect(back, JSON.stringify(back)).toMatchObject({ from: 'plant', to: 'robotics', payload: { agent, host: remote.placements().find((p) => p.id === agent)?.host } });
    }
    // Nothing lost: every task announced before the restart is done (re-auctioned first if its holder was lost).
    const done = () => [...before].filter((t) => !ledger.completions().has(t));
    await waitUntil('every task announced before the restart done', () => done().length === 0, 120_000).catch((e: Error) => {
      const missing = done();
      throw new Error(`${e.message}: ${missing.length} not done (${missing.join(', ')}); open ${JSON.stringify([...ledger.open()])}; ${context()}\n${missing.slice(0, 3).map((t) => ledger.trail(t)).join('\n--\n')}`);
    });
    // Nothing doubled.
    expect(ledger.doubled(), ledger.doubled().map((t) => ledger.trail(t).replaceAll('\n', ' ‖ ')).join(' ‖‖ ')).toEqual([]);
    // A holder declared lost (its host's will) that had not finished its task yet: the task was auctioned and awarded
    // again (to another cobot, or to the lost one started afresh on its host).
    const lostAt = new Map<string, number>();
    records.forEach((r, i) => {
      if (i < lostIndex || r.type !== 'agent.lost') return;
      const agent = (r.payload as { agent: string }).agent;
      if (!lostAt.has(agent)) lostAt.set(agent, i);
    });
    for (const [task, holder] of held) {
      const at = lostAt.get(holder);
      if (at === undefined || ledger.completedBy(task, at)) continue;
      const negotiation = records.find((r) => r.type === 'task.cfp' && (r.payload as { spec: { task: string } }).spec.task === task)?.from;
      const states = records.filter((r) => r.type === 'state' && (r as { agent?: string }).agent === negotiation).map((r) => JSON.stringify(r));
      expect(
        ledger.awardedAfter(task, at),
        `${task} held by lost ${holder} (lost at record ${at}: ${JSON.stringify(records[at])}, of ${records.length}): ${ledger.trail(task).replaceAll('\n', ' ‖ ')}; negotiation states ${states.join(' ')}; ${context()}`,
      ).toBe(true);
    }
    expect(remote.stats.rejected, problems.join('\n')).toBe(0);
    for (const h of hosts) expect(h.child.exitCode, h.output()).toBeNull();
  }

  it('runs hosted cobots: they bid, win and deliver', async () => {
    await waitUntil('every cobot placed on a host', allPlaced, 30_000);
    await waitUntil('tasks delivered by hosted cobots', () => completed() >= 2, 60_000);
    expect(ledger.doubled()).toEqual([]);
  }, 90_000);

  it('goes on after Mosquitto is stopped (SIGTERM) and started again: nothing lost, nothing done twice', async () => {
    await restartMidRun('SIGTERM');
    expect(broker.starts).toBe(2);
  }, 240_000);

  it('goes on after Mosquitto is killed (SIGKILL) and started again: nothing lost, nothing done twice', async () => {
    await restartMidRun('SIGKILL');
    expect(broker.starts).toBe(3);
  }, 240_000);
});
