// Binary codecs. Every array Python sends to a view is one self-describing value (see
// embedwidgets/widgets/_arrays.py): {dtype, shape, buffer}, where the buffer arrives as a DataView.

/** View a binary buffer (DataView, ArrayBuffer or typed array) as float32 values, without copying. */
export function asFloat32(buffer: ArrayBuffer | ArrayBufferView): Float32Array {
  if (buffer instanceof Float32Array) return buffer;
  if (ArrayBuffer.isView(buffer)) {
    if (buffer.byteLength % 4 !== 0) throw new Error(`a float32 buffer needs a multiple of 4 bytes, got ${buffer.byteLength}`);
    if (buffer.byteOffset % 4 === 0) return new Float32Array(buffer.buffer, buffer.byteOffset, buffer.byteLength / 4);
    return new Float32Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength));
  }
  return new Float32Array(buffer);
}

/** View a binary buffer as int32 values. */
export function asInt32(buffer: ArrayBuffer | ArrayBufferView): Int32Array {
  if (buffer instanceof Int32Array) return buffer;
  const floats = asFloat32(buffer);
  return new Int32Array(floats.buffer, floats.byteOffset, floats.length);
}

/** View a binary buffer as bytes. */
export function asUint8(buffer: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (buffer instanceof Uint8Array) return buffer;
  if (ArrayBuffer.isView(buffer)) return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  return new Uint8Array(buffer);
}

export type DType = "float32" | "int32" | "uint8";
export type TypedArray = Float32Array | Int32Array | Uint8Array;

/** The wire form of one array, as the model holds it. */
export type ArrayValue = { dtype: DType; shape: number[]; buffer: ArrayBuffer | ArrayBufferView };

/** A decoded array: flat values in C order, and their shape. */
export type NdArray = { data: TypedArray; shape: number[] };

const ITEM_BYTES: Record<DType, number> = { float32: 4, int32: 4, uint8: 1 };

function isDType(value: unknown): value is DType {
  return typeof value === "string" && Object.prototype.hasOwnProperty.call(ITEM_BYTES, value);
}

/**
 * The typed array that a self-describing array value holds, checked against its shape. Returns null for a
 * missing value (null or undefined); throws on a malformed one.
 */
export function readArray(value: unknown): NdArray | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== "object" || Array.isArray(value)) throw new Error("an array value must be an object");
  const { dtype, shape, buffer } = value as { dtype?: unknown; shape?: unknown; buffer?: unknown };
  if (!isDType(dtype)) throw new Error(`unknown array dtype ${String(dtype)}`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new Error("an array shape must be a list of non-negative integers");
  }
  const dims = shape as number[];
  const size = dims.reduce((a, b) => a * b, 1);
  const bytes = buffer instanceof ArrayBuffer || ArrayBuffer.isView(buffer) ? buffer : size === 0 ? new ArrayBuffer(0) : null;
  if (!bytes) throw new Error("an array value needs its buffer");
  const need = size * ITEM_BYTES[dtype];
  if (bytes.byteLength !== need) {
    throw new Error(`a ${dtype} array of shape [${dims.join(", ")}] needs ${need} bytes, got ${bytes.byteLength}`);
  }
  const data = dtype === "float32" ? asFloat32(bytes) : dtype === "int32" ? asInt32(bytes) : asUint8(bytes);
  return { data, shape: dims.slice() };
}

/** The number of rows (first dimension) of a decoded array; 0 for none. */
export function rowCount(array: NdArray | null): number {
  return array ? (array.shape[0] ?? 0) : 0;
}

/** An array value as a saved page holds it: the same, with the bytes in base64 (the page is text). */
export type WireArray = { dtype: DType; shape: number[]; buffer: string };

/** Base64 text as bytes. */
export function fromBase64(text: string): DataView {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new DataView(bytes.buffer);
}

/** A saved page's array value as the view's array value (null stays null). */
export function decodeWire(wire: WireArray | null): ArrayValue | null {
  return wire ? { dtype: wire.dtype, shape: wire.shape, buffer: fromBase64(wire.buffer) } : null;
}

/** Whether a value is an array value with base64 bytes. */
export function isWireArray(value: unknown): value is WireArray {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const { dtype, shape, buffer } = value as Record<string, unknown>;
  return isDType(dtype) && Array.isArray(shape) && typeof buffer === "string";
}
