import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { decodeContent, diffResponses, normalizeResponse } from '../../../proxy/compare/index.ts';
import { MAX_ZSTD_WINDOW, zstdDecompress, zstdFramesAcceptable } from '../../../proxy/compare/zstd.ts';
import type { CapturedResponse } from '../../../proxy/types.ts';

// Written by the zstd command-line tool (1.5): the books below, once with `zstd -19 file` (one frame of one segment
// that states its content size and has a checksum) and once piped through `zstd -3 --no-check` (no content size, a
// 2 MB window descriptor); both have several blocks.
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const books = JSON.stringify(
  Array.from({ length: 6000 }, (_, i) => ({ id: i, title: `Book number ${i}`, price: ((i * 37) % 1000) / 100, tags: [`t${i % 7}`, `t${i % 11}`] })),
);
/** `printf '{"a":[1,2]}' | zstd -c`: one segment, a one-byte content size, a checksum */
const small = Buffer.from('KLUv/QRYWQAAeyJhIjpbMSwyXX1O3oxL', 'base64');
/** `printf '{"b":3}' | zstd -c --no-check` */
const smallNoCheck = Buffer.from('KLUv/QBYOQAAeyJiIjozfQ==', 'base64');

function res(body: Buffer, headers: Record<string, string> = {}): CapturedResponse {
  return {
    status: 200,
    headers: { 'content-type': 'application/json', ...headers },
    body,
    size: body.length,
    hash: createHash('sha256').update(body).digest('hex'),
    truncated: false,
    latencyMs: 1,
  };
}

const MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
/** A frame with no content size and no checksum, its window 2^(10+exponent), made of `blocks` RLE blocks of `blockSize` bytes of `byte`. */
function rleFrame(exponent: number, blocks: number, blockSize: number, byte: number, dictionaryFlag = 0): Buffer {
  const out = [...MAGIC, dictionaryFlag, exponent << 3];
  for (let i = 0; i < dictionaryFlag; i++) out.push(7); // a dictionary id (flag 1: one byte, 2: two)
  for (let i = 0; i < blocks; i++) {
    const header = (blockSize << 3) | (1 << 1) | (i === blocks - 1 ? 1 : 0);
    out.push(header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff, byte);
  }
  return Buffer.from(out);
}

describe('zstd content coding', () => {
  test('frames written by the zstd tool decode: one segment with a content size, streamed with a window descriptor', () => {
    assert.equal(decodeContent(small, 'zstd')?.toString(), '{"a":[1,2]}');
    assert.equal(decodeContent(smallNoCheck, 'zstd')?.toString(), '{"b":3}');
    for (const name of ['books-single-segment.json.zst', 'books-streamed.json.zst']) {
      const decoded = decodeContent(fixture(name), 'zstd');
      assert.ok(decoded, name);
      assert.equal(decoded.toString(), books, name);
    }
  });

  test('several frames, and skippable frames among them, decode as their concatenation', () => {
    const skippable = Buffer.from([0x5a, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
    const body = Buffer.concat([small, skippable, smallNoCheck]);
    assert.equal(decodeContent(body, 'zstd')?.toString(), '{"a":[1,2]}{"b":3}');
  });

  test('a zstd answer is compared by its JSON: against identity or gzip of the same value there is no difference', () => {
    const plain = res(Buffer.from('{"a":[1,2]}'));
    assert.deepEqual(diffResponses(res(small, { 'content-encoding': 'zstd' }), plain, {}), []);
    assert.deepEqual(diffResponses(res(small, { 'content-encoding': 'zstd' }), res(gzipSync('{"a":[1,2]}'), { 'content-encoding': 'gzip' }), {}), []);
    const n = normalizeResponse(res(fixture('books-streamed.json.zst'), { 'content-encoding': 'zstd' }), {});
    assert.equal(n.body.kind, 'json');
    assert.equal((n.body.value as unknown[]).length, 6000);
  });

  test('a field that differs inside zstd bodies is one difference at its path, not a digest difference', () => {
    const other = JSON.parse(books) as { price: number }[];
    other[4321].price = 0.5;
    const candidate = res(gzipSync(JSON.stringify(other)), { 'content-encoding': 'gzip' });
    const diffs = diffResponses(res(fixture('books-single-segment.json.zst'), { 'content-encoding': 'zstd' }), candidate, {});
    assert.equal(diffs.length, 1);
    assert.equal(diffs[0].path, '$[4321].price');
  });

  test('a window over 8 MB (RFC 9659) or a dictionary is refused before decoding: the body is compared by digest', () => {
    const atLimit = rleFrame(13, 1, 1000, 0x41); // 2^23 = 8 MB
    assert.equal(2 ** 23, MAX_ZSTD_WINDOW);
    assert.equal(decodeContent(atLimit, 'zstd')?.toString(), 'A'.repeat(1000));
    const over = rleFrame(14, 1, 1000, 0x41); // 16 MB: fzstd would allocate it from the header alone
    assert.equal(zstdFramesAcceptable(over), false);
    assert.equal(decodeContent(over, 'zstd'), undefined);
    assert.equal(normalizeResponse(res(over, { 'content-encoding': 'zstd' }), {}).body.kind, 'binary');
    // a 2^41-byte window, the largest the descriptor can say
    assert.equal(decodeContent(rleFrame(31, 1, 10, 0x41), 'zstd'), undefined);
    assert.equal(decodeContent(rleFrame(11, 1, 10, 0x41, 1), 'zstd'), undefined);
    assert.equal(decodeContent(rleFrame(11, 1, 10, 0x41, 2), 'zstd'), undefined);
  });

  test("the frames' windows are capped in all: fzstd allocates each frame's window anew", () => {
    const eightMb = rleFrame(13, 1, 10, 0x41); // a frame of 10 bytes that asks for an 8 MB window
    assert.equal(decodeContent(Buffer.concat(Array.from({ length: 8 }, () => eightMb)), 'zstd')?.length, 80);
    assert.equal(zstdFramesAcceptable(Buffer.concat(Array.from({ length: 9 }, () => eightMb))), false);
    assert.equal(decodeContent(Buffer.concat(Array.from({ length: 1000 }, () => eightMb)), 'zstd'), undefined);
  });

  test('decoded output is capped: a body that expands past the limit throws, under it decodes', () => {
    const bomb = rleFrame(11, 16, 128 * 1024, 0x7a); // 68 bytes that decode to 2 MiB
    assert.equal(bomb.length, 6 + 16 * 4);
    assert.throws(() => zstdDecompress(bomb, 1024 * 1024), RangeError);
    const out = zstdDecompress(bomb, 4 * 1024 * 1024);
    assert.equal(out.length, 2 * 1024 * 1024);
    assert.ok(out.every((b) => b === 0x7a));
  });

  test('a truncated body, trailing bytes, a reserved bit or block type, and bytes that are no zstd do not decode', () => {
    const streamed = fixture('books-streamed.json.zst');
    assert.equal(decodeContent(streamed.subarray(0, streamed.length - 10), 'zstd'), undefined);
    assert.equal(decodeContent(Buffer.concat([small, Buffer.from([1, 2])]), 'zstd'), undefined);
    const reservedBit = Buffer.from(small);
    reservedBit[4] |= 8;
    assert.equal(decodeContent(reservedBit, 'zstd'), undefined);
    const reservedBlock = rleFrame(11, 1, 10, 0x41);
    reservedBlock[6] |= 6; // block type 3
    assert.equal(decodeContent(reservedBlock, 'zstd'), undefined);
    assert.equal(decodeContent(Buffer.from('{"a":[1,2]}'), 'zstd'), undefined);
    const corrupt = Buffer.from(streamed);
    corrupt[200] ^= 0xff;
    assert.equal(decodeContent(corrupt, 'zstd')?.toString() === books, false);
  });
});
