/**
 * A minimal protobuf writer and the handful of ONNX messages the uplift exporter needs.
 *
 * Field numbers follow `onnx/onnx.proto` (proto2, IR version 8):
 * ModelProto{ir_version=1, producer_name=2, producer_version=3, graph=7, opset_import=8},
 * OperatorSetIdProto{domain=1, version=2}, GraphProto{node=1, name=2, initializer=5, input=11, output=12},
 * NodeProto{input=1, output=2, name=3, op_type=4, attribute=5, domain=7},
 * AttributeProto{name=1, f=2, i=3, s=4, floats=7, ints=8, strings=9, type=20},
 * ValueInfoProto{name=1, type=2}, TypeProto{tensor_type=1}, TypeProto.Tensor{elem_type=1, shape=2},
 * TensorShapeProto{dim=1}, Dimension{dim_value=1, dim_param=2},
 * TensorProto{dims=1, data_type=2, float_data=4, int64_data=7, name=8, raw_data=9}, GraphProto.initializer=5.
 *
 * @module
 */

const WIRE_VARINT = 0;
const WIRE_FIXED32 = 5;
const WIRE_LENGTH_DELIMITED = 2;

const textEncoder = new TextEncoder();

/** Growable byte buffer with the protobuf primitives (varint, fixed32, length-delimited). */
export class ProtoWriter {
  #bytes = new Uint8Array(256);
  #length = 0;
  #view = new DataView(this.#bytes.buffer);

  #reserve(extra: number): void {
    if (this.#length + extra <= this.#bytes.length) return;
    let size = this.#bytes.length * 2;
    while (size < this.#length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = next;
    this.#view = new DataView(next.buffer);
  }

  /** Writes an unsigned or non-negative varint; negative numbers use 64-bit two's complement. */
  varint(value: number | bigint): this {
    let v = BigInt.asUintN(64, BigInt(value));
    this.#reserve(10);
    while (v >= 0x80n) {
      this.#bytes[this.#length++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.#bytes[this.#length++] = Number(v);
    return this;
  }

  /** Writes a field key (field number and wire type). */
  key(field: number, wireType: number): this {
    return this.varint((field << 3) | wireType);
  }

  /** Writes raw bytes without a prefix. */
  raw(bytes: Uint8Array): this {
    this.#reserve(bytes.length);
    this.#bytes.set(bytes, this.#length);
    this.#length += bytes.length;
    return this;
  }

  /** Writes an int64/int32/enum field as a varint. */
  int(field: number, value: number | bigint): this {
    return this.key(field, WIRE_VARINT).varint(value);
  }

  /** Writes a single float field (fixed32). */
  float(field: number, value: number): this {
    this.key(field, WIRE_FIXED32);
    this.#reserve(4);
    this.#view.setFloat32(this.#length, value, true);
    this.#length += 4;
    return this;
  }

  /** Writes a length-delimited bytes field. */
  bytes(field: number, value: Uint8Array): this {
    return this.key(field, WIRE_LENGTH_DELIMITED).varint(value.length).raw(value);
  }

  /** Writes a UTF-8 string field. */
  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value));
  }

  /** Writes an embedded message field built by `build`. */
  message(field: number, build: (writer: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  /** Writes a packed repeated float field. */
  packedFloats(field: number, values: ArrayLike<number>): this {
    const data = new Uint8Array(values.length * 4);
    const view = new DataView(data.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
    return this.bytes(field, data);
  }

  /** Writes a packed repeated varint field (int32/int64). */
  packedInts(field: number, values: ArrayLike<number>): this {
    const inner = new ProtoWriter();
    for (let i = 0; i < values.length; i++) inner.varint(values[i]);
    return this.bytes(field, inner.finish());
  }

  /** Returns the bytes written so far. */
  finish(): Uint8Array {
    return this.#bytes.slice(0, this.#length);
  }
}

/** ONNX AttributeProto.AttributeType values used here. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

/** ONNX TensorProto.DataType values used here. */
export const TensorDataType = { FLOAT: 1, INT8: 3, INT64: 7 } as const;
/** One of {@linkcode TensorDataType}'s values. */
export type TensorDataTypeCode = typeof TensorDataType[keyof typeof TensorDataType];

/** A node attribute value; the kind picks the AttributeProto field. */
export type OnnxAttribute =
  | { kind: "float"; value: number }
  | { kind: "int"; value: number }
  | { kind: "string"; value: string }
  | { kind: "floats"; value: ArrayLike<number> }
  | { kind: "ints"; value: ArrayLike<number> }
  | { kind: "strings"; value: readonly string[] };

/** One graph node. */
export interface OnnxNode {
  opType: string;
  domain?: string;
  name: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: Record<string, OnnxAttribute>;
}

/** A tensor graph input or output (float unless `elemType` says otherwise); a string dimension is symbolic. */
export interface OnnxValueInfo {
  name: string;
  dims: readonly (number | string)[];
  elemType?: TensorDataTypeCode;
}

/** A constant tensor stored in the graph (`raw_data`, little-endian); int64 values are given as bigints. */
export type OnnxInitializer =
  | { name: string; dims: readonly number[]; type: "float"; values: Float32Array }
  | { name: string; dims: readonly number[]; type: "int8"; values: Int8Array }
  | { name: string; dims: readonly number[]; type: "int64"; values: BigInt64Array };

/** A whole model: one graph plus its operator-set imports. */
export interface OnnxModel {
  producerName: string;
  graphName: string;
  opsets: readonly { domain: string; version: number }[];
  nodes: readonly OnnxNode[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
  initializers?: readonly OnnxInitializer[];
}

function writeAttribute(w: ProtoWriter, name: string, attr: OnnxAttribute): void {
  w.string(1, name);
  switch (attr.kind) {
    case "float":
      w.float(2, attr.value).int(20, AttributeType.FLOAT);
      break;
    case "int":
      w.int(3, attr.value).int(20, AttributeType.INT);
      break;
    case "string":
      w.string(4, attr.value).int(20, AttributeType.STRING);
      break;
    case "floats":
      w.packedFloats(7, attr.value).int(20, AttributeType.FLOATS);
      break;
    case "ints":
      w.packedInts(8, attr.value).int(20, AttributeType.INTS);
      break;
    case "strings":
      for (const s of attr.value) w.string(9, s);
      w.int(20, AttributeType.STRINGS);
      break;
  }
}

function writeValueInfo(w: ProtoWriter, info: OnnxValueInfo): void {
  w.string(1, info.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, info.elemType ?? TensorDataType.FLOAT);
      tensor.message(2, (shape) => {
        for (const dim of info.dims) {
          shape.message(1, (d) => typeof dim === "number" ? d.int(1, dim) : d.string(2, dim));
        }
      });
    }));
}

const INITIALIZER_TYPES = {
  float: TensorDataType.FLOAT,
  int8: TensorDataType.INT8,
  int64: TensorDataType.INT64,
};

function writeInitializer(w: ProtoWriter, tensor: OnnxInitializer): void {
  w.packedInts(1, tensor.dims);
  w.int(2, INITIALIZER_TYPES[tensor.type]);
  w.string(8, tensor.name);
  const { buffer, byteOffset, byteLength } = tensor.values;
  const raw = new Uint8Array(byteLength);
  raw.set(new Uint8Array(buffer, byteOffset, byteLength));
  // TypedArrays use the platform's byte order; ONNX raw_data is little-endian.
  if (!LITTLE_ENDIAN && tensor.type !== "int8") swapBytes(raw, tensor.values.BYTES_PER_ELEMENT);
  w.bytes(9, raw);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function swapBytes(bytes: Uint8Array, width: number): void {
  for (let at = 0; at < bytes.length; at += width) bytes.subarray(at, at + width).reverse();
}

/** Serialises a model to ONNX bytes (IR version 8). */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, 8);
  w.string(2, model.producerName);
  w.string(3, "1");
  w.message(7, (graph) => {
    for (const node of model.nodes) {
      graph.message(1, (n) => {
        for (const input of node.inputs) n.string(1, input);
        for (const output of node.outputs) n.string(2, output);
        n.string(3, node.name);
        n.string(4, node.opType);
        for (const [name, attr] of Object.entries(node.attributes ?? {})) {
          n.message(5, (a) => writeAttribute(a, name, attr));
        }
        if (node.domain) n.string(7, node.domain);
      });
    }
    graph.string(2, model.graphName);
    for (const tensor of model.initializers ?? []) graph.message(5, (t) => writeInitializer(t, tensor));
    for (const input of model.inputs) graph.message(11, (v) => writeValueInfo(v, input));
    for (const output of model.outputs) graph.message(12, (v) => writeValueInfo(v, output));
  });
  for (const opset of model.opsets) {
    w.message(8, (o) => {
      if (opset.domain) o.string(1, opset.domain);
      o.int(2, opset.version);
    });
  }
  return w.finish();
}
