// Turns captured response bytes into something comparable: content-decoded, then JSON, text, a binary
// digest, or (for bodies over maxBodyBytes) only the hash and size the capture kept.
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import type { CapturedResponse } from '../types.ts';
import { zstdDecompress } from './zstd.ts';

export interface NormalizedBody {
  kind: 'json' | 'text' | 'binary' | 'hash';
  /** parsed JSON, a string, or { hash, size } */
  value: unknown;
}

/** Decoded bodies above this are compared by digest only, so a compression bomb cannot exhaust memory. */
export const MAX_DECODED_BYTES = 64 * 1024 * 1024;

const JSON_TYPE = /[/+]json\b/i;
const TEXT_TYPE = /^text\/|[/+]xml\b|javascript|x-www-form-urlencoded|ndjson/i;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function digest(buf: Buffer): { hash: string; size: number } {
  return { hash: createHash('sha256').update(buf).digest('hex'), size: buf.length };
}

/** Undoes content-encoding (gzip, deflate, br, zstd, in the order listed); undefined when it cannot. */
export function decodeContent(body: Buffer, encoding: string | undefined): Buffer | undefined {
  // no bytes is no content in any coding: a HEAD, 204 or 304 answer keeps the content-encoding a GET would have had,
  // and zlib calls an empty input a truncated stream (the pair then differed from an uncompressed empty answer)
  if (!encoding || body.length === 0) return body;
  const codings = encoding.split(',').map((c) => c.trim().toLowerCase()).filter((c) => c && c !== 'identity');
  let out = body;
  const opts = { maxOutputLength: MAX_DECODED_BYTES };
  try {
    for (let i = codings.length - 1; i >= 0; i--) {
      const c = codings[i];
      if (c === 'gzip' || c === 'x-gzip') out = gunzipSync(out, opts);
      else if (c === 'br') out = brotliDecompressSync(out, opts);
      else if (c === 'zstd') out = zstdDecompress(out, MAX_DECODED_BYTES);
      else if (c === 'deflate') {
        // Servers disagree on whether "deflate" means zlib-wrapped or raw; accept both.
        try {
          out = inflateSync(out, opts);
        } catch {
          out = inflateRawSync(out, opts);
        }
      } else return undefined;
    }
  } catch {
    return undefined;
  }
  return out;
}

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)/i;
/** by label as content types spell it; labels TextDecoder does not know map to UTF-8 (bounded: labels come from answers) */
const decoders = new Map<string, TextDecoder>();

/**
 * The decoder for the charset a text content type names (a latin1 page read as UTF-8 was not text at all, and compared
 * as binary); UTF-8 when it names none, or one TextDecoder does not know. Not for JSON, which is UTF-8 whatever it says
 * (RFC 8259; fetch's json() reads it so).
 */
function decoderFor(type: string): TextDecoder {
  const m = CHARSET.exec(type);
  if (!m) return utf8;
  const label = m[1].toLowerCase();
  let d = decoders.get(label);
  if (d === undefined) {
    try {
      d = new TextDecoder(label, { fatal: true });
    } catch {
      d = utf8;
    }
    if (decoders.size < 64) decoders.set(label, d);
  }
  return d;
}

function toText(buf: Buffer, decoder: TextDecoder = utf8): string | undefined {
  try {
    const s = decoder.decode(buf);
    return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
  } catch {
    return undefined;
  }
}

/** Bytes as text for a person to read (a stored sample): in the charset the content type names, as decodeBody reads them. */
export function readableText(bytes: Buffer, contentType: string | undefined): string {
  const decoder = contentType === undefined || isJsonType(contentType) ? utf8 : decoderFor(contentType);
  if (decoder !== utf8) {
    const text = toText(bytes, decoder);
    if (text !== undefined) return text;
  }
  return bytes.toString('utf8');
}

/** Whether a content type is JSON (application/json, application/problem+json, ...). */
export function isJsonType(type: string | undefined): boolean {
  return type !== undefined && JSON_TYPE.test(type);
}

/** The comparable body of a response, before any rule is applied. */
export function decodeBody(res: CapturedResponse): NormalizedBody {
  if (res.truncated) return { kind: 'hash', value: { hash: res.hash, size: res.size } };
  const raw = res.body ?? Buffer.alloc(0);
  const decoded = decodeContent(raw, res.headers['content-encoding']);
  if (!decoded) return { kind: 'binary', value: digest(raw) };
  const type = res.headers['content-type'] ?? '';
  const isJson = isJsonType(type);
  if (isJson || TEXT_TYPE.test(type) || type === '') {
    const text = toText(decoded, isJson ? utf8 : decoderFor(type));
    if (text !== undefined) {
      if (isJson && text.trim() !== '') {
        try {
          return { kind: 'json', value: JSON.parse(text) as unknown };
        } catch {
          // A body that claims JSON but is not is compared as text, so the difference still shows.
        }
      }
      if (isJson || type !== '' || !text.includes('\u0000')) return { kind: 'text', value: text };
    }
  }
  return { kind: 'binary', value: digest(decoded) };
}
