// A small ONNX graph builder: declare inputs, outputs and initializers (weights), add nodes,
// then `encodeModel` writes the ModelProto bytes (onnx.proto, IR version 8, default domain).
//
// Only what the exporters use is here: float32 and int64 tensors, the attribute kinds
// int, ints, float and strings, and tensor shapes whose dimensions are numbers or symbolic
// names ("batch", "sequence"). Field numbers are those of onnx/onnx.proto.
import { ProtoWriter } from './protobuf';

export type ElementType = 'float32' | 'int64';

/** A dimension: fixed size, or a symbolic name that runtimes bind per call. */
export type Dim = number | string;

export type Attribute =
  | { readonly int: number }
  | { readonly float: number }
  | { readonly ints: readonly number[] }
  | { readonly strings: readonly string[] };

/** TensorProto.DataType */
const DATA_TYPE: Record<ElementType, number> = { float32: 1, int64: 7 };

/** AttributeProto.AttributeType */
const ATTRIBUTE_TYPE = { float: 1, int: 2, ints: 7, strings: 8 } as const;

/** IR version 8 goes with opset 17 (onnx/docs/Versioning.md). */
export const IR_VERSION = 8;

interface ValueInfo {
  readonly name: string;
  readonly type: ElementType;
  readonly dims: readonly Dim[];
  readonly doc?: string;
}

interface Initializer {
  readonly name: string;
  readonly type: ElementType;
  readonly dims: readonly number[];
  readonly data: Float32Array | BigInt64Array;
}

interface NodeSpec {
  readonly name: string;
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Readonly<Record<string, Attribute>>;
}

export interface ModelInfo {
  readonly opsetVersion: number;
  readonly producerName: string;
  readonly producerVersion?: string;
  readonly docString?: string;
  /** ModelProto.metadata_props, in this order. */
  readonly metadata?: Readonly<Record<string, string>>;
}

export class OnnxGraph {
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly initializers: Initializer[] = [];
  private readonly nodes: NodeSpec[] = [];
  private readonly names = new Set<string>();
  private readonly constants = new Map<string, string>();
  private counter = 0;

  constructor(readonly name: string) {}

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`onnx graph: the name '${name}' is used twice`);
    this.names.add(name);
    return name;
  }

  /** A fresh value name starting with `hint`. */
  private fresh(hint: string): string {
    let name: string;
    do name = `${hint}_${this.counter++}`;
    while (this.names.has(name));
    return name;
  }

  addInput(name: string, type: ElementType, dims: readonly Dim[], doc?: string): string {
    this.inputs.push({ name: this.claim(name), type, dims, doc });
    return name;
  }

  /** Declares `name` (produced by a node) as a graph output. */
  addOutput(name: string, type: ElementType, dims: readonly Dim[], doc?: string): void {
    if (!this.names.has(name)) throw new Error(`onnx graph: output '${name}' is produced by no node`);
    this.outputs.push({ name, type, dims, doc });
  }

  /** A float32 weight of shape `dims` (row-major `data`). */
  addFloats(name: string, data: Float32Array, dims: readonly number[]): string {
    checkSize(name, data.length, dims);
    this.initializers.push({ name: this.claim(name), type: 'float32', dims, data });
    return name;
  }

  /** An int64 constant of shape `dims`. */
  addInt64s(name: string, values: readonly number[], dims: readonly number[]): string {
    checkSize(name, values.length, dims);
    this.initializers.push({ name: this.claim(name), type: 'int64', dims, data: BigInt64Array.from(values, (v) => BigInt(v)) });
    return name;
  }

  /** An int64 constant: a scalar for a number, 1-D for a list; one initializer per distinct value. */
  int64(values: number | readonly number[]): string {
    const list = typeof values === 'number' ? [values] : values;
    const dims = typeof values === 'number' ? [] : [list.length];
    const key = `i64${typeof values === 'number' ? '' : '[]'}:${list.join(',')}`;
    let name = this.constants.get(key);
    if (!name) {
      name = this.addInt64s(this.fresh(typeof values === 'number' ? `const_${values}` : 'const_list'), list, dims);
      this.constants.set(key, name);
    }
    return name;
  }

  /** A float32 scalar constant, shared like `int64`. */
  float(value: number): string {
    const key = `f32:${value}`;
    let name = this.constants.get(key);
    if (!name) {
      name = this.addFloats(this.fresh('const_f'), Float32Array.of(value), []);
      this.constants.set(key, name);
    }
    return name;
  }

  /**
   * Adds a node; returns its output names: `outputs` as given, or that many fresh names.
   * An empty string among `inputs` or `outputs` leaves an optional one out.
   */
  op(opType: string, inputs: readonly string[], attributes: Readonly<Record<string, Attribute>> = {}, outputs: readonly string[] | number = 1): string[] {
    for (const input of inputs) {
      if (input !== '' && !this.names.has(input)) throw new Error(`onnx graph: ${opType} reads '${input}', which nothing defines`);
    }
    const names = typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.fresh(opType.toLowerCase())) : outputs;
    for (const n of names) if (n !== '') this.claim(n);
    this.nodes.push({ name: `${opType}_${this.nodes.length}`, opType, inputs, outputs: names, attributes });
    return [...names];
  }

  /** `op` for the usual single output; `output` names it. */
  op1(opType: string, inputs: readonly string[], attributes: Readonly<Record<string, Attribute>> = {}, output?: string): string {
    return this.op(opType, inputs, attributes, output === undefined ? 1 : [output])[0];
  }

  /** The ModelProto bytes of this graph. */
  encodeModel(info: ModelInfo): Uint8Array {
    const model = new ProtoWriter().varint(1, IR_VERSION).string(2, info.producerName);
    if (info.producerVersion) model.string(3, info.producerVersion);
    if (info.docString) model.string(6, info.docString);
    model.message(7, this.encodeGraph());
    model.message(8, new ProtoWriter().string(1, '').varint(2, info.opsetVersion));
    for (const [key, value] of Object.entries(info.metadata ?? {})) {
      model.message(14, new ProtoWriter().string(1, key).string(2, value));
    }
    return model.finish();
  }

  private encodeGraph(): ProtoWriter {
    const graph = new ProtoWriter();
    for (const node of this.nodes) graph.message(1, encodeNode(node));
    graph.string(2, this.name);
    for (const init of this.initializers) graph.message(5, encodeTensor(init));
    for (const input of this.inputs) graph.message(11, encodeValueInfo(input));
    for (const output of this.outputs) graph.message(12, encodeValueInfo(output));
    return graph;
  }
}

function checkSize(name: string, length: number, dims: readonly number[]): void {
  const size = dims.reduce((a, b) => a * b, 1);
  if (size !== length) throw new Error(`onnx graph: '${name}' has ${length} values for shape [${dims}]`);
}

/** NodeProto: input 1, output 2, name 3, op_type 4, attribute 5. */
function encodeNode(node: NodeSpec): ProtoWriter {
  const w = new ProtoWriter();
  for (const input of node.inputs) w.string(1, input);
  for (const output of node.outputs) w.string(2, output);
  w.string(3, node.name).string(4, node.opType);
  for (const [name, value] of Object.entries(node.attributes)) w.message(5, encodeAttribute(name, value));
  return w;
}

/** AttributeProto: name 1, f 2, i 3, ints 8, strings 9, type 20. */
function encodeAttribute(name: string, a: Attribute): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  if ('int' in a) w.varint(3, a.int).varint(20, ATTRIBUTE_TYPE.int);
  else if ('float' in a) w.float(2, a.float).varint(20, ATTRIBUTE_TYPE.float);
  else if ('ints' in a) w.packedVarints(8, a.ints).varint(20, ATTRIBUTE_TYPE.ints);
  else {
    for (const s of a.strings) w.string(9, s);
    w.varint(20, ATTRIBUTE_TYPE.strings);
  }
  return w;
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The little-endian bytes ONNX's raw_data holds. */
function rawBytes(data: Float32Array | BigInt64Array): Uint8Array {
  if (littleEndian) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  if (data instanceof Float32Array) data.forEach((v, i) => view.setFloat32(4 * i, v, true));
  else data.forEach((v, i) => view.setBigInt64(8 * i, v, true));
  return out;
}

/** TensorProto: dims 1, data_type 2, name 8, raw_data 9. */
function encodeTensor(t: Initializer): ProtoWriter {
  const w = new ProtoWriter();
  for (const d of t.dims) w.varint(1, d);
  return w.varint(2, DATA_TYPE[t.type]).string(8, t.name).bytes(9, rawBytes(t.data));
}

/**
 * ValueInfoProto { name 1, type 2, doc_string 3 }, TypeProto { tensor_type 1 },
 * TypeProto.Tensor { elem_type 1, shape 2 }, TensorShapeProto { dim 1 },
 * Dimension { dim_value 1, dim_param 2 }.
 */
function encodeValueInfo(v: ValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.dims) shape.message(1, typeof d === 'number' ? new ProtoWriter().varint(1, d) : new ProtoWriter().string(2, d));
  const tensorType = new ProtoWriter().varint(1, DATA_TYPE[v.type]).message(2, shape);
  const w = new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensorType));
  if (v.doc) w.string(3, v.doc);
  return w;
}
