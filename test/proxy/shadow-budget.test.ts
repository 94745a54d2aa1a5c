// memory.shadowBytes: the bodies all shadow copies hold at once. A copy the budget cannot cover is shed
// (dropped, counted); the client never notices, and the bytes always go back so later copies run.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { request, startTestProxy, testConfig, until, type Harness, type Upstream, startStack } from './helpers.ts';

const SMALL = Buffer.from(JSON.stringify({ id: 1, title: 'small' }));
const BIG = Buffer.from(JSON.stringify({ id: 2, filler: 'x'.repeat(100_000) }));

/** Answers /small and /big; /chunked/big streams BIG without a content-length. */
function answer(res: ServerResponse, url: string | undefined, big: Buffer): void {
  res.setHeader('content-type', 'application/json');
  if (url?.startsWith('/chunked/')) {
    // no content-length: the capture cannot reserve up front and has to shed mid-stream
    for (let i = 0; i < big.length; i += 16_384) res.write(big.subarray(i, i + 16_384));
    res.end();
    return;
  }
  res.end(url?.endsWith('/big') ? big : SMALL);
}

describe('shadow byte budget (memory.shadowBytes)', () => {
  let monolith: Upstream;
  let candidate: Upstream;
  let h: Harness;
  let close: () => Promise<void>;

  before(async () => {
    ({ monolith, candidate, h, close } = await startStack((monolithUrl, candidateUrl) =>
      testConfig(monolithUrl, candidateUrl, {
        defaults: { noise: { learn: false }, shadow: { maxBodyBytes: 1_000_000 } },
        memory: { shadowBytes: 100_000 }, // 50,000 bytes a half
        routes: [{ id: 'any', method: 'GET', path: '/*', service: 'catalog', mode: 'shadow' }],
      }),
    ));
    monolith.handler = (req, res) => answer(res, req.url, BIG);
    candidate.handler = (req, res) => answer(res, req.url, BIG);
  });
  after(() => close());

  const stats = () => h.proxy.stats()[0];

  async function assertShedThenRecovers(path: string): Promise<void> {
    const before = { dropped: stats().dropped, pairs: h.pairs.length, errors: stats().candidateErrors };
    const r = await request(h.proxy.url, { path });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, BIG, 'the client gets every byte of the monolith answer');
    await until(() => stats().dropped === before.dropped + 1, 'the shed copy counted as dropped');
    assert.equal(stats().candidateErrors, before.errors, 'a copy we stopped is not the candidate failing');
    // the bytes went back: copies that fit run as before, several in a row
    for (let i = 0; i < 3; i++) {
      const small = await request(h.proxy.url, { path: '/small' });
      assert.deepEqual(small.body, SMALL);
    }
    const pairs = await h.waitPairs(before.pairs + 3);
    assert.equal(pairs.length, before.pairs + 3, 'no pair for the shed exchange');
    for (const p of pairs.slice(before.pairs)) {
      assert.equal(p.request.path, '/small');
      assert.deepEqual(p.candidate?.body, SMALL);
    }
  }

  test('a monolith answer announced bigger than the budget is shed before any byte is held', async () => {
    await assertShedThenRecovers('/x/big');
  });

  test('a chunked monolith answer is shed mid-stream, and the candidate call is stopped', async () => {
    await assertShedThenRecovers('/chunked/big');
  });

  test('a candidate answer the budget cannot cover sheds the exchange too', async () => {
    // the monolith answers small on this path; only the candidate's body is big
    monolith.handler = (_req, res) => answer(res, '/small', BIG);
    try {
      const before = { dropped: stats().dropped, pairs: h.pairs.length };
      const r = await request(h.proxy.url, { path: '/y/big' });
      assert.deepEqual(r.body, SMALL);
      await until(() => stats().dropped === before.dropped + 1, 'dropped');
      await request(h.proxy.url, { path: '/small' });
      const pairs = await h.waitPairs(before.pairs + 1);
      assert.equal(pairs.at(-1)?.request.path, '/small');
    } finally {
      monolith.handler = (req, res) => answer(res, req.url, BIG);
    }
  });

  test('a burst against a slow candidate: admission fills one half, every admitted copy completes, nothing leaks', async () => {
    // 20 copies at once of 5,000-byte answers against a 100,000-byte budget: the admission half (monolith answers)
    // takes exactly 10, the other 10 are shed. The candidate holds its answers until then; its half still has
    // room for all 10 (one shared pool would be full of monolith answers by now and shed every candidate answer).
    const body = Buffer.alloc(5_000, 'y');
    const held: (() => void)[] = [];
    monolith.handler = (_req, res) => res.end(body);
    candidate.handler = (_req, res) => held.push(() => res.end(body));
    const burst = await startTestProxy(
      testConfig(monolith.url, candidate.url, {
        memory: { shadowBytes: 100_000 },
        routes: [{ id: 'any', method: 'GET', path: '/*', service: 'catalog', mode: 'shadow' }],
      }),
    );
    const stats = () => burst.proxy.stats()[0];
    try {
      const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => request(burst.proxy.url, { path: `/c/${i}` })));
      for (const r of rs) assert.deepEqual(r.body, body, 'every client got its answer while the candidate held the copies');
      await until(() => stats().dropped === 10, 'ten copies shed');
      await until(() => held.length >= 10, 'the admitted copies reached the candidate');
      for (const release of held.splice(0)) release();
      await burst.waitPairs(10);
      assert.equal(burst.pairs.length, 10);
      for (const p of burst.pairs) assert.deepEqual(p.candidate?.body, body);
      // nothing leaked: one at a time, every copy fits again
      candidate.handler = (_req, res) => res.end(body);
      for (let i = 0; i < 5; i++) await request(burst.proxy.url, { path: `/d/${i}` });
      await burst.waitPairs(15);
      assert.equal(stats().dropped, 10);
    } finally {
      await burst.proxy.close();
      monolith.handler = (req, res) => answer(res, req.url, BIG);
      candidate.handler = (req, res) => answer(res, req.url, BIG);
    }
  });
});

describe('shadow byte budget: answers without a body', () => {
  test('a HEAD announcing a length holds none of the budget: copies beside it still fit', async () => {
    // a 9,000-byte file asked with HEAD, its copy held by a slow candidate; the budget's halves are 10,000 bytes each.
    // Reserving the announced length for a body that never comes left too little for a 2,000-byte answer beside it.
    const small = Buffer.alloc(2_000, 's');
    const held: (() => void)[] = [];
    const { monolith, candidate, h, close } = await startStack((monolithUrl, candidateUrl) =>
      testConfig(monolithUrl, candidateUrl, {
        memory: { shadowBytes: 20_000 },
        routes: [{ id: 'any', method: '*', path: '/*', service: 'catalog', mode: 'shadow' }],
      }),
    );
    const answer = (method: string | undefined, res: ServerResponse): void => {
      if (method === 'HEAD') res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': '9000' }).end();
      else res.end(small);
    };
    monolith.handler = (req, res) => answer(req.method, res);
    try {
      candidate.handler = (req, res) => (req.method === 'HEAD' ? held.push(() => answer(req.method, res)) : answer(req.method, res));
      const stats = () => h.proxy.stats()[0];
      const head = await request(h.proxy.url, { method: 'HEAD', path: '/file.pdf' });
      assert.equal(head.headers['content-length'], '9000');
      await until(() => held.length === 1, 'the candidate holds the HEAD copy');
      const r = await request(h.proxy.url, { path: '/small' });
      assert.deepEqual(r.body, small);
      await until(() => h.pairs.length === 1 || stats().dropped === 1, 'the copy beside the HEAD ended');
      assert.equal(stats().dropped, 0, 'not shed for want of bytes the HEAD held');
      assert.equal(h.pairs[0].request.path, '/small');
      for (const release of held.splice(0)) release();
      await h.waitPairs(2);
      assert.equal(stats().dropped, 0);
    } finally {
      for (const release of held.splice(0)) release();
      await close();
    }
  });
});
