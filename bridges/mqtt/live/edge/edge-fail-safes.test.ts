import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttributeIds, MessageSecurityMode, OPCUAClient, SecurityPolicy, StatusCodes, makeBrowsePath, type ClientSession } from 'node-opcua';
import { loadScenario } from '../../../../scenarios/load.js';
import { LivePlant } from '../../../../runtime/view/live-plant.js';
import { projectRoot } from '../../../../runtime/paths.js';
import type { LogRecord } from '../../../../sim/log/event-log.js';
import { MOSQUITTO, startMosquitto, type Mosquitto } from '../../../../test/support/mosquitto.js';
import { startTcpProxy, type TcpProxy } from '../../../../test/support/tcp-proxy.js';
import { onFreePort, quietOpcua } from '../../../../test/support/opcua.js';
import { waitUntil } from '../../../../test/support/wait.js';
import { startEdgeMachineServer, type EdgeMachineServer } from '../../../opcua/edge-machine-server.js';
import { OpcuaLocalMachines } from '../../../opcua/local-machines.js';
import { MACHINERY_NS, plantNamespace } from '../../../opcua/names.js';
import { MqttPort } from '../../mqtt-port.js';
import { AgentHostProcess } from '../agent-host-process.js';
import { encodeLive, liveTopics } from '../live-messages.js';
import { RemoteAgents } from '../remote-agents.js';
import type { EdgeRecord } from './edge-journal.js';

quietOpcua();
const SCENARIO = join(projectRoot(), 'scenarios', 'cobot-floor.yaml');
const MACHINE = 'press-edge';
const HOST = 'edge-1';

/**
 * Local fail-safes, end to end on real parts: Mosquitto, the plant (this
 * process, as `serve` runs it), an agent host at the edge (this process too,
 * so its cobots and journal can be looked at) that reaches the broker
 * through a TCP proxy the test cuts, and a simulated machine on its own OPC
 * UA server next to the host.
 */
describe.skipIf(!existsSync(MOSQUITTO))('an agent host at the edge cut off from its plant', () => {
  let broker: Mosquitto;
  let proxy: TcpProxy;
  /** Between the plant and the broker: cutting it silences the plant while the host keeps its connection. */
  let plantProxy: TcpProxy;
  let plant: LivePlant;
  let remote: RemoteAgents;
  let machines: EdgeMachineServer;
  let local: OpcuaLocalMachines;
  let host: AgentHostProcess;
  let reader: { client: OPCUAClient; session: ClientSession };
  const dir = mkdtempSync(join(tmpdir(), 'hf-edge-'));
  const journalPath = join(dir, 'edge-1.journal.ndjson');
  const records: LogRecord[] = [];
  const problems: string[] = [];
  const hostLines: string[] = [];

  beforeAll(async () => {
    broker = await startMosquitto();
    proxy = await startTcpProxy({ port: broker.port });
    plantProxy = await startTcpProxy({ port: broker.port });
    machines = await onFreePort((port) => startEdgeMachineServer({ port, plantName: 'edge-site', machines: [{ id: MACHINE, type: 'press', channels: ['vibRms', 'temperature', 'load', 'powerKw'] }] }));
    machines.machines.get(MACHINE)!.sample({ vibRms: 3, temperature: 60, load: 0.8, powerKw: 40 });

    const scenario = loadScenario(SCENARIO);
    scenario.cobots!.count = 2;
    scenario.cobots!.breakdownRate = 0;
    remote = new RemoteAgents({ plant: scenario.name, agents: 'cobot-*', onProblem: (l) => problems.push(l) });
    plant = new LivePlant(scenario, { speed: 60, placement: remote.placement });
    plant.onRecord((r) => records.push(r));
    await remote.connect(`mqtt://127.0.0.1:${plantProxy.port}`);
    remote.followClock(
      () => {
        const f = plant.frame();
        return { t: f.t, speed: f.speed, paused: f.paused, finished: f.finished };
      },
      () => plant.hold(),
    );

    local = new OpcuaLocalMachines(machines.endpoint, [MACHINE], (l) => hostLines.push(l)).start();
    host = await AgentHostProcess.start({
      url: `mqtt://127.0.0.1:${proxy.port}`,
      plant: scenario.name,
      host: HOST,
      agents: 'cobot-*',
      horizon: scenario.horizon,
      onProblem: (l) => hostLines.push(l),
      // Generous: a loaded machine may publish the plant's clock (every second) late.
      failSafes: { journal: journalPath, linkTimeoutMs: 8000, guard: { port: local, machines: [MACHINE], limits: [{ channel: 'vibRms', value: 12 }] } },
    });

    const client = OPCUAClient.create({ endpointMustExist: false, securityMode: MessageSecurityMode.None, securityPolicy: SecurityPolicy.None, connectionStrategy: { maxRetry: 5, initialDelay: 200, maxDelay: 1000 } });
    await client.connect(machines.endpoint);
    reader = { client, session: await client.createSession() };
  }, 90_000);

  afterAll(async () => {
    await reader?.session.close().catch(() => {});
    await reader?.client.disconnect().catch(() => {});
    await host?.close().catch(() => {});
    await plant?.close();
    await remote?.close();
    await machines?.close();
    await proxy?.close();
    await plantProxy?.close();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The machine as any OPC UA client reads it: its State and Control/Running. */
  const readMachine = async () => {
    const ns = await reader.session.readNamespaceArray();
    const [mi, pi] = [ns.indexOf(MACHINERY_NS), ns.indexOf(plantNamespace('edge-site'))];
    const read = async (path: string) => {
      const r = await reader.session.translateBrowsePath(makeBrowsePath('RootFolder', `/Objects/${mi}:Machines/${pi}:${MACHINE}/${path}`));
      expect(r.statusCode, path).toBe(StatusCodes.Good);
      return (await reader.session.read({ nodeId: r.targets![0].targetId, attributeId: AttributeIds.Value })).value.value as unknown;
    };
    return { state: await read(`${pi}:State`), running: await read(`${pi}:Control.${pi}:Running`) };
  };
  const journalLines = () => readFileSync(journalPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { k: string; rec?: EdgeRecord });
  const journalRecords = () => journalLines().flatMap((l) => (l.k === 'rec' ? [l.rec!] : []));
  const late = () => records.filter((r) => r.type === 'edge.late');
  const cobots = () => host.agents().filter((a) => a.kind === 'cobot');

  it('while linked the plant decides: a critical reading does not stop the machine', async () => {
    await waitUntil('both cobots placed on the edge host', () => remote.placements().length === 2 && remote.placements().every((p) => p.host === HOST), 60_000);
    await waitUntil('the host linked', () => host.edge!.state === 'linked', 60_000);
    const seen = local.stats.samples;
    machines.machines.get(MACHINE)!.sample({ vibRms: 15 });
    await waitUntil('the guard read the critical value', () => local.stats.samples > seen, 30_000);
    expect(host.edge!.guards!.state(MACHINE)).toBe('watching');
    expect(machines.machines.get(MACHINE)!.running).toBe(true);
    // Back to normal before the cut: the stop below is caused by a reading taken while cut off.
    const again = local.stats.samples;
    machines.machines.get(MACHINE)!.sample({ vibRms: 3 });
    await waitUntil('the guard read the normal value', () => local.stats.samples > again, 30_000);
    expect(machines.machines.get(MACHINE)!.stops).toBe(0);
  }, 150_000);

  it('cut off: the host stops the machine on a critical reading, its cobots hold, and the journal keeps it all', async () => {
    await waitUntil('a hosted cobot at work', () => cobots().some((c) => /^(moving|handling)/.test(c.state())), 90_000);
    proxy.cut();
    await waitUntil('the host isolated', () => host.edge!.state === 'isolated', 30_000);
    await waitUntil('the plant lost the host (its will)', () => remote.placements().every((p) => p.host === undefined), 30_000);

    machines.machines.get(MACHINE)!.sample({ vibRms: 14.5, temperature: 71 });
    await waitUntil('the machine stopped by the host', () => !machines.machines.get(MACHINE)!.running, 60_000);
    expect(await readMachine()).toEqual({ state: 'stopped', running: false });
    await waitUntil('the stop journaled', () => journalRecords().some((r) => r.type === 'machine.stopped'), 30_000);

    // Cobots hold: in state held, their bodies told to hold, no new motion asked for after the link was lost.
    await waitUntil('every hosted cobot held', () => cobots().length === 2 && cobots().every((c) => c.state() === 'held'), 30_000);
    const recs = journalRecords();
    const lost = recs.findIndex((r) => r.type === 'link.lost');
    expect(lost).toBeGreaterThanOrEqual(0);
    const after = recs.slice(lost);
    for (const c of cobots()) {
      expect(after.some((r) => r.type === 'effect' && r.agent === c.id && (r.effect as { type: string }).type === 'robot.hold')).toBe(true);
      expect(after.some((r) => r.type === 'state' && r.agent === c.id && r.state === 'held')).toBe(true);
    }
    expect(after.some((r) => r.type === 'effect' && (r.effect as { type: string }).type === 'robot.navigate')).toBe(false);
    expect(after.map((r) => r.type)).toEqual(expect.arrayContaining(['link.lost', 'machine.anomaly', 'machine.stopped']));
    expect(recs.find((r) => r.type === 'machine.anomaly')).toMatchObject({ machine: MACHINE, channel: 'vibRms', reading: 14.5, value: 12 });
    // Nothing of it reached the plant while cut.
    expect(late()).toEqual([]);
    await waitUntil('a reconnection refused by the cut link', () => proxy.refused > 0, 30_000);
  }, 240_000);

  it('link back: the plant logs the backlog once, in order, with original times; a resent backlog is dropped', async () => {
    const backlog = host.edge!.journal.pending();
    // On disk, as the journal's last lines.
    expect(journalRecords().slice(-backlog.length)).toEqual(backlog);
    proxy.restore();
    await waitUntil('the host linked again', () => host.edge!.state === 'linked', 60_000);
    const logged = late();
    // The backlog first, in order, each once; then what the host kept on its way back (link.back, its cobots restarted).
    const seqs = logged.map((r) => r.seq as number);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    const at = logged.findIndex((r) => r.id === backlog[0].id);
    const ours = logged.slice(at, at + backlog.length);
    expect(ours.map((r) => `${r.id} ${r.what}`)).toEqual(backlog.map((r) => `${r.id} ${r.type}`));
    expect(ours.map((r) => [r.wallMs, r.hostT])).toEqual(backlog.map((r) => [r.wallMs, r.t]));
    expect(logged.slice(at + backlog.length).map((r) => r.what)).toContain('link.back');
    expect(logged.find((r) => r.what === 'machine.stopped')).toMatchObject({ host: HOST, machine: MACHINE });
    expect(host.edge!.journal.pending()).toEqual([]);
    expect(hostLines.some((l) => l.includes('link isolated → resyncing'))).toBe(true);

    // A send retried (a lost acknowledgement): the plant has those records already.
    const rogue = await MqttPort.connect({ url: broker.url, clientId: 'retry' });
    await rogue.publish(liveTopics('cobot-floor').toPlant, encodeLive({ kind: 'backlog', host: HOST, journal: host.edge!.journal.id, records: backlog }));
    await waitUntil('the duplicates dropped', () => remote.backlog.stats.duplicates >= backlog.length, 30_000);
    await rogue.close();
    const ids = late().map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);

    // The plant took the cobots back while the link was down: they run afresh on the host, placed there again.
    await waitUntil('the cobots placed on the host again', () => remote.placements().every((p) => p.host === HOST), 60_000);
    await waitUntil('the cobots restarted', () => cobots().length === 2 && cobots().every((c) => c.state() !== 'held'), 60_000);
    expect(journalRecords().some((r) => r.type === 'agents.restarted') || late().some((r) => r.what === 'agents.restarted')).toBe(true);
    // The machine stays stopped: starting it again is for the plant or an operator.
    expect((await readMachine()).running).toBe(false);
    expect(remote.stats.rejected).toBe(0);
    // Every record the host kept reached the plant's log once, in order.
    const all = late().map((r) => r.seq as number);
    expect(all).toEqual(all.map((_, i) => i));
    expect(late().map((r) => r.what)).toEqual(expect.arrayContaining(['link.lost', 'machine.anomaly', 'machine.stopped', 'link.back', 'agents.restarted']));
  }, 240_000);

  it('a silent plant (the host keeps its broker): after the timeout the cobots hold; when the plant is back they resume their own tasks', async () => {
    await waitUntil('the host linked', () => host.edge!.state === 'linked', 60_000);
    const working = () => cobots().find((c) => /^(moving\.to(Pickup|Dropoff)|handling)/.test(c.state()));
    await waitUntil('a hosted cobot on a task', () => working() !== undefined, 90_000);
    const cobot = working()!;
    const task = (cobot.actor.getSnapshot().context as { current?: { spec: { task: string } } }).current!.spec.task;
    const lostBefore = remote.stats.lost;
    const seen = late().length;
    plantProxy.cut();
    await waitUntil('the host isolated by the silence', () => host.edge!.state === 'isolated', 60_000);
    expect(hostLines.some((l) => /linked → isolated \(the plant not heard for 8 s\)/.test(l))).toBe(true);
    await waitUntil('every hosted cobot held', () => cobots().every((c) => c.state() === 'held'), 30_000);
    expect((cobot.actor.getSnapshot().context as { current?: { spec: { task: string } } }).current?.spec.task).toBe(task);

    plantProxy.restore();
    await waitUntil('the host linked again', () => host.edge!.state === 'linked', 60_000);
    await waitUntil('the cobots resumed', () => cobots().every((c) => c.state() !== 'held'), 30_000);
    // The same actors go on (no restart), the one at work with its own task, unless it finished it meanwhile.
    expect(cobots()).toContain(cobot);
    const current = (cobot.actor.getSnapshot().context as { current?: { spec: { task: string } } }).current?.spec.task;
    const finished = records.some((r) => r.type === 'task.settled' && (r.payload as { outcome: string; spec: { task: string } }).spec.task === task);
    expect(current === task || finished).toBe(true);
    // The plant never lost the host: nothing re-auctioned, and the backlog says so.
    expect(remote.stats.lost).toBe(lostBefore);
    const back = late().slice(seen);
    expect(back.map((r) => r.what)).toEqual(expect.arrayContaining(['link.lost', 'link.back']));
    expect(back.find((r) => r.what === 'link.back')).toMatchObject({ agentsTakenBack: false });
    expect(back.some((r) => r.what === 'agents.restarted')).toBe(false);
  }, 240_000);
});
