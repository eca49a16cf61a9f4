import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../scenarios/load.js';
import { projectRoot } from '../paths.js';
import { runPlant } from '../plant.js';
import { cli } from '../../test/support/cli.js';
import { waitUntil } from '../../test/support/wait.js';
import { CheckpointError, readCheckpoint, type Checkpoint } from './checkpoint-file.js';
import { LogDivergence } from '../../sim/log/event-log.js';

const FACTORY = join(projectRoot(), 'scenarios', 'factory-des.yaml');
const FLAGSHIP = join(projectRoot(), 'scenarios', 'turbine-failure.yaml');
const BIN = join(projectRoot(), 'bin', 'hyperfactory.js');
const built = existsSync(join(projectRoot(), 'dist', 'cli', 'main.js'));
const DAY = 86400;

const folder = () => mkdtempSync(join(tmpdir(), 'hf-checkpoint-'));
const sha = (path: string) => readFileSync(path).toString('base64');

describe('checkpoints of a simulation run', () => {
  const scenario = loadScenario(FACTORY);
  const dir = folder();
  const until = 40 * DAY;
  const whole = runPlant(scenario, { until, logPath: join(dir, 'whole.ndjson') });

  it('a run stopped at a checkpoint and resumed ends with the uninterrupted logHash and the same log, byte for byte', () => {
    const log = join(dir, 'cut.ndjson');
    const path = join(dir, 'cut.json');
    const first = runPlant(scenario, { until, logPath: log, checkpoint: { path, every: 7 * DAY, scenarioFile: FACTORY, stopAt: 17 * DAY } });
    expect(first.stoppedAt).toBe(17 * DAY);
    expect(existsSync(log)).toBe(false); // still partial
    const checkpoint = readCheckpoint(path);
    expect(checkpoint.state.t).toBe(17 * DAY);
    // What the checkpoint holds: every agent's persisted snapshot, the kernel and the streams.
    expect(Object.keys(checkpoint.state.actors).length).toBeGreaterThan(100);
    expect(checkpoint.state.kernel.pending).toBeGreaterThan(0);
    expect(Object.keys(checkpoint.state.random).length).toBeGreaterThan(0);
    expect(checkpoint.state.log.bytes).toBe(statSync(`${log}.partial`).size);

    const resumed = runPlant(scenario, { until, logPath: log, resume: checkpoint, checkpoint: { path, every: 7 * DAY, scenarioFile: FACTORY } });
    expect(resumed.logHash).toBe(whole.logHash);
    expect(resumed.events).toBe(whole.events);
    expect(resumed.kpis).toEqual(whole.kpis);
    expect(sha(log)).toBe(sha(join(dir, 'whole.ndjson')));
    // It went on checkpointing: the last one is at 35 days.
    expect(readCheckpoint(path).state.t).toBe(35 * DAY);
  });

  it('resumes after a crash past the checkpoint: what was written after it is cut and written again', () => {
    const log = join(dir, 'crash.ndjson');
    const path = join(dir, 'crash.json');
    runPlant(scenario, { until, logPath: log, checkpoint: { path, every: 10 * DAY, scenarioFile: FACTORY, stopAt: 20 * DAY } });
    const checkpoint = readCheckpoint(path);
    // Another checkpoint file from earlier, and lines the crashed run wrote after its last checkpoint.
    writeFileSync(`${log}.partial`, '{"t":1,"type":"half written', { flag: 'a' });
    const resumed = runPlant(scenario, { until, logPath: log, resume: checkpoint });
    expect(resumed.logHash).toBe(whole.logHash);
    expect(sha(log)).toBe(sha(join(dir, 'whole.ndjson')));
  });

  it('refuses to resume when the rebuilt run is not in the checkpoint’s state, naming what differs', () => {
    const log = join(dir, 'tampered.ndjson');
    const path = join(dir, 'tampered.json');
    runPlant(scenario, { until, logPath: log, checkpoint: { path, every: 30 * DAY, scenarioFile: FACTORY, stopAt: 5 * DAY } });
    const good = readCheckpoint(path);
    const agent = Object.keys(good.state.actors)[0];
    const altered = structuredClone(good) as Checkpoint;
    (altered.state.actors[agent] as { value: unknown }).value = 'somewhere-else';
    expect(() => runPlant(scenario, { until, logPath: log, resume: altered })).toThrow(new RegExp(`agent ${agent.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: its snapshot differs at value`));

    const stream = Object.keys(good.state.random)[0];
    const otherStream = structuredClone(good) as Checkpoint;
    otherStream.state.random[stream] = [1, 2, 3, 4];
    expect(() => runPlant(scenario, { until, logPath: log, resume: otherStream })).toThrow(CheckpointError);
    expect(() => runPlant(scenario, { until, logPath: log, resume: otherStream })).toThrow(`random stream "${stream}"`);

    // Another seed is another run.
    expect(() => runPlant(scenario, { until, seed: good.run.seed + 1, logPath: log, resume: good })).toThrow(/kernel|event log|agent|random/);
    // Another scenario.
    expect(() => runPlant({ ...scenario, horizon: scenario.horizon + 1 }, { until, logPath: log, resume: good })).toThrow(/scenario .* changed since the checkpoint/);

    // The interrupted run's log was edited: the prefix no longer matches.
    const text = readFileSync(`${log}.partial`, 'utf8');
    writeFileSync(`${log}.partial`, text.replace('"t":', '"t": '));
    expect(() => runPlant(scenario, { until, logPath: log, resume: good })).toThrow(LogDivergence);
    // Nothing lost: the failed resume left the partial log as it was.
    expect(readFileSync(`${log}.partial`, 'utf8')).toBe(text.replace('"t":', '"t": '));
  });

  it('names the file and the field of a malformed checkpoint', () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, '{"format":"hyperfactory-checkpoint","version":1,"run":{}}');
    expect(() => readCheckpoint(path)).toThrow(`checkpoint ${path}: run.scenarioFile:`);
    writeFileSync(path, '{"format":"hyperfactory-checkp');
    expect(() => readCheckpoint(path)).toThrow(`checkpoint ${path}: not JSON`);
    expect(() => readCheckpoint(dir)).toThrow(`checkpoint ${dir}: not a regular file`);
    expect(() => readCheckpoint(join(dir, 'none.json'))).toThrow(`checkpoint ${join(dir, 'none.json')}: cannot be read (ENOENT)`);
  });

  it('the CLI refuses flags a resume takes from its checkpoint, and checkpoints of runs that cannot replay', async () => {
    const path = join(dir, 'cli.json');
    let r = await cli('run', FACTORY, '--until', '3d', '--checkpoint', path, '--stop-at', '1d');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`go on with: hyperfactory run --resume ${path}`);
    r = await cli('run', '--resume', path, '--seed', '3');
    expect(r).toMatchObject({ code: 2, stderr: 'hyperfactory: --resume takes --seed from the checkpoint: drop it\n' });
    r = await cli('run', FACTORY, '--checkpoint', path, '--speed', '100');
    expect(r).toMatchObject({ code: 2, stderr: 'hyperfactory: checkpoints are for discrete-event runs: drop --speed\n' });
    r = await cli('run', FACTORY, '--checkpoint', path, '--ledger', 'chain');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^hyperfactory: checkpoints need --ledger memory/);
    r = await cli('run', FLAGSHIP, '--resume', path);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the checkpoint is of');
    r = await cli('run', '--resume', path, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).simulatedSeconds).toBe(3 * DAY);
  });
});

describe.skipIf(!built)('a flagship run killed (SIGKILL) after a checkpoint', () => {
  it('resumes with the compiled CLI and ends with the uninterrupted logHash', async () => {
    const dir = folder();
    const args = ['run', FLAGSHIP, '--until', '8d', '--json'];
    const whole = runPlant(loadScenario(FLAGSHIP), { until: 8 * DAY });
    const path = join(dir, 'cp.json');
    const child = spawn(process.execPath, [BIN, ...args, '--log', join(dir, 'run.ndjson'), '--checkpoint', path, '--checkpoint-every', '1d'], { stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await waitUntil('a checkpoint at 3 days or later', () => existsSync(path) && readCheckpoint(path).state.t >= 3 * DAY, 120_000);
    child.kill('SIGKILL');
    await exited;
    const at = readCheckpoint(path).state.t;
    expect(existsSync(join(dir, 'run.ndjson'))).toBe(false);

    const resumed = await new Promise<{ code: number | null; out: string }>((resolve) => {
      let out = '';
      const c = spawn(process.execPath, [BIN, 'run', '--resume', path, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
      c.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      c.once('exit', (code) => resolve({ code, out }));
    });
    expect(resumed.code).toBe(0);
    const result = JSON.parse(resumed.out) as { logHash: string; events: number };
    expect(at).toBeGreaterThanOrEqual(3 * DAY);
    expect(result.logHash).toBe(whole.logHash);
    expect(result.events).toBe(whole.events);
  }, 300_000);
});
