import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { z } from 'zod';
import { anyJson, mutatedText } from '../../test/support/fuzz.js';
import { checkBody, formatPath, HttpError, readJsonBody } from './http.js';

/**
 * Request bodies as the ERP API reads them (`readJsonBody`, `checkBody`):
 * any bytes under any Content-Type and Content-Length are the JSON value
 * they hold or an HttpError with its status and code (415, 413, 400 with
 * line and column) — never another exception; a body over the limit is
 * read to its end (so the client hears the 413) and nothing of it kept.
 */

const MAX = 2048;

/** A request as node:http hands it over: a readable stream of chunks, with headers. */
function request(body: Uint8Array, headers: Record<string, string>, chunk: number): IncomingMessage & Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < body.length; i += chunk) chunks.push(Buffer.from(body.subarray(i, i + chunk)));
  const req = Readable.from(chunks) as unknown as IncomingMessage & Readable;
  Object.assign(req, { headers });
  return req;
}

const jsonBody = fc.oneof(anyJson.map((v) => JSON.stringify(v) ?? ''), mutatedText(anyJson.map((v) => JSON.stringify(v, null, 1) ?? ''), 2));
const body = fc.oneof(
  jsonBody.map((t) => new TextEncoder().encode(t)),
  fc.uint8Array({ maxLength: 300 }),
  fc.tuple(jsonBody, fc.nat({ max: 3 * MAX })).map(([t, pad]) => new TextEncoder().encode(t + ' '.repeat(pad))),
  fc.constantFrom(new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]), new Uint8Array([0xff, 0xfe]), new Uint8Array([0xc3]), new Uint8Array(0)),
);
const contentType = fc.option(fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/merge-patch+json', 'application/vnd.api+json;x=1', 'text/plain', 'application/jsonx', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', ''), { nil: undefined });
const contentLength = (actual: number) => fc.option(fc.constantFrom(String(actual), '0', '-1', 'abc', String(MAX + 1), '1e400', ''), { nil: undefined });

const CODES: Record<number, string> = { 400: 'bad-json', 413: 'too-large', 415: 'unsupported-media-type' };

describe('ERP API request bodies', () => {
  test.prop([body.chain((b) => fc.tuple(fc.constant(b), contentType, contentLength(b.length), fc.integer({ min: 1, max: 512 })))], { numRuns: 300 })(
    'any bytes under any headers: the JSON value they hold, or an HttpError with its status and code',
    async ([bytes, type, length, chunk]) => {
      const headers: Record<string, string> = {};
      if (type !== undefined) headers['content-type'] = type;
      if (length !== undefined) headers['content-length'] = length;
      const req = request(bytes, headers, chunk);
      try {
        const value = await readJsonBody(req, MAX);
        // What came is what the bytes say.
        const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
        expect(value).toEqual(JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text));
        expect(bytes.length).toBeLessThanOrEqual(MAX);
      } catch (e) {
        if (!(e instanceof HttpError)) throw e;
        expect(CODES[e.status]).toBe(e.code);
        expect(e.message.trim()).not.toBe('');
        if (e.status === 413) expect(bytes.length > MAX || Number(length) > MAX).toBe(true);
        if (e.status === 415) expect(type).toBeDefined();
        if (e.code === 'bad-json' && e.message.startsWith('not JSON')) expect(e.message).toMatch(/at line \d+, column \d+$/);
      }
      // Read to its end either way: the client is not left writing into a socket nobody reads.
      await new Promise((resolve) => setImmediate(resolve));
      expect(req.readableEnded || req.destroyed || req.readableLength === 0).toBe(true);
    },
  );

  const Order = z.object({ id: z.string().min(1), qty: z.number().positive(), lines: z.array(z.object({ sku: z.string(), n: z.number().int() }).strict()).optional() }).strict();
  test.prop([fc.oneof(anyJson, fc.record({ id: fc.string(), qty: fc.double(), lines: fc.array(fc.record({ sku: anyJson, n: anyJson }), { maxLength: 3 }) }, { requiredKeys: [] }))], { numRuns: 300 })(
    'a body checked against a schema: its value, or a 422 listing every problem with its path in the body',
    (value) => {
      try {
        expect(Order.safeParse(checkBody(Order, value, 'order')).success).toBe(true);
      } catch (e) {
        if (!(e instanceof HttpError)) throw e;
        expect(e).toMatchObject({ status: 422, code: 'invalid' });
        expect(e.problems!.length).toBeGreaterThan(0);
        expect(e.message).toBe(`order: ${e.problems!.length} problem${e.problems!.length === 1 ? '' : 's'}`);
        for (const p of e.problems!) {
          expect(p.path).toMatch(/^([A-Za-z_][\w]*|\[\d+\])?(\.[A-Za-z_]\w*|\[\d+\])*$/);
          expect(p.message.trim()).not.toBe('');
        }
      }
    },
  );

  test.prop([fc.array(fc.oneof(fc.nat({ max: 99 }), fc.stringMatching(/^[a-z]{1,5}$/)), { maxLength: 5 })])('formatPath writes [i] for indexes and .name for fields (the root field bare)', (path) => {
    const text = formatPath(path);
    const back = [...text.matchAll(/\[(\d+)\]|\.?([a-z]+)/g)].map((m) => (m[1] !== undefined ? Number(m[1]) : m[2]));
    expect(back).toEqual(path);
  });

  it('a body over the limit without Content-Length is read to its end, then refused with 413', async () => {
    const req = request(new Uint8Array(10 * MAX).fill(0x20), { 'content-type': 'application/json' }, 100);
    await expect(readJsonBody(req, MAX)).rejects.toMatchObject({ status: 413, code: 'too-large', headers: { connection: 'close' } });
    expect(req.readableEnded).toBe(true);
  });
});
