// The protobuf encoder against byte sequences worked out from the wire-format specification
// (https://protobuf.dev/programming-guides/encoding/; the first four are its own examples).
import * as assert from 'node:assert/strict';
import { encodeVarint, ProtoWriter } from '../../src/core/onnx/protobuf';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('protobuf encoder', () => {
  it('writes the specification examples', () => {
    assert.equal(hex(new ProtoWriter().varint(1, 150).finish()), '089601'); // Test1 { a: 150 }
    assert.equal(hex(new ProtoWriter().string(2, 'testing').finish()), '120774657374696e67'); // Test2 { b: "testing" }
    const test1 = new ProtoWriter().varint(1, 150);
    assert.equal(hex(new ProtoWriter().message(3, test1).finish()), '1a03089601'); // Test3 { c: { a: 150 } }
    assert.equal(hex(new ProtoWriter().packedVarints(4, [3, 270, 86942]).finish()), '2206038e029ea705'); // Test5 packed
  });

  it('encodes varints of every size, negatives as 64-bit two\'s complement', () => {
    const cases: [number | bigint, string][] = [
      [0, '00'],
      [1, '01'],
      [127, '7f'],
      [128, '8001'],
      [300, 'ac02'],
      [2 ** 32, '8080808010'],
      [2 ** 53 - 1, 'ffffffffffffff0f'],
      [-1, 'ffffffffffffffffff01'],
      [-2, 'feffffffffffffffff01'],
      [(1n << 63n) - 1n, 'ffffffffffffffff7f'],
      [-(1n << 63n), '80808080808080808001'],
      [(1n << 64n) - 1n, 'ffffffffffffffffff01'],
    ];
    for (const [value, expected] of cases) {
      assert.equal(hex(encodeVarint(value)), expected, String(value));
      assert.equal(hex(new ProtoWriter().varint(1, value).finish()), '08' + expected, `field of ${value}`);
    }
    assert.equal(hex(new ProtoWriter().varint(1, true).varint(2, false).finish()), '08011000');
  });

  it('rejects what has no varint', () => {
    assert.throws(() => encodeVarint(1.5), RangeError);
    assert.throws(() => encodeVarint(2 ** 53), RangeError);
    assert.throws(() => encodeVarint(1n << 64n), RangeError);
    assert.throws(() => encodeVarint(-(1n << 63n) - 1n), RangeError);
    assert.throws(() => new ProtoWriter().varint(0, 1), RangeError);
  });

  it('writes tags of large field numbers', () => {
    // field 20, varint: (20 << 3) | 0 = 160 → a0 01; field 2^29 − 1, length-delimited.
    assert.equal(hex(new ProtoWriter().varint(20, 7).finish()), 'a00107');
    assert.equal(hex(new ProtoWriter().bytes(2 ** 29 - 1, new Uint8Array(0)).finish()), 'faffffff0f00');
  });

  it('writes floats as little-endian fixed32, singly and packed', () => {
    assert.equal(hex(new ProtoWriter().float(2, 1).finish()), '150000803f');
    assert.equal(hex(new ProtoWriter().float(2, -2.5).finish()), '15000020c0');
    assert.equal(hex(new ProtoWriter().packedFloats(7, [1, -2.5]).finish()), '3a080000803f000020c0');
  });

  it('encodes strings as UTF-8 and lengths over 127 in two bytes', () => {
    assert.equal(hex(new ProtoWriter().string(1, 'é€').finish()), '0a05c3a9e282ac');
    const payload = new Uint8Array(200).fill(7);
    const bytes = new ProtoWriter().bytes(9, payload).finish();
    assert.equal(hex(bytes.subarray(0, 3)), '4ac801'); // tag 9/2, length 200
    assert.deepEqual(bytes.subarray(3), payload);
  });

  it('nests messages with the length of everything inside, and knows its size', () => {
    const inner = new ProtoWriter().string(1, 'x').varint(2, 300);
    const middle = new ProtoWriter().message(1, inner).message(1, inner);
    const outer = new ProtoWriter().varint(1, 8).message(7, middle);
    // inner = 0a 01 78 10 ac 02 (6 bytes); middle = 2 × (0a 06 + inner) = 16 bytes.
    const expected = '0808' + '3a10' + '0a06' + '0a017810ac02' + '0a06' + '0a017810ac02';
    assert.equal(hex(outer.finish()), expected);
    assert.equal(outer.byteLength, expected.length / 2);
    assert.equal(hex(new ProtoWriter().message(1, new ProtoWriter()).finish()), '0a00'); // empty message
  });
});
