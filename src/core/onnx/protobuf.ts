// A minimal Protocol Buffers encoder: the wire format ONNX files are written in, and no more
// of it than ONNX needs (https://protobuf.dev/programming-guides/encoding/).
//
// A message is a sequence of fields, each a tag (field number << 3 | wire type) as a varint,
// then the value: a varint (wire type 0), 4 little-endian bytes (5), or a length-delimited
// run of bytes (2: a varint length, then the bytes: strings, bytes, nested messages and
// packed repeated numbers). Integers are varints of their 64-bit two's complement, so a
// negative int64 or int32 takes 10 bytes. Fields may come in any order; we write them in the
// order they are added.
//
// A nested message is kept as the list of its parts, not copied into its parent: the weights
// of a model (megabytes) are copied once, by `finish`.

const VARINT = 0;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

const TWO_POW_32 = 2 ** 32;

/** The varint bytes of a 64-bit integer; negative values as their two's complement. */
export function encodeVarint(value: number | bigint): Uint8Array {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new RangeError(`varint of non-integer ${value}`);
  if (typeof value === 'bigint' && (value < -(1n << 63n) || value >= 1n << 64n)) throw new RangeError(`varint ${value} exceeds 64 bits`);
  let v = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  while (v >= 0x80n) {
    bytes.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  bytes.push(Number(v));
  return Uint8Array.from(bytes);
}

/** Fast path for the small non-negative numbers that most tags and lengths are. */
function smallVarint(value: number): Uint8Array {
  if (value < 0 || value >= TWO_POW_32) return encodeVarint(value);
  const bytes: number[] = [];
  while (value >= 0x80) {
    bytes.push((value & 0x7f) | 0x80);
    value >>>= 7;
  }
  bytes.push(value);
  return Uint8Array.from(bytes);
}

const textEncoder = new TextEncoder();

/** Builds one message field by field; nest with `message`, serialise with `finish`. */
export class ProtoWriter {
  private readonly parts: Uint8Array[] = [];
  private size = 0;

  /** Bytes the message will take. */
  get byteLength(): number {
    return this.size;
  }

  private push(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.size += bytes.length;
  }

  private tag(field: number, wireType: number): void {
    if (!Number.isInteger(field) || field < 1 || field > 0x1fffffff) throw new RangeError(`bad field number ${field}`);
    this.push(smallVarint(field * 8 + wireType));
  }

  /** int32, int64, uint64, enum or bool field. */
  varint(field: number, value: number | bigint | boolean): this {
    this.tag(field, VARINT);
    const v = typeof value === 'boolean' ? (value ? 1 : 0) : value;
    this.push(typeof v === 'number' ? smallVarint(v) : encodeVarint(v));
    return this;
  }

  /** float field (fixed32, little-endian IEEE 754 single). */
  float(field: number, value: number): this {
    this.tag(field, FIXED32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.push(bytes);
    return this;
  }

  /** bytes field. The array is kept, not copied: do not change it before `finish`. */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, LENGTH_DELIMITED);
    this.push(smallVarint(value.length));
    this.push(value);
    return this;
  }

  /** string field (UTF-8). */
  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value));
  }

  /** Embedded message field. `child` must not change afterwards. */
  message(field: number, child: ProtoWriter): this {
    this.tag(field, LENGTH_DELIMITED);
    this.push(smallVarint(child.size));
    for (const part of child.parts) this.push(part);
    return this;
  }

  /** Packed repeated int32/int64 field (one length-delimited run of varints). */
  packedVarints(field: number, values: readonly (number | bigint)[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.push(typeof v === 'number' ? smallVarint(v) : encodeVarint(v));
    this.tag(field, LENGTH_DELIMITED);
    this.push(smallVarint(inner.size));
    for (const part of inner.parts) this.push(part);
    return this;
  }

  /** Packed repeated float field. */
  packedFloats(field: number, values: readonly number[]): this {
    const bytes = new Uint8Array(4 * values.length);
    const view = new DataView(bytes.buffer);
    values.forEach((v, i) => view.setFloat32(4 * i, v, true));
    return this.bytes(field, bytes);
  }

  /** The message's bytes. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const part of this.parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}
