import type { Kernel } from '../../sim/clock/kernel.js';
import type { WorkKind, WorkPort } from '../../agents/ports/machine-port.js';
import type { MachineModel } from '../machines/machine-model.js';
import type { Layout } from '../layout/layout.js';

/** Counters of the maintenance crew, read by the KPIs. */
export interface WorkCounters {
  repairsStarted: number;
  repairsCompleted: number;
  preventiveStarted: number;
  preventiveCompleted: number;
  /** Sum over started repairs of (start − failure), seconds. */
  repairWaitSeconds: number;
  /** Technician time spent on completed work, seconds (travel included). */
  busySeconds: number;
}

interface Job {
  technician: string;
  machine: MachineModel;
  workOrder: string;
  kind: WorkKind;
  start: number;
  end: number;
}

export interface WorkListeners {
  /** Observations for the technician's agent. */
  technician: (technician: string, obs: { type: 'world.workStarted' | 'world.workDone'; machine: string; workOrder: string; kind: WorkKind }) => void;
  /** Observations for the machine's agent. */
  machine: (machine: string, obs: { type: 'world.workStarted' | 'world.workDone'; kind: WorkKind; technician: string }) => void;
}

/**
 * Technicians' work on the floor: walk to the machine, stop it if it is still
 * running (planned work), work for a drawn time, and report. The machine is
 * restarted by its own agent when told the work is done.
 */
export class WorkModel implements WorkPort {
  readonly counters: WorkCounters = {
    repairsStarted: 0,
    repairsCompleted: 0,
    preventiveStarted: 0,
    preventiveCompleted: 0,
    repairWaitSeconds: 0,
    busySeconds: 0,
  };
  private readonly inProgress = new Map<string, Job>();
  private readonly location = new Map<string, string>();

  constructor(
    private readonly kernel: Kernel,
    private readonly machines: ReadonlyMap<string, MachineModel>,
    private readonly layout: Layout,
    readonly listeners: WorkListeners,
    private readonly walkingSpeed = 1.2,
  ) {}

  /** Technicians currently working, with when each job started (for time-truncated utilisation). */
  active(): Iterable<{ technician: string; start: number; end: number }> {
    return this.inProgress.values();
  }

  place(technician: string, placeId: string): void {
    this.location.set(technician, placeId);
  }

  beginWork(order: { technician: string; machine: string; workOrder: string; kind: WorkKind }): void {
    const machine = this.machines.get(order.machine);
    if (!machine) throw new Error(`work order ${order.workOrder}: no machine "${order.machine}"`);
    if (this.inProgress.has(order.technician)) throw new Error(`technician ${order.technician} is already working`);
    const now = this.kernel.now;
    const from = this.location.get(order.technician);
    const to = machine.params.place;
    const travel = from && to ? this.layout.distance(from, to) / this.walkingSpeed : 0;
    if (order.kind === 'preventive') machine.stopPlanned();
    const duration = machine.drawRepairTime(order.kind);
    const job: Job = { technician: order.technician, machine, workOrder: order.workOrder, kind: order.kind, start: now, end: now + travel + duration };
    this.inProgress.set(order.technician, job);
    if (order.kind === 'repair') {
      this.counters.repairsStarted++;
      this.counters.repairWaitSeconds += now - machine.downSince;
    } else {
      this.counters.preventiveStarted++;
    }
    // A failed machine is down already; only planned work changes its state.
    if (order.kind === 'preventive') this.listeners.machine(order.machine, { type: 'world.workStarted', kind: order.kind, technician: order.technician });
    this.kernel.at(job.end, this.finish, job);
  }

  private finish = (job: Job): void => {
    this.inProgress.delete(job.technician);
    if (job.machine.params.place) this.location.set(job.technician, job.machine.params.place);
    this.counters.busySeconds += job.end - job.start;
    if (job.kind === 'repair') this.counters.repairsCompleted++;
    else this.counters.preventiveCompleted++;
    job.machine.renew();
    const id = job.machine.params.id;
    this.listeners.technician(job.technician, { type: 'world.workDone', machine: id, workOrder: job.workOrder, kind: job.kind });
    this.listeners.machine(id, { type: 'world.workDone', kind: job.kind, technician: job.technician });
  };
}
