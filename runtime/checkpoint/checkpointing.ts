import type { RunContext } from '../context.js';
import { CheckpointError, scenarioDigest, writeCheckpoint, type Checkpoint, type CheckpointRun } from './checkpoint-file.js';
import { captureRunState, differences } from './run-state.js';

/** Checkpoints a run writes as it goes (`run --checkpoint FILE`). */
export interface CheckpointOptions {
  /** The checkpoint file; each checkpoint replaces the one before. */
  path: string;
  /** Simulated seconds between checkpoints. */
  every: number;
  /** The scenario file (absolute), recorded so that `--resume` needs nothing else. */
  scenarioFile: string;
  /** Stop the run at this simulated time, after writing a checkpoint there (the log stays partial). */
  stopAt?: number;
}

/**
 * A run's checkpoints: where the kernel must pause (checkpoint times, the
 * resume point, a stop), what to do there, and the check that a resumed run
 * came back to exactly the state its checkpoint recorded.
 *
 * The kernel's queue holds closures of world processes (a job's end, a
 * cobot's next waypoint, a matter-js step), which cannot be written out. So a
 * resume rebuilds the run from its scenario and seed, replays it to the
 * checkpoint without writing anything, and then compares everything the
 * checkpoint holds — every agent's XState persisted snapshot, the kernel's
 * clock, counters and queue digest, every random stream, and the event log's
 * records and SHA-256 — before it writes on. A run that comes back different
 * (the code, the scenario or a model file changed) is refused, naming the
 * first differences, instead of producing a log that is neither run.
 */
export class Checkpointing {
  private readonly run: CheckpointRun;
  private readonly due = new Set<number>();

  constructor(
    private readonly context: RunContext,
    identity: { policy: string; supplyPolicy?: string },
    private readonly options: { checkpoint?: CheckpointOptions; resume?: Checkpoint; logPath?: string },
  ) {
    const { scenario, seed, horizon, mode } = context;
    const scenarioFile = options.checkpoint?.scenarioFile ?? options.resume?.run.scenarioFile ?? '';
    this.run = {
      scenarioFile,
      scenarioSha256: scenarioDigest(scenario),
      seed,
      policy: identity.policy,
      ...(identity.supplyPolicy ? { supplyPolicy: identity.supplyPolicy } : {}),
      mode,
      horizon,
      ...(options.logPath ? { logPath: options.logPath } : {}),
    };
    const resume = options.resume;
    if (resume) {
      if (resume.run.scenarioSha256 !== this.run.scenarioSha256) {
        throw new CheckpointError(`cannot resume: the scenario ${scenarioFile} changed since the checkpoint was written`);
      }
      if (resume.state.t > horizon) throw new CheckpointError(`cannot resume: the checkpoint is at ${resume.state.t} s, after the run's horizon ${horizon} s`);
    }
    if (options.checkpoint && !(options.checkpoint.every > 0)) throw new CheckpointError('checkpoint interval must be > 0');
  }

  /** Times (< horizon) at which the kernel must pause, besides the caller's own. */
  pauses(): number[] {
    const out: number[] = [];
    const { checkpoint, resume } = this.options;
    const horizon = this.context.horizon;
    if (resume) out.push(resume.state.t);
    if (checkpoint) {
      for (let k = 1; k * checkpoint.every < horizon; k++) {
        const t = k * checkpoint.every;
        if (!resume || t > resume.state.t) this.due.add(t);
      }
      if (checkpoint.stopAt !== undefined && checkpoint.stopAt < horizon) this.due.add(checkpoint.stopAt);
    }
    return [...out, ...this.due];
  }

  /**
   * Called when the kernel paused at `t`: checks the resume point, writes a
   * checkpoint when one is due, and says whether the run stops here.
   */
  paused(t: number): 'stop' | 'go' {
    const { checkpoint, resume } = this.options;
    if (resume && t === resume.state.t) this.verifyResume(resume);
    if (!checkpoint) return 'go';
    const stop = checkpoint.stopAt !== undefined && t >= checkpoint.stopAt;
    if (stop || this.due.has(t)) writeCheckpoint(checkpoint.path, { format: 'hyperfactory-checkpoint', version: 1, run: this.run, state: captureRunState(this.context) });
    return stop ? 'stop' : 'go';
  }

  private verifyResume(resume: Checkpoint): void {
    const found = differences(resume.state, captureRunState(this.context));
    if (found.length > 0) {
      throw new CheckpointError(
        `cannot resume: the run rebuilt from ${resume.run.scenarioFile} (seed ${resume.run.seed}) is not in the state its checkpoint recorded at ${resume.state.t} s — ` +
          `the code or a file the run reads changed since: ${found.join('; ')}`,
      );
    }
    this.context.log.reattach(resume.state.log);
  }
}
