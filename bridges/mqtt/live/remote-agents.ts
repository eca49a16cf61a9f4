import type { AnyActorRef } from 'xstate';
import { NEGOTIATIONS, type Agent, type AgentHost, type AgentSpec, type RemotePlacement } from '../../../agents/host/agent-host.js';
import { decodeEnvelope, type Envelope } from '../../../agents/protocol/envelope.js';
import { Address, type RunContext } from '../../../runtime/context.js';
import { isHostableKind } from '../../../runtime/agent-kinds.js';
import { MqttPort } from '../mqtt-port.js';
import { idPattern } from './id-pattern.js';
import { RecentIds } from './recent-ids.js';
import { encodeLive, FromHostSchema, LINK_SESSION_SECONDS, HostStatusSchema, liveTopics, readLive, type Clock, type FromHost, type ToAgent } from './live-messages.js';
import type { LinkSecurity } from '../../identity/sealed.js';
import { incoming, outgoing } from './sealed-link.js';
import { BacklogIntake } from './edge/backlog-intake.js';

/** Longest the plant's clock waits for a remote agent's answer to a call for proposals, wall ms. */
export const MAX_HOLD_MS = 250;

/** One agent placed in another process, as the plant sees it. */
interface Placed {
  spec: AgentSpec;
  proxy: Agent;
  /** The host running it now; undefined while no host has it. */
  host: string | undefined;
  /** It had a host that went away: its body is held until a host takes it again. */
  lost: boolean;
  /** The host it was lost with: what that host still says for it is out of date (`stats.stale`). */
  lostFrom?: string;
  /** Times it was given out again after being lost; a host running an older one starts it afresh. */
  incarnation: number;
  /** Given out again after being lost, and its host has not spoken for it yet. */
  rejoining?: boolean;
  state: string;
  context: unknown;
}

export interface RemoteAgentsStats {
  /** Host → plant messages taken (messages, effects, states). */
  received: number;
  /** Plant → host messages sent. */
  sent: number;
  /** Host messages refused (malformed, an agent the host does not hold, an effect its wiring refused), each with a reason to `onProblem`. */
  rejected: number;
  /** Messages for an agent without a host at the time. */
  undelivered: number;
  /** Agents lost with their host. */
  lost: number;
  /**
   * Messages a host sent for an agent before it learnt the plant had lost it
   * (queued while the broker was away, say), or from an older incarnation of
   * it: dropped, since its tasks went back to auction; not refusals.
   */
  stale: number;
  /** Second copies of host messages dropped (QoS 1 delivers at least once; a broker restart resends). */
  duplicates: number;
  /** Calls for proposals whose remote answer did not come within the hold (the plant's clock went on without it). */
  lateAnswers: number;
}

export interface RemoteAgentsOptions {
  plant: string;
  /** Which agents run in agent hosts (`cobot-*`); see `idPattern`. */
  agents: string;
  onProblem?: (line: string) => void;
  /**
   * Seal everything the plant sends and accept from hosts only frames sealed
   * by a principal with the `agent-host` role, speaking for itself
   * (`bridges/identity`). Without it the link trusts the broker's ACL alone.
   */
  security?: LinkSecurity;
  /** Whether `host` may carry `agent` (its principal's `hosts`): an agent is placed on no other host. Absent: any host. */
  mayCarry?: (host: string, agent: string) => boolean;
}

/**
 * The plant's side of a live run spread over processes. Agents matching
 * the pattern are not run here: each has a proxy on the plant's bus and at
 * its ports, and runs in whichever agent host announces a pattern that
 * covers it. Messages, port effects, observations and state changes cross
 * over MQTT and enter the plant's kernel at its current time. When a host
 * goes (its last will), its agents are lost: open negotiations re-auction
 * what they won (`agent.lost` to `#negotiations`), a cobot's body is held,
 * and another host covering them takes them over.
 */
export class RemoteAgents {
  readonly stats: RemoteAgentsStats = { received: 0, sent: 0, rejected: 0, undelivered: 0, lost: 0, stale: 0, duplicates: 0, lateAnswers: 0 };
  /** What edge hosts kept while cut off, logged once each when their link is back (docs/live-runs.md, "Local fail-safes"). */
  readonly backlog: BacklogIntake;
  /** Calls for proposals sent to remote agents and not answered yet: each holds the plant's clock. */
  private readonly awaited = new Map<string, { release: () => void; timer: NodeJS.Timeout }>();
  private hold: (() => () => void) | undefined;
  private readonly topics;
  private readonly matches: (id: string) => boolean;

  private readonly hosts = new Map<string, (id: string) => boolean>();
  /** Each online host's current session (its will's); an offline for another one is a replay. */
  private readonly sessions = new Map<string, string>();
  private placed = new Map<string, Placed>();
  private ctx: RunContext | undefined;
  private run = -1;
  /** Envelopes taken from hosts, by host and id: a second copy is dropped. */
  private readonly seen = new RecentIds();
  /** The host each inbound envelope came from: its own agents got group copies there already. */
  private readonly origin = new WeakMap<Envelope, string>();
  private clockTimer: NodeJS.Timeout | undefined;
  private clockOf: (() => Omit<Clock, 'run' | 'wallMs'>) | undefined;

  private port: MqttPort | undefined;

  /** Throws a RangeError naming the problem when the pattern is unusable. */
  constructor(private readonly o: RemoteAgentsOptions) {
    const pattern = idPattern(o.agents);
    if (!pattern.ok) throw new RangeError(pattern.reason);
    this.matches = pattern.matches;
    this.topics = liveTopics(o.plant);
    this.backlog = new BacklogIntake((line) => this.problem(line));
  }

  /**
   * Joins the broker the hosts use. The plant may be built before (its
   * proxies wait without a host): hosts are learned from their statuses here.
   */
  async connect(url: string): Promise<void> {
    // A persistent session (QoS 1 queued by the broker while this client is away, kept in a broker's persistence
    // across its restart): what hosts send during a reconnection is delivered after it, not dropped.
    const port = await MqttPort.connect({ url, clientId: `hyperfactory-plant-${this.o.plant}-${process.pid}`, sessionExpirySeconds: LINK_SESSION_SECONDS });
    this.port = port;
    await port.subscribe(this.topics.statusFilter, (topic, bytes) => this.onStatus(topic, bytes));
    await port.subscribe(this.topics.toPlant, (topic, bytes) => this.onFromHost(topic, bytes));
  }

  /** For `RunOptions.placement`: places this run's matching agents in hosts. */
  readonly placement = (ctx: RunContext): RemotePlacement => {
    this.ctx = ctx;
    this.run++;
    this.placed = new Map();
    this.seen.clear();
    // Hosts learn of the new run from the clock, then get its agents.
    if (this.clockOf) queueMicrotask(() => void this.publishClock().catch(() => {}));
    return {
      claims: (spec) => isHostableKind(spec.kind) && this.matches(spec.id),
      proxy: (spec, host) => this.proxy(spec, host),
    };
  };

  /**
   * Publishes where the plant's clock is, now and every second, for the hosts
   * to follow. With `hold`, a call for proposals to a remote agent stops the
   * plant's clock until that agent answers (at most `MAX_HOLD_MS` of wall
   * time): a bid window is simulated time, and at ×600 two simulated seconds
   * are shorter than a round trip through the broker.
   */
  followClock(clock: () => Omit<Clock, 'run' | 'wallMs'>, hold?: () => () => void): void {
    this.clockOf = clock;
    this.hold = hold;
    const tick = () => void this.publishClock();
    tick();
    this.clockTimer = setInterval(tick, 1000);
    this.clockTimer.unref();
  }

  /** The agents placed elsewhere in the current run, and the host of each (undefined: none yet, or lost). */
  placements(): { id: string; kind: string; host: string | undefined }[] {
    return [...this.placed.values()].map((p) => ({ id: p.spec.id, kind: p.spec.kind, host: p.host }));
  }

  async close(): Promise<void> {
    if (this.clockTimer) clearInterval(this.clockTimer);
    for (const a of this.awaited.values()) {
      clearTimeout(a.timer);
      a.release();
    }
    this.awaited.clear();
    if (this.clockOf) await this.publishClock(true).catch(() => {});
    await this.port?.close();
  }

  private async publishClock(finished = false): Promise<void> {
    const c = this.clockOf!();
    if (this.run < 0 || !this.port) return;
    await this.port.publish(this.topics.clock, this.seal(this.topics.clock, encodeLive({ ...c, finished: c.finished || finished, run: this.run, wallMs: Date.now() } satisfies Clock)), { retain: true });
  }

  private proxy(spec: AgentSpec, host: AgentHost): Agent {
    const placed: Placed = { spec, host: undefined, lost: false, incarnation: 0, state: 'remote', context: {}, proxy: undefined as unknown as Agent };
    // What the plant's operator views read of an agent: its last state and context, as its host reported them.
    const actor = { id: spec.id, getSnapshot: () => ({ status: 'active', value: placed.state, context: placed.context }), stop: () => {}, send: () => {} };
    placed.proxy = {
      id: spec.id,
      kind: spec.kind,
      actor: actor as unknown as AnyActorRef,
      observe: (event) => this.toAgent(placed, { kind: 'observation', agent: spec.id, event }),
      state: () => placed.state,
    };
    host.bus.attach(spec.id, spec.groups ?? [], (envelope) => {
      if (placed.host !== undefined && this.origin.get(envelope) === placed.host) return;
      this.toAgent(placed, { kind: 'message', agent: spec.id, envelope });
    });
    this.placed.set(spec.id, placed);
    for (const h of this.hosts.keys()) this.assign(h);
    return placed.proxy;
  }

  private toAgent(placed: Placed, message: ToAgent): void {
    if (placed.host === undefined) {
      this.stats.undelivered++;
      return;
    }
    this.stats.sent++;
    const envelope = message.kind === 'message' ? (message.envelope as Envelope) : undefined;
    if (envelope && this.hold && envelope.type.endsWith('.cfp')) this.await(placed.spec.id, envelope.conversation);
    const topic = this.topics.toHost(placed.host);
    this.port!.publish(topic, this.seal(topic, encodeLive(message))).catch((e: Error) => this.problem(`to ${placed.host}: ${e.message}`));
  }

  private await(agent: string, conversation: string): void {
    const key = `${agent}\u0000${conversation}`;
    if (this.awaited.has(key)) return;
    const release = this.hold!();
    const timer = setTimeout(() => {
      this.awaited.delete(key);
      this.stats.lateAnswers++;
      release();
    }, MAX_HOLD_MS);
    timer.unref();
    this.awaited.set(key, { release, timer });
  }

  /** An answer from `agent` in `conversation` arrived: the clock may go on. */
  private answered(agent: string, conversation: string): void {
    const key = `${agent}\u0000${conversation}`;
    const a = this.awaited.get(key);
    if (!a) return;
    this.awaited.delete(key);
    clearTimeout(a.timer);
    a.release();
  }

  private onStatus(topic: string, bytes: Uint8Array): void {
    const host = topic.slice(this.topics.root.length + '/hosts/'.length, -'/status'.length);
    if (bytes.byteLength === 0) return; // a cleared retained status
    // A host's will was sealed when it connected, so it comes after later messages: signed, not replay-checked.
    const link = incoming(this.o.security, topic, bytes, ['agent-host'], { replay: false });
    if (!link.ok) return this.reject(`status of host "${host}": ${link.reason}`);
    if (link.signer !== undefined && link.signer !== host) return this.reject(`status of host "${host}" signed by "${link.signer}"`);
    const status = readLive(HostStatusSchema, link.body);
    if (!status.ok) return this.reject(`status of host "${host}": ${status.reason}`);
    const known = this.sessions.get(host);
    if (status.value.state === 'offline') {
      const session = status.value.session;
      if (session !== undefined && known !== undefined && session !== known) {
        return this.reject(`status of host "${host}": offline for session ${session.slice(0, 8)}…, not its current one (${known.slice(0, 8)}…): an old will replayed? ignored`);
      }
      this.sessions.delete(host);
      return this.lose(host);
    }
    const pattern = idPattern(status.value.agents);
    if (!pattern.ok) return this.reject(`host "${host}": ${pattern.reason}`);
    if (status.value.session !== undefined) this.sessions.set(host, status.value.session);
    this.hosts.set(host, pattern.matches);
    this.assign(host, true);
  }

  /** Gives `host` every agent without a host that its pattern covers, and tells it what it runs. */
  private assign(host: string, always = false): void {
    const matches = this.hosts.get(host);
    if (!matches || this.run < 0) return;
    let changed = always;
    for (const p of this.placed.values()) {
      if (p.host !== undefined || !matches(p.spec.id) || (this.o.mayCarry && !this.o.mayCarry(host, p.spec.id))) continue;
      p.host = host;
      changed = true;
      if (p.lost) {
        p.lost = false;
        p.lostFrom = undefined;
        p.incarnation++;
        p.rejoining = true;
        if (p.spec.kind === 'cobot') this.ctx?.robots?.release(p.spec.id);
      }
    }
    if (!changed) return;
    const agents = [...this.placed.values()].filter((p) => p.host === host).map((p) => ({ id: p.spec.id, kind: p.spec.kind, groups: [...(p.spec.groups ?? [])], input: p.spec.input as Record<string, unknown>, incarnation: p.incarnation }));
    this.stats.sent++;
    this.port!.publish(this.topics.assign(host), this.seal(this.topics.assign(host), encodeLive({ run: this.run, agents }))).catch((e: Error) => this.problem(`assign ${host}: ${e.message}`));
  }

  /** `host` is gone: its agents are lost until another host takes them. */
  private lose(host: string): void {
    if (!this.hosts.delete(host)) return;
    const ctx = this.ctx;
    const gone = [...this.placed.values()].filter((p) => p.host === host);
    for (const [key, a] of this.awaited) {
      if (!gone.some((p) => key.startsWith(`${p.spec.id}\u0000`))) continue;
      this.awaited.delete(key);
      clearTimeout(a.timer);
      a.release();
    }
    for (const p of gone) {
      p.host = undefined;
      p.lost = true;
      p.lostFrom = host;
      p.state = 'lost';
      this.stats.lost++;
    }
    if (ctx && gone.length > 0) {
      ctx.kernel.at(
        ctx.kernel.now,
        () => {
          for (const p of gone) {
            ctx.log.appendState(ctx.kernel.now, p.spec.id, 'lost');
            ctx.host.sendFrom('plant', { type: 'send', to: NEGOTIATIONS, message: 'agent.lost', payload: { agent: p.spec.id, reason: `agent host "${host}" is gone` } });
          }
        },
        undefined,
      );
      for (const p of gone) if (p.spec.kind === 'cobot') ctx.robots?.takeOver(p.spec.id, `nobody (agent host "${host}" is gone)`);
    }
    for (const h of this.hosts.keys()) this.assign(h);
  }

  private onFromHost(topic: string, bytes: Uint8Array): void {
    const link = incoming(this.o.security, topic, bytes, ['agent-host']);
    if (!link.ok) return this.reject(`message from a host: ${link.reason}`);
    const read = readLive(FromHostSchema, link.body);
    if (!read.ok) return this.reject(`message from a host: ${read.reason}`);
    const m = read.value;
    if (link.signer !== undefined && link.signer !== m.host) return this.reject(`message from "${link.signer}" claiming to be host "${m.host}"`);
    const ctx = this.ctx;
    if (!ctx) return;
    if (m.kind === 'backlog') return this.onBacklog(ctx, m);
    const agent = m.kind === 'message' ? (m.envelope as { from?: unknown } | null)?.from : m.agent;
    const placed = typeof agent === 'string' ? this.placed.get(agent) : undefined;
    if (placed && ((placed.host === undefined && placed.lostFrom === m.host) || (placed.host === m.host && (m.incarnation ?? 0) < placed.incarnation))) {
      this.stats.stale++;
      return;
    }
    if (!placed || placed.host !== m.host) return this.reject(`host "${m.host}" speaks for ${JSON.stringify(agent)}, which it does not run`);
    if (m.kind === 'message') {
      const decoded = decodeEnvelope(m.envelope);
      if (!decoded.ok) return this.reject(`message from ${placed.spec.id} on "${m.host}": ${decoded.reason}`);
      // By id and time: a host restarted as a new process numbers its messages from 1 again, at other times.
      if (!this.seen.first(`${m.host}\u0000${decoded.envelope.id}\u0000${decoded.envelope.time}`)) {
        this.stats.duplicates++;
        return;
      }
      this.origin.set(decoded.envelope, m.host);
      this.stats.received++;
      // Released once the answer is in the kernel's queue, so it is delivered at the instant it answers.
      ctx.kernel.at(ctx.kernel.now, () => ctx.bus.send(decoded.envelope), undefined);
      this.answered(decoded.envelope.from, decoded.envelope.conversation);
      this.heardAgain(ctx, placed, m.incarnation);
      return;
    }
    this.stats.received++;
    ctx.kernel.at(ctx.kernel.now, () => this.apply(ctx, placed, m), undefined);
    this.heardAgain(ctx, placed, m.incarnation);
  }

  /**
   * The first word of an agent given out again after it was lost: it runs
   * again. A cobot's coordinator hears it (`agent.back`), so tasks that found
   * no bidder while it was gone — every cobot, when a broker restart dropped
   * all hosts — are announced now rather than at the next retry. After the
   * agent's own word, which is queued first.
   */
  private heardAgain(ctx: RunContext, placed: Placed, incarnation: number | undefined): void {
    if (!placed.rejoining || (incarnation ?? 0) !== placed.incarnation) return;
    placed.rejoining = false;
    // Called once the message is known to come from the agent's host.
    const host = placed.host!;
    if (placed.spec.kind !== 'cobot') return;
    ctx.kernel.at(ctx.kernel.now, () => ctx.host.sendFrom('plant', { type: 'send', to: Address.robotics, message: 'agent.back', payload: { agent: placed.spec.id, host } }), undefined);
  }

  /** Logs a host's backlog at the plant's time now, then tells the host how far the plant has it. */
  private onBacklog(ctx: RunContext, m: Extract<FromHost, { kind: 'backlog' }>): void {
    this.stats.received++;
    ctx.kernel.at(
      ctx.kernel.now,
      () => {
        const upTo = this.backlog.take(ctx.log, ctx.kernel.now, m.host, m.journal, m.records);
        if (upTo === undefined) return;
        const topic = this.topics.backlogAck(m.host);
        this.port!.publish(topic, this.seal(topic, encodeLive({ journal: m.journal, upTo }))).catch((e: Error) => this.problem(`backlog ack to ${m.host}: ${e.message}`));
      },
      undefined,
    );
  }

  private apply(ctx: RunContext, placed: Placed, m: Extract<FromHost, { kind: 'effect' | 'state' }>): void {
    if (m.kind === 'state') {
      placed.state = m.state;
      placed.context = m.context ?? {};
      ctx.log.appendState(ctx.kernel.now, placed.spec.id, m.state);
      return;
    }
    try {
      if (!placed.spec.onEffect) throw new Error(`${placed.spec.kind} agents have no port effects`);
      placed.spec.onEffect(m.effect, placed.proxy);
    } catch (e) {
      this.reject(`effect ${m.effect.type} of ${placed.spec.id}: ${(e as Error).message}`);
    }
  }

  private seal(topic: string, payload: Uint8Array): Uint8Array {
    return outgoing(this.o.security, topic, payload);
  }

  private reject(reason: string): void {
    this.stats.rejected++;
    this.problem(`live run: refused ${reason}`);
  }

  private problem(line: string): void {
    this.o.onProblem?.(line);
  }
}
