import { Kernel } from '../../../sim/clock/kernel.js';
import { RealtimeRunner } from '../../../sim/run/realtime.js';
import { EventLog } from '../../../sim/log/event-log.js';
import { AgentHost } from '../../../agents/host/agent-host.js';
import { decodeEnvelope, type Envelope } from '../../../agents/protocol/envelope.js';
import { MemoryBus } from '../../memory/memory-bus.js';
import { HostableKinds } from '../../../runtime/agent-kinds.js';
import { MqttPort } from '../mqtt-port.js';
import { idPattern } from './id-pattern.js';
import { AssignmentSchema, ClockSchema, encodeLive, liveTopics, readLive, ToAgentSchema, type Assignment, type Clock, type FromHost } from './live-messages.js';
import type { LinkSecurity } from '../../identity/sealed.js';
import { incoming, outgoing } from './sealed-link.js';

export interface AgentHostOptions {
  url: string;
  plant: string;
  /** This host's name on the broker (unique among the run's hosts). */
  host: string;
  /** Which agents it offers to run (`cobot-[1-4]`); the plant decides which it gets. */
  agents: string;
  /** The scenario's horizon, simulated seconds: the host stops there as the plant does. */
  horizon: number;
  onProblem?: (line: string) => void;
  /** Told what the host runs each time the plant assigns agents to it. */
  onAssigned?: (agents: string[]) => void;
  /** Seal what this host sends (as its own principal, id = `host`) and accept only the plant's sealed frames. */
  security?: LinkSecurity;
}

export interface AgentHostStats {
  /** Messages and observations delivered to this host's agents. */
  delivered: number;
  /** Messages, effects and states sent to the plant. */
  sent: number;
  /** Refused: malformed, for an agent not here, an unknown kind. */
  rejected: number;
}

/** One run of the plant, as this host runs its part of it. */
interface HostRun {
  run: number;
  kernel: Kernel;
  host: AgentHost;
  runner: RealtimeRunner;
}

/**
 * An agent host: runs the agents the plant places on it (cobots, suppliers,
 * trucks) as XState actors on its own kernel, following the plant's clock.
 * Their messages to agents elsewhere, their port effects and their state
 * changes go to the plant; messages and observations for them come back.
 * Announced online with a retained status whose last will says offline, so
 * the plant learns at once when this process dies.
 */
export class AgentHostProcess {
  readonly stats: AgentHostStats = { delivered: 0, sent: 0, rejected: 0 };
  private readonly topics;
  private current: HostRun | undefined;
  private pendingAssignment: Assignment | undefined;
  private resolveDone: (() => void) | undefined;
  /** Resolves when the plant's run is over or the host is closed. */
  readonly done: Promise<void>;

  private constructor(
    private readonly port: MqttPort,
    private readonly o: AgentHostOptions,
  ) {
    this.topics = liveTopics(o.plant);
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  static async start(o: AgentHostOptions): Promise<AgentHostProcess> {
    const pattern = idPattern(o.agents);
    if (!pattern.ok) throw new RangeError(pattern.reason);
    if (o.security && o.security.sealer.identity.id !== o.host) throw new RangeError(`agent host "${o.host}" holds the identity of "${o.security.sealer.identity.id}": the host id must be its principal id`);
    const topics = liveTopics(o.plant);
    const status = topics.status(o.host);
    const port = await MqttPort.connect({
      url: o.url,
      clientId: `hyperfactory-host-${o.plant}-${o.host}`,
      will: { topic: status, payload: outgoing(o.security, status, encodeLive({ state: 'offline' })), retain: true },
    });
    const h = new AgentHostProcess(port, o);
    await port.subscribe(topics.assign(o.host), (t, bytes) => h.onAssign(t, bytes));
    await port.subscribe(topics.toHost(o.host), (t, bytes) => h.onToAgent(t, bytes));
    await port.subscribe(topics.clock, (t, bytes) => h.onClock(t, bytes));
    const online = () => port.publish(status, outgoing(o.security, status, encodeLive({ state: 'online', agents: o.agents, pid: process.pid })), { retain: true });
    await online();
    // The will said offline while the link was down: online again, and the plant reassigns.
    port.onReconnect(() => void online().catch(() => {}));
    return h;
  }

  /** Stops the agents and says offline (a clean goodbye; the will covers a crash). */
  async close(): Promise<void> {
    this.stop();
    const status = this.topics.status(this.o.host);
    await this.port.publish(status, outgoing(this.o.security, status, encodeLive({ state: 'offline' })), { retain: true }).catch(() => {});
    await this.port.close();
    this.resolveDone?.();
  }

  private stop(): void {
    const c = this.current;
    this.current = undefined;
    c?.runner.stop();
    c?.host.stopAll();
  }

  private onClock(topic: string, bytes: Uint8Array): void {
    if (bytes.byteLength === 0) return;
    const link = incoming(this.o.security, topic, bytes, ['plant']);
    if (!link.ok) return this.reject(`plant clock: ${link.reason}`);
    const read = readLive(ClockSchema, link.body);
    if (!read.ok) return this.reject(`plant clock: ${read.reason}`);
    const clock = read.value;
    if (clock.finished) {
      this.stop();
      this.resolveDone?.();
      return;
    }
    if (this.current?.run !== clock.run) this.begin(clock);
    const now = clock.t + (clock.paused ? 0 : ((Date.now() - clock.wallMs) / 1000) * clock.speed);
    this.current!.runner.follow(now, clock.speed, clock.paused);
  }

  /** A new run of the plant: a fresh kernel and agents, which the plant will assign. */
  private begin(clock: Clock): void {
    this.stop();
    const kernel = new Kernel();
    const log = new EventLog();
    const bus = new MemoryBus(kernel, { elsewhere: (envelope) => this.toPlant({ kind: 'message', host: this.o.host, envelope }) });
    const host = new AgentHost(kernel, bus, log);
    log.subscribe((record) => {
      if (record.type !== 'state') return;
      const agent = host.get(record.agent as string);
      if (!agent || agent.kind === 'negotiation') return;
      // The context lets the plant's operator views read the agent as if it ran there.
      const context = JSON.parse(JSON.stringify(agent.actor.getSnapshot().context ?? {})) as unknown;
      this.toPlant({ kind: 'state', host: this.o.host, agent: agent.id, state: record.state as string, context });
    });
    const runner = new RealtimeRunner(kernel, { speed: clock.speed });
    this.current = { run: clock.run, kernel, host, runner };
    void runner.run(this.o.horizon);
    const pending = this.pendingAssignment;
    this.pendingAssignment = undefined;
    if (pending?.run === clock.run) this.spawn(pending);
  }

  private onAssign(topic: string, bytes: Uint8Array): void {
    const link = incoming(this.o.security, topic, bytes, ['plant']);
    if (!link.ok) return this.reject(`assignment: ${link.reason}`);
    const read = readLive(AssignmentSchema, link.body);
    if (!read.ok) return this.reject(`assignment: ${read.reason}`);
    if (this.current?.run !== read.value.run) {
      // The clock of that run has not arrived yet.
      this.pendingAssignment = read.value;
      return;
    }
    this.spawn(read.value);
  }

  private spawn(assignment: Assignment): void {
    const { host, kernel } = this.current!;
    for (const a of assignment.agents) {
      if (host.get(a.id)) continue;
      const machine = HostableKinds[a.kind];
      if (!machine) {
        this.reject(`agent ${a.id}: this host cannot run agents of kind "${a.kind}"`);
        continue;
      }
      kernel.at(
        kernel.now,
        () =>
          host.spawn({
            id: a.id,
            kind: a.kind,
            groups: a.groups,
            machine,
            input: a.input as never,
            onEffect: (effect, agent) => this.toPlant({ kind: 'effect', host: this.o.host, agent: agent.id, effect }),
          }),
        undefined,
      );
    }
    this.o.onAssigned?.(assignment.agents.map((a) => a.id));
  }

  private onToAgent(topic: string, bytes: Uint8Array): void {
    const link = incoming(this.o.security, topic, bytes, ['plant']);
    if (!link.ok) return this.reject(`message for an agent: ${link.reason}`);
    const read = readLive(ToAgentSchema, link.body);
    if (!read.ok) return this.reject(`message for an agent: ${read.reason}`);
    const m = read.value;
    const run = this.current;
    if (!run) return;
    let event: { type: string; [key: string]: unknown };
    if (m.kind === 'message') {
      const decoded = decodeEnvelope(m.envelope);
      if (!decoded.ok) return this.reject(`message for ${m.agent}: ${decoded.reason}`);
      const envelope: Envelope = decoded.envelope;
      event = { type: envelope.type, msg: envelope };
    } else event = m.event;
    run.kernel.at(
      run.kernel.now,
      () => {
        const agent = run.host.get(m.agent);
        if (!agent) return this.reject(`${m.kind} for ${m.agent}, which does not run here`);
        this.stats.delivered++;
        agent.observe(event);
      },
      undefined,
    );
  }

  private toPlant(message: FromHost): void {
    this.stats.sent++;
    this.port.publish(this.topics.toPlant, outgoing(this.o.security, this.topics.toPlant, encodeLive(message))).catch((e: Error) => this.o.onProblem?.(`to the plant: ${e.message}`));
  }

  private reject(reason: string): void {
    this.stats.rejected++;
    this.o.onProblem?.(`agent host ${this.o.host}: refused ${reason}`);
  }
}
