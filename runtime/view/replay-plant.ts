import type { Ack, CobotView, Control, MachineDetail, Snapshot } from '../../bridges/viewer/protocol.js';
import type { Scenario } from '../../scenarios/schema.js';
import { Kernel } from '../../sim/clock/kernel.js';
import type { LogRecord } from '../../sim/log/event-log.js';
import { readEventLog, LogFileError } from '../../sim/log/read-log.js';
import { RealtimeRunner } from '../../sim/run/realtime.js';
import { Layout } from '../../world/layout/layout.js';
import { CobotTracks } from './cobot-tracks.js';
import { floorView, logisticsMap } from './machine-positions.js';
import { PlantFold } from './plant-fold.js';
import { foldDetail, foldFrame, truckViews, type ViewSource } from './view-source.js';

/**
 * A recorded event log played back for the viewer, at a chosen speed, with
 * seeking. The records are folded in order exactly as the live viewer folds
 * them; a seek backwards folds again from the start (a 60-day log of 375 k
 * records takes well under a second).
 */
export class ReplayPlant implements ViewSource {
  readonly hello;
  private readonly records: LogRecord[];
  private readonly tracks: CobotTracks;
  private readonly floor: Snapshot['floor'];
  private readonly map: Snapshot['map'];
  private readonly layout: Layout;
  private readonly horizon: number;
  private fold!: PlantFold;
  /** Index of the next record to fold. */
  private next = 0;
  private kernel!: Kernel;
  private runner: RealtimeRunner | undefined;
  private speed: number;
  private paused = false;
  private readonly restartListeners: (() => void)[] = [];

  constructor(
    private readonly scenario: Scenario,
    logPath: string,
    options: { speed: number },
  ) {
    this.records = readEventLog(logPath);
    const started = this.records[0];
    if (started.scenario !== scenario.name) {
      throw new LogFileError(`${logPath}: the log is of scenario "${String(started.scenario)}", not "${scenario.name}"`);
    }
    this.horizon = typeof started.horizon === 'number' ? started.horizon : this.records[this.records.length - 1].t;
    this.hello = {
      source: 'replay' as const,
      scenario: scenario.name,
      seed: typeof started.seed === 'number' ? started.seed : scenario.seed,
      policy: String(started.policy ?? scenario.maintenance.policy),
      horizon: this.horizon,
    };
    this.speed = options.speed;
    this.tracks = new CobotTracks(scenario, this.records);
    this.floor = floorView(scenario);
    this.map = logisticsMap(scenario);
    this.layout = new Layout(scenario.layout.places, scenario.layout);
    this.seekTo(0);
  }

  /** Simulated time shown now. */
  get now(): number {
    return this.kernel.now;
  }

  private seekTo(t: number): void {
    this.runner?.stop();
    if (!this.fold || t < this.fold.t) {
      this.fold = new PlantFold(this.scenario);
      this.next = 0;
    }
    while (this.next < this.records.length && this.records[this.next].t <= t) this.fold.apply(this.records[this.next++]);
    this.kernel = new Kernel();
    if (this.next < this.records.length) this.kernel.at(this.records[this.next].t, this.step, undefined);
    this.kernel.advanceTo(Math.min(t, this.horizon));
    const runner = new RealtimeRunner(this.kernel, { speed: this.speed });
    this.runner = runner;
    if (this.paused) runner.pause();
    const kernel = this.kernel;
    void runner.run(this.horizon).then(() => {
      // The records at the horizon itself (the run's end) are past the runner's [0, horizon).
      if (this.kernel === kernel && kernel.now >= this.horizon) this.step();
    });
  }

  /** Folds the records of the current time and schedules the next time. */
  private step = (): void => {
    const t = this.kernel.now;
    while (this.next < this.records.length && this.records[this.next].t <= t) this.fold.apply(this.records[this.next++]);
    if (this.next < this.records.length) this.kernel.at(this.records[this.next].t, this.step, undefined);
  };

  frame(): Omit<Snapshot, 'seq'> {
    const t = this.kernel.now;
    const cobots: CobotView[] = [...this.fold.cobots].map(([id, c]) => {
      const p = this.tracks.at(id, t);
      return {
        id,
        x: p.x,
        y: p.y,
        state: c.state,
        ...(c.task ? { task: { id: c.task.id, from: c.task.from, to: c.task.to } } : {}),
        ...(p.goal ? { path: [[p.goal.x, p.goal.y] as [number, number]] } : {}),
      };
    });
    const finished = this.next >= this.records.length && this.fold.finished;
    const down = this.fold.downtimeHours(t);
    const kpis = finished && this.fold.finalKpis ? this.fold.finalKpis : { unplannedDowntimeHours: down.unplanned, plannedDowntimeHours: down.planned, ...this.fold.counts };
    return foldFrame(this.fold, { t, speed: this.speed, paused: this.paused, finished, floor: this.floor, map: this.map }, cobots, truckViews(this.fold, this.scenario, this.layout, t), kpis);
  }

  detail(id: string): MachineDetail | undefined {
    return foldDetail(this.fold, id);
  }

  control(c: Control): Promise<Ack<unknown>> {
    switch (c.action) {
      case 'pause':
        this.paused = true;
        this.runner?.pause();
        return Promise.resolve({ ok: true });
      case 'resume':
        this.paused = false;
        this.runner?.resume();
        return Promise.resolve({ ok: true });
      case 'speed':
        this.speed = c.speed;
        this.runner?.setSpeed(c.speed);
        return Promise.resolve({ ok: true });
      case 'seek':
      case 'reset':
        this.seekTo(c.action === 'seek' ? Math.min(c.t, this.horizon) : 0);
        for (const l of this.restartListeners) l();
        return Promise.resolve({ ok: true, value: { t: this.kernel.now } });
      case 'fault':
      case 'command':
        return Promise.resolve({ ok: false, reason: 'a replay shows what was recorded; faults and commands need a live plant' });
    }
  }

  onRestart(listener: () => void): void {
    this.restartListeners.push(listener);
  }

  close(): Promise<void> {
    this.runner?.stop();
    return Promise.resolve();
  }
}
