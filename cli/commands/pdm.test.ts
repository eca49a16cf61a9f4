import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cli } from '../../test/support/cli.js';
import { projectRoot } from '../../runtime/paths.js';


afterEach(() => vi.restoreAllMocks());

/** A small C-MAPSS-shaped file: `units` engines whose sensors drift towards failure. */
function cmapssFile(dir: string, name: string, lives: number[]): string {
  const rows = lives.flatMap((life, u) =>
    Array.from({ length: life }, (_, c) => [u + 1, c + 1, 0, 0, 100, ...Array.from({ length: 21 }, (_, s) => 500 + s + ((c + 1) / life) * (s % 4) + Math.sin(c * (s + 2)) * 0.05)].join(' ') + '  '),
  );
  const path = join(dir, name);
  writeFileSync(path, rows.join('\n') + '\n');
  return path;
}

describe('hyperfactory pdm', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hf-pdm-'));

  it('trains a model file, then predicts every unit at its last cycle in unit order', async () => {
    const train = cmapssFile(dir, 'train.txt', [80, 70, 90, 60, 75]);
    const model = join(dir, 'm.onnx');
    const t = await cli('pdm', 'train', '--data', train, '--out', model, '--epochs', '1', '--channels', '8', '--seed', '3');
    expect(t.stderr).toMatch(/epoch 1\/1 {2}loss/);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/validation \(1 held-out units, 10 truncated trajectories\): RMSE \d/);
    expect(existsSync(model) && !existsSync(`${model}.partial`)).toBe(true);
    const test = cmapssFile(dir, 'test.txt', [31, 12, 50]);
    const p = await cli('pdm', 'predict', '--model', model, '--data', test, '--json');
    expect(p.code).toBe(0);
    const out = JSON.parse(p.stdout) as { unit: number; rul: number }[];
    expect(out.map((r) => r.unit)).toEqual([1, 2, 3]);
    for (const r of out) {
      expect(Object.keys(r)).toEqual(['unit', 'rul']);
      expect(r.rul).toBeGreaterThanOrEqual(0);
    }
  });

  it('federated: sites with different engines, weights only, and the gap to centralised training', async () => {
    const train = cmapssFile(dir, 'fed.txt', [40, 45, 50, 55, 60, 65, 70, 75, 80, 85]);
    const out = join(dir, 'fed.onnx');
    const r = await cli('pdm', 'federated', '--data', train, '--out', out, '--sites', '3', '--rounds', '2', '--centralised', '--json');
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.sites).toHaveLength(3);
    // Sorted by life and dealt in blocks: the sites' engines differ.
    expect(report.sites[0].meanLife).toBeLessThan(report.sites[2].meanLife);
    expect(report.history.map((h: { round: number }) => h.round)).toEqual([1, 2]);
    expect(report.federatedRmse).toBeGreaterThan(0);
    expect(report.centralisedRmse).toBeGreaterThan(0);
    expect(report.bytesPerSiteRound).toBeGreaterThan(1000);
    expect(existsSync(out)).toBe(true);
    expect((await cli('pdm', 'federated', '--data', train, '--out', out, '--sites', '1')).stderr).toMatch(/--sites must be an integer ≥ 2/);
  });

  it('the committed C-MAPSS models load and answer for every unit', async () => {
    for (const ds of ['fd001', 'fd003']) {
      const model = join(projectRoot(), 'models', `cmapss-${ds}.onnx`);
      const data = join(projectRoot(), '..', 'shared', 'data', 'cmapss', `train_${ds.toUpperCase()}.txt`);
      if (!existsSync(data)) continue; // the shared data folder is beside the checkout
      const p = await cli('pdm', 'predict', '--model', model, '--data', data, '--json');
      expect(p.code, p.stderr).toBe(0);
      const out = JSON.parse(p.stdout) as { unit: number; rul: number }[];
      expect(out).toHaveLength(100);
      // At the last cycle of a run-to-failure trajectory the engine is at its end of life.
      expect(out.reduce((a, r) => a + r.rul, 0) / out.length).toBeLessThan(25);
    }
  });

  it('bad input: one line naming the file and what is wrong, exit code 2', async () => {
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, '1 1 0.1 0.2\n');
    for (const args of [
      ['pdm', 'predict', '--model', join(dir, 'nope.onnx'), '--data', bad],
      ['pdm', 'train', '--data', bad, '--out', join(dir, 'x.onnx')],
      ['pdm', 'train', '--data', bad],
      ['pdm', 'train', '--data', bad, '--out', join(dir, 'x.onnx'), '--epochs', '0'],
      ['pdm', 'fly'],
    ]) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const notModel = join(dir, 'fake.onnx');
    writeFileSync(notModel, 'not a model');
    const r = await cli('pdm', 'predict', '--model', notModel, '--data', bad);
    expect(r.stderr).toMatch(/fake.onnx: (not an ONNX model|an ONNX model without HyperFactory's metadata)/);
    // A plant model (its own 9 sensors) on C-MAPSS rows (14): named, not a RangeError from the tensor.
    const rows = join(dir, 'rows.txt');
    writeFileSync(rows, Array.from({ length: 40 }, (_, i) => `1 ${i + 1} ${Array.from({ length: 24 }, () => '0.5').join(' ')}`).join('\n') + '\n');
    const mismatch = await cli('pdm', 'predict', '--model', join(projectRoot(), 'models/turbine-failure/cnc-rul.onnx'), '--data', rows);
    expect(mismatch).toMatchObject({ code: 2, stderr: expect.stringMatching(/^hyperfactory: pdm predict: .*cnc-rul\.onnx reads 9 channels .*gives 14 C-MAPSS sensors per row\n$/) });
  });
});
