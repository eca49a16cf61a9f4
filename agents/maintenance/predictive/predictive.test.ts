import { describe, expect, it } from 'vitest';
import { CmapssError, parseCmapss, INFORMATIVE_SENSORS, type Trajectory } from './cmapss.js';
import { fitScaling, lastWindows, trainingWindows } from './windows.js';
import { initTcn, receptiveField, tcnPredict, type TcnConfig } from './tcn.js';
import { encodeRulModel, ModelFileError, RulModel, type RulModelInfo } from './rul-model.js';
import { loadTf } from './tf-backend.js';
import { trainTcn } from './train-tcn.js';
import { brier, phm08Score, reliability, rmse } from './metrics.js';
import { splitUnits, truncatedValidation } from './cmapss-training.js';

/** A C-MAPSS-shaped row: unit, cycle, 3 settings, 21 sensors drifting with the cycle. */
const row = (unit: number, cycle: number, life: number) =>
  [unit, cycle, 0, 0, 100, ...Array.from({ length: 21 }, (_, s) => 500 + s * 10 + (s % 3) * (cycle / life) + Math.sin(cycle * (s + 1)) * 0.1)].join(' ') + '  ';
const file = (lives: number[]) => lives.flatMap((life, u) => Array.from({ length: life }, (_, c) => row(u + 1, c + 1, life))).join('\n') + '\n';

const small: TcnConfig = { inputs: 14, window: 30, channels: 8, kernel: 3, dilations: [1, 2, 4, 8], rulCap: 125, horizon: 30 };

describe('C-MAPSS files', () => {
  it('reads units in order with the 14 informative sensors', () => {
    const t = parseCmapss(file([40, 35]), 'train.txt');
    expect(t.map((u) => [u.unit, u.rows.length])).toEqual([
      [1, 40],
      [2, 35],
    ]);
    expect(t[0].rows[0]).toHaveLength(INFORMATIVE_SENSORS.length);
    // Sensor 2 is column 7 (unit, cycle, 3 settings, then s1 …).
    expect(t[0].rows[0][0]).toBeCloseTo(510 + 1 / 40 + Math.sin(2) * 0.1, 6);
  });

  it('names the file and line of a defect', () => {
    expect(() => parseCmapss('1 1 0 0\n', 'a.txt')).toThrow(new CmapssError('a.txt:1: expected 26 numbers (unit, cycle, 3 settings, 21 sensors), found 4'));
    const lines = file([3]).split('\n');
    lines[1] = lines[1].replace(/^1 2 /, '1 5 ');
    expect(() => parseCmapss(lines.join('\n'), 'b.txt')).toThrow('b.txt:2: unit 1 jumps to cycle 5 after 1');
    expect(() => parseCmapss(file([2]).replace('500', 'x'), 'c.txt')).toThrow(/c.txt:1: column \d+ is not a number/);
    expect(() => parseCmapss('\n\n', 'd.txt')).toThrow('d.txt: no data');
  });
});

describe('windows', () => {
  const t = parseCmapss(file([40, 20]), 'f');
  const s = fitScaling(t);

  it('scales by the training range and pads short units at the front', () => {
    const w = lastWindows(t, 30, s);
    expect(w.n).toBe(2);
    const c = 14;
    // Unit 2 has 20 cycles: its window starts with 10 copies of its first row.
    const second = w.x.subarray(30 * c, 60 * c);
    for (let i = 1; i <= 10; i++) expect(Array.from(second.subarray(i * c, (i + 1) * c))).toEqual(Array.from(second.subarray(0, c)));
    for (const v of w.x) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
  });

  it('makes one training window per cycle from the window length on, RUL capped', () => {
    const w = trainingWindows(t, 30, s, 15);
    expect(w.n).toBe(11 + 1); // unit 1: cycles 30..40; unit 2 (short): its last cycle
    expect(Array.from(w.rul.slice(0, 11))).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(trainingWindows(t, 30, s, 5).rul[0]).toBe(5);
  });

  it('holds out a seeded share of units; validation cuts leave RULs from 5 to 145', () => {
    const units = Array.from({ length: 100 }, (_, i) => i + 1);
    const a = splitUnits(units, 0.2, 1);
    expect(a.validation.size).toBe(20);
    expect([...a.validation].some((u) => a.train.has(u))).toBe(false);
    expect(splitUnits(units, 0.2, 1).validation).toEqual(a.validation);
    expect(splitUnits(units, 0.2, 2).validation).not.toEqual(a.validation);
    const long: Trajectory = { unit: 1, rows: Array.from({ length: 300 }, () => Array(14).fill(0)) };
    const v = truncatedValidation([long], 30, fitScaling([long]));
    expect(Math.min(...v.trueRul)).toBe(5);
    expect(Math.max(...v.trueRul)).toBe(145);
  });
});

describe('metrics', () => {
  it('RMSE, PHM08 score (late costs more), Brier and reliability', () => {
    expect(rmse([1, 3], [2, 2])).toBe(1);
    expect(phm08Score([110], [100])).toBeCloseTo(Math.exp(1) - 1, 12);
    expect(phm08Score([87], [100])).toBeCloseTo(Math.exp(1) - 1, 12);
    expect(phm08Score([110], [100])).toBeGreaterThan(phm08Score([90], [100]));
    expect(brier([1, 0, 0.5], [1, 0, 1])).toBeCloseTo(0.25 / 3, 12);
    expect(reliability([0.05, 0.15, 0.12], [0, 1, 0])).toEqual([
      { from: 0, to: 0.1, n: 1, predicted: 0.05, observed: 0 },
      { from: 0.1, to: 0.2, n: 2, predicted: expect.closeTo(0.135, 10), observed: 0.5 },
    ]);
  });
});

describe('TCN, trained with tfjs and exported to ONNX', () => {
  it('sees the whole window', () => {
    expect(receptiveField(small)).toBeGreaterThanOrEqual(small.window);
  });

  it('ONNX Runtime gives the trainer’s outputs (max abs difference < 1e-4 on the network’s outputs)', async () => {
    const tf = await loadTf();
    const t = parseCmapss(file([60, 50, 45]), 'f');
    const scaling = fitScaling(t);
    const train = trainingWindows(t, 30, scaling, 125);
    // A few real training steps, so the weights are not the initial ones.
    const { params } = await trainTcn(tf, small, train, { epochs: 2, batch: 16, seed: 5 });
    const x = train.x;
    const reference = tcnPredict(tf, small, params, x, train.n);
    const info: RulModelInfo = { format: 1, kind: 'tcn-rul', config: small, channels: INFORMATIVE_SENSORS.map((s) => `s${s}`), scaling, training: {} };
    const model = await RulModel.fromBytes(encodeRulModel(info, params, 'test'));
    const onnx = await model.predict(x, train.n);
    await model.close();
    let rulFraction = 0;
    let pFail = 0;
    let cycles = 0;
    for (let i = 0; i < train.n; i++) {
      rulFraction = Math.max(rulFraction, Math.abs(onnx.rul[i] - reference.rul[i]) / small.rulCap);
      cycles = Math.max(cycles, Math.abs(onnx.rul[i] - reference.rul[i]));
      pFail = Math.max(pFail, Math.abs(onnx.pFail[i] - reference.pFail[i]));
    }
    // The heads' outputs (RUL as a fraction of the cap, failure probability) agree to float32
    // rounding; RUL in cycles is that fraction times 125, so its float32 rounding is 125× larger.
    expect(rulFraction).toBeLessThan(1e-4);
    expect(pFail).toBeLessThan(1e-4);
    expect(cycles).toBeLessThan(125e-4);
    expect(new Set(Array.from(reference.rul, (r) => Math.round(r))).size).toBeGreaterThan(1);
  });

  it('exports the component head too: ONNX Runtime gives the trainer’s component shares (< 1e-4), summing to 1', async () => {
    const tf = await loadTf();
    const config = { ...small, components: 3 };
    const t = parseCmapss(file([60, 50, 45]), 'f').map((u, i) => ({ ...u, failedComponent: i % 3 }));
    const scaling = fitScaling(t);
    const train = trainingWindows(t, 30, scaling, 125);
    expect(Array.from(new Set(train.component))).toEqual([0, 1, 2]);
    const { params } = await trainTcn(tf, config, train, { epochs: 2, batch: 16, seed: 5 });
    const reference = tcnPredict(tf, config, params, train.x, train.n);
    const info: RulModelInfo = { format: 1, kind: 'tcn-rul', config, channels: INFORMATIVE_SENSORS.map((s) => `s${s}`), components: ['a', 'b', 'c'], scaling, training: {} };
    // An ensemble of two, so the graph's Mean over members is exercised as well.
    const model = await RulModel.fromBytes(encodeRulModel(info, [params, params], 'test'));
    const onnx = await model.predict(train.x, train.n);
    await model.close();
    let worst = 0;
    for (let i = 0; i < train.n * 3; i++) worst = Math.max(worst, Math.abs(onnx.component![i] - reference.component![i]));
    expect(worst).toBeLessThan(1e-4);
    for (let i = 0; i < train.n; i++) expect(onnx.component![3 * i] + onnx.component![3 * i + 1] + onnx.component![3 * i + 2]).toBeCloseTo(1, 5);
  });

  it('is reproducible: same seed, same weights', async () => {
    const tf = await loadTf();
    const t = parseCmapss(file([45, 40]), 'f');
    const train = trainingWindows(t, 30, fitScaling(t), 125);
    const a = await trainTcn(tf, small, train, { epochs: 1, batch: 8, seed: 9 });
    const b = await trainTcn(tf, small, train, { epochs: 1, batch: 8, seed: 9 });
    expect(Buffer.from(a.params['head.w'].data.buffer).equals(Buffer.from(b.params['head.w'].data.buffer))).toBe(true);
    expect(initTcn(small, 1)['b0.conv1.w'].data).not.toEqual(initTcn(small, 2)['b0.conv1.w'].data);
  });

  it('refuses files that are not its models, naming why', async () => {
    await expect(RulModel.fromBytes(new Uint8Array([1, 2, 3, 250]), 'x.onnx')).rejects.toThrow(ModelFileError);
    await expect(RulModel.fromBytes(new Uint8Array(0), 'empty.onnx')).rejects.toThrow("empty.onnx: an ONNX model without HyperFactory's metadata");
    await expect(RulModel.load('/nonexistent/m.onnx')).rejects.toThrow('/nonexistent/m.onnx: cannot read the model (ENOENT)');
  });
});
