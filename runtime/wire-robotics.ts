import { cobot, type CobotEffect } from '../agents/cobot/cobot.js';
import type { CobotModel, NamedPose } from '../agents/cobot/planning.js';
import { roboticsCoordinator } from '../agents/robotics/robotics-coordinator.js';
import type { Agent, PortEffect } from '../agents/host/agent-host.js';
import type { RobotListener, RobotPort } from '../agents/ports/robot-port.js';
import { KinematicRobotWorld } from '../world/robots/kinematic-world.js';
import type { RobotFleet } from '../world/robots/fleet.js';
import { Breakdowns } from '../world/robots/breakdowns.js';
import { TaskGenerator } from '../world/robots/task-generator.js';
import { buildFloor } from '../world/floor/build-floor.js';
import { PhysicsRobotWorld } from '../world/physics/physics-world.js';
import { cobotPlaces, floorSpec } from '../scenarios/schema.js';
import { Address, type RunContext } from './context.js';
import type { Kpis } from './kpis.js';
import { FleetControl, reportThroughKernel } from './robot-control.js';
import { cobotIds } from './machines.js';

/** Cobot ids and homes: `<idPrefix>-<n>`, homed round-robin over the scenario's stations. */
export function cobotHomes(ctx: RunContext): { id: string; home: string }[] {
  const homes = ctx.scenario.cobots!.homes;
  return cobotIds(ctx.scenario).map((id, i) => ({ id, home: homes[i % homes.length] }));
}

/**
 * The robotics subsystem: the cobots' floor (an occupancy grid built from
 * the scenario), their world (kinematic in `des` mode, matter-js in
 * `physics` mode; both plan on the floor with the lifelong planner), one
 * agent per cobot (group `#cobots`), the robotics coordinator, the task
 * generator that feeds it, and the cobots' breakdowns. Cobots' body commands
 * go to the world behind `RobotPort`; the world's reports come back to the
 * cobot as observations.
 */
export function wireRobotics(ctx: RunContext): void {
  const { scenario, kernel, streams, host, layout } = ctx;
  const c = scenario.cobots!;
  const cobots = cobotHomes(ctx);
  const agents = new Map<string, Agent>();
  /** The task each cobot is placing: its load is delivered when the world reports the place done. */
  const placing = new Map<string, string>();
  const toAgents: RobotListener = (robot, obs) => {
    const task = placing.get(robot);
    if (obs.type === 'robot.actionDone' && task !== undefined) {
      placing.delete(robot);
      tasks.delivered(task);
    }
    agents.get(robot)?.observe(obs);
  };
  const floor = buildFloor(floorSpec(scenario), cobotPlaces(scenario), c.count);
  // The world's reports go through the fleet control, built just below (it needs the world).
  const fromWorld: RobotListener = (robot, obs) => control.report(robot, obs);
  const world: RobotFleet =
    ctx.mode === 'physics'
      ? new PhysicsRobotWorld(kernel, floor, { ...c, maxSpeed: c.maxSpeed ?? 1.25 * c.speed }, fromWorld)
      : new KinematicRobotWorld(kernel, floor, c, fromWorld);
  ctx.fleet = world;
  // Agents drive the simulated bodies, or outside robots through a port (ROS 2, VDA 5050).
  const outside = ctx.robotPort?.(reportThroughKernel(kernel, toAgents), kernel);
  if (outside?.close) ctx.closers.push(() => outside.close!());
  const control = new FleetControl(world, kernel, outside ? undefined : toAgents);
  ctx.robots = control;
  const port: RobotPort = outside ?? world;
  const chargers: NamedPose[] = layout
    .all()
    .filter((p) => p.kind === 'charger')
    .map((p) => ({ id: p.id, pose: { x: p.x, y: p.y } }));

  const coordinator = host.spawn({
    id: Address.robotics,
    kind: 'robotics',
    machine: roboticsCoordinator,
    input: { id: Address.robotics, cobots, maintenance: Address.maintenance },
  });

  const tasks = new TaskGenerator(kernel, streams, layout, scenario.tasks, (t) =>
    coordinator.observe({ type: 'world.taskCreated', task: t.id, from: t.from, to: t.to, fromPose: t.fromPose, toPose: t.toPose, handlingSeconds: t.handlingSeconds }),
  );

  const drive = (raw: PortEffect) => {
    const effect = raw as CobotEffect;
    switch (effect.type) {
      case 'robot.navigate':
        placing.delete(effect.robot);
        port.navigate(effect.robot, { id: effect.goal, pose: effect.pose });
        break;
      case 'robot.perform': {
        const kind = effect.action;
        const id = effect.task ? `${effect.task}:${kind}` : `${effect.robot}:${kind}`;
        if (kind === 'charge') port.perform(effect.robot, { id, kind });
        else port.perform(effect.robot, { id, kind, seconds: tasks.handlingSeconds(effect.task!, kind) });
        if (kind === 'place') placing.set(effect.robot, effect.task!);
        else placing.delete(effect.robot);
        break;
      }
      case 'robot.hold':
        placing.delete(effect.robot);
        port.hold(effect.robot);
        break;
      default:
        throw new Error(`cobot effect ${effect.type} has no port wiring`);
    }
  };

  const starts = floor.startCells(cobots.map((r) => r.home));
  cobots.forEach(({ id, home }, i) => {
    const homePose = layout.pose(home);
    const model: CobotModel = {
      speed: c.speed,
      batteryWh: c.batteryWh,
      drainWhPerMetre: c.drainWhPerMetre,
      idleDrainW: c.idleDrainW,
      chargeW: c.chargeW,
      lowBattery: c.lowBattery,
      chargers,
      home: { id: home, pose: homePose },
    };
    // It starts parked near its home (robots sharing a home do not share a cell).
    world.add(id, floor.centre(starts[i]));
    agents.set(id, host.spawn({ id, kind: 'cobot', groups: [Address.cobots], machine: cobot, input: { id, model }, onEffect: drive }));
  });

  tasks.start();
  new Breakdowns(kernel, streams, world, cobots.map((r) => r.id), c.breakdownRate, c.repairTime).start();

  ctx.kpis.push((): Partial<Kpis> => {
    const t = tasks.counters;
    const w = world.counters;
    return {
      tasksCreated: t.created,
      tasksCompleted: t.delivered,
      taskLatencyMeanSeconds: t.delivered > 0 ? t.latencySeconds / t.delivered : 0,
      cobotDistanceKm: w.distanceMetres / 1000,
      cobotChargingHours: w.chargingSeconds / 3600,
      cobotBatteryDepletions: w.depletions,
      collisions: w.collisions,
      cobotWaits: w.waits,
      cobotWaitingHours: w.waitingSeconds / 3600,
      cobotBreakdowns: w.breakdowns,
    };
  });
}
