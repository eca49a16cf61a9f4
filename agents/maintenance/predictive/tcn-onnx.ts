import { OnnxGraph } from './onnx-graph.js';
import type { Params, TcnConfig } from './tcn.js';

/**
 * Writes the TCN as an ONNX graph with the same operations the trainer runs
 * (`tcn.ts`): each causal convolution is Pad, one Slice per tap, Concat and
 * MatMul; blocks add their skip path; the heads read the last step. Several
 * members (an ensemble, each trained from its own seed) share the input and
 * their outputs are averaged (ONNX `Mean`).
 * Input `x` [n, window, inputs]; outputs `rul` [n] (clamped at 0, in the
 * cap's unit), `p_fail` [n] and, with a component head, `p_component`
 * [n, components] (softmax). `metadata` travels in the file.
 */
export function exportTcnOnnx(c: TcnConfig, members: readonly Params[], metadata: Record<string, string>, version: string): Uint8Array {
  if (members.length === 0) throw new Error('an ONNX export needs at least one set of weights');
  const g = new OnnxGraph('hyperfactory-tcn');
  const x = g.input('x', ['n', c.window, c.inputs]);
  const axis1 = g.ints([1], 'axis1');
  const cap = g.floats('rul_cap', [], Float32Array.of(c.rulCap));
  const ruls: string[] = [];
  const probabilities: string[] = [];
  const componentShares: string[] = [];
  const k = c.components ?? 0;
  members.forEach((params, m) => {
    const prefix = members.length > 1 ? `m${m}.` : '';
    const w = (name: string) => {
      const p = params[name];
      if (!p) throw new Error(`TCN weights lack ${name}`);
      return g.floats(`${prefix}${name}`, p.shape, p.data);
    };
    const conv = (input: string, name: string, d: number): string => {
      const padded = g.node('Pad', [input, g.ints([0, (c.kernel - 1) * d, 0, 0, 0, 0])]);
      const taps = Array.from({ length: c.kernel }, (_, j) => g.node('Slice', [padded, g.ints([j * d]), g.ints([j * d + c.window]), axis1]));
      return g.node('Add', [g.node('MatMul', [g.node('Concat', taps, { axis: 2 }), w(`${name}.w`)]), w(`${name}.b`)]);
    };
    let h = x;
    c.dilations.forEach((d, b) => {
      const y1 = g.node('Relu', [conv(h, `b${b}.conv1`, d)]);
      const y2 = conv(y1, `b${b}.conv2`, d);
      const skip = params[`b${b}.res.w`] ? g.node('MatMul', [h, w(`b${b}.res.w`)]) : h;
      h = g.node('Relu', [g.node('Add', [y2, skip])]);
    });
    const last = g.node('Reshape', [g.node('Slice', [h, g.ints([c.window - 1]), g.ints([c.window]), axis1]), g.ints([-1, c.channels])]);
    const heads = g.node('Add', [g.node('MatMul', [last, w('head.w')]), w('head.b')]);
    const column = (k: number) => g.node('Reshape', [g.node('Slice', [heads, g.ints([k]), g.ints([k + 1]), axis1]), g.ints([-1])]);
    const single = members.length === 1;
    ruls.push(g.node('Mul', [g.node('Relu', [column(0)]), cap], {}, single ? 'rul' : undefined));
    probabilities.push(g.node('Sigmoid', [column(1)], {}, single ? 'p_fail' : undefined));
    if (k > 0) componentShares.push(g.node('Softmax', [g.node('Slice', [heads, g.ints([2]), g.ints([2 + k]), axis1])], { axis: 1 }, single ? 'p_component' : undefined));
  });
  if (members.length > 1) {
    g.node('Mean', ruls, {}, 'rul');
    g.node('Mean', probabilities, {}, 'p_fail');
    if (k > 0) g.node('Mean', componentShares, {}, 'p_component');
  }
  g.output('rul', ['n']);
  g.output('p_fail', ['n']);
  if (k > 0) g.output('p_component', ['n', k]);
  return g.encode(metadata, version);
}
