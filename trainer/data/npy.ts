/**
 * NumPy `.npy` and `.npz` files: reading (with errors that say what is wrong with the file) and
 * writing (for tests and the benchmark). `.npz` is a zip of `.npy` members, stored or deflated.
 */
import * as zlib from 'node:zlib';

export type NumericArray = Float32Array | Float64Array | Int32Array | Uint8Array | Int8Array | Int16Array | Uint16Array | Uint32Array | BigInt64Array | BigUint64Array;

/** A dense array in C order. `integer` is true for integer and boolean dtypes. */
export interface NdArray {
  shape: number[];
  data: Float32Array | Int32Array;
  integer: boolean;
  /** The dtype as stored in the file (`<f4`, `|u1`, ...). */
  dtype: string;
}

export class DataFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataFileError';
  }
}

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

/** Parses one `.npy` file. `what` names it in error messages. */
export function parseNpy(buf: Buffer, what: string): NdArray {
  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC)) throw new DataFileError(`${what} is not a NumPy .npy file (bad magic bytes)`);
  const major = buf[6]!;
  let headerLen: number;
  let offset: number;
  if (major === 1) {
    headerLen = buf.readUInt16LE(8);
    offset = 10;
  } else if (major === 2 || major === 3) {
    if (buf.length < 12) throw new DataFileError(`${what}: truncated .npy header`);
    headerLen = buf.readUInt32LE(8);
    offset = 12;
  } else throw new DataFileError(`${what}: unsupported .npy format version ${major}`);
  if (offset + headerLen > buf.length) throw new DataFileError(`${what}: truncated .npy header`);
  const header = buf.toString('latin1', offset, offset + headerLen);
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new DataFileError(`${what}: unreadable .npy header \`${header.trim()}\``);
  if (fortran === 'True') throw new DataFileError(`${what}: Fortran-ordered arrays are not supported (save with np.ascontiguousarray)`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new DataFileError(`${what}: bad shape (${shapeText})`);
  const count = shape.reduce((a, b) => a * b, 1);
  const body = buf.subarray(offset + headerLen);
  const kind = descr.slice(1);
  const endian = descr[0];
  if (endian === '>' && !['u1', 'i1', 'b1'].includes(kind)) throw new DataFileError(`${what}: big-endian arrays (${descr}) are not supported`);
  const sizes: Record<string, number> = { f4: 4, f8: 8, f2: 2, i1: 1, u1: 1, b1: 1, i2: 2, u2: 2, i4: 4, u4: 4, i8: 8, u8: 8 };
  const size = sizes[kind];
  if (size === undefined) throw new DataFileError(`${what}: dtype ${descr} is not numeric (object, string or complex arrays cannot be trained on)`);
  if (body.length < count * size) {
    throw new DataFileError(`${what}: truncated data: shape (${shape.join(', ')}) of ${descr} needs ${count * size} bytes, the file has ${body.length}`);
  }
  // Copy into an aligned buffer first.
  const raw = new Uint8Array(count * size);
  raw.set(body.subarray(0, count * size));
  const ab = raw.buffer;
  const integer = kind[0] === 'i' || kind[0] === 'u' || kind[0] === 'b';
  let data: Float32Array | Int32Array;
  switch (kind) {
    case 'f4':
      data = new Float32Array(ab);
      break;
    case 'f8':
      data = Float32Array.from(new Float64Array(ab));
      break;
    case 'f2':
      data = Float32Array.from(new Uint16Array(ab), halfToFloat);
      break;
    case 'i1':
      data = Int32Array.from(new Int8Array(ab));
      break;
    case 'u1':
    case 'b1':
      data = Int32Array.from(new Uint8Array(ab));
      break;
    case 'i2':
      data = Int32Array.from(new Int16Array(ab));
      break;
    case 'u2':
      data = Int32Array.from(new Uint16Array(ab));
      break;
    case 'i4':
      data = new Int32Array(ab);
      break;
    case 'u4':
      data = Int32Array.from(new Uint32Array(ab), (v) => Math.min(v, 2 ** 31 - 1));
      break;
    case 'i8':
      data = Int32Array.from(new BigInt64Array(ab), (v) => Number(v));
      break;
    default:
      data = Int32Array.from(new BigUint64Array(ab), (v) => Number(v));
  }
  return { shape, data, integer, dtype: descr };
}

function halfToFloat(h: number): number {
  const s = (h & 0x8000) >> 15;
  const e = (h & 0x7c00) >> 10;
  const f = h & 0x03ff;
  if (e === 0) return (s ? -1 : 1) * 2 ** -14 * (f / 1024);
  if (e === 0x1f) return f ? NaN : (s ? -1 : 1) * Infinity;
  return (s ? -1 : 1) * 2 ** (e - 15) * (1 + f / 1024);
}

/** Serialises an array as `.npy` (float32 `<f4` or int32 `<i4`). */
export function writeNpy(shape: number[], data: Float32Array | Int32Array): Buffer {
  const descr = data instanceof Float32Array ? '<f4' : '<i4';
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  MAGIC.copy(head, 0);
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

/** Reads the members of a zip archive (`.npz`): name → contents. */
export function readZip(buf: Buffer, what: string): Map<string, Buffer> {
  // End of central directory: scan back for the signature.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new DataFileError(`${what} is not a valid .npz (zip) file: no end-of-archive record (truncated or not a zip)`);
  const entries = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  if (p === 0xffffffff) throw new DataFileError(`${what}: zip64 archives are not supported`);
  const out = new Map<string, Buffer>();
  for (let n = 0; n < entries; n++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) throw new DataFileError(`${what}: corrupt zip central directory`);
    const method = buf.readUInt16LE(p + 10);
    let compressed = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    if (compressed === 0xffffffff) throw new DataFileError(`${what}: member ${name} is zip64 (over 4 GB); not supported`);
    p += 46 + nameLen + extraLen + commentLen;
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== 0x04034b50) throw new DataFileError(`${what}: corrupt zip entry ${name}`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    if (start + compressed > buf.length) throw new DataFileError(`${what}: member ${name} is truncated`);
    const data = buf.subarray(start, start + compressed);
    if (method === 0) out.set(name, data);
    else if (method === 8) {
      try {
        out.set(name, zlib.inflateRawSync(data));
      } catch (error) {
        throw new DataFileError(`${what}: member ${name} cannot be decompressed: ${(error as Error).message}`);
      }
    } else throw new DataFileError(`${what}: member ${name} uses zip compression method ${method}; only stored and deflate are supported`);
    compressed = 0;
  }
  return out;
}

/** Arrays of an `.npz` file by key (member name without `.npy`). */
export function parseNpz(buf: Buffer, what: string): Map<string, NdArray> {
  const out = new Map<string, NdArray>();
  for (const [name, data] of readZip(buf, what)) {
    if (!name.endsWith('.npy')) continue;
    const key = name.slice(0, -4);
    out.set(key, parseNpy(data, `${what}[${key}]`));
  }
  return out;
}

/** A stored (uncompressed) zip of `.npy` members, i.e. `np.savez`. */
export function writeNpz(arrays: Record<string, { shape: number[]; data: Float32Array | Int32Array }>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [key, a] of Object.entries(arrays)) {
    const body = writeNpy(a.shape, a.data);
    const name = Buffer.from(`${key}.npy`);
    const crc = crc32(body);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(body.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(body.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  const count = Object.keys(arrays).length;
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

let crcTable: Uint32Array | undefined;

function crc32(buf: Buffer): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < buf.length; i++) crc = crcTable[(crc ^ buf[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
