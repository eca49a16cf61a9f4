import type { Ack, CobotView, Control, MachineDetail, Snapshot } from '../../bridges/viewer/protocol.js';
import type { Scenario } from '../../scenarios/schema.js';
import type { LogListener } from '../../sim/log/event-log.js';
import { Priority } from '../../sim/clock/kernel.js';
import type { RealtimeRunner } from '../../sim/run/realtime.js';
import { Layout } from '../../world/layout/layout.js';
import type { RunContext } from '../context.js';
import { combineKpis, emptyKpis } from '../kpis.js';
import { submitCommand, submitText } from '../operator.js';
import { ingestTelemetry } from '../ingest.js';
import type { ChatEndpoint } from '../operator-nl.js';
import { resolvePolicy, runPlantRealtime, type RunOptions, type RunResult } from '../plant.js';
import { floorView, logisticsMap } from './machine-positions.js';
import { PlantFold } from './plant-fold.js';
import { foldDetail, foldFrame, truckViews, type ViewSource } from './view-source.js';
import { roundTo } from '../../sim/stats/round.js';

export interface LivePlantOptions extends Pick<RunOptions, 'seed' | 'policy' | 'mode' | 'logPath' | 'ledgerPath' | 'ledger' | 'until' | 'externalTelemetry' | 'robotPort' | 'placement' | 'signing'> {
  /** Simulated seconds per wall second. */
  speed: number;
  /** Language model for operator text (the grammar reads it without one). */
  endpoint?: ChatEndpoint;
  /** Called when a run ends (its horizon, a reset). */
  onFinished?: (result: RunResult) => void;
}

/**
 * A plant running in scaled real time for the viewer. The fold of its event
 * log gives most of the view; the world adds what the log does not hold
 * (where each cobot is, its battery and route) and the KPI contributors give
 * exact KPIs. Reading them never changes the run: the fleet is peeked, not
 * accounted, and lazy job chains draw the same numbers whenever they are read.
 */
export class LivePlant implements ViewSource {
  readonly hello;
  private fold!: PlantFold;
  private run: RunContext | undefined;
  private runner: RealtimeRunner | undefined;
  private speed: number;
  private paused = false;
  private finished = false;
  private running: Promise<unknown> = Promise.resolve();
  private readonly restartListeners: (() => void)[] = [];
  private readonly recordListeners: LogListener[] = [];
  private readonly floor: Snapshot['floor'];
  private readonly map: Snapshot['map'];
  private readonly layout: Layout;

  constructor(
    private readonly scenario: Scenario,
    private readonly options: LivePlantOptions,
  ) {
    this.speed = options.speed;
    this.floor = floorView(scenario);
    this.map = logisticsMap(scenario);
    this.layout = new Layout(scenario.layout.places, scenario.layout);
    this.hello = {
      source: 'live' as const,
      scenario: scenario.name,
      seed: options.seed ?? scenario.seed,
      policy: resolvePolicy(scenario, options.policy),
      horizon: options.until ?? scenario.horizon,
    };
    this.start();
  }

  /** The running plant (tests read its agents); undefined between a reset and the new run's first tick. */
  get context(): RunContext | undefined {
    return this.run;
  }

  private start(): void {
    this.fold = new PlantFold(this.scenario);
    this.finished = false;
    this.run = undefined;
    this.running = runPlantRealtime(this.scenario, {
      ...this.options,
      speed: this.speed,
      observe: (record, line) => {
        this.fold.apply(record);
        for (const l of this.recordListeners) l(record, line);
      },
      onRunner: (runner, run) => {
        this.runner = runner;
        this.run = run;
        if (this.paused) runner.pause();
      },
    }).then(
      (result) => {
        this.finished = true;
        this.options.onFinished?.(result);
      },
      (e: unknown) => {
        this.finished = true;
        throw e;
      },
    );
  }

  frame(): Omit<Snapshot, 'seq'> {
    const run = this.run;
    const t = run?.kernel.now ?? 0;
    const cobots: CobotView[] = [];
    if (run?.fleet) {
      for (const [id, c] of this.fold.cobots) {
        const peek = run.fleet.peek(id);
        const path = corners(peek.path);
        cobots.push({
          id,
          x: roundTo(peek.pose.x, 2),
          y: roundTo(peek.pose.y, 2),
          state: peek.activity === 'fault' ? 'fault' : c.state,
          battery: roundTo(peek.level, 3),
          ...(c.task ? { task: { id: c.task.id, from: c.task.from, to: c.task.to } } : {}),
          ...(path.length > 0 ? { path } : {}),
        });
      }
    }
    const base = emptyKpis();
    const kpis = this.finished && this.fold.finalKpis ? this.fold.finalKpis : run && t > 0 ? combineKpis(base, run.kpis.map((k) => k(t))) : base;
    return foldFrame(this.fold, { t, speed: this.speed, paused: this.paused, finished: this.finished, floor: this.floor, map: this.map }, cobots, truckViews(this.fold, this.scenario, this.layout, t), kpis);
  }

  detail(id: string): MachineDetail | undefined {
    return foldDetail(this.fold, id);
  }

  async control(c: Control): Promise<Ack<unknown>> {
    switch (c.action) {
      case 'pause':
        this.paused = true;
        this.runner?.pause();
        return { ok: true };
      case 'resume':
        this.paused = false;
        this.runner?.resume();
        return { ok: true };
      case 'speed':
        this.speed = c.speed;
        this.runner?.setSpeed(c.speed);
        return { ok: true };
      case 'fault':
        return this.injectFault(c.machine);
      case 'reset':
        await this.stopRun();
        this.start();
        for (const l of this.restartListeners) l();
        return { ok: true };
      case 'command': {
        const run = this.run;
        if (!run || this.finished) return { ok: false, reason: 'the run has ended' };
        const result = c.text !== undefined ? await submitText(run, c.text, { endpoint: this.options.endpoint }) : submitCommand(run, c.command);
        return result.accepted ? { ok: true, value: result } : { ok: false, reason: result.reason };
      }
      case 'seek':
        return { ok: false, reason: 'seek is for replays; a live plant only moves forward' };
    }
  }

  /**
   * Breaks a machine now. The injection is written to the event log first
   * (`operator.fault`), so a replay of the log shows why the machine failed.
   */
  private injectFault(id: string): Ack<unknown> {
    const run = this.run;
    if (!run || this.finished) return { ok: false, reason: 'the run has ended' };
    const machine = run.machines.get(id);
    if (!machine) return { ok: false, reason: `no machine "${id}" in ${this.scenario.name}` };
    if (!machine.up) return { ok: false, reason: `${id} is stopped already (${machine.stopReason})` };
    const t = run.kernel.now;
    run.kernel.at(
      t,
      () => {
        if (!machine.up) return;
        run.log.append({ t: run.kernel.now, type: 'operator.fault', machine: id });
        machine.injectFailure();
      },
      undefined,
      Priority.world,
    );
    // A paused plant still takes the fault at once.
    if (this.paused) run.kernel.runThrough(t);
    return { ok: true, value: { machine: id, t } };
  }

  /**
   * Stops the plant's simulated time until the release is called (a live run
   * awaiting remote agents' answers; see RealtimeRunner.hold). Released by
   * itself when the run ends or is reset.
   */
  hold(): () => void {
    return this.runner?.hold() ?? (() => {});
  }

  /** A sample from a real sensor for a machine that takes its telemetry from outside (`telemetryTopic`, `telemetryOpcua`). */
  ingest(machine: string, signals: Readonly<Record<string, unknown>>): Ack<unknown> {
    const run = this.run;
    if (!run || this.finished) return { ok: false, reason: 'the run has ended' };
    return ingestTelemetry(run, machine, signals);
  }

  /** Sees every record of the event log as it is written, of this run and of every run after a reset (bridges). */
  onRecord(listener: LogListener): void {
    this.recordListeners.push(listener);
  }

  onRestart(listener: () => void): void {
    this.restartListeners.push(listener);
  }

  private async stopRun(): Promise<void> {
    this.runner?.stop();
    await this.running.catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.stopRun();
  }
}

/** A grid route as the points where it turns (and its end): what a viewer draws, a fraction of the cells. */
export function corners(path: readonly { x: number; y: number }[]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < path.length; i++) {
    const p = path[i];
    const prev = path[i - 1];
    const next = path[i + 1];
    const straight = prev && next && Math.abs((p.x - prev.x) * (next.y - p.y) - (p.y - prev.y) * (next.x - p.x)) < 1e-9;
    if (!straight) out.push([roundTo(p.x, 2), roundTo(p.y, 2)]);
  }
  return out;
}
