// The engine on the sample monolith's real answers: asking it twice shows exactly its noise.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import request from 'supertest';
import { createApp, type MonolithApp } from '../../../legacy-monolith/app.ts';
import { diffResponses, fieldId, noiseFields } from '../../../proxy/compare/index.ts';
import type { CapturedResponse } from '../../../proxy/types.ts';

let mono: MonolithApp;

async function capture(path: string): Promise<CapturedResponse> {
  const res = await request(mono.app)
    .get(path)
    .buffer(true)
    .parse((r, done) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => done(null, Buffer.concat(chunks)));
    });
  const body = res.body as Buffer;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers as Record<string, string | string[]>)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  return { status: res.status, headers, body, size: body.length, hash: createHash('sha256').update(body).digest('hex'), truncated: false, latencyMs: 0 };
}

describe('noise of the sample monolith', () => {
  before(() => {
    mono = createApp();
  });
  after(() => mono.close());

  test('two answers to GET /books differ only in servedAt (and the request id, when that header is compared)', async () => {
    const [a, b] = [await capture('/books'), await capture('/books')];
    assert.equal(a.status, 200);
    assert.deepEqual(noiseFields(a, b, {}).map(fieldId), ['$.servedAt changed']);
    assert.deepEqual(noiseFields(a, b, { headers: ['content-type', 'x-request-id'] }).map(fieldId), [
      'headers.x-request-id header',
      '$.servedAt changed',
    ]);
    assert.deepEqual(diffResponses(a, b, { ignore: ['$.servedAt'] }), []);
  });

  test('a different book is a real, precise difference', async () => {
    const [one, two] = [await capture('/books/1'), await capture('/books/2')];
    const ids = diffResponses(one, two, { ignore: ['$.servedAt'] }).map(fieldId);
    assert.ok(ids.includes('$.id changed'), ids.join(', '));
    assert.ok(!ids.some((id) => id.startsWith('$.servedAt')));
  });
});
