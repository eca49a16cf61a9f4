import type { CobotModel, PlanPoint } from '../../agents/cobot/planning.js';
import type { TaskSpec } from '../../agents/robotics/task-spec.js';
import type { RandomStream } from '../../sim/random/stream.js';

/**
 * Random dispatch instances for the auction benchmark: N idle cobots at
 * random spots of a floor and M transport tasks (pickup, drop-off, handling
 * time), all known at t = 0 and listed in arrival order.
 *
 * Charging is switched off (`lowBattery: 0`, a battery far larger than any
 * instance needs): a task's duration then depends only on where the cobot
 * starts it, so completion times add up along a cobot's queue and the exact
 * models of `formulations.ts` are linear. The auction still prices with the
 * cobot's own planning functions, which simply never add a charge.
 */
export interface Floor {
  width: number;
  height: number;
}

export interface BenchCobot {
  id: string;
  model: CobotModel;
  /** Where and when the cobot can start: its pose, at t = 0, full battery. */
  start: PlanPoint;
}

export interface Instance {
  cobots: BenchCobot[];
  /** In arrival order: the order the auction announces them. */
  tasks: TaskSpec[];
}

export const defaultFloor: Floor = { width: 100, height: 60 };

const spot = (rng: RandomStream, floor: Floor) => ({ x: Math.round(rng.uniform(0, floor.width)), y: Math.round(rng.uniform(0, floor.height)) });

/** A cobot model like the scenarios' (1 m/s), without charging. */
export function benchModel(home: { x: number; y: number }, id: string): CobotModel {
  return {
    speed: 1,
    batteryWh: 1e9,
    drainWhPerMetre: 0.5,
    idleDrainW: 0,
    chargeW: 300,
    lowBattery: 0,
    chargers: [],
    home: { id, pose: home },
  };
}

/** N cobots and M tasks drawn from `rng` (positions on a 1 m grid, handling 10–40 s). */
export function randomInstance(rng: RandomStream, cobots: number, tasks: number, floor: Floor = defaultFloor): Instance {
  const cs: BenchCobot[] = Array.from({ length: cobots }, (_, i) => {
    const id = `cobot-${i + 1}`;
    const pose = spot(rng, floor);
    const model = benchModel(pose, `home-${i + 1}`);
    return { id, model, start: { time: 0, pose, energyWh: model.batteryWh } };
  });
  const ts: TaskSpec[] = Array.from({ length: tasks }, (_, j) => ({
    task: `t-${j + 1}`,
    from: `pickup-${j + 1}`,
    to: `dropoff-${j + 1}`,
    fromPose: spot(rng, floor),
    toPose: spot(rng, floor),
    handlingSeconds: Math.round(rng.uniform(10, 40)),
    station: `pickup-${j + 1}`,
  }));
  return { cobots: cs, tasks: ts };
}
