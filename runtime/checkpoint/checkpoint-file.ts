import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../../agents/ledger/canonical-json.js';
import { oneLine } from '../../agents/protocol/one-line.js';
import type { Scenario } from '../../scenarios/schema.js';
import type { RunState } from './run-state.js';

/** A checkpoint that cannot be used: unreadable, malformed, or for another scenario. One line, no stack trace. */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

/** What run a checkpoint belongs to: enough to build the same run again. */
export interface CheckpointRun {
  /** The scenario file, absolute. */
  scenarioFile: string;
  /** SHA-256 of the scenario as loaded (canonical JSON): a changed file is refused. */
  scenarioSha256: string;
  seed: number;
  policy: string;
  supplyPolicy?: string;
  mode: 'des' | 'physics';
  horizon: number;
  /** The event log file, absolute, when the run writes one. */
  logPath?: string;
}

export interface Checkpoint {
  format: 'hyperfactory-checkpoint';
  version: 1;
  run: CheckpointRun;
  state: RunState;
}

const word = z.number().int().min(0).max(0xffffffff);
const CheckpointSchema = z.object({
  format: z.literal('hyperfactory-checkpoint'),
  version: z.literal(1),
  run: z.object({
    scenarioFile: z.string().min(1),
    scenarioSha256: z.string().regex(/^[0-9a-f]{64}$/),
    seed: z.number().int(),
    policy: z.string().min(1),
    supplyPolicy: z.string().min(1).optional(),
    mode: z.enum(['des', 'physics']),
    horizon: z.number().positive(),
    logPath: z.string().min(1).optional(),
  }),
  state: z.object({
    t: z.number().min(0),
    kernel: z.object({
      now: z.number().min(0),
      processed: z.number().int().min(0),
      sequence: z.number().int().min(0),
      pending: z.number().int().min(0),
      queueDigest: z.string().regex(/^[0-9a-f]{64}$/),
    }),
    random: z.record(z.string(), z.tuple([word, word, word, word])),
    log: z.object({ records: z.number().int().min(0), bytes: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
    actors: z.record(z.string(), z.unknown()),
  }),
});

/** SHA-256 of a scenario as loaded: the checkpoint's proof that a resume uses the same one. */
export function scenarioDigest(scenario: Scenario): string {
  return createHash('sha256').update(canonicalJson(scenario)).digest('hex');
}

/**
 * Writes a checkpoint so that a crash leaves either the previous one or this
 * one, never a torn file: beside its name, fsync'd, then renamed over it.
 */
export function writeCheckpoint(path: string, checkpoint: Checkpoint): void {
  const temporary = `${path}.writing`;
  const fd = openSync(temporary, 'w', 0o644);
  try {
    writeSync(fd, JSON.stringify(checkpoint) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}

/** Reads and checks a checkpoint file; every problem is a CheckpointError naming the file and the field. */
export function readCheckpoint(path: string): Checkpoint {
  let text: string;
  try {
    if (!statSync(path).isFile()) throw new CheckpointError(`checkpoint ${path}: not a regular file`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError(`checkpoint ${path}: cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    // V8's message quotes the text raw (a NUL, a line break): kept to one line.
    throw new CheckpointError(`checkpoint ${path}: not JSON (${oneLine((e as Error).message)}); a checkpoint is written whole or not at all, so this file is not one`);
  }
  const parsed = CheckpointSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.map(String).join('.') || 'the top';
    // A path holds the file's own keys (a `random` stream's name): kept to one line.
    throw new CheckpointError(`checkpoint ${path}: ${oneLine(`${where}: ${issue.message}`)}`);
  }
  return parsed.data as Checkpoint;
}
