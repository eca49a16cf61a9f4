import type * as TF from '@tensorflow/tfjs';
import type { Params, TcnConfig } from './tcn.js';
import { initTcn } from './tcn.js';
import { trainTcn } from './train-tcn.js';
import type { WindowSet } from './windows.js';

/**
 * Federated averaging (FedAvg, McMahan et al. 2017): each round the global
 * weights go to every site, each site trains them on its own data for a few
 * epochs, and the new global weights are the sites' weights averaged, each
 * weighted by its number of examples. Only weights cross a site's boundary,
 * encoded as bytes by `encodeParams` (the same bytes travel over the bus or
 * MQTT in live mode).
 */
export interface SiteUpdate {
  params: Params;
  examples: number;
}

/** The examples-weighted mean of the sites' weights. */
export function federatedAverage(updates: readonly SiteUpdate[]): Params {
  if (updates.length === 0) throw new RangeError('FedAvg needs at least one site update');
  const total = updates.reduce((a, u) => a + u.examples, 0);
  if (!(total > 0)) throw new RangeError('FedAvg needs sites with examples');
  const out: Params = {};
  for (const [name, first] of Object.entries(updates[0].params)) {
    const data = new Float32Array(first.data.length);
    for (const u of updates) {
      const p = u.params[name];
      if (!p || p.data.length !== data.length) throw new RangeError(`site weights differ in shape at ${name}`);
      const w = u.examples / total;
      for (let i = 0; i < data.length; i++) data[i] += w * p.data[i];
    }
    out[name] = { shape: [...first.shape], data };
  }
  return out;
}

/**
 * FedAvgM's server step (Hsu et al. 2019): the sites' average is taken as a
 * pseudo-gradient step from the current global weights, and the server
 * keeps a momentum of those steps. With momentum 0 it is the average itself
 * (plain FedAvg); with sites whose data differ, momentum damps the
 * round-to-round swing between their pulls.
 */
export function serverStep(global: Params, average: Params, velocity: Params | undefined, momentum: number): { params: Params; velocity: Params } {
  if (momentum === 0) return { params: average, velocity: average };
  const params: Params = {};
  const next: Params = {};
  for (const [name, g] of Object.entries(global)) {
    const a = average[name].data;
    const v = new Float32Array(g.data.length);
    const p = new Float32Array(g.data.length);
    for (let i = 0; i < v.length; i++) {
      v[i] = momentum * (velocity?.[name].data[i] ?? 0) + (a[i] - g.data[i]);
      p[i] = g.data[i] + v[i];
    }
    next[name] = { shape: [...g.shape], data: v };
    params[name] = { shape: [...g.shape], data: p };
  }
  return { params, velocity: next };
}

/** Weights as bytes: a JSON header (names, shapes) and the float32 values, little-endian. */
export function encodeParams(p: Params): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify(Object.entries(p).map(([name, t]) => [name, t.shape])));
  const values = Object.values(p).reduce((a, t) => a + t.data.length, 0);
  const out = new Uint8Array(4 + header.length + 4 * values);
  const view = new DataView(out.buffer);
  view.setUint32(0, header.length, true);
  out.set(header, 4);
  let offset = 4 + header.length;
  for (const t of Object.values(p)) {
    for (const v of t.data) {
      view.setFloat32(offset, v, true);
      offset += 4;
    }
  }
  return out;
}

export function decodeParams(bytes: Uint8Array): Params {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4) throw new RangeError('weights message too short');
  const headerLength = view.getUint32(0, true);
  if (4 + headerLength > bytes.length) throw new RangeError('weights message header runs past its end');
  let shapes: unknown;
  try {
    shapes = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(4, 4 + headerLength)));
  } catch {
    throw new RangeError('weights message header is not JSON');
  }
  // The header is checked before it sizes anything: it came off the network, and negative, fractional
  // or repeated dimensions and names were taken as they came (a non-list threw a TypeError).
  if (!Array.isArray(shapes) || !shapes.every((s) => Array.isArray(s) && s.length === 2 && typeof s[0] === 'string' && Array.isArray(s[1]))) {
    throw new RangeError('weights message header is not a list of [name, shape]');
  }
  let offset = 4 + headerLength;
  const tensors: [string, { shape: number[]; data: Float32Array }][] = [];
  const seen = new Set<string>();
  for (const [name, shape] of shapes as [string, unknown[]][]) {
    if (seen.has(name)) throw new RangeError(`weights message: tensor ${name} is given twice`);
    seen.add(name);
    if (!shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) throw new RangeError(`weights message: tensor ${name} has shape [${shape.join(', ')}]; dimensions are whole numbers ≥ 0`);
    const dims = shape as number[];
    const size = dims.reduce((a, b) => a * b, 1);
    if (offset + 4 * size > bytes.length) throw new RangeError(`weights message ends inside ${name}`);
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = view.getFloat32(offset + 4 * i, true);
    offset += 4 * size;
    tensors.push([name, { shape: dims, data }]);
  }
  if (offset !== bytes.length) throw new RangeError('weights message has trailing bytes');
  // Own properties, whatever the names: assigning out["__proto__"] replaced the object's prototype instead.
  return Object.fromEntries(tensors);
}

export interface FederatedOptions {
  rounds: number;
  /** Epochs each site trains per round. */
  localEpochs: number;
  seed: number;
  /** Examples per step at the sites. */
  batch?: number;
  onRound?: (r: { round: number; rounds: number; validationRmse?: number; bytesPerSite: number }) => void;
}

/**
 * Runs FedAvg over sites held in this process: every exchange goes through
 * `encodeParams`/`decodeParams`, so what a site sees and sends is exactly
 * what would cross the network.
 */
export async function federatedTrain(
  tf: typeof TF,
  c: TcnConfig,
  sites: readonly { name: string; data: WindowSet }[],
  o: FederatedOptions,
  score?: (p: Params) => number,
): Promise<{ params: Params; history: { round: number; validationRmse?: number }[] }> {
  let global = initTcn(c, o.seed);
  const history: { round: number; validationRmse?: number }[] = [];
  for (let round = 1; round <= o.rounds; round++) {
    const message = encodeParams(global);
    const updates: SiteUpdate[] = [];
    for (const [k, site] of sites.entries()) {
      const start = decodeParams(message);
      const local = await trainTcn(tf, c, site.data, { epochs: o.localEpochs, seed: o.seed + 101 * round + k, initial: start, batch: o.batch });
      updates.push({ params: decodeParams(encodeParams(local.params)), examples: site.data.n });
    }
    global = federatedAverage(updates);
    const entry = { round, ...(score ? { validationRmse: score(global) } : {}) };
    history.push(entry);
    o.onRound?.({ ...entry, rounds: o.rounds, bytesPerSite: 2 * message.length });
  }
  return { params: global, history };
}
