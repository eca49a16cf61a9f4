import type * as TF from '@tensorflow/tfjs';

let loaded: Promise<typeof TF> | undefined;

/**
 * tfjs on its WebAssembly backend (SIMD, one thread here): the Node binding
 * (@tensorflow/tfjs-node) downloads a native library at install time, which
 * does not work offline, and the pure-JS CPU backend is about 20× slower.
 * Loaded on first use, so commands that only run models never pay for it.
 */
export function loadTf(): Promise<typeof TF> {
  loaded ??= (async () => {
    const tf = await import('@tensorflow/tfjs');
    await import('@tensorflow/tfjs-backend-wasm');
    if (!(await tf.setBackend('wasm'))) throw new Error('the tfjs wasm backend did not start');
    await tf.ready();
    return tf;
  })();
  return loaded;
}
