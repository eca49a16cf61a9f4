import type { Kernel } from '../../sim/clock/kernel.js';
import type { RobotObservation } from '../../agents/ports/robot-port.js';
import type { Body, BodyCounters, BodyParams } from './body.js';

/**
 * The cobots' batteries: drained by distance (more with a load) and by
 * standing time, charged at constant power, and watched while a robot is
 * idle, so its agent hears when the level goes below the low threshold.
 */
export class Battery {
  constructor(
    private readonly kernel: Kernel,
    private readonly params: BodyParams,
    private readonly counters: BodyCounters,
    private readonly report: (b: Body, obs: RobotObservation) => void,
  ) {}

  level(b: Body): number {
    return b.energyWh / this.params.batteryWh;
  }

  /** Brings the battery up to now: standing drain, or charge while charging. */
  account(b: Body): void {
    const now = this.kernel.now;
    const dt = now - b.since;
    if (dt <= 0) return;
    b.since = now;
    if (b.activity?.kind === 'charge') this.add(b, (this.params.chargeW * dt) / 3600);
    else this.add(b, -(this.params.idleDrainW * dt) / 3600);
  }

  /** The drain of driving `metres`, by the load it carries. */
  drive(b: Body, metres: number): void {
    const { drainWhPerMetre, loadedDrainWhPerMetre } = this.params;
    this.add(b, -metres * (b.loaded ? (loadedDrainWhPerMetre ?? drainWhPerMetre) : drainWhPerMetre));
  }

  full(b: Body): void {
    b.energyWh = this.params.batteryWh;
  }

  /** Seconds to charge to full at constant power. */
  secondsToFull(b: Body): number {
    return ((this.params.batteryWh - b.energyWh) * 3600) / this.params.chargeW;
  }

  /**
   * Arms the battery monitor of an idle robot: at the instant its level goes
   * below the low threshold (the agent charges below it, not at it), and
   * then at every further 1 % down, so an agent that did not act on one
   * report hears again.
   */
  watch(b: Body): void {
    this.kernel.cancel(b.monitor);
    b.monitor = undefined;
    const { batteryWh, idleDrainW, lowBattery } = this.params;
    if (b.activity || idleDrainW <= 0) return;
    const low = lowBattery * batteryWh * (1 - 1e-9);
    // Far enough above the target that the alarm's instant is a later one (no float-sized steps).
    const target = b.energyWh - low > 1e-6 ? low : b.energyWh - 0.01 * batteryWh;
    if (target <= 0) return;
    const at = this.kernel.now + ((b.energyWh - target) * 3600) / idleDrainW;
    b.monitor = this.kernel.at(at, this.warn, b);
  }

  /** Reports the level now (from the kernel), then watches on. */
  reportNow(b: Body): void {
    this.kernel.cancel(b.monitor);
    b.monitor = this.kernel.at(this.kernel.now, this.warn, b);
  }

  private warn = (b: Body): void => {
    b.monitor = undefined;
    this.account(b);
    this.report(b, { type: 'robot.battery', level: this.level(b), time: this.kernel.now });
    this.watch(b);
  };

  private add(b: Body, wh: number): void {
    const before = b.energyWh;
    b.energyWh = Math.min(this.params.batteryWh, Math.max(0, before + wh));
    if (before > 0 && b.energyWh === 0) this.counters.depletions++;
  }
}
