import type { Kernel } from '../../sim/clock/kernel.js';
import type { RobotFleet } from '../../world/robots/fleet.js';
import type { BodyParams } from '../../world/robots/body.js';
import { header, PowerSupplyHealth, PowerSupplyStatus, PowerSupplyTechnology, quaternionOfYaw, type BatteryState, type Odometry } from './messages.js';

/** Nominal pack voltage, V: the simulated battery counts energy only; currents and capacities in Ah derive from it. */
export const NOMINAL_VOLTAGE = 48;

interface Track {
  x: number;
  y: number;
  t: number;
  theta: number;
  /** Forward speed, m/s, and yaw rate, rad/s, over the last sample. */
  v: number;
  w: number;
}

const covariance = (): number[] => new Array<number>(36).fill(0);

/**
 * What a simulated cobot's sensors would publish: odometry and battery
 * state, read with `fleet.peek` (which never changes the run). The
 * kinematic world has positions only, so the heading is the direction of
 * the last move (or what a `cmd_vel` turned it to), and velocities are the
 * differences between two samples in simulated time. Odometry is exact:
 * the `odom` frame coincides with `map`.
 */
export class CobotTelemetry {
  private readonly tracks = new Map<string, Track>();

  constructor(
    private readonly fleet: RobotFleet,
    private readonly kernel: Kernel,
    private readonly params: BodyParams,
  ) {}

  /** Samples the cobot now: its pose, heading and velocity since the last sample. */
  private sample(id: string): Track {
    const now = this.kernel.now;
    const { pose } = this.fleet.peek(id);
    let tr = this.tracks.get(id);
    if (!tr) {
      tr = { x: pose.x, y: pose.y, t: now, theta: pose.theta ?? 0, v: 0, w: 0 };
      this.tracks.set(id, tr);
      return tr;
    }
    const dt = now - tr.t;
    if (dt <= 0) return tr;
    const dx = pose.x - tr.x;
    const dy = pose.y - tr.y;
    const d = Math.hypot(dx, dy);
    const theta = d > 1e-6 ? Math.atan2(dy, dx) : tr.theta;
    const turn = Math.atan2(Math.sin(theta - tr.theta), Math.cos(theta - tr.theta));
    Object.assign(tr, { x: pose.x, y: pose.y, t: now, theta, v: d / dt, w: turn / dt });
    return tr;
  }

  /** The cobot's heading, radians (direction of its last move). */
  heading(id: string): number {
    return this.sample(id).theta;
  }

  /** Turns the cobot's heading by `radians` (an angular `cmd_vel`: the kinematic bodies have no orientation of their own). */
  turn(id: string, radians: number): void {
    // A client's huge angular.z times the cmd_vel hold overflows to ±∞: no angle, and a NaN heading would stay for good.
    if (!Number.isFinite(radians)) return;
    const tr = this.sample(id);
    tr.theta = Math.atan2(Math.sin(tr.theta + radians), Math.cos(tr.theta + radians));
  }

  odometry(id: string): Odometry {
    const tr = this.sample(id);
    return {
      header: header(this.kernel.now, 'odom'),
      child_frame_id: `${id}/base_link`,
      pose: { pose: { position: { x: tr.x, y: tr.y, z: 0 }, orientation: quaternionOfYaw(tr.theta) }, covariance: covariance() },
      twist: { twist: { linear: { x: tr.v, y: 0, z: 0 }, angular: { x: 0, y: 0, z: tr.w } }, covariance: covariance() },
    };
  }

  battery(id: string): BatteryState {
    const peek = this.fleet.peek(id);
    const { batteryWh, chargeW, idleDrainW, drainWhPerMetre, speed } = this.params;
    const charging = peek.activity === 'charge';
    const level = Math.min(1, Math.max(0, peek.level));
    const status = charging ? (level >= 0.999 ? PowerSupplyStatus.FULL : PowerSupplyStatus.CHARGING) : level >= 0.999 ? PowerSupplyStatus.FULL : PowerSupplyStatus.DISCHARGING;
    const watts = charging ? chargeW : -(idleDrainW + (peek.activity === 'move' ? drainWhPerMetre * speed * 3600 : 0));
    const capacity = batteryWh / NOMINAL_VOLTAGE;
    return {
      header: header(this.kernel.now, `${id}/base_link`),
      voltage: NOMINAL_VOLTAGE,
      temperature: 25,
      current: watts / NOMINAL_VOLTAGE,
      charge: level * capacity,
      capacity,
      design_capacity: capacity,
      percentage: level,
      power_supply_status: status,
      power_supply_health: level <= 0 ? PowerSupplyHealth.DEAD : PowerSupplyHealth.GOOD,
      power_supply_technology: PowerSupplyTechnology.LION,
      present: true,
      cell_voltage: [],
      cell_temperature: [],
      location: id,
      serial_number: '',
    };
  }
}
