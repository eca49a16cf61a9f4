import { randomUUID } from 'node:crypto';
import { Kernel } from '../../../sim/clock/kernel.js';
import { RealtimeRunner } from '../../../sim/run/realtime.js';
import { EventLog } from '../../../sim/log/event-log.js';
import { AgentHost, type Agent } from '../../../agents/host/agent-host.js';
import { decodeEnvelope, type Envelope } from '../../../agents/protocol/envelope.js';
import { MemoryBus } from '../../memory/memory-bus.js';
import { HostableKinds } from '../../../runtime/agent-kinds.js';
import { MqttPort } from '../mqtt-port.js';
import { idPattern } from './id-pattern.js';
import { RecentIds } from './recent-ids.js';
import { AssignmentSchema, ClockSchema, encodeLive, LINK_SESSION_SECONDS, liveTopics, readLive, ToAgentSchema, type Assignment, type Clock, type FromHost } from './live-messages.js';
import type { LinkSecurity } from '../../identity/sealed.js';
import { incoming, outgoing } from './sealed-link.js';
import { EdgeFailSafes, type EdgeFailSafesOptions } from './edge/edge-fail-safes.js';
import { describeRefused, SigningBus, type EnvelopeSigningOptions } from '../../identity/signing-bus.js';

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
  /** Local fail-safes for a host at the edge: link watch, machine guards, cobots held, a journal for the plant (docs/live-runs.md). */
  failSafes?: EdgeFailSafesOptions;
  /** Sign each envelope of this host's agents with the agent's own key and check every envelope they receive (`bridges/identity/signing-bus.ts`). */
  signing?: Omit<EnvelopeSigningOptions, 'onRefused'>;
}

export interface AgentHostStats {
  /** Messages and observations delivered to this host's agents. */
  delivered: number;
  /** Second copies of messages dropped (QoS 1 delivers at least once). */
  duplicates: number;
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
  signing?: SigningBus;
  /** The incarnation of each agent running here (see `AgentPlacementSchema.incarnation`). */
  incarnations: Map<string, number>;
  /** Envelopes taken, by agent and id: a duplicate is dropped. */
  seen: RecentIds;
  /** For an agent started afresh: the last message number of its older incarnation (the bus may still deliver those). */
  bornAfter: Map<string, number>;
}

/**
 * An agent host: runs the agents the plant places on it (cobots, suppliers,
 * trucks) as XState actors on its own kernel, following the plant's clock.
 * Their messages to agents elsewhere, their port effects and their state
 * changes go to the plant; messages and observations for them come back.
 * Announced online with a retained status whose last will says offline, so
 * the plant learns at once when this process dies. Each connection has its
 * own session id, in its online status and in its will: the plant takes an
 * offline only for the session it knows, so a will captured earlier and
 * replayed (it is sealed at connect, before any later message) is ignored.
 */
export class AgentHostProcess {
  readonly stats: AgentHostStats = { delivered: 0, sent: 0, rejected: 0, duplicates: 0 };
  private readonly topics;
  private current: HostRun | undefined;
  private pendingAssignment: Assignment | undefined;
  private lastClock: Clock | undefined;
  /** The local fail-safes, when the host runs with them (`failSafes`). */
  edge: EdgeFailSafes | undefined;
  private resolveDone: (() => void) | undefined;
  /** The session whose will the current connection carries (see the class comment). */
  private session = '';
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
    const will = (session: string) => ({ topic: status, payload: outgoing(o.security, status, encodeLive({ state: 'offline', session })), retain: true });
    let armed = randomUUID();
    const port = await MqttPort.connect({
      url: o.url,
      clientId: `hyperfactory-host-${o.plant}-${o.host}`,
      // Persistent: what the plant sends while the link is down (a broker restart) is queued, not dropped.
      sessionExpirySeconds: LINK_SESSION_SECONDS,
      will: will(armed),
    });
    const h = new AgentHostProcess(port, o);
    h.session = armed;
    // The next connection registers a will of its own session.
    let next = randomUUID();
    port.setWill(will(next));
    if (o.failSafes) await h.startFailSafes(o.failSafes);
    await port.subscribe(topics.assign(o.host), (t, bytes) => h.onAssign(t, bytes));
    await port.subscribe(topics.toHost(o.host), (t, bytes) => h.onToAgent(t, bytes));
    await port.subscribe(topics.clock, (t, bytes) => h.onClock(t, bytes));
    const online = () => port.publish(status, outgoing(o.security, status, encodeLive({ state: 'online', agents: o.agents, pid: process.pid, session: h.session })), { retain: true });
    await online();
    // The will said offline while the link was down: online again (the session of this connection's will), and the plant reassigns.
    port.onReconnect(() => {
      armed = next;
      h.session = armed;
      next = randomUUID();
      port.setWill(will(next));
      void online().catch(() => {});
    });
    return h;
  }

  /** The link watch, machine guards and journal (docs/live-runs.md, "Local fail-safes"). */
  private async startFailSafes(o: EdgeFailSafesOptions): Promise<void> {
    const { port, topics } = this;
    try {
      this.edge = new EdgeFailSafes(o, {
        host: this.o.host,
        now: () => this.current?.kernel.now ?? 0,
        publish: (message) => port.publish(topics.toPlant, outgoing(this.o.security, topics.toPlant, encodeLive(message))),
        tellCobots: (type) => this.tellCobots(type),
        say: (line) => this.o.onProblem?.(line),
      });
    } catch (e) {
      await port.close();
      throw e;
    }
    port.onReconnect(
      () => this.edge?.mqttUp(),
      () => this.edge?.mqttDown(),
    );
    await port.subscribe(topics.backlogAck(this.o.host), (t, bytes) => {
      const link = incoming(this.o.security, t, bytes, ['plant']);
      const problem = link.ok ? this.edge?.ack(link.body) : link.reason;
      if (problem) this.reject(`backlog ack: ${problem}`);
    });
  }

  /** Tells every hosted cobot that the link to the plant is lost or back (they hold, or resume). */
  private tellCobots(type: 'link.lost' | 'link.back'): void {
    const run = this.current;
    if (!run) return;
    run.kernel.at(
      run.kernel.now,
      () => {
        for (const agent of run.host.all()) if (agent.kind === 'cobot') agent.observe({ type, time: run.kernel.now });
      },
      undefined,
    );
  }

  /** The agents running here now (cobots, suppliers, trucks, and negotiations they opened). */
  agents(): Agent[] {
    return this.current?.host.all() ?? [];
  }

  /** Stops the agents and says offline (a clean goodbye; the will covers a crash). */
  async close(): Promise<void> {
    this.stop();
    await this.edge?.close().catch(() => {});
    const status = this.topics.status(this.o.host);
    await this.port.publish(status, outgoing(this.o.security, status, encodeLive({ state: 'offline', session: this.session })), { retain: true }).catch(() => {});
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
    this.lastClock = clock;
    this.edge?.clock(clock.wallMs);
    if (this.current?.run !== clock.run) this.begin(clock);
    this.follow(clock);
  }

  private follow(clock: Clock): void {
    const now = clock.t + (clock.paused ? 0 : ((Date.now() - clock.wallMs) / 1000) * clock.speed);
    this.current!.runner.follow(now, clock.speed, clock.paused);
  }

  /** A new run of the plant: a fresh kernel and agents, which the plant will assign. */
  private begin(clock: Clock): void {
    this.stop();
    const kernel = new Kernel();
    const log = new EventLog();
    const memory = new MemoryBus(kernel, { elsewhere: (envelope) => this.toPlant({ kind: 'message', host: this.o.host, envelope }) });
    const signing = this.o.signing ? new SigningBus(memory, { ...this.o.signing, onRefused: (r) => this.reject(describeRefused(r)) }) : undefined;
    const bus = signing ?? memory;
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
    this.current = { run: clock.run, kernel, host, runner, incarnations: new Map(), seen: new RecentIds(), bornAfter: new Map(), ...(signing ? { signing } : {}) };
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
    this.edge?.heard();
    if (this.edge?.takeForfeit() && this.current?.run === read.value.run && this.lastClock) {
      // The broker published this host's will: the plant marked its agents lost and re-auctioned their work. They start afresh.
      const agents = this.current.host.all().filter((a) => a.kind !== 'negotiation').map((a) => a.id);
      this.edge.keep('agents.restarted', { agents, reason: 'the plant took them back while the link was down' });
      this.begin(this.lastClock);
      this.follow(this.lastClock);
    }
    if (this.current?.run !== read.value.run) {
      // The clock of that run has not arrived yet.
      this.pendingAssignment = read.value;
      return;
    }
    this.spawn(read.value);
  }

  private spawn(assignment: Assignment): void {
    const { host, kernel, incarnations, bornAfter } = this.current!;
    for (const a of assignment.agents) {
      const incarnation = a.incarnation ?? 0;
      if (host.get(a.id) && incarnations.get(a.id) === incarnation) continue;
      const machine = HostableKinds[a.kind];
      if (!machine) {
        this.reject(`agent ${a.id}: this host cannot run agents of kind "${a.kind}"`);
        continue;
      }
      kernel.at(
        kernel.now,
        () => {
          const running = host.get(a.id);
          if (running && incarnations.get(a.id) === incarnation) return;
          // A newer incarnation: the plant lost this agent (this host's will went out, as in a broker restart) and
          // re-auctioned its tasks, so it starts afresh rather than carry on with tasks it no longer holds.
          if (running) {
            host.stop(a.id);
            bornAfter.set(a.id, host.issued(a.id));
          }
          incarnations.set(a.id, incarnation);
          host.spawn({
            id: a.id,
            kind: a.kind,
            groups: a.groups,
            machine,
            input: a.input as never,
            onEffect: (effect, agent) => this.toPlant({ kind: 'effect', host: this.o.host, agent: agent.id, effect }),
          });
        },
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
    this.edge?.heard();
    const m = read.value;
    const run = this.current;
    if (!run) return;
    let event: { type: string; [key: string]: unknown };
    if (m.kind === 'message') {
      const decoded = decodeEnvelope(m.envelope);
      if (!decoded.ok) return this.reject(`message for ${m.agent}: ${decoded.reason}`);
      // A second copy of a QoS 1 message (resent across a broker restart): taken once, or an award would be carried twice.
      if (!run.seen.first(`${m.agent}\u0000${decoded.envelope.id}`)) {
        this.stats.duplicates++;
        return;
      }
      const envelope: Envelope | undefined = run.signing ? run.signing.admit(decoded.envelope, m.agent) : decoded.envelope;
      if (!envelope) return; // refused and reported by the signing bus
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

  private toPlant(untagged: FromHost): void {
    // Stamped with the speaker's incarnation: what an agent said before the plant lost it and started it afresh is stale.
    const speaker = untagged.kind === 'message' ? (untagged.envelope as { from?: string }).from : untagged.kind === 'backlog' ? undefined : untagged.agent;
    let incarnation = speaker === undefined ? undefined : this.current?.incarnations.get(speaker);
    // The bus delivers later than the agent spoke: a message numbered before the fresh start is its older incarnation's.
    if (incarnation && untagged.kind === 'message' && speaker !== undefined) {
      const id = (untagged.envelope as { id?: string }).id ?? '';
      if (Number(id.slice(id.lastIndexOf(':') + 1)) <= (this.current?.bornAfter.get(speaker) ?? 0)) incarnation--;
    }
    const message: FromHost = incarnation && untagged.kind !== 'backlog' ? { ...untagged, incarnation } : untagged;
    // Cut off: kept in the journal as what happened, sent to the plant as a backlog when the link is back.
    if (this.edge && !this.edge.live()) return this.edge.keepWhileCut(message);
    this.stats.sent++;
    this.port.publish(this.topics.toPlant, outgoing(this.o.security, this.topics.toPlant, encodeLive(message))).catch((e: Error) => this.o.onProblem?.(`to the plant: ${e.message}`));
  }

  private reject(reason: string): void {
    this.stats.rejected++;
    this.o.onProblem?.(`agent host ${this.o.host}: refused ${reason}`);
  }
}
