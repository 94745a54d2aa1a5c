import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cookieValue, inCanary } from '../../proxy/canary.ts';
import { json, request, testConfig, until, type Harness, type Upstream, startStack } from './helpers.ts';

describe('canary split', () => {
  test('percent holds within tolerance over 2,000 keys', () => {
    for (const percent of [1, 10, 20, 50, 90]) {
      let hits = 0;
      for (let i = 0; i < 2000; i++) if (inCanary(`customer-${i}`, percent)) hits++;
      const share = (hits / 2000) * 100;
      assert.ok(Math.abs(share - percent) <= Math.max(2, percent * 0.2), `${percent}% target, got ${share}%`);
    }
  });

  test('0% and 100% are absolute', () => {
    for (let i = 0; i < 100; i++) {
      assert.equal(inCanary(`k${i}`, 0), false);
      assert.equal(inCanary(`k${i}`, 100), true);
    }
  });

  test('raising the percent only moves customers into the canary, never out', () => {
    for (let i = 0; i < 500; i++) if (inCanary(`c${i}`, 10)) assert.equal(inCanary(`c${i}`, 30), true);
  });

  test('cookie parsing', () => {
    assert.equal(cookieValue('a=1; sid=xyz; b=2', 'sid'), 'xyz');
    assert.equal(cookieValue('a=1', 'sid'), undefined);
  });
});

describe('sticky canary through the proxy', () => {
  let monolith: Upstream;
  let candidate: Upstream;
  let h: Harness;
  let close: () => Promise<void>;
  before(async () => {
    ({ monolith, candidate, h, close } = await startStack((monolithUrl, candidateUrl) =>
      testConfig(monolithUrl, candidateUrl, {
        routes: [
          { id: 'byHeader', method: 'GET', path: '/h/:id', service: 'catalog', mode: 'canary', canary: { percent: 50, stickyBy: 'header:x-customer-id' } },
          { id: 'byCookie', method: 'GET', path: '/c/:id', service: 'catalog', mode: 'canary', canary: { percent: 50, stickyBy: 'cookie:sid' } },
        ],
      }),
    ));
  });
  after(() => close());

  const side = async (path: string, headers: Record<string, string>) => json((await request(h.proxy.url, { path, headers })).body).from;

  test('same key → same side over 100 requests; both sides are used across keys', async () => {
    // one customer the hash puts in the canary and one it does not
    const inside = ['alice', 'bob', 'carol', 'dave', 'erin'].find((c) => inCanary(c, 50))!;
    const outside = ['alice', 'bob', 'carol', 'dave', 'erin'].find((c) => !inCanary(c, 50))!;
    for (const [customer, expected] of [[inside, 'candidate'], [outside, 'monolith']]) {
      for (let i = 0; i < 100; i++) assert.equal(await side(`/h/${i}`, { 'x-customer-id': customer }), expected);
    }
  });

  test('sticky by cookie', async () => {
    const first = await side('/c/1', { cookie: 'theme=dark; sid=s-123' });
    for (let i = 0; i < 20; i++) assert.equal(await side(`/c/${i}`, { cookie: `sid=s-123; n=${i}` }), first);
  });

  test('the monolith-served share keeps shadowing', async () => {
    let monolithCustomer = '';
    for (let i = 0; !monolithCustomer; i++) if (!inCanary(`m${i}`, 50)) monolithCustomer = `m${i}`;
    assert.equal(await side('/h/9', { 'x-customer-id': monolithCustomer }), 'monolith');
    // pairs complete in any order (an earlier test's copy may still be on its way): look for this request's
    await until(() => h.pairs.some((p) => p.routeId === 'byHeader' && p.request.headers['x-customer-id'] === monolithCustomer), 'the copy of the monolith-served request');
    const copy = candidate.seen.find((r) => r.headers['x-customer-id'] === monolithCustomer);
    assert.equal(copy?.headers['x-strangler-shadow'], '1');
  });
});
