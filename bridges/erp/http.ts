import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { parseJsonText } from '../../agents/supply/erp/json-text.js';
import type { ApiProblem } from './api-schemas.js';

/**
 * Plain node:http plumbing for the ERP API: size-limited JSON bodies, JSON
 * answers, and errors as `{error, message, problems?}` with their status.
 */

/** A request the API refuses: its status, code, message and headers. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems?: ApiProblem['problems'],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body ?? null);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  res.end(text);
}

export function sendError(res: ServerResponse, e: HttpError): void {
  const body: ApiProblem = { error: e.code, message: e.message, ...(e.problems ? { problems: e.problems } : {}) };
  sendJson(res, e.status, body, e.headers);
}

/**
 * The request body as JSON. Refuses (HttpError) a body over `maxBytes`
 * (413; the rest is read and dropped so the client sees the answer), a
 * content type other than JSON (415), bytes that are not UTF-8 or not JSON
 * (400, with the line and column).
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = req.headers['content-type'];
  if (type !== undefined && !/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type)) {
    req.resume();
    throw new HttpError(415, 'unsupported-media-type', `send the body as JSON (Content-Type: application/json), not ${type.split(';')[0]}`);
  }
  const tooLarge = () => new HttpError(413, 'too-large', `the body exceeds ${maxBytes} bytes`, undefined, { connection: 'close' });
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= maxBytes) chunks.push(chunk);
  }
  if (size > maxBytes) throw tooLarge();
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new HttpError(400, 'bad-json', 'the body is not UTF-8 text');
  }
  if (text.trim() === '') throw new HttpError(400, 'bad-json', 'the body is empty; expected JSON');
  const parsed = parseJsonText(text);
  if (!parsed.ok) throw new HttpError(400, 'bad-json', parsed.message);
  return parsed.value;
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join('');
}

/** The problems of a zod error, each with its path in the body. */
export function issueProblems(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({
    path: formatPath(i.path),
    message: i.code === 'unrecognized_keys' ? `unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')}` : i.message,
  }));
}

/** A 422 answer listing every problem. */
export function invalid(what: string, problems: { path: string; message: string }[]): HttpError {
  return new HttpError(422, 'invalid', `${what}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`, problems);
}

/** A body checked against a schema, or a 422 listing every problem with its path. */
export function checkBody<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  throw invalid(what, issueProblems(r.error));
}
