import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../runtime/paths.js';
import { startServe } from '../support/live-run.js';
import { waitUntil } from '../support/wait.js';

/**
 * `serve` (so `npm start`) signs every envelope by default: the built CLI,
 * from a folder of its own, makes the site identity on its first start —
 * two plants starting at once on one folder agree on one — checks every
 * envelope on receipt (a principal revoked in the folder's principals file
 * is refused without a restart, and reported without flooding stderr), and
 * `--unsigned` turns it off.
 */
const SCENARIO = join(projectRoot(), 'scenarios', 'turbine-failure.yaml');
let cwd: string;
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'serve-signed-'));
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

type LogRecord = { type: string; from?: string; reason?: string; signer?: string };
const readLog = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as LogRecord);

describe('serve signs by default', () => {
  it('makes the site identity once, signs and checks every envelope, and refuses a principal revoked meanwhile', async () => {
    const args = (log: string) => [SCENARIO, '--no-mqtt', '--ledger', 'memory', '--viewer-port', '0', '--speed', '20000', '--log', join(cwd, log)];
    // Two first starts at once: one makes data/identity/turbine-failure, the other takes it.
    const [a, b] = await Promise.all([startServe(args('a.ndjson'), process.env, 60_000, cwd), startServe(args('b.ndjson'), process.env, 60_000, cwd)]);
    const dir = join(cwd, 'data', 'identity', 'turbine-failure');
    try {
      const said = [a.stdout(), b.stdout()].map((out) => /envelopes: signed with the (\d+) keys of (\S+)( \(made now\))?, checked against (\S+)\n/.exec(out));
      expect(said[0], a.stdout() + a.stderr()).not.toBeNull();
      expect(said[1], b.stdout() + b.stderr()).not.toBeNull();
      expect(said.filter((m) => m![3] !== undefined)).toHaveLength(1);
      expect(said[0]![2]).toBe(join('data', 'identity', 'turbine-failure', 'plant.keyring.json'));
      expect(said[0]![1]).toBe(said[1]![1]);
      expect(readdirSync(join(cwd, 'data', 'identity'))).toEqual(['turbine-failure']);
      await b.stop();

      // Revoke a cobot (every cobot bids for every delivery) in the running plant's principals file.
      const cobot = 'cobot-1';
      const principalsFile = join(dir, 'principals.json');
      const doc = JSON.parse(readFileSync(principalsFile, 'utf8')) as { revoked: string[] };
      writeFileSync(principalsFile, JSON.stringify({ ...doc, revoked: [cobot] }, null, 2));
      const proposals = () => a.stderr().split('\n').filter((l) => new RegExp(`^refused envelope task\\.proposal \\S+ from "${cobot}"[^\\n]*: revoked`).test(l)).length;
      await waitUntil(`${cobot}'s proposals refused as revoked`, () => proposals() >= 3, 60_000);
      // Let it go on proposing (×20 000: hours of plant time) so that refusals are held back and counted.
      await new Promise((r) => setTimeout(r, 2000));
    } finally {
      await a.stop();
      await b.stop();
    }
    const log = readLog(join(cwd, 'a.ndjson'));
    const refused = log.filter((r) => r.type === 'envelope.refused');
    expect(refused.length).toBeGreaterThan(0);
    // Before the revocation nothing was refused: every agent and bridge of the plant had its key.
    expect(refused.filter((r) => r.reason !== 'revoked')).toEqual([]);
    expect(new Set(refused.map((r) => r.signer))).toEqual(new Set(['cobot-1']));
    expect(log.some((r) => r.type === 'task.proposal' && r.from === 'cobot-1')).toBe(true);
    expect(readLog(join(cwd, 'b.ndjson')).filter((r) => r.type === 'envelope.refused')).toEqual([]);
    // stderr is not flooded: a few lines per kind of refusal, the rest counted; together they are every refusal logged.
    const stderr = a.stderr().split('\n');
    const full = stderr.filter((l) => /^refused envelope \S+ \S+ from "cobot-1"/.test(l)).length;
    const counted = stderr.map((l) => /^\((\d+) more in \d+ s like: refused envelope \S+ from "cobot-1"/.exec(l)).reduce((n, m) => n + (m ? Number(m[1]) : 0), 0);
    expect(full + counted).toBe(refused.length);
    expect(counted).toBeGreaterThan(0);
  }, 240_000);

  it('--unsigned says so, and flags that do not fit are refused in one line', async () => {
    const plain = await startServe([SCENARIO, '--no-mqtt', '--ledger', 'memory', '--viewer-port', '0', '--unsigned'], process.env, 60_000, cwd);
    await plain.stop();
    expect(plain.stdout()).toMatch(/\n {2}envelopes: not signed \(--unsigned or --remote-agents without --keyring\)\n/);
    const both = await startServe([SCENARIO, '--no-mqtt', '--unsigned', '--identity-dir', 'x'], process.env, 60_000, cwd);
    await both.stop();
    expect(both.stderr()).toBe('hyperfactory: --unsigned turns signing off: drop --identity, --principals, --keyring and --identity-dir\n');
    expect(both.child.exitCode).toBe(2);
  }, 120_000);
});
