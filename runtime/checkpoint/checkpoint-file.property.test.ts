import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../scenarios/load.js';
import { anyJson, mutatedBytes, mutatedJson, mutatedText, outcome, type Json } from '../../test/support/fuzz.js';
import { expectOneLine } from '../../test/support/one-line.js';
import { runPlant } from '../plant.js';
import { CheckpointError, readCheckpoint, type Checkpoint } from './checkpoint-file.js';

/**
 * Hardened input: `readCheckpoint` takes whatever a file holds (a resume
 * names it). Any bytes: a checkpoint keeping the schema's promises, or a
 * one-line CheckpointError naming the file; never another exception, and
 * the file is left byte for byte.
 */

const SCENARIO = 'scenarios/factory-des.yaml';
const dir = mkdtempSync(join(tmpdir(), 'hf-checkpoint-prop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(dir, `c${++n}.json`);

/** A real checkpoint, written by a run stopped at day one (made once). */
let valid: Checkpoint;
let validText = '';
beforeAll(() => {
  const path = join(dir, 'real.json');
  runPlant(loadScenario(SCENARIO), { until: 2 * 86400, checkpoint: { path, every: 86400, scenarioFile: join(process.cwd(), SCENARIO), stopAt: 86400 } });
  validText = readFileSync(path, 'utf8');
  valid = JSON.parse(validText) as Checkpoint;
});
const real = fc.constant(null).map(() => valid as unknown as Json);
const realText = fc.constant(null).map(() => validText);

const hex64 = /^[0-9a-f]{64}$/;
const nat = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** readCheckpoint's contract on one file's bytes. */
function read(bytes: Uint8Array): { ok: true; value: Checkpoint } | { ok: false; error: CheckpointError } {
  const path = freshPath();
  writeFileSync(path, bytes);
  const before = Buffer.from(bytes);
  const r = outcome(() => readCheckpoint(path), CheckpointError);
  // Nothing written, whatever the answer.
  expect(readFileSync(path).equals(before)).toBe(true);
  if (!r.ok) {
    expect(r.error.message).toMatch(new RegExp(`^checkpoint ${esc(path)}: \\S`));
    expectOneLine(r.error.message);
    return { ok: false, error: r.error as CheckpointError };
  }
  const c = r.value;
  expect(c.format).toBe('hyperfactory-checkpoint');
  expect(c.version).toBe(1);
  expect(c.run.scenarioSha256).toMatch(hex64);
  expect(['des', 'physics']).toContain(c.run.mode);
  expect(c.run.horizon).toBeGreaterThan(0);
  expect(Number.isInteger(c.run.seed)).toBe(true);
  expect(c.state.t).toBeGreaterThanOrEqual(0);
  expect(c.state.kernel.queueDigest).toMatch(hex64);
  expect(c.state.log.sha256).toMatch(hex64);
  for (const k of ['processed', 'sequence', 'pending'] as const) expect(Number.isInteger(c.state.kernel[k]) && c.state.kernel[k] >= 0).toBe(true);
  for (const words of Object.values(c.state.random)) {
    expect(words).toHaveLength(4);
    for (const w of words) expect(nat(w) && w <= 0xffffffff).toBe(true);
  }
  return { ok: true, value: c };
}

const bytesOf = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

describe('checkpoint file reader, hardened', () => {
  it('round trip: a checkpoint a run wrote reads back as itself', () => {
    const r = read(bytesOf(validText));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toEqual(valid);
  });

  test.prop([mutatedJson(real, 3)], { numRuns: 120 })('a real checkpoint with fields deleted, replaced, added or retyped: a checkpoint, or refused naming the file', (doc) => {
    read(bytesOf(JSON.stringify(doc) ?? 'undefined'));
  });

  test.prop([mutatedText(realText.map((t) => JSON.stringify(JSON.parse(t), null, 1)), 3)], { numRuns: 80 })('a real checkpoint (indented) with lines and characters edited or torn', (text) => {
    read(bytesOf(text));
  });

  test.prop([mutatedBytes(realText.map(bytesOf), 3)], { numRuns: 80 })('a real checkpoint with bits flipped, bytes set, inserted or zeroed, or truncated', (bytes) => {
    const r = read(bytes);
    // A byte off the JSON structure can leave it valid; a torn one never is.
    if (bytes.length < bytesOf(validText.trimEnd()).length) expect(r.ok).toBe(false);
  });

  test.prop([fc.oneof(fc.uint8Array({ maxLength: 300 }), anyJson.map((v) => bytesOf(JSON.stringify(v))))], { numRuns: 150 })('arbitrary bytes and any JSON value: refused naming the file', (bytes) => {
    expect(read(bytes).ok).toBe(false);
  });

  // Inputs the properties found, kept as examples.
  it('keeps "not JSON" one line when the file holds a NUL or a line break (V8 quotes the text raw; was two lines)', () => {
    for (const text of ['\u0000', 'a\nb']) {
      const r = read(bytesOf(text));
      expect(r.ok || r.error.message).toMatch(/: not JSON \(.*\\u00(00|0a)/);
    }
  });

  it('keeps a refused field one line when its key (a random stream) holds a line break (was two lines)', () => {
    const doc = structuredClone(valid) as unknown as { state: { random: Record<string, unknown> } };
    doc.state.random['a\nforged'] = 'x';
    const r = read(bytesOf(JSON.stringify(doc)));
    expect(r.ok || r.error.message).toMatch(/: state\.random\.a\\u000aforged: /);
  });

  it('names a missing file or a folder, one line', () => {
    for (const path of [join(dir, 'missing.json'), dir]) {
      const r = outcome(() => readCheckpoint(path), CheckpointError);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.message).toMatch(new RegExp(`^checkpoint ${esc(path)}: (cannot be read \\(ENOENT\\)|not a regular file)$`));
    }
  });
});
