// Turns captured body bytes into text a person can read in a report: content-decoded
// (gzip/deflate/br), binary detected, and capped. Used only for stored samples.
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';

/** Decompressed bodies larger than this are not inflated (zip-bomb guard). */
const MAX_INFLATED_BYTES = 16 * 1024 * 1024;

export function decodeBody(body: Buffer, contentEncoding: string | undefined): Buffer {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  const opts = { maxOutputLength: MAX_INFLATED_BYTES };
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') return gunzipSync(body, opts);
    if (encoding === 'br') return brotliDecompressSync(body, opts);
    if (encoding === 'deflate') {
      try {
        return inflateSync(body, opts);
      } catch {
        return inflateRawSync(body, opts); // some servers send raw deflate
      }
    }
  } catch {
    // undecodable: fall through and show the bytes as they came
  }
  return body;
}

export function looksBinary(bytes: Buffer): boolean {
  const probe = bytes.subarray(0, 4096);
  return probe.includes(0);
}

export function isJsonContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const ct = contentType.toLowerCase();
  return ct.includes('/json') || ct.includes('+json');
}

/** Caps text at maxBytes (UTF-8), saying how much was cut so the reader is never misled. */
export function capText(text: string, maxBytes: number): string {
  const size = Buffer.byteLength(text);
  if (size <= maxBytes) return text;
  // cut on a character boundary: decoding a cut buffer may leave a U+FFFD at the end, drop it
  const cut = Buffer.from(text).subarray(0, maxBytes).toString('utf8').replace(/\uFFFD$/, '');
  return `${cut}…[truncated, ${size} bytes in total]`;
}
