// The binary codecs: the buffers Python sends (numpy .tobytes(), little-endian) read back as typed arrays.
import { test } from "node:test";
import assert from "node:assert/strict";
import { asFloat32, asInt32, readArray, rowCount } from "../src/lib/index.ts";

// np.array([1.0, -2.5, 3.14159, 1e-30, 65504.0, -0.0, np.inf], dtype=np.float32).tobytes().hex()
const FLOAT_HEX = "0000803f000020c0d00f49406042a20d00e07f47000000800000807f";
const FLOATS = [1.0, -2.5, 3.141590118408203, 1.0000000031710769e-30, 65504.0, -0, Infinity];
// np.array([0, 1, -1, 2**31 - 1, -2**31, 123456789, -42], dtype=np.int32).tobytes().hex()
const INT_HEX = "0000000001000000ffffffffffffff7f0000008015cd5b07d6ffffff";
const INTS = [0, 1, -1, 2147483647, -2147483648, 123456789, -42];

/** The bytes of ``hex`` in a fresh ArrayBuffer, starting ``offset`` bytes in, with ``tail`` spare bytes after. */
function bytesAt(hex: string, offset = 0, tail = 0): Uint8Array<ArrayBuffer> {
  const data = Uint8Array.from((hex.match(/../g) ?? []).map((pair) => parseInt(pair, 16)));
  const buffer = new ArrayBuffer(offset + data.length + tail);
  new Uint8Array(buffer).fill(0xaa); // junk around the payload, which must not leak into the result
  const view = new Uint8Array(buffer, offset, data.length);
  view.set(data);
  return view;
}

/** Same values, with -0 and 0 told apart (assert.deepEqual uses Object.is, so this is only for messages). */
function values(array: ArrayLike<number>): number[] {
  return Array.from(array);
}

type Case = { name: string; input: () => ArrayBuffer | ArrayBufferView; shares: boolean };

function cases(hex: string): Case[] {
  return [
    { name: "ArrayBuffer", input: () => bytesAt(hex).buffer, shares: true },
    { name: "DataView at offset 0", input: () => new DataView(bytesAt(hex).buffer), shares: true },
    {
      name: "DataView at an aligned offset",
      input: () => {
        const view = bytesAt(hex, 8, 4);
        return new DataView(view.buffer, view.byteOffset, view.byteLength);
      },
      shares: true,
    },
    ...[1, 2, 3, 5].map((offset) => ({
      name: `DataView at unaligned offset ${offset}`,
      input: () => {
        const view = bytesAt(hex, offset, 3);
        return new DataView(view.buffer, view.byteOffset, view.byteLength);
      },
      shares: false,
    })),
    { name: "Uint8Array at offset 0", input: () => bytesAt(hex), shares: true },
    { name: "Uint8Array at an aligned offset", input: () => bytesAt(hex, 4, 4), shares: true },
    ...[1, 2, 3, 7].map((offset) => ({
      name: `Uint8Array at unaligned offset ${offset}`,
      input: () => bytesAt(hex, offset, 2),
      shares: false,
    })),
    { name: "node Buffer", input: () => Buffer.from(hex, "hex"), shares: false /* pool offset varies */ },
    { name: "node Buffer at odd pool offset", input: () => Buffer.from("00" + hex, "hex").subarray(1), shares: false },
  ];
}

for (const { name, input, shares } of cases(FLOAT_HEX)) {
  test(`asFloat32 reads numpy float32 bytes from a ${name}`, () => {
    const source = input();
    const result = asFloat32(source);
    assert.ok(result instanceof Float32Array);
    assert.deepEqual(values(result), FLOATS);
    assert.ok(Object.is(result[5], -0), "negative zero survives");
    if (shares) assert.equal(result.buffer, source instanceof ArrayBuffer ? source : source.buffer, "aligned input is not copied");
    if (ArrayBuffer.isView(source) && source.byteOffset % 4 !== 0) {
      // The copy must not alias the source: writing to it leaves the source alone.
      const before = Buffer.from(source.buffer, source.byteOffset, source.byteLength).toString("hex");
      result[0] = 42;
      assert.equal(Buffer.from(source.buffer, source.byteOffset, source.byteLength).toString("hex"), before);
    }
  });
}

for (const { name, input, shares } of cases(INT_HEX)) {
  test(`asInt32 reads numpy int32 bytes from a ${name}`, () => {
    const source = input();
    const result = asInt32(source);
    assert.ok(result instanceof Int32Array);
    assert.deepEqual(values(result), INTS);
    if (shares) assert.equal(result.buffer, source instanceof ArrayBuffer ? source : source.buffer, "aligned input is not copied");
  });
}

test("the codecs agree with an explicit little-endian read", () => {
  const view = bytesAt(FLOAT_HEX, 3);
  const data = new DataView(view.buffer, view.byteOffset, view.byteLength);
  const floats = asFloat32(data);
  for (let i = 0; i < floats.length; i++) assert.ok(Object.is(floats[i], data.getFloat32(i * 4, true)), `float ${i}`);
  const intView = bytesAt(INT_HEX, 1);
  const intData = new DataView(intView.buffer, intView.byteOffset, intView.byteLength);
  const ints = asInt32(intData);
  for (let i = 0; i < ints.length; i++) assert.equal(ints[i], intData.getInt32(i * 4, true), `int ${i}`);
});

test("NaN comes through asFloat32", () => {
  // np.array([np.nan], dtype=np.float32).tobytes().hex() == "0000c07f"
  const result = asFloat32(bytesAt("0000c07f", 2));
  assert.equal(result.length, 1);
  assert.ok(Number.isNaN(result[0]));
});

test("a Float32Array passes through asFloat32 unchanged, an Int32Array through asInt32", () => {
  const floats = new Float32Array([1, 2, 3]);
  assert.equal(asFloat32(floats), floats);
  const ints = new Int32Array([1, -2, 3]);
  assert.equal(asInt32(ints), ints);
});

test("a Float32Array subarray at an element offset keeps its window", () => {
  const floats = new Float32Array([9, 1, 2, 9]).subarray(1, 3);
  assert.deepEqual(values(asFloat32(floats)), [1, 2]);
  const ints = new Int32Array([9, -1, 2, 9]).subarray(1, 3);
  assert.deepEqual(values(asInt32(ints)), [-1, 2]);
});

test("empty buffers give empty arrays", () => {
  for (const input of [new ArrayBuffer(0), new DataView(new ArrayBuffer(0)), new Uint8Array(0), bytesAt("", 3)]) {
    assert.equal(asFloat32(input).length, 0);
    assert.equal(asInt32(input).length, 0);
  }
});

test("asFloat32 and asInt32 reject a byte length that is not a multiple of 4", () => {
  const inputs: [string, ArrayBuffer | ArrayBufferView][] = [];
  for (const length of [1, 2, 3, 5, 6, 7, 9, 30]) {
    const hex = "01".repeat(length);
    inputs.push([`ArrayBuffer(${length})`, bytesAt(hex).buffer]);
    inputs.push([`Uint8Array(${length}) at 0`, bytesAt(hex)]);
    inputs.push([`Uint8Array(${length}) at 4`, bytesAt(hex, 4)]);
    inputs.push([`Uint8Array(${length}) at 1`, bytesAt(hex, 1)]);
    const view = bytesAt(hex, 2);
    inputs.push([`DataView(${length}) at 2`, new DataView(view.buffer, view.byteOffset, view.byteLength)]);
  }
  for (const [name, input] of inputs) {
    assert.throws(() => asFloat32(input), /multiple of 4/, `asFloat32(${name})`);
    assert.throws(() => asInt32(input), /multiple of 4/, `asInt32(${name})`);
  }
});

// ---- readArray: the self-describing array values every view receives ----------------------------------

test("readArray returns the typed array its dtype names, with its shape", () => {
  const xy = new Float32Array([0.5, -1, 1, 0.25]);
  const floats = readArray({ dtype: "float32", shape: [2, 2], buffer: new DataView(xy.buffer) });
  assert.ok(floats && floats.data instanceof Float32Array);
  assert.deepEqual(Array.from(floats.data), [0.5, -1, 1, 0.25]);
  assert.deepEqual(floats.shape, [2, 2]);
  const rows = readArray({ dtype: "int32", shape: [3], buffer: new DataView(new Int32Array([7, -2, 40000]).buffer) });
  assert.ok(rows && rows.data instanceof Int32Array);
  assert.deepEqual(Array.from(rows.data), [7, -2, 40000]);
  const bytes = readArray({ dtype: "uint8", shape: [3], buffer: bytesAt("0102ff", 3) });
  assert.ok(bytes && bytes.data instanceof Uint8Array);
  assert.deepEqual(Array.from(bytes.data), [1, 2, 255]);
  assert.equal(rowCount(floats), 2);
});

test("readArray reads an unaligned buffer and an empty array", () => {
  const floats = readArray({ dtype: "float32", shape: [1], buffer: new DataView(bytesAt("0000803f", 1).buffer, 1, 4) });
  assert.deepEqual(Array.from(floats?.data ?? []), [1]);
  const empty = readArray({ dtype: "int32", shape: [0], buffer: new DataView(new ArrayBuffer(0)) });
  assert.equal(empty?.data.length, 0);
  assert.equal(readArray({ dtype: "float32", shape: [0, 2] })?.data.length, 0, "no buffer is fine when there is nothing in it");
  assert.equal(readArray(null), null);
  assert.equal(readArray(undefined), null);
  assert.equal(rowCount(null), 0);
});

test("readArray refuses a malformed value instead of drawing garbage", () => {
  const four = new DataView(new ArrayBuffer(4));
  assert.throws(() => readArray({ dtype: "float64", shape: [1], buffer: four }), /dtype/);
  assert.throws(() => readArray({ dtype: "float32", shape: [2], buffer: four }), /needs 8 bytes, got 4/);
  assert.throws(() => readArray({ dtype: "int32", shape: [-1], buffer: four }), /shape/);
  assert.throws(() => readArray({ dtype: "uint8", shape: [4] }), /buffer/);
  assert.throws(() => readArray([1, 2]), /object/);
});
