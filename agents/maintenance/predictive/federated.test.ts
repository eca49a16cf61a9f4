import { describe, expect, it } from 'vitest';
import { decodeParams, encodeParams, federatedAverage, federatedTrain, serverStep } from './federated.js';
import { initTcn, tcnPredict, type TcnConfig } from './tcn.js';
import { loadTf } from './tf-backend.js';
import { parseCmapss } from './cmapss.js';
import { fitScaling, trainingWindows } from './windows.js';
import { truncatedValidation } from './cmapss-training.js';
import { rmse } from './metrics.js';

const c: TcnConfig = { inputs: 14, window: 30, channels: 8, kernel: 3, dilations: [1, 2, 4, 8], rulCap: 125, horizon: 30 };

const row = (unit: number, cycle: number, life: number, drift: number) =>
  [unit, cycle, 0, 0, 100, ...Array.from({ length: 21 }, (_, s) => 500 + s + drift * (cycle / life) * ((s % 3) + 1) + Math.sin(cycle * (s + 1)) * 0.05)].join(' ');
const file = (lives: number[], drift: number, first = 1) => lives.flatMap((life, u) => Array.from({ length: life }, (_, k) => row(first + u, k + 1, life, drift))).join('\n');

describe('federated averaging', () => {
  it('averages weights by examples, and refuses mismatched shapes', () => {
    const a = { w: { shape: [2], data: Float32Array.of(1, 2) } };
    const b = { w: { shape: [2], data: Float32Array.of(3, 6) } };
    expect(Array.from(federatedAverage([{ params: a, examples: 1 }, { params: b, examples: 3 }]).w.data)).toEqual([2.5, 5]);
    expect(() => federatedAverage([{ params: a, examples: 1 }, { params: { w: { shape: [3], data: new Float32Array(3) } }, examples: 1 }])).toThrow(/differ in shape at w/);
    expect(() => federatedAverage([])).toThrow(/at least one/);
  });

  it('weights travel as bytes and come back identical; malformed bytes are refused', () => {
    const p = initTcn(c, 4);
    const back = decodeParams(encodeParams(p));
    expect(Object.keys(back)).toEqual(Object.keys(p));
    for (const k of Object.keys(p)) expect(back[k].data).toEqual(p[k].data);
    const bytes = encodeParams(p);
    expect(() => decodeParams(bytes.subarray(0, bytes.length - 3))).toThrow(/ends inside/);
    expect(() => decodeParams(new Uint8Array([255, 255, 0, 0, 1]))).toThrow(/header runs past/);
    expect(() => decodeParams(new Uint8Array(2))).toThrow(/too short/);
  });

  it('three sites with different degradation speeds learn a shared model without pooling their data', async () => {
    const tf = await loadTf();
    const sites = [file([60, 70, 80], 3, 1), file([65, 75], 5, 10), file([70, 90, 60], 8, 20)].map((text, i) => parseCmapss(text, `site-${i}`));
    // Sites agree on a common scaling (min/max statistics only, no rows shared).
    const scaling = fitScaling(sites.flat());
    const data = sites.map((t, i) => ({ name: `site-${i}`, data: trainingWindows(t, 30, scaling, 125) }));
    const held = parseCmapss(file([72, 66, 80], 5, 40), 'held');
    const val = truncatedValidation(held, 30, scaling);
    const score = (p: ReturnType<typeof initTcn>) => rmse(tcnPredict(tf, c, p, val.set.x, val.set.n).rul, val.trueRul);
    const before = score(initTcn(c, 1));
    const { history } = await federatedTrain(tf, c, data, { rounds: 4, localEpochs: 2, seed: 1, batch: 16 }, score);
    expect(history).toHaveLength(4);
    expect(history.at(-1)!.validationRmse!).toBeLessThan(before);
  });

  it('FedAvgM: momentum 0 is the plain average; otherwise the server keeps a momentum of the rounds’ steps', () => {
    const t = (x: number) => ({ w: { shape: [1], data: Float32Array.of(x) } });
    expect(serverStep(t(1), t(3), undefined, 0).params.w.data[0]).toBe(3);
    // Round 1: step 3 − 1 = 2 → 3; round 2: average 4, step 1 plus 0.5 × 2 → 3 + 2 = 5.
    const first = serverStep(t(1), t(3), undefined, 0.5);
    expect(first.params.w.data[0]).toBe(3);
    const second = serverStep(first.params, t(4), first.velocity, 0.5);
    expect(second.params.w.data[0]).toBe(5);
  });
});
