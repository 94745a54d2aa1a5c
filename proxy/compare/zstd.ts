// The zstd content coding (RFC 8878, as HTTP uses it: RFC 9659). Node 20's zlib has no zstd, so fzstd (pure
// JavaScript) decodes it. The frames are walked first, so a body that would make the decoder allocate more than the
// coding allows is refused before anything is allocated: fzstd sizes its window from the frame header.
import { Decompress } from 'fzstd';

/** RFC 9659 §3: a zstd-encoded HTTP body's window is at most 8 MB (decoders may refuse larger). */
export const MAX_ZSTD_WINDOW = 8 * 1024 * 1024;
/** fzstd allocates each frame's window anew: what a body's frames may ask for in all (a thousand tiny frames of 8 MB each) */
export const MAX_ZSTD_WINDOWS_TOTAL = 64 * 1024 * 1024;

const ZSTD_MAGIC = 0xfd2fb528;
/** skippable frames: 0x184D2A50 … 0x184D2A5F */
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;

/**
 * Whether every frame of `body` is one this decoder takes: zstd frames whose window is at most MAX_ZSTD_WINDOW, whose
 * windows add up to at most MAX_ZSTD_WINDOWS_TOTAL, and that need no dictionary (RFC 9659 allows none), or skippable
 * frames; and the frames end where the body does.
 */
export function zstdFramesAcceptable(body: Buffer): boolean {
  let at = 0;
  let windows = 0;
  while (at < body.length) {
    if (at + 4 > body.length) return false;
    const magic = body.readUInt32LE(at);
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      if (at + 8 > body.length) return false;
      at += 8 + body.readUInt32LE(at + 4);
      continue;
    }
    if (magic !== ZSTD_MAGIC || at + 5 > body.length) return false;
    const descriptor = body[at + 4];
    const contentSizeFlag = descriptor >> 6;
    const singleSegment = (descriptor >> 5) & 1;
    const checksum = (descriptor >> 2) & 1;
    const dictionaryFlag = descriptor & 3;
    if (descriptor & 8) return false; // reserved bit
    let pos = at + 5;
    let window = 0;
    if (!singleSegment) {
      if (pos >= body.length) return false;
      const wd = body[pos++];
      const base = 2 ** (10 + (wd >> 3));
      window = base + (base / 8) * (wd & 7);
    }
    const dictionaryBytes = dictionaryFlag === 3 ? 4 : dictionaryFlag;
    if (pos + dictionaryBytes > body.length) return false;
    for (let i = 0; i < dictionaryBytes; i++) if (body[pos + i] !== 0) return false; // a dictionary id: none to give
    pos += dictionaryBytes;
    const sizeBytes = contentSizeFlag === 0 ? singleSegment : 1 << contentSizeFlag;
    if (pos + sizeBytes > body.length) return false;
    if (singleSegment) {
      // the window is the content size
      if (sizeBytes === 1) window = body[pos];
      else if (sizeBytes === 2) window = body.readUInt16LE(pos) + 256;
      else if (sizeBytes === 4) window = body.readUInt32LE(pos);
      else window = body.readUInt32LE(pos + 4) * 2 ** 32 + body.readUInt32LE(pos);
    }
    if (window > MAX_ZSTD_WINDOW) return false;
    windows += window;
    if (windows > MAX_ZSTD_WINDOWS_TOTAL) return false;
    pos += sizeBytes;
    for (;;) {
      if (pos + 3 > body.length) return false;
      const header = body[pos] | (body[pos + 1] << 8) | (body[pos + 2] << 16);
      const last = header & 1;
      const type = (header >> 1) & 3;
      const size = header >>> 3;
      if (type === 3) return false; // reserved block type
      pos += 3 + (type === 1 ? 1 : size); // an RLE block is one byte, repeated `size` times
      if (last) break;
    }
    at = pos + (checksum ? 4 : 0);
  }
  return at === body.length;
}

/** Decoded bytes of a zstd body; throws when it does not decode, or when its frames or output exceed the limits. */
export function zstdDecompress(body: Buffer, maxOutputLength: number): Buffer {
  if (!zstdFramesAcceptable(body)) throw new Error('zstd: frames not accepted');
  const parts: Uint8Array[] = [];
  let size = 0;
  const stream = new Decompress((chunk) => {
    size += chunk.length;
    if (size > maxOutputLength) throw new RangeError('zstd: decoded output over the limit');
    if (chunk.length > 0) parts.push(chunk);
  });
  stream.push(body, true);
  return Buffer.concat(parts, size);
}
