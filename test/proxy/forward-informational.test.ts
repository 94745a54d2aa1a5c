// 1xx informational answers: an upstream's 103 Early Hints (and 102 Processing) reach the client ahead of the final
// answer, except a candidate's while a fallback to the monolith is still possible (the client would get hints from a
// service whose answer it may never get); Expect: 100-continue gets the proxy's own 100 Continue, once, and the body
// then reaches the monolith and the shadow copy byte for byte.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { rawExchange } from '../resilience/fixtures.ts';
import { startStack, testConfig, type Stack } from './helpers.ts';

interface Informational {
  statusCode: number;
  headers: http.IncomingHttpHeaders;
}

/** A request through node's client, with the 1xx answers it saw before the final one. */
function send(
  url: string,
  path: string,
  options: { method?: string; headers?: http.OutgoingHttpHeaders; body?: Buffer } = {},
): Promise<{ status: number; body: string; informational: Informational[]; continued: boolean }> {
  return new Promise((resolve, reject) => {
    const informational: Informational[] = [];
    let continued = false;
    const req = http.request(`${url}${path}`, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, informational, continued }));
    });
    req.on('information', (info) => informational.push({ statusCode: info.statusCode, headers: info.headers }));
    req.on('error', reject);
    if (options.headers?.expect !== undefined) {
      // as curl does: the body only after the server said to go on
      req.on('continue', () => {
        continued = true;
        req.end(options.body);
      });
    } else req.end(options.body);
  });
}

describe('1xx informational answers', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack((m, c) =>
      testConfig(m, c, {
        routes: [
          { id: 'legacy', method: '*', path: '/legacy/*', service: 'catalog', mode: 'legacy' },
          { id: 'shadow', method: '*', path: '/shadow/*', service: 'catalog', mode: 'shadow', writes: true },
          { id: 'migrated', method: '*', path: '/migrated/*', service: 'catalog', mode: 'migrated' },
          { id: 'fallback', method: '*', path: '/fallback/*', service: 'catalog', mode: 'migrated', fallback: true },
          { id: 'canary-fallback', method: 'GET', path: '/canary-fallback/*', service: 'catalog', mode: 'canary', canary: { percent: 100 }, fallback: true },
          { id: 'canary', method: 'GET', path: '/canary/*', service: 'catalog', mode: 'canary', canary: { percent: 100 } },
        ],
      }),
    );
    for (const [up, name] of [
      [stack.monolith, 'monolith'],
      [stack.candidate, 'candidate'],
    ] as const) {
      up.handler = (req, res, body) => {
        if (name === 'candidate' && req.url!.endsWith('/hints-then-reset')) {
          // the hints, then the connection dropped: the candidate failed after a 1xx
          return void res.socket!.write(`HTTP/1.1 103 Early Hints\r\nlink: </candidate.css>; rel=preload\r\nx-hinted-by: candidate\r\n\r\n`, () => res.socket!.destroy());
        }
        if (/\/hints(-then-\w+)?$/.test(req.url!)) {
          res.writeEarlyHints({ link: [`</${name}.css>; rel=preload; as=style`, `</${name}.js>; rel=preload; as=script`], 'x-hinted-by': name });
        }
        if (name === 'candidate' && req.url!.endsWith('/hints-then-503')) {
          res.statusCode = 503;
          return void res.end('down');
        }
        if (req.url!.endsWith('/processing')) res.writeProcessing();
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ from: name, bytes: body.length, sha: body.toString('base64').slice(0, 40) }));
      };
    }
  });
  after(() => stack?.close());

  for (const [mode, side, method] of [
    ['legacy', 'monolith', 'GET'],
    ['shadow', 'monolith', 'GET'],
    ['migrated', 'candidate', 'GET'],
    ['canary', 'candidate', 'GET'],
    // a request with a body is never retried: no fallback is possible, the candidate's 1xx go on
    ['fallback', 'candidate', 'POST'],
  ] as const) {
    test(`${mode}${method === 'GET' ? '' : ` (${method} with a body)`}: the ${side}'s 103 Early Hints reach the client before the answer, its Link headers and others as sent`, async () => {
      const r = await send(stack.h.proxy.url, `/${mode}/hints`, { method, body: method === 'GET' ? undefined : Buffer.from('{}'), headers: method === 'GET' ? undefined : { 'content-length': 2 } });
      assert.equal(r.status, 200);
      assert.equal(JSON.parse(r.body).from, side);
      assert.equal(r.informational.length, 1, JSON.stringify(r.informational));
      assert.equal(r.informational[0].statusCode, 103);
      assert.equal(r.informational[0].headers.link, `</${side}.css>; rel=preload; as=style, </${side}.js>; rel=preload; as=script`);
      assert.equal(r.informational[0].headers['x-hinted-by'], side);
    });
  }

  for (const mode of ['fallback', 'canary-fallback'] as const) {
    test(`${mode}: while a fallback is possible the candidate's 1xx are held back; after it, the monolith's go on`, async () => {
      // the candidate answers itself: its answer, without its hints (they could not be known to be its until then)
      const served = await send(stack.h.proxy.url, `/${mode}/hints`);
      assert.equal(JSON.parse(served.body).from, 'candidate');
      assert.deepEqual(served.informational, []);
      // the candidate fails after its hints (a 503, a dropped connection): the client has the monolith's answer and
      // the monolith's hints only, never the hints of a service whose answer it did not get
      for (const failure of ['503', 'reset']) {
        const r = await send(stack.h.proxy.url, `/${mode}/hints-then-${failure}`);
        assert.equal(r.status, 200, failure);
        assert.equal(JSON.parse(r.body).from, 'monolith', failure);
        assert.deepEqual(
          r.informational.map((i) => [i.statusCode, i.headers['x-hinted-by']]),
          [[103, 'monolith']],
          failure,
        );
      }
    });
  }

  test('102 Processing reaches the client too', async () => {
    const r = await send(stack.h.proxy.url, '/legacy/processing');
    assert.equal(r.status, 200);
    assert.deepEqual(
      r.informational.map((i) => i.statusCode),
      [102],
    );
  });

  test('an HTTP/1.0 client gets no 1xx (RFC 9110 §15.2), only the answer', async () => {
    const raw = await rawExchange(stack.h.proxy.url, 'GET /legacy/hints HTTP/1.0\r\n\r\n');
    assert.match(raw, /^HTTP\/1\.1 200 /, raw.slice(0, 200));
    assert.doesNotMatch(raw, / 103 /);
  });

  for (const mode of ['legacy', 'shadow'] as const) {
    test(`${mode}: Expect: 100-continue gets one 100 Continue (the proxy's), then the body reaches the monolith${mode === 'shadow' ? ' and the copy' : ''} byte for byte`, async () => {
      const body = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
      const pairsBefore = stack.h.pairs.length;
      const r = await send(stack.h.proxy.url, `/${mode}/upload`, {
        method: 'POST',
        headers: { expect: '100-continue', 'content-type': 'application/octet-stream', 'content-length': body.length },
        body,
      });
      assert.equal(r.status, 200);
      assert.ok(r.continued, 'the client was told to go on');
      assert.deepEqual(
        r.informational.map((i) => i.statusCode),
        [100],
        'one 100 Continue: the upstream\'s own is not passed on after the proxy\'s',
      );
      assert.equal(JSON.parse(r.body).bytes, body.length);
      const atMonolith = stack.monolith.seen.at(-1)!;
      assert.equal(atMonolith.url, `/${mode}/upload`);
      assert.ok(atMonolith.body.equals(body), 'the monolith got the body whole');
      if (mode === 'shadow') {
        const [pair] = (await stack.h.waitPairs(pairsBefore + 1)).slice(pairsBefore);
        const copy = stack.candidate.seen.at(-1)!;
        assert.equal(copy.url, '/shadow/upload');
        assert.ok(copy.body.equals(body), 'the copy carried the body whole');
        assert.ok(pair.request.body?.equals(body), 'the pair holds the body');
        assert.equal(JSON.parse(pair.candidate!.body!.toString()).bytes, body.length, 'the candidate read it all');
      }
    });
  }
});
