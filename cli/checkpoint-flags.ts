import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './errors.js';
import { durationFlag } from './args.js';
import { readCheckpoint, type Checkpoint } from '../runtime/checkpoint/checkpoint-file.js';
import type { CheckpointOptions } from '../runtime/checkpoint/checkpointing.js';

/** The flags `run` takes for checkpoints. */
export const checkpointFlagSpec = {
  checkpoint: { type: 'string' },
  'checkpoint-every': { type: 'string' },
  'stop-at': { type: 'string' },
  resume: { type: 'string' },
} as const;

export const checkpointFlagHelp = `  --checkpoint FILE: write a checkpoint (every agent's XState snapshot, the
  kernel's state, the random streams, the event log's position) every
  --checkpoint-every DURATION of simulated time (default 7d), each replacing
  the one before; with --stop-at DURATION the run stops there after its
  checkpoint. --resume FILE goes on from a checkpoint (its scenario, seed,
  policy and log come from it; it keeps checkpointing into FILE): the run is
  replayed to the checkpoint, checked against it, and the log continued, so it
  ends with the logHash of an uninterrupted run.`;

type CheckpointValues = { checkpoint?: string; 'checkpoint-every'?: string; 'stop-at'?: string; resume?: string };

/** Flags that a resume takes from its checkpoint and so refuses. */
const FROM_CHECKPOINT = ['seed', 'policy', 'supply-policy', 'until', 'mode', 'log'] as const;

/**
 * Reads the checkpoint flags: what to write as the run goes and what to
 * resume from. Resumed runs and checkpointed ones must be discrete-event runs
 * recorded in memory (a chain ledger would sign the replayed events again).
 */
export function checkpointFlags(
  values: CheckpointValues & Partial<Record<(typeof FROM_CHECKPOINT)[number] | 'speed' | 'ledger', unknown>>,
  scenarioFile: string | undefined,
): { checkpoint?: CheckpointOptions; resume?: Checkpoint } {
  const every = durationFlag('checkpoint-every', values['checkpoint-every']);
  const stopAt = durationFlag('stop-at', values['stop-at']);
  if (every !== undefined && !(every > 0)) throw new UsageError('--checkpoint-every must be > 0');
  const writing = values.checkpoint ?? values.resume;
  if (!writing) {
    if (every !== undefined || stopAt !== undefined) throw new UsageError('--checkpoint-every and --stop-at need --checkpoint FILE');
    return {};
  }
  if (values.speed !== undefined) throw new UsageError('checkpoints are for discrete-event runs: drop --speed');
  if (values.ledger === 'chain') throw new UsageError('checkpoints need --ledger memory: a resumed run replays its start, and a chain ledger would sign and anchor those events again');
  if (values.checkpoint && values.resume) throw new UsageError('give --checkpoint or --resume, not both (--resume keeps checkpointing into its file)');
  if (!existsSync(dirname(resolve(writing)))) throw new UsageError(`--${values.checkpoint ? 'checkpoint' : 'resume'}: folder ${dirname(writing)} does not exist`);
  let resume: Checkpoint | undefined;
  if (values.resume) {
    const given = FROM_CHECKPOINT.filter((f) => values[f] !== undefined);
    if (given.length > 0) throw new UsageError(`--resume takes ${given.map((f) => `--${f}`).join(', ')} from the checkpoint: drop ${given.length === 1 ? 'it' : 'them'}`);
    resume = readCheckpoint(values.resume);
    if (scenarioFile !== undefined && resolve(scenarioFile) !== resume.run.scenarioFile) {
      throw new UsageError(`--resume: the checkpoint is of ${resume.run.scenarioFile}, not ${resolve(scenarioFile)} (the scenario argument can be left out)`);
    }
    if (stopAt !== undefined && stopAt <= resume.state.t) throw new UsageError(`--stop-at ${stopAt} s is not after the checkpoint (${resume.state.t} s)`);
  }
  const file = resume?.run.scenarioFile ?? resolve(scenarioFile!);
  return { checkpoint: { path: resolve(writing), every: every ?? 7 * 86400, scenarioFile: file, ...(stopAt !== undefined ? { stopAt } : {}) }, ...(resume ? { resume } : {}) };
}
