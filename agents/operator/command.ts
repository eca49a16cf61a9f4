import { z } from 'zod';

/**
 * The operator's typed commands: what a person (through the viewer, a REST
 * call, the grammar or a language model) may ask of the cobot fleet. Every
 * source produces this one shape, and nothing runs before `validateCommand`
 * has checked it against the plant as it is now.
 */
const id = z.string().min(1).max(200);

export const MoveCommandSchema = z.object({ verb: z.literal('move'), cobot: id, place: id }).strict().describe('Drive the cobot to a place of the floor.');
export const PauseCommandSchema = z.object({ verb: z.literal('pause'), cobot: id }).strict().describe('Stop the cobot where it is; its tasks go to other cobots.');
export const ResumeCommandSchema = z.object({ verb: z.literal('resume'), cobot: id }).strict().describe('Let a paused cobot work again.');
export const AssignCommandSchema = z.object({ verb: z.literal('assign'), task: id, cobot: id }).strict().describe('Give a task waiting for a cobot to this cobot.');
export const ChargeCommandSchema = z.object({ verb: z.literal('charge'), cobot: id }).strict().describe('Send the cobot to its nearest charger.');

export const OperatorCommandSchema = z.discriminatedUnion('verb', [MoveCommandSchema, PauseCommandSchema, ResumeCommandSchema, AssignCommandSchema, ChargeCommandSchema]);

export type OperatorCommand = z.infer<typeof OperatorCommandSchema>;
export type CommandVerb = OperatorCommand['verb'];
export const CommandVerbs: readonly CommandVerb[] = ['move', 'pause', 'resume', 'assign', 'charge'];

/** The command in the grammar's own words (for logs, answers and tests). */
export function describeCommand(c: OperatorCommand): string {
  switch (c.verb) {
    case 'move':
      return `move ${c.cobot} to ${c.place}`;
    case 'assign':
      return `assign ${c.task} to ${c.cobot}`;
    default:
      return `${c.verb} ${c.cobot}`;
  }
}

/** What the robotics coordinator receives: the command, with the place already resolved to a pose. */
export const OperatorOrderSchema = z.object({
  command: OperatorCommandSchema,
  pose: z.object({ x: z.number().finite(), y: z.number().finite() }).optional(),
});
export type OperatorOrder = z.infer<typeof OperatorOrderSchema>;

/** What a cobot receives: drive somewhere now, or go and charge. */
export const CobotOrderSchema = z.discriminatedUnion('order', [
  z.object({ order: z.literal('move'), place: id, pose: z.object({ x: z.number().finite(), y: z.number().finite() }) }).strict(),
  z.object({ order: z.literal('charge') }).strict(),
]);
export type CobotOrder = z.infer<typeof CobotOrderSchema>;

/** A command a source could not produce, or the plant refused: never executed. */
export interface Rejection {
  ok: false;
  reason: string;
}
