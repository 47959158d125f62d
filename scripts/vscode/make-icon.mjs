#!/usr/bin/env node
// Draws media/icon.png (128×128): a rounded dark tile, a ridge of histogram bars and a lens ring.
// No dependencies: a 4× supersampled rasteriser and a minimal PNG encoder (zlib from Node).
// Run: node scripts/vscode/make-icon.mjs [out.png]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const SIZE = 128;
const SS = 4;
const out = resolve(process.argv[2] ?? fileURLToPath(new URL('../../media/icon.png', import.meta.url)));

function crc32(buf) {
  let c;
  const table = crc32.table ?? (crc32.table = Array.from({ length: 256 }, (_, n) => {
    c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  }));
  let crc = 0xffffffff;
  for (const b of buf) crc = table[(crc ^ b) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

export function encodePng(width, height, rgba) {
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0;
    rgba.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Colour (r,g,b,a in 0..1) at a point of the 128×128 design space, or null for transparent. */
function shade(x, y) {
  // Rounded tile.
  const r = 24;
  const cx = Math.min(Math.max(x, r), SIZE - r);
  const cy = Math.min(Math.max(y, r), SIZE - r);
  if ((x - cx) ** 2 + (y - cy) ** 2 > r * r) return null;
  const t = y / SIZE;
  let col = [0.09 + 0.04 * t, 0.13 + 0.05 * t, 0.24 + 0.08 * t, 1];
  // Histogram bars (a bell shape) along the bottom.
  const bars = 9;
  const left = 20;
  const width = 88;
  const bw = width / bars;
  const base = 100;
  if (x >= left && x < left + width && y <= base) {
    const i = Math.floor((x - left) / bw);
    const inBar = (x - left) % bw;
    const h = 62 * Math.exp(-(((i - 4) / 2.1) ** 2)) + 6;
    if (inBar > 1.2 && inBar < bw - 1.2 && y >= base - h) {
      const k = (base - y) / 70;
      col = [1.0, 0.55 + 0.25 * k, 0.15 + 0.1 * k, 1];
    }
  }
  // Baseline.
  if (y > base && y <= base + 3 && x >= left - 2 && x <= left + width + 2) col = [0.85, 0.88, 0.95, 1];
  // Lens: a ring with a handle, over the upper right.
  const lx = 80;
  const ly = 46;
  const d = Math.hypot(x - lx, y - ly);
  if (d < 17) col = [col[0] * 0.55 + 0.45 * 0.75, col[1] * 0.55 + 0.45 * 0.9, col[2] * 0.55 + 0.45 * 1.0, 1];
  if (d >= 17 && d <= 23) col = [0.93, 0.96, 1.0, 1];
  // Handle from the ring towards the lower right.
  const hx = x - lx;
  const hy = y - ly;
  const along = (hx + hy) / Math.SQRT2;
  const across = (hx - hy) / Math.SQRT2;
  if (along > 22 && along < 40 && Math.abs(across) < 4.5) col = [0.93, 0.96, 1.0, 1];
  return col;
}

const rgba = Buffer.alloc(SIZE * SIZE * 4);
for (let y = 0; y < SIZE; y++) {
  for (let x = 0; x < SIZE; x++) {
    let r = 0, g = 0, b = 0, a = 0;
    for (let sy = 0; sy < SS; sy++) {
      for (let sx = 0; sx < SS; sx++) {
        const c = shade(x + (sx + 0.5) / SS, y + (sy + 0.5) / SS);
        if (!c) continue;
        r += c[0] * c[3];
        g += c[1] * c[3];
        b += c[2] * c[3];
        a += c[3];
      }
    }
    const n = SS * SS;
    const o = (y * SIZE + x) * 4;
    rgba[o] = a ? Math.round((r / a) * 255) : 0;
    rgba[o + 1] = a ? Math.round((g / a) * 255) : 0;
    rgba[o + 2] = a ? Math.round((b / a) * 255) : 0;
    rgba[o + 3] = Math.round((a / n) * 255);
  }
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, encodePng(SIZE, SIZE, rgba));
console.log(`wrote ${out}`);
