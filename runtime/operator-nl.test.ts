import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interpretText, type ChatEndpoint } from './operator-nl.js';

/**
 * The natural-language path against a real HTTP server that speaks the
 * OpenAI chat-completions wire format. No language model can run here, so
 * the server is a stand-in that answers what each test scripts; what is
 * tested is our side: the request we send, and how we read (or refuse)
 * what comes back.
 */
type Reply = { status?: number; body?: unknown; delayMs?: number };
const replies: Reply[] = [];
const requests: { url: string; body: Record<string, any> }[] = [];
let server: Server;
let base = '';

const completion = (content: string | null, toolArgs?: string) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content, ...(toolArgs ? { tool_calls: [{ id: 't', type: 'function', function: { name: 'command', arguments: toolArgs } }] } : {}) } }],
});

beforeAll(async () => {
  server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      requests.push({ url: req.url ?? '', body: JSON.parse(data) });
      const r = replies.shift() ?? { status: 500, body: { error: 'no scripted reply' } };
      const answer = () => {
        res.writeHead(r.status ?? 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(r.body));
      };
      if (r.delayMs) setTimeout(answer, r.delayMs);
      else answer();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

const vocab = { cobots: ['cobot-1', 'cobot-2', 'cobot-3'], places: ['cell-a', 'storage'], tasks: ['a-3'] };
const endpoint = (over: Partial<ChatEndpoint> = {}): ChatEndpoint => ({ url: base, model: 'stand-in', timeoutMs: 2000, ...over });

describe('natural-language front (OpenAI-compatible endpoint)', () => {
  it('asks for schema-constrained JSON and reads the command from the answer', async () => {
    replies.push({ body: completion('{"verb":"charge","cobot":"cobot-3","place":null,"task":null,"reason":null}') });
    const r = await interpretText('could cobot three top up its battery?', vocab, endpoint());
    expect(r).toEqual({ ok: true, command: { verb: 'charge', cobot: 'cobot-3' }, source: 'model' });
    const req = requests.at(-1)!;
    expect(req.url).toBe('/v1/chat/completions');
    expect(req.body.model).toBe('stand-in');
    expect(req.body.messages[0].content).toContain('Cobots: cobot-1, cobot-2, cobot-3.');
    expect(req.body.messages[1]).toEqual({ role: 'user', content: 'could cobot three top up its battery?' });
    expect(req.body.response_format.type).toBe('json_schema');
    const schema = req.body.response_format.json_schema.schema;
    expect(schema).toMatchObject({ type: 'object', additionalProperties: false, required: ['verb', 'cobot', 'place', 'task', 'reason'] });
    expect(schema.properties.verb.enum).toEqual(['move', 'pause', 'resume', 'assign', 'charge', 'unknown']);
  });

  it('reads a tool call and a fenced answer too', async () => {
    replies.push({ body: completion(null, '{"verb":"move","cobot":"cobot-1","place":"storage"}') });
    replies.push({ body: completion('```json\n{"verb":"pause","cobot":"cobot-2"}\n```') });
    expect(await interpretText('cobot 1 storage please', vocab, endpoint({ url: `${base}/chat/completions` }))).toMatchObject({ ok: true, command: { verb: 'move', place: 'storage' } });
    expect(await interpretText('hold on, cobot 2', vocab, endpoint())).toMatchObject({ ok: true, command: { verb: 'pause', cobot: 'cobot-2' } });
  });

  it.each([
    ['prose', completion('Sure, I will send cobot-3 to the charger.'), "the model's answer is not JSON"],
    ['an invented verb', completion('{"verb":"teleport","cobot":"cobot-1"}'), "the model's answer is not a command"],
    ['extra fields', completion('{"verb":"pause","cobot":"cobot-1","force":true}'), "the model's answer is not a command"],
    ['a missing field', completion('{"verb":"assign","task":"a-3"}'), "the model's answer is not a command"],
    ['a place on a pause', completion('{"verb":"pause","cobot":"cobot-1","place":"storage","task":null,"reason":null}'), "the model's answer is not a command"],
    ['an array', completion('[{"verb":"pause","cobot":"cobot-1"}]'), "the model's answer is not"],
    ['no choices', { choices: [] }, 'not a chat completion'],
    ['its own refusal', completion('{"verb":"unknown","reason":"that is a question about the weather"}'), 'the model read no command: that is a question about the weather'],
  ])('rejects a malformed model answer: %s', async (_name, body, reason) => {
    replies.push({ body });
    const r = await interpretText('send cobot-3 to charger', vocab, endpoint());
    expect(r.ok).toBe(false);
    expect(r.source).toBe('model');
    expect(!r.ok && r.reason).toContain(reason);
  });

  it('falls back to the grammar when the server fails, is slow or is absent', async () => {
    replies.push({ status: 503, body: { error: 'loading model' } });
    expect(await interpretText('pause cobot 2', vocab, endpoint())).toEqual({
      ok: true,
      command: { verb: 'pause', cobot: 'cobot-2' },
      source: 'grammar',
      note: 'the model server answered HTTP 503; read by the grammar instead',
    });
    replies.push({ body: completion('{"verb":"pause","cobot":"cobot-1"}'), delayMs: 1000 });
    const slow = await interpretText('resume cobot-1', vocab, endpoint({ timeoutMs: 100 }));
    expect(slow).toMatchObject({ ok: true, command: { verb: 'resume', cobot: 'cobot-1' }, source: 'grammar' });
    expect(slow.ok && slow.note).toContain('did not answer within 100 ms');
    const absent = await interpretText('dance', vocab, endpoint({ url: 'http://127.0.0.1:9/v1' }));
    expect(absent).toMatchObject({ ok: false, source: 'grammar' });
    expect(!absent.ok && absent.reason).toMatch(/cannot be reached .*; and the grammar: no command word/);
  });

  it('uses the grammar when no endpoint is configured', async () => {
    const before = requests.length;
    expect(await interpretText('move cobot 1 to storage', vocab)).toEqual({ ok: true, command: { verb: 'move', cobot: 'cobot-1', place: 'storage' }, source: 'grammar' });
    expect(requests.length).toBe(before);
  });
});
