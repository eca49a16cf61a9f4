import { parseCommand, type Vocabulary } from '../agents/operator/grammar.js';
import { chatRequest, readChatAnswer } from '../agents/operator/model-prompt.js';
import type { OperatorCommand } from '../agents/operator/command.js';

/**
 * The natural-language front's HTTP side: one POST to an OpenAI-compatible
 * chat-completions endpoint (a local llama.cpp server, vLLM, Ollama …),
 * configured by URL and model, no key needed, with a timeout. Without an
 * endpoint the grammar reads the text. If the endpoint cannot be reached the
 * grammar is tried instead (and says so); a model that answers with
 * something that is not a command is a rejection. Either way the command
 * still goes through validation before anything runs.
 */
export interface ChatEndpoint {
  /** Base URL (`http://127.0.0.1:8080/v1`) or the full `…/chat/completions` URL. */
  url: string;
  model: string;
  /** Milliseconds before the request is given up (default 15 000). */
  timeoutMs?: number;
  /** Sent as a bearer token when set (hosted APIs); local servers need none. */
  apiKey?: string;
}

export type Interpretation =
  | { ok: true; command: OperatorCommand; source: 'model' | 'grammar'; note?: string }
  | { ok: false; reason: string; source: 'model' | 'grammar' };

/** The endpoint from `HYPERFACTORY_LLM_URL` and `HYPERFACTORY_LLM_MODEL` (and optional `HYPERFACTORY_LLM_KEY`), if set. */
export function endpointFromEnv(env: NodeJS.ProcessEnv = process.env): ChatEndpoint | undefined {
  const url = env.HYPERFACTORY_LLM_URL;
  if (!url) return undefined;
  return { url, model: env.HYPERFACTORY_LLM_MODEL ?? 'default', apiKey: env.HYPERFACTORY_LLM_KEY };
}

const completionsUrl = (url: string) => (/\/chat\/completions\/?$/.test(url) ? url : `${url.replace(/\/+$/, '')}/chat/completions`);

/** Asks the model; `undefined` body with a reason when the server could not be used. */
async function ask(endpoint: ChatEndpoint, text: string, vocab: Vocabulary): Promise<{ body?: unknown; failure?: string }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (endpoint.apiKey) headers.authorization = `Bearer ${endpoint.apiKey}`;
  try {
    const res = await fetch(completionsUrl(endpoint.url), {
      method: 'POST',
      headers,
      body: JSON.stringify(chatRequest(text, vocab, endpoint.model)),
      signal: AbortSignal.timeout(endpoint.timeoutMs ?? 15_000),
    });
    if (!res.ok) return { failure: `the model server answered HTTP ${res.status}` };
    try {
      return { body: await res.json() };
    } catch {
      return { body: null };
    }
  } catch (e) {
    const err = e as Error;
    return { failure: err.name === 'TimeoutError' ? `the model server did not answer within ${endpoint.timeoutMs ?? 15_000} ms` : `the model server cannot be reached (${err.message})` };
  }
}

/** Turns text into a command (not yet validated): by the model when an endpoint is configured, else by the grammar. */
export async function interpretText(text: string, vocab: Vocabulary, endpoint?: ChatEndpoint): Promise<Interpretation> {
  if (!endpoint) return { ...parseCommand(text, vocab), source: 'grammar' };
  const { body, failure } = await ask(endpoint, text, vocab);
  if (failure) {
    const g = parseCommand(text, vocab);
    return g.ok ? { ...g, source: 'grammar', note: `${failure}; read by the grammar instead` } : { ok: false, reason: `${failure}; and the grammar: ${g.reason}`, source: 'grammar' };
  }
  return { ...readChatAnswer(body), source: 'model' };
}
