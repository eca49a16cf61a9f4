import { z } from 'zod';
import { OperatorCommandSchema, type OperatorCommand, type Rejection } from './command.js';
import { USAGE, type Vocabulary } from './grammar.js';

/**
 * The pure half of the natural-language front: the chat-completions request
 * that asks a model (any OpenAI-compatible server: llama.cpp, vLLM, Ollama,
 * a hosted API) to turn an operator's sentence into command JSON, and the
 * reading of its answer. The answer is constrained by a JSON schema where
 * the server supports one, and checked here again whatever the server did:
 * a malformed answer is a rejection, never a guess. The HTTP call lives in
 * runtime/operator-nl.ts (it needs a wall-clock timeout, which agents do not use).
 */
/**
 * The answer's shape as the server is asked for it: one flat object, every
 * field present and unused ones null, because strict structured-output modes
 * (OpenAI's among them) accept neither a union at the root nor optional
 * fields. Answers in the command's own shape are read too.
 */
const nullableId = z.string().max(200).nullable();
export const ModelAnswerSchema = z
  .object({
    verb: z.enum(['move', 'pause', 'resume', 'assign', 'charge', 'unknown']),
    cobot: nullableId,
    place: nullableId,
    task: nullableId,
    reason: z.string().max(500).nullable().describe('Only with verb "unknown": why the text is not a command.'),
  })
  .strict();

/** JSON schema of an answer, for `response_format`. */
export const modelAnswerJsonSchema = () => z.toJSONSchema(ModelAnswerSchema);

const list = (ids: readonly string[] | undefined, max = 40) =>
  !ids || ids.length === 0 ? '(none)' : ids.length > max ? `${ids.slice(0, max).join(', ')}, … (${ids.length} in all)` : ids.join(', ');

export function systemPrompt(vocab: Vocabulary): string {
  return [
    'You turn a factory operator\'s instruction about mobile cobots into one JSON command. Answer with the JSON object only.',
    `Commands: ${USAGE}.`,
    'Answer {"verb":…,"cobot":…,"place":…,"task":…,"reason":…} with null for the fields the verb does not use: move needs cobot and place; assign needs task and cobot; pause, resume and charge need cobot.',
    'Sending a cobot to "the charger" or "to charge" is {"verb":"charge"}. Stopping or holding a cobot is "pause".',
    'If the instruction is not one of these commands, answer {"verb":"unknown","reason":"..."}.',
    `Cobots: ${list(vocab.cobots)}.`,
    `Places: ${list(vocab.places)}.`,
    `Open tasks: ${list(vocab.tasks)}.`,
    'Use these ids exactly as written.',
  ].join('\n');
}

/** The body of a POST to `<base>/chat/completions`. */
export function chatRequest(text: string, vocab: Vocabulary, model: string): Record<string, unknown> {
  return {
    model,
    temperature: 0,
    max_tokens: 200,
    messages: [
      { role: 'system', content: systemPrompt(vocab) },
      { role: 'user', content: text },
    ],
    response_format: { type: 'json_schema', json_schema: { name: 'operator_command', strict: true, schema: modelAnswerJsonSchema() } },
  };
}

const ChatAnswerSchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullish(),
          tool_calls: z.array(z.object({ function: z.object({ arguments: z.string() }) })).nullish(),
        }),
      }),
    )
    .min(1),
});

/** A JSON object inside a model's text (some servers wrap it in a code fence or a sentence). */
function jsonIn(text: string): unknown {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(text);
  const body = (fenced ? fenced[1] : text).trim();
  try {
    return JSON.parse(body);
  } catch {
    // A sentence around the object: take the outermost braces.
  }
  const start = body.indexOf('{');
  const end = body.lastIndexOf('}');
  if (start < 0 || end < start) throw new Error('no JSON object in the answer');
  return JSON.parse(body.slice(start, end + 1));
}

/** The command in a chat-completions response body, or why there is none. */
export function readChatAnswer(body: unknown): { ok: true; command: OperatorCommand } | Rejection {
  const chat = ChatAnswerSchema.safeParse(body);
  if (!chat.success) return { ok: false, reason: 'the model server\'s answer is not a chat completion' };
  const message = chat.data.choices[0].message;
  const raw = message.tool_calls?.[0]?.function.arguments ?? message.content ?? '';
  let json: unknown;
  try {
    json = jsonIn(raw);
  } catch {
    return { ok: false, reason: `the model's answer is not JSON: ${JSON.stringify(raw.slice(0, 120))}` };
  }
  const shown = JSON.stringify(json).slice(0, 160);
  if (!json || typeof json !== 'object' || Array.isArray(json)) return { ok: false, reason: `the model's answer is not a command: ${shown}` };
  // Unused fields come as null (the flat shape); the command's own schema then decides, extra fields included.
  const fields = Object.fromEntries(Object.entries(json).filter(([, v]) => v !== null));
  if (fields.verb === 'unknown') return { ok: false, reason: `the model read no command: ${typeof fields.reason === 'string' ? fields.reason : 'no reason given'}` };
  const command = OperatorCommandSchema.safeParse(fields);
  if (!command.success) return { ok: false, reason: `the model's answer is not a command: ${shown}` };
  return { ok: true, command: command.data };
}
