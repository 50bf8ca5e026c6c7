/**
 * Decoding a fleet run's binary frame (docs/fleet.md §3): "CFVF", a u16 format version, a u16
 * header length H, H bytes of space-padded JSON, then one little-endian array of `nodes`
 * elements per header entry, each padded to 4 bytes. The arrays are views onto the frame's
 * buffer (no copy) wherever their alignment allows it.
 */

export const MAGIC = "CFVF";
export const FORMAT_VERSION = 1;
const PREAMBLE_BYTES = 8;

/** Typed array class and element size of each dtype a frame may name. */
const DTYPES = {
  u8: [Uint8Array, 1],
  i8: [Int8Array, 1],
  u16: [Uint16Array, 2],
  i16: [Int16Array, 2],
  u32: [Uint32Array, 4],
  i32: [Int32Array, 4],
  f32: [Float32Array, 4],
  f64: [Float64Array, 8],
};

/** DataView readers for the rare big-endian machine, where a typed array view would misread. */
const READERS = {
  u8: "getUint8", i8: "getInt8", u16: "getUint16", i16: "getInt16",
  u32: "getUint32", i32: "getInt32", f32: "getFloat32", f64: "getFloat64",
};

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A frame that does not follow the format; the message says what is wrong with it. */
export class FleetFrameError extends Error {
  constructor(message) {
    super(message);
    this.name = "FleetFrameError";
  }
}

/**
 * @typedef {{type: string, seq: number, platform: string, t: number, speed: number, playing: boolean,
 *   nodes: number, arrays: {name: string, dtype: string}[], totals: Object<string, number>,
 *   rates: Object<string, number>, queues: Object<string, number>, place_s: {p50: number|null, p95: number|null},
 *   balance: {min: number, max: number, mean: number, stdev: number}, finished_at: number|null}} FrameHeader
 * @typedef {{header: FrameHeader, arrays: Object<string, ArrayLike<number>>, bytes: number}} FleetFrame
 */

/** Bytes an array of `count` elements of `size` bytes takes, padded to 4. */
function paddedBytes(count, size) {
  return Math.ceil((count * size) / 4) * 4;
}

/**
 * @param {ArrayBuffer} buffer one binary websocket message
 * @returns {FleetFrame}
 * @throws {FleetFrameError}
 */
export function decodeFrame(buffer) {
  if (!(buffer instanceof ArrayBuffer)) {
    throw new FleetFrameError(`a fleet frame is an ArrayBuffer, not ${Object.prototype.toString.call(buffer)}`);
  }
  const length = buffer.byteLength;
  if (length < PREAMBLE_BYTES) throw new FleetFrameError(`frame too short: ${length} bytes (at least ${PREAMBLE_BYTES})`);
  const data = new DataView(buffer);
  const magic = String.fromCharCode(...new Uint8Array(buffer, 0, 4));
  if (magic !== MAGIC) throw new FleetFrameError(`not a fleet frame: starts ${JSON.stringify(magic)}, not "${MAGIC}"`);
  const version = data.getUint16(4, true);
  if (version !== FORMAT_VERSION) {
    throw new FleetFrameError(`fleet frame format version ${version} is not supported (this page reads ${FORMAT_VERSION})`);
  }
  const headerBytes = data.getUint16(6, true);
  const arraysAt = PREAMBLE_BYTES + headerBytes;
  if (arraysAt > length) throw new FleetFrameError(`header length ${headerBytes} runs past the frame's ${length} bytes`);
  if (arraysAt % 4) throw new FleetFrameError(`header length ${headerBytes} leaves the arrays unaligned (8 + H must be a multiple of 4)`);

  const header = parseHeader(new Uint8Array(buffer, PREAMBLE_BYTES, headerBytes));
  const count = header.nodes;
  let expected = arraysAt;
  for (const { dtype } of header.arrays) expected += paddedBytes(count, DTYPES[dtype][1]);
  if (expected !== length) {
    throw new FleetFrameError(`frame is ${length} bytes, but its header's ${header.arrays.length} arrays of ${count} nodes make ${expected}`);
  }

  /** @type {Object<string, ArrayLike<number>>} */
  const arrays = {};
  let offset = arraysAt;
  for (const { name, dtype } of header.arrays) {
    const [Type, size] = DTYPES[dtype];
    arrays[name] = readArray(buffer, data, offset, count, Type, size, dtype);
    offset += paddedBytes(count, size);
  }
  return { header, arrays, bytes: length };
}

function parseHeader(bytes) {
  let header;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    throw new FleetFrameError(`frame header is not UTF-8 JSON: ${error.message}`);
  }
  if (!header || typeof header !== "object" || Array.isArray(header)) throw new FleetFrameError("frame header is not a JSON object");
  if (!Number.isInteger(header.nodes) || header.nodes < 0) {
    throw new FleetFrameError(`frame header's "nodes" must be a whole number, not ${JSON.stringify(header.nodes)}`);
  }
  if (!Array.isArray(header.arrays)) throw new FleetFrameError('frame header has no "arrays" list');
  const names = new Set();
  for (const entry of header.arrays) {
    if (!entry || typeof entry.name !== "string" || !entry.name) throw new FleetFrameError(`frame array without a name: ${JSON.stringify(entry)}`);
    if (!(entry.dtype in DTYPES)) {
      throw new FleetFrameError(`frame array ${entry.name} has dtype ${JSON.stringify(entry.dtype)} (known: ${Object.keys(DTYPES).join(", ")})`);
    }
    if (names.has(entry.name)) throw new FleetFrameError(`frame array ${entry.name} appears twice`);
    names.add(entry.name);
  }
  return header;
}

function readArray(buffer, data, offset, count, Type, size, dtype) {
  if (LITTLE_ENDIAN && offset % size === 0) return new Type(buffer, offset, count);
  // f64 arrays are only padded to 4 bytes, and a big-endian machine needs byte swapping: copy.
  const out = new Type(count);
  const read = data[READERS[dtype]].bind(data);
  for (let i = 0; i < count; i++) out[i] = read(offset + i * size, true);
  return out;
}
