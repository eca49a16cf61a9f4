import { performance } from 'node:perf_hooks';
import type { Scenario } from '../../scenarios/schema.js';
import type { RunResult } from '../../runtime/plant.js';
import type { RunContext } from '../../runtime/context.js';
import { LivePlant } from '../../runtime/view/live-plant.js';
import { Priority } from '../../sim/clock/kernel.js';
import { startPlantMqtt } from '../../bridges/mqtt/plant-bridge.js';
import { RemoteAgents } from '../../bridges/mqtt/live/remote-agents.js';
import type { Openings } from '../../cli/commands/serve-bridges.js';
import { TopicTally } from './topic-tally.js';
import { TaskAudit } from './task-audit.js';
import { mayCarry, type LinkFlags } from '../../cli/link-flags.js';
import { SigningBus, type SigningBusStats } from '../../bridges/identity/signing-bus.js';

export interface SoakPlantOptions {
  scenario: Scenario;
  url: string;
  speed: number;
  /** Simulated seconds to run. */
  until: number;
  /** Event log (NDJSON) and ledger (hash-chained NDJSON) files. */
  logPath: string;
  ledgerPath: string;
  /** Agents run in agent hosts (`cobot-*,…`), or none. */
  remote?: string;
  /** Signed: the live link sealed and every envelope signed and checked, as `serve --identity --principals --keyring` runs it. */
  link?: LinkFlags;
  onProblem: (line: string) => void;
}

/**
 * The plant process of the soak, wired as `serve --mqtt URL
 * [--remote-agents P]` wires it (cli/commands/serve.ts, serve-bridges.ts):
 * the live plant and its real-time runner, the plant bridge on the broker,
 * and the remote agents following the plant's clock. Two measuring taps,
 * neither of which changes the run: every payload the bridge hands its MQTT
 * client is tallied (`tap`), and every task is followed in the event log
 * (`audit`). It starts paused, so the bridge and the hosts are in place
 * before simulated time moves.
 */
export class SoakPlant {
  readonly tap: TopicTally;
  readonly audit = new TaskAudit();
  /** Records the plant had written when the bench began to listen (those of t = 0, written as the plant was built). */
  readonly observedFrom: number;
  /** Records the plant's listeners saw since then. */
  observed = 0;
  /** The plant's clock held for remote answers (RealtimeRunner.hold): how often and how long, wall ms. */
  readonly holds = { count: 0, totalMs: 0, maxMs: 0, over100Ms: 0 };
  /**
   * How far ahead of the plant's clock the hosts' messages are stamped
   * (envelope time − plant time, simulated seconds): a host's kernel follows
   * the plant's published clock at the nominal speed and never goes back.
   */
  readonly hostLead = { messages: 0, maxSeconds: 0, lastSeconds: 0 };
  /** Resolves with the run's result when it reaches its end. */
  readonly finished: Promise<RunResult>;
  private constructor(
    readonly live: LivePlant,
    readonly mqtt: Awaited<ReturnType<typeof startPlantMqtt>>,
    readonly remote: RemoteAgents | undefined,
    finished: Promise<RunResult>,
  ) {
    this.tap = new TopicTally(live.hello.scenario);
    this.finished = finished;
    this.observedFrom = this.run.log.count;
    live.onRecord((r) => {
      this.observed++;
      if (!remote || typeof r.from !== 'string' || !remote.placements().some((p) => p.id === r.from)) return;
      const lead = r.t - this.run.kernel.now;
      this.hostLead.messages++;
      this.hostLead.lastSeconds = lead;
      this.hostLead.maxSeconds = Math.max(this.hostLead.maxSeconds, lead);
    });
    // The bridge calls its port's publish for every message: count each payload on its way out.
    const port = mqtt.port;
    const publish = port.publish.bind(port);
    port.publish = (topic, payload, options) => {
      this.tap.add(topic, payload);
      return publish(topic, payload, options);
    };
  }

  static async start(o: SoakPlantOptions, opened: Openings): Promise<SoakPlant> {
    const link = o.link;
    const remote = o.remote
      ? new RemoteAgents({ plant: o.scenario.name, agents: o.remote, onProblem: o.onProblem, ...(link ? { security: link.security, mayCarry: mayCarry(link.principals) } : {}) })
      : undefined;
    let done!: (r: RunResult) => void;
    const finished = new Promise<RunResult>((resolve) => (done = resolve));
    const live = new LivePlant(o.scenario, {
      speed: o.speed,
      until: o.until,
      logPath: o.logPath,
      ledgerPath: o.ledgerPath,
      externalTelemetry: true,
      ...(remote ? { placement: remote.placement } : {}),
      ...(link?.keyring ? { signing: { keyring: link.keyring, principals: link.principals, onLine: o.onProblem } } : {}),
      onFinished: (r) => done(r),
    });
    // Held at t = 0 until the bridge and the hosts are in place.
    await live.control({ action: 'pause' });
    opened.add(() => live.close());
    const mqtt = await startPlantMqtt(live, { plant: o.scenario.name, url: o.url, commands: true, onProblem: o.onProblem });
    opened.add(() => mqtt.close());
    const plant = new SoakPlant(live, mqtt, remote, finished);
    live.onRecord(plant.audit.listener);
    plant.audit.watch(plant.run);
    if (remote) {
      await remote.connect(o.url);
      opened.add(() => remote.close());
      remote.followClock(
        () => {
          const f = live.frame();
          return { t: f.t, speed: f.speed, paused: f.paused, finished: f.finished };
        },
        () => plant.timedHold(),
      );
    }
    return plant;
  }

  /** `live.hold()`, timed. */
  private timedHold(): () => void {
    const release = this.live.hold();
    const t0 = performance.now();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const ms = performance.now() - t0;
      this.holds.count++;
      this.holds.totalMs += ms;
      this.holds.maxMs = Math.max(this.holds.maxMs, ms);
      if (ms > 100) this.holds.over100Ms++;
      release();
    };
  }

  /** Envelopes signed, verified and refused by the plant's bus; undefined when unsigned. */
  signing(): SigningBusStats | undefined {
    return this.run.bus instanceof SigningBus ? { ...this.run.bus.stats } : undefined;
  }

  get run(): RunContext {
    const run = this.live.context;
    if (!run) throw new Error('the plant has no run yet');
    return run;
  }

  /**
   * Stops the plant at each simulated time in `times` (a kernel event there
   * holds the clock and pauses the plant, so the stop is exact and the hosts
   * are told), awaits `onStop`, then lets it go on. The event writes nothing
   * to the log, so the run's records are those of a run without it.
   */
  stopAt(times: readonly number[], onStop: (index: number) => Promise<void>): void {
    const run = this.run;
    times.forEach((t, i) =>
      run.kernel.at(
        t,
        () => {
          const release = this.live.hold();
          void this.live.control({ action: 'pause' });
          setImmediate(() => {
            void onStop(i)
              .catch((e: unknown) => process.stderr.write(`soak: sample ${i + 1} failed: ${(e as Error).message}\n`))
              .finally(() => {
                release();
                void this.live.control({ action: 'resume' });
              });
          });
        },
        undefined,
        Priority.timer,
      ),
    );
  }

  resume(): Promise<unknown> {
    return this.live.control({ action: 'resume' });
  }
}
