import { z } from 'zod';

/**
 * The `spec` of a `task` negotiation: what the robotics coordinator announces
 * and what a cobot needs to price and do the job. Contract-net carries specs
 * as untyped records, so both sides read them through this schema.
 */
const pose = z.object({ x: z.number().finite(), y: z.number().finite(), theta: z.number().finite().optional() });

export const TaskSpecSchema = z.object({
  task: z.string().min(1),
  from: z.string().min(1),
  to: z.string().min(1),
  fromPose: pose,
  toPose: pose,
  /** Expected seconds of one handling action (pick or place): a planning estimate, not the drawn duration. */
  handlingSeconds: z.number().nonnegative().finite(),
  /** The cobot cell the task starts in. */
  station: z.string().min(1),
});

export type TaskSpec = z.infer<typeof TaskSpecSchema>;

/** The task spec of a negotiation, or undefined when it is not one. */
export function readTaskSpec(spec: unknown): TaskSpec | undefined {
  const r = TaskSpecSchema.safeParse(spec);
  return r.success ? r.data : undefined;
}

/** A spec as contract-net carries it (a plain record). */
export function taskSpecRecord(spec: TaskSpec): Record<string, unknown> {
  return { ...spec };
}
