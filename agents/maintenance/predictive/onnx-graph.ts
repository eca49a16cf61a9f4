import { createRequire } from 'node:module';
import type { onnx as OnnxNs } from 'onnx-proto';

// onnx-proto is CommonJS (protobufjs static code).
const { onnx } = createRequire(import.meta.url)('onnx-proto') as { onnx: typeof OnnxNs };

type Dim = number | string;

/**
 * A small builder for ONNX graphs (opset 13): float and int64 initializers,
 * nodes, typed inputs and outputs, and the model's metadata. Enough for the
 * networks this project trains; the encoding itself is onnx-proto's.
 */
export class OnnxGraph {
  private readonly nodes: OnnxNs.INodeProto[] = [];
  private readonly initializers: OnnxNs.ITensorProto[] = [];
  private readonly inputs: OnnxNs.IValueInfoProto[] = [];
  private readonly outputs: OnnxNs.IValueInfoProto[] = [];
  private count = 0;

  constructor(private readonly name: string) {}

  input(name: string, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, dims));
    return name;
  }

  output(name: string, dims: Dim[]): void {
    this.outputs.push(valueInfo(name, dims));
  }

  /** A float initializer; returns its name. */
  floats(name: string, dims: number[], data: Float32Array): string {
    if (data.length !== dims.reduce((a, b) => a * b, 1)) throw new Error(`initializer ${name}: ${data.length} values for shape [${dims}]`);
    this.initializers.push({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) });
    return name;
  }

  /** An int64 initializer (shapes, pads, slice bounds); returns its name. */
  ints(values: number[], name = `c${this.count++}`): string {
    const raw = new DataView(new ArrayBuffer(8 * values.length));
    values.forEach((v, i) => raw.setBigInt64(8 * i, BigInt(v), true));
    this.initializers.push({ name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, rawData: new Uint8Array(raw.buffer) });
    return name;
  }

  /** Adds a node; returns the name of its (first) output. */
  node(opType: string, inputs: string[], attributes: Record<string, number | number[]> = {}, output = `${opType.toLowerCase()}_${this.count++}`): string {
    this.nodes.push({
      opType,
      name: output,
      input: inputs,
      output: [output],
      attribute: Object.entries(attributes).map(([name, v]) =>
        Array.isArray(v) ? { name, type: onnx.AttributeProto.AttributeType.INTS, ints: v } : { name, type: onnx.AttributeProto.AttributeType.INT, i: v },
      ),
    });
    return output;
  }

  encode(metadata: Record<string, string>, producerVersion: string): Uint8Array {
    return onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 13 }],
      producerName: 'hyperfactory',
      producerVersion,
      graph: { name: this.name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs },
      metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    }).finish();
  }
}

function valueInfo(name: string, dims: Dim[]): OnnxNs.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** The metadata of an encoded model (read back without ONNX Runtime, e.g. to check a file's kind). */
export function readMetadata(bytes: Uint8Array): Record<string, string> {
  return readModelHeader(bytes).metadata;
}

/** What a model file says of itself without ONNX Runtime: its metadata, and its graph's inputs with their dimensions (a number, or a name for a free one). */
export function readModelHeader(bytes: Uint8Array): { metadata: Record<string, string>; inputs: { name: string; dims: Dim[] }[] } {
  const model = onnx.ModelProto.decode(bytes);
  const metadata = Object.fromEntries((model.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? '']));
  const inputs = (model.graph?.input ?? []).map((i) => ({
    name: i.name ?? '',
    // int64 dimensions decode as Long objects.
    dims: (i.type?.tensorType?.shape?.dim ?? []).map((d): Dim => (d.dimValue !== null && d.dimValue !== undefined ? Number(d.dimValue.toString()) : (d.dimParam ?? ''))),
  }));
  return { metadata, inputs };
}
