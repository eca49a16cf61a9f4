import type { Kernel } from '../sim/clock/kernel.js';
import type { RobotListener, RobotObservation, RobotPort } from '../agents/ports/robot-port.js';
import type { RobotFleet } from '../world/robots/fleet.js';

/**
 * A port to robots outside the kernel's world (ROS 2 robots through nav2,
 * VDA 5050 vehicles). `report` hands an observation to the robot's agent; it
 * may be called from any callback (a socket message): it enters the run as a
 * kernel event at the current simulated time. `close` ends connections.
 */
export type RobotPortFactory = (report: RobotListener, kernel: Kernel) => RobotPort & { close?(): void };

/**
 * Who commands each simulated cobot, and who hears its reports. By default
 * the cobots' agents drive the world and hear it. A bridge (rosbridge, a VDA
 * 5050 vehicle) may take a robot over for an outside controller: its agent
 * is told its body is down (`robot.fault`, so its tasks are re-auctioned
 * without it) and hears nothing from the world until the bridge releases
 * it (`robot.recovered`). When the agents drive outside robots through a
 * `RobotPortFactory`, the simulated bodies answer only to bridges.
 */
export class FleetControl {
  private readonly observers: RobotListener[] = [];
  private readonly takenBy = new Map<string, string>();

  constructor(
    readonly world: RobotFleet,
    private readonly kernel: Kernel,
    /** The cobots' agents, when they drive this world; undefined when they drive outside robots. */
    private readonly agents: RobotListener | undefined,
  ) {}

  /** The world's reports, for the agents unless taken over, and for every bridge. */
  readonly report: RobotListener = (robot, obs) => {
    if (this.agents && !this.takenBy.has(robot)) this.agents(robot, obs);
    for (const o of this.observers) o(robot, obs);
  };

  /** Sees every report of the simulated bodies (bridges publish them). */
  observe(listener: RobotListener): () => void {
    this.observers.push(listener);
    return () => {
      const i = this.observers.indexOf(listener);
      if (i >= 0) this.observers.splice(i, 1);
    };
  }

  /** Who controls `robot` from outside, if anyone. */
  controller(robot: string): string | undefined {
    return this.takenBy.get(robot);
  }

  /**
   * `by` (a ROS client, a VDA 5050 master) commands `robot` from now on; call
   * it from outside the kernel (a socket callback). No-op when taken already.
   */
  takeOver(robot: string, by: string): void {
    if (this.takenBy.has(robot)) return;
    this.takenBy.set(robot, by);
    const agents = this.agents;
    if (!agents) return;
    this.inKernel(() => {
      this.world.hold(robot);
      agents(robot, { type: 'robot.fault', reason: `controlled by ${by}`, time: this.kernel.now });
    });
  }

  /** Gives `robot` back to its agent (the outside controller is done or gone). */
  release(robot: string): void {
    if (!this.takenBy.delete(robot)) return;
    const agents = this.agents;
    if (!agents) return;
    this.inKernel(() => {
      // Still broken down in the world: its repair will report recovery.
      if (!this.world.isFaulted(robot)) agents(robot, { type: 'robot.recovered', time: this.kernel.now });
    });
  }

  /** Runs `fn` as a kernel event now: reports reach agents only from kernel events. */
  inKernel(fn: () => void): void {
    this.kernel.at(this.kernel.now, fn, undefined);
  }
}

/** Wraps a listener so that observations from outside enter the run as kernel events, stamped with the kernel's time. */
export function reportThroughKernel(kernel: Kernel, listener: RobotListener): RobotListener {
  return (robot, obs) => {
    kernel.at(kernel.now, () => listener(robot, { ...obs, time: kernel.now } as RobotObservation), undefined);
  };
}
