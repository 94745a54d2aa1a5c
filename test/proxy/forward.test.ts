import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { closedPortUrl, connections, json, request, startTestProxy, startUpstream, testConfig, until, type Harness, type Upstream } from './helpers.ts';

describe('generated request ids', () => {
  test('a request body read early (a recorder tapping it) still reaches the upstream with a generated id, no crash', async () => {
    const monolith = await startUpstream('monolith');
    // like `strangler proxy --record`: a data listener puts the request in flowing mode before the forwarder pipes it,
    // so the body can be written before the upstream request has its socket (regression: setHeader after headers sent)
    const tapped: Buffer[] = [];
    const h = await startTestProxy(testConfig(monolith.url, monolith.url), { onRequest: (req) => void req.on('data', (c: Buffer) => tapped.push(c)) });
    try {
      for (let i = 0; i < 20; i++) {
        const body = JSON.stringify({ n: i, pad: 'x'.repeat(i * 500) });
        const r = await request(h.proxy.url, { method: 'POST', path: '/login', headers: { 'content-type': 'application/json' }, body });
        assert.equal(r.status, 200);
        const seen = monolith.seen[monolith.seen.length - 1];
        assert.equal(seen.body.toString(), body, 'body forwarded byte for byte');
        assert.equal(seen.headers['x-request-id'], r.headers['x-request-id'], 'the generated id went upstream');
        assert.match(String(r.headers['x-request-id']), /^[0-9a-f-]{36}$/);
      }
      const get = await request(h.proxy.url, { path: '/books/1' });
      assert.equal(monolith.seen[monolith.seen.length - 1].headers['x-request-id'], get.headers['x-request-id']);
      assert.ok(Buffer.concat(tapped).length > 0, 'the tap saw the bodies');
    } finally {
      await h.proxy.close();
      await monolith.close();
    }
  });
  test('the generated id goes upstream without touching the client\'s headers, with Expect: 100-continue too', async () => {
    const monolith = await startUpstream('monolith');
    const clientHeaders: http.IncomingHttpHeaders[] = [];
    const h = await startTestProxy(testConfig(monolith.url, monolith.url), { onRequest: (req) => void clientHeaders.push(req.headers) });
    try {
      const get = await request(h.proxy.url, { path: '/books/1' });
      assert.equal(monolith.seen.at(-1)!.headers['x-request-id'], get.headers['x-request-id']);
      // ClientRequest writes its headers in its constructor when Expect is set: the id must be among them already
      const post = await request(h.proxy.url, { method: 'POST', path: '/upload', headers: { expect: '100-continue', 'content-type': 'text/plain' }, body: 'payload' });
      assert.equal(post.status, 200);
      const seen = monolith.seen.at(-1)!;
      assert.equal(seen.body.toString(), 'payload');
      assert.match(String(post.headers['x-request-id']), /^[0-9a-f-]{36}$/);
      assert.equal(seen.headers['x-request-id'], post.headers['x-request-id'], 'the generated id went upstream');
      assert.equal(clientHeaders.length, 2);
      for (const headers of clientHeaders) assert.equal(headers['x-request-id'], undefined, "the id is not written into the client's headers object");
    } finally {
      await h.proxy.close();
      await monolith.close();
    }
  });

  test('a client id is kept when usable; one with quotes, spaces or 7 KB is replaced by a generated one', async () => {
    const monolith = await startUpstream('monolith');
    const h = await startTestProxy(testConfig(monolith.url, monolith.url));
    try {
      const kept = await request(h.proxy.url, { path: '/a', headers: { 'x-request-id': '00-4bf92f3577b34da6-01' } });
      assert.equal(kept.headers['x-request-id'], '00-4bf92f3577b34da6-01');
      assert.equal(monolith.seen.at(-1)!.headers['x-request-id'], '00-4bf92f3577b34da6-01');
      for (const bad of ['a"b\\c', 'two words', 'x'.repeat(7000)]) {
        const r = await request(h.proxy.url, { path: '/b', headers: { 'x-request-id': bad } });
        assert.match(String(r.headers['x-request-id']), /^[0-9a-f-]{36}$/, bad.slice(0, 20));
        assert.equal(monolith.seen.at(-1)!.headers['x-request-id'], r.headers['x-request-id'], 'the generated id went upstream, not the client\'s');
      }
    } finally {
      await h.proxy.close();
      await monolith.close();
    }
  });

  test("the client's id still goes upstream when its Connection names x-request-id (the answer and the log line carry it)", async () => {
    const monolith = await startUpstream('monolith');
    const h = await startTestProxy(testConfig(monolith.url, monolith.url, { routes: [] }));
    try {
      const socket = net.connect(Number(new URL(h.proxy.url).port), '127.0.0.1');
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
      socket.write('GET /a HTTP/1.1\r\nHost: x\r\nX-Request-Id: abc-123\r\nConnection: close, X-Request-Id\r\n\r\n');
      await once(socket, 'close');
      assert.match(text, /^HTTP\/1\.1 200[\s\S]*\r\nx-request-id: abc-123\r\n/i);
      assert.equal(monolith.seen.at(-1)!.headers['x-request-id'], 'abc-123');
    } finally {
      await h.proxy.close();
      await monolith.close();
    }
  });
});

describe('forwarding failures', () => {
  test('monolith down: 502 JSON carrying the request id', async () => {
    const candidate = await startUpstream('candidate');
    const h = await startTestProxy(testConfig(await closedPortUrl(), candidate.url));
    try {
      const r = await request(h.proxy.url, { path: '/anything', headers: { 'x-request-id': 'rid-1' } });
      assert.equal(r.status, 502);
      assert.equal(r.headers['content-type'], 'application/json');
      const body = json(r.body);
      assert.equal(body.requestId, 'rid-1');
      assert.equal(body.upstream, 'legacy');
      assert.equal(body.reason, 'refused');
    } finally {
      await h.proxy.close();
      await candidate.close();
    }
  });

  test('upstream slower than the route timeout: 504', async () => {
    const monolith = await startUpstream('monolith');
    monolith.handler = (_req, res) => void setTimeout(() => res.end('late'), 3000).unref();
    const h = await startTestProxy(
      testConfig(monolith.url, monolith.url, { routes: [{ id: 'slow', method: 'GET', path: '/slow', service: 'catalog', timeoutMs: 100 }] }),
    );
    try {
      const r = await request(h.proxy.url, { path: '/slow' });
      assert.equal(r.status, 504);
      assert.equal(json(r.body).reason, 'timeout');
    } finally {
      await h.proxy.close();
      await monolith.close();
    }
  });
});

describe('client disconnects', () => {
  test('a client that goes away aborts the upstream request (no leaked sockets)', async () => {
    const monolith = await startUpstream('monolith');
    const upstreamClosed: Promise<unknown>[] = [];
    let arrived!: () => void;
    const arrival = new Promise<void>((r) => (arrived = r));
    monolith.handler = (req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first part;'); // then hold the rest forever
      upstreamClosed.push(once(res, 'close'));
      arrived();
    };
    const h = await startTestProxy(testConfig(monolith.url, monolith.url));
    try {
      const client = http.get(`${h.proxy.url}/stream`);
      const [res] = (await once(client, 'response')) as [http.IncomingMessage];
      await once(res, 'data');
      await arrival;
      client.destroy();
      await upstreamClosed[0]; // the monolith saw its response connection close
      await until(async () => (await connections(monolith.server)) === 0, 'monolith connections back to zero');
    } finally {
      await h.proxy.close();
      await monolith.close();
    }
  });
});

describe('headers and streaming', () => {
  let monolith: Upstream;
  let candidate: Upstream;
  let h: Harness;
  before(async () => {
    monolith = await startUpstream('monolith');
    candidate = await startUpstream('candidate');
    h = await startTestProxy(
      testConfig(monolith.url, candidate.url, { routes: [{ id: 'stream', method: 'GET', path: '/stream', service: 'catalog', mode: 'shadow' }] }),
    );
  });
  after(async () => {
    await h.proxy.close();
    await monolith.close();
    await candidate.close();
  });

  test('hop-by-hop request headers are not passed on; end-to-end ones are', async () => {
    const r = await request(h.proxy.url, {
      path: '/h',
      headers: { 'keep-alive': 'timeout=5', te: 'gzip, deflate', 'x-drop-me': '1', connection: 'x-drop-me', 'x-keep': 'yes', 'proxy-connection': 'keep-alive', 'x-strangler-shadow': '1' },
    });
    const seen = monolith.seen.at(-1)!.headers;
    assert.equal(seen['x-keep'], 'yes');
    assert.equal(seen['keep-alive'], undefined);
    assert.equal(seen.te, undefined); // its transfer codings are this hop's (`TE: trailers` goes on: forward-trailers.test.ts)
    assert.equal(seen['x-drop-me'], undefined);
    assert.equal(seen['proxy-connection'], undefined);
    assert.equal(seen['x-forwarded-proto'], 'http');
    assert.ok(seen['x-forwarded-host']);
    // the mark of a shadow copy is the proxy's to set: a client's would make its real request look like a copy
    assert.equal(seen['x-strangler-shadow'], undefined);
    // the names the client's Connection lists belong to its hop: neither the upstream nor the answer repeats them
    assert.doesNotMatch(seen.connection ?? '', /x-drop-me/i);
    assert.equal(r.headers.connection, 'keep-alive');
  });

  test('hop-by-hop response headers stay on the upstream hop; the client gets the proxy\'s own keep-alive', async () => {
    const before = monolith.handler;
    monolith.handler = (_req, res) => {
      res.writeHead(200, {
        'content-type': 'application/json',
        connection: 'x-secret, keep-alive',
        'x-secret': 'internal-token',
        'keep-alive': 'timeout=99',
        'proxy-authenticate': 'Basic realm="upstream"',
        upgrade: 'h2c',
        'x-end-to-end': 'kept',
      });
      res.end('{}');
    };
    const agent = new http.Agent({ keepAlive: true });
    try {
      const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
        const r = http.get(`${h.proxy.url}/hop`, { agent }, resolve);
        r.on('error', reject);
      });
      res.resume();
      await once(res, 'end');
      assert.equal(res.headers['x-end-to-end'], 'kept');
      assert.equal(res.headers['x-secret'], undefined, 'named in the upstream\'s Connection');
      assert.equal(res.headers['proxy-authenticate'], undefined);
      assert.equal(res.headers.upgrade, undefined);
      assert.equal(res.headers.connection, 'keep-alive');
      assert.notEqual(res.headers['keep-alive'], 'timeout=99', 'the proxy announces its own keep-alive timeout');
    } finally {
      agent.destroy();
      monolith.handler = before;
    }
  });

  test('in shadow mode the monolith response is streamed to the client as it arrives', async () => {
    let finish!: () => void;
    monolith.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('chunk-1;');
      finish = () => res.end('chunk-2');
    };
    const client = http.get(`${h.proxy.url}/stream`);
    const [res] = (await once(client, 'response')) as [http.IncomingMessage];
    let text = '';
    res.on('data', (c: Buffer) => (text += c.toString()));
    // the client holds the first chunk while the monolith has not finished its response
    await until(() => text === 'chunk-1;', 'first chunk at the client');
    finish();
    await once(res, 'end');
    assert.equal(text, 'chunk-1;chunk-2');
    const [pair] = await h.waitPairs(1);
    assert.equal(pair.monolith.body?.toString(), 'chunk-1;chunk-2');
  });

  test('a client that reads slowly holds the upstream back (backpressure), and gets and captures every byte', async () => {
    const chunk = Buffer.alloc(64 * 1024);
    for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31) & 0xff;
    const total = 64 * 1024 * 1024; // far more than the socket buffers of both hops hold
    const pairsBefore = (await h.waitPairs(0)).length;
    let written = 0;
    let blocked = false;
    monolith.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total });
      const pump = (): void => {
        blocked = false;
        while (written < total) {
          written += chunk.length;
          if (!res.write(chunk)) {
            blocked = true;
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
    };
    const client = http.get(`${h.proxy.url}/stream`);
    const [res] = (await once(client, 'response')) as [http.IncomingMessage];
    res.pause();
    // the monolith stays blocked on a full pipe while the client reads nothing: 20 checks in a row at one count
    let same = 0;
    let last = -1;
    await until(() => {
      same = blocked && written === last ? same + 1 : 0;
      last = written;
      return same >= 20;
    }, 'the monolith held back by the paused client', 10_000);
    assert.ok(written < total / 2, `the proxy buffered ${written} bytes of a paused client's response`);
    const hash = createHash('sha256');
    let received = 0;
    res.on('data', (c: Buffer) => {
      received += c.length;
      hash.update(c);
    });
    res.resume();
    await once(res, 'end');
    assert.equal(received, total);
    const expected = createHash('sha256');
    for (let n = 0; n < total; n += chunk.length) expected.update(chunk);
    const digest = expected.digest('hex');
    assert.equal(hash.digest('hex'), digest);
    const pair = (await h.waitPairs(pairsBefore + 1))[pairsBefore];
    assert.equal(pair.monolith.size, total);
    assert.equal(pair.monolith.truncated, true);
    assert.equal(pair.monolith.hash, digest);
  });
});

describe('migrated mode fallback', () => {
  let monolith: Upstream;
  let candidate: Upstream;
  let h: Harness;
  before(async () => {
    monolith = await startUpstream('monolith');
    candidate = await startUpstream('candidate');
    const down = await closedPortUrl();
    h = await startTestProxy(
      testConfig(monolith.url, candidate.url, {
        services: { catalog: { url: candidate.url }, gone: { url: down } },
        routes: [
          { id: 'fb', method: '*', path: '/fb/*', service: 'catalog', mode: 'migrated', fallback: true },
          { id: 'fbDown', method: '*', path: '/down/*', service: 'gone', mode: 'migrated', fallback: true },
          { id: 'noFb', method: 'GET', path: '/nofb/*', service: 'gone', mode: 'migrated' },
          { id: 'fbSlow', method: 'GET', path: '/slow', service: 'catalog', mode: 'migrated', fallback: true, timeoutMs: 100 },
        ],
      }),
    );
  });
  after(async () => {
    await h.proxy.close();
    await monolith.close();
    await candidate.close();
  });
  const stat = (id: string) => h.proxy.stats().find((s) => s.routeId === id)!;

  test('candidate refused: a safe request is served by the monolith and counted as a fallback', async () => {
    const r = await request(h.proxy.url, { path: '/down/1' });
    assert.equal(r.status, 200);
    assert.equal(json(r.body).from, 'monolith');
    assert.equal(stat('fbDown').fallbacks, 1);
    assert.equal(monolith.seen.at(-1)!.headers['x-forwarded-for'], '127.0.0.1', 'x-forwarded-for not doubled on the retry');
  });

  test('candidate 5xx: retried on the monolith; candidate 4xx: passed through', async () => {
    candidate.handler = (req, res) => {
      res.statusCode = req.url === '/fb/500' ? 503 : 404;
      res.end(`{"from":"candidate"}`);
    };
    const r5 = await request(h.proxy.url, { path: '/fb/500' });
    assert.equal(json(r5.body).from, 'monolith');
    const r4 = await request(h.proxy.url, { path: '/fb/404' });
    assert.equal(r4.status, 404);
    assert.equal(json(r4.body).from, 'candidate');
    assert.equal(stat('fb').fallbacks, 1);
  });

  test('candidate timeout: retried on the monolith', async () => {
    candidate.handler = (_req, res) => void setTimeout(() => res.end('late'), 3000).unref();
    const r = await request(h.proxy.url, { path: '/slow' });
    assert.equal(json(r.body).from, 'monolith');
    assert.equal(stat('fbSlow').fallbacks, 1);
  });

  test('unsafe methods are never retried: the client gets the 502', async () => {
    const before = monolith.seen.length;
    const r = await request(h.proxy.url, { method: 'POST', path: '/down/1', body: '{}' });
    assert.equal(r.status, 502);
    assert.equal(monolith.seen.length, before);
  });

  test('a safe request with a body (GET /_search) is not retried: the body went to the candidate, the client gets the 502', async () => {
    // retried, the monolith got the request without its body: an empty search answered 200 (chunked), or a wait for
    // bytes that never came and a 504 (content-length)
    const before = { seen: monolith.seen.length, fallbacks: stat('fbDown').fallbacks };
    const query = '{"query":{"match":{"title":"strangler"}}}';
    const sized = await request(h.proxy.url, { path: '/down/_search', body: query, headers: { 'content-type': 'application/json' } });
    assert.equal(sized.status, 502);
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${h.proxy.url}/down/_search`, { headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(query);
    });
    assert.equal(chunked, 502);
    candidate.handler = (_req, res) => {
      res.statusCode = 503;
      res.end('{"from":"candidate"}');
    };
    const failing = await request(h.proxy.url, { method: 'OPTIONS', path: '/fb/_search', body: query });
    assert.equal(failing.status, 503, "the candidate's own answer, passed through");
    assert.equal(monolith.seen.length, before.seen, 'nothing retried on the monolith');
    assert.equal(stat('fbDown').fallbacks, before.fallbacks);
    // without a body the same requests still fall back
    assert.equal(json((await request(h.proxy.url, { path: '/down/_search' })).body).from, 'monolith');
  });

  test('without fallback a failing candidate is a 502', async () => {
    const r = await request(h.proxy.url, { path: '/nofb/1' });
    assert.equal(r.status, 502);
    assert.equal(json(r.body).upstream, 'gone');
    assert.equal(stat('noFb').candidateErrors, 1);
  });
});

describe('websocket upgrades', () => {
  test('an Upgrade the proxy does not carry (h2c, as curl --http2 and Java\'s HttpClient ask on http://) is ignored: served over HTTP/1.1, body and keep-alive included', async () => {
    const monolith = await startUpstream('monolith');
    const candidate = await startUpstream('candidate');
    const h = await startTestProxy(
      testConfig(monolith.url, candidate.url, { routes: [{ id: 'live', method: 'GET', path: '/live', service: 'catalog', mode: 'migrated' }] }),
    );
    const h2c = 'Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n';
    try {
      const socket = net.connect(Number(new URL(h.proxy.url).port), '127.0.0.1');
      let text = '';
      socket.on('data', (d) => (text += d.toString('latin1')));
      const ended = once(socket, 'end');
      // three requests on one connection: two asking for h2c (one with a body), then a plain one that closes it
      socket.write(`GET /live HTTP/1.1\r\nHost: x\r\n${h2c}\r\n`);
      socket.write(`POST /other HTTP/1.1\r\nHost: x\r\n${h2c}Content-Length: 5\r\n\r\nhel`);
      socket.write('loGET /other HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      await ended;
      const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
      assert.deepEqual(statuses, ['200', '200', '200'], text);
      assert.doesNotMatch(text, /^connection:.*upgrade/im, 'no answer says the connection is upgrading');
      assert.deepEqual([...text.matchAll(/"from":"(\w+)"/g)].map((m) => m[1]), ['candidate', 'monolith', 'monolith']);
      assert.deepEqual(candidate.seen.map((r) => [r.method, r.url]), [['GET', '/live']]);
      assert.deepEqual(monolith.seen.map((r) => [r.method, r.url, r.body.toString()]), [['POST', '/other', 'hello'], ['GET', '/other', '']]);
      for (const r of [...candidate.seen, ...monolith.seen]) {
        assert.equal(r.headers.upgrade, undefined, 'the Upgrade stays on the client\'s hop');
        assert.equal(r.headers['http2-settings'], undefined);
      }
    } finally {
      await h.proxy.close();
      await monolith.close();
      await candidate.close();
    }
  });

  test('an upgrade its upstream refuses is answered 502 JSON, as any request (the connection was closed without a word)', async () => {
    const monolith = await startUpstream('monolith');
    const down = await closedPortUrl();
    const h = await startTestProxy(
      testConfig(monolith.url, down, { routes: [{ id: 'live', method: 'GET', path: '/live', service: 'catalog', mode: 'migrated', fallback: true }] }),
    );
    try {
      const socket = net.connect(Number(new URL(h.proxy.url).port), '127.0.0.1');
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      const ended = once(socket, 'close');
      socket.write('GET /live HTTP/1.1\r\nhost: x\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n\r\n');
      await ended;
      assert.match(text, /^HTTP\/1\.1 502 /);
      const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
      assert.equal(body.error, 'upstream unavailable');
      assert.equal(body.upstream, 'catalog');
      assert.equal(body.reason, 'refused');
      assert.equal(typeof body.requestId, 'string');
      assert.match(text, new RegExp(`x-request-id: ${String(body.requestId)}\r\n`, 'i'));
    } finally {
      await h.proxy.close();
      await monolith.close();
    }
  });

  test("an upgrade its upstream never answers gets 504 JSON after the route's timeout; an upgraded, idle WebSocket is not cut by it", async () => {
    const monolith = await startUpstream('monolith');
    const hanging: net.Socket[] = [];
    monolith.server.on('upgrade', (req, socket: net.Socket) => {
      if (req.url === '/hang') return void hanging.push(socket); // takes the connection, never answers
      socket.write('HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\r\n');
      socket.on('data', (d) => socket.write(`echo:${d.toString()}`));
      socket.on('end', () => socket.end());
    });
    const routes = ['hang', 'echo'].map((id) => ({ id, method: 'GET' as const, path: `/${id}`, service: 'catalog', mode: 'legacy' as const, timeoutMs: 150 }));
    const h = await startTestProxy(testConfig(monolith.url, monolith.url, { routes }));
    const open = async (path: string) => {
      const socket = net.connect(Number(new URL(h.proxy.url).port), '127.0.0.1');
      await once(socket, 'connect');
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.write(`GET ${path} HTTP/1.1\r\nhost: x\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\r\n`);
      return { socket, text: () => text };
    };
    try {
      const echo = await open('/echo');
      await until(() => echo.text().includes('\r\n\r\n'), 'upgrade response');
      assert.match(echo.text(), /^HTTP\/1\.1 101/);

      const started = performance.now();
      const hang = await open('/hang');
      await once(hang.socket, 'close');
      assert.ok(performance.now() - started >= 140, 'answered after the route timeout, not before');
      assert.match(hang.text(), /^HTTP\/1\.1 504 /);
      const body = JSON.parse(hang.text().slice(hang.text().indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
      assert.equal(body.error, 'upstream timed out');
      assert.equal(body.reason, 'timeout');

      // the echo connection has now been idle longer than the timeout: still open, still talking
      echo.socket.write('ping');
      await until(() => echo.text().endsWith('echo:ping'), 'echo after idling past the timeout');
      echo.socket.destroy();
    } finally {
      for (const s of hanging) s.destroy();
      await h.proxy.close();
      await monolith.close();
    }
  });

  test("a client's x-strangler-shadow is not passed on with an upgrade either: only the proxy's copies carry it", async () => {
    const monolith = await startUpstream('monolith');
    let seen: http.IncomingHttpHeaders | undefined;
    monolith.server.on('upgrade', (req, socket: net.Socket) => {
      seen = req.headers;
      socket.end('HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\r\n');
    });
    const h = await startTestProxy(testConfig(monolith.url, monolith.url, { routes: [] }));
    try {
      const socket = net.connect(Number(new URL(h.proxy.url).port), '127.0.0.1');
      await once(socket, 'connect');
      socket.write('GET /live HTTP/1.1\r\nhost: x\r\nupgrade: websocket\r\nconnection: Upgrade\r\nx-strangler-shadow: 1\r\nx-keep: yes\r\n\r\n');
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      await until(() => text.includes('\r\n\r\n'), 'upgrade response');
      socket.destroy();
      assert.match(text, /^HTTP\/1\.1 101/);
      assert.equal(seen?.['x-keep'], 'yes');
      assert.equal(seen?.['x-strangler-shadow'], undefined);
    } finally {
      await h.proxy.close();
      await monolith.close();
    }
  });

  test('passed through untouched to whichever side serves the route', async () => {
    const echo = async (name: string) => {
      const up = await startUpstream(name);
      up.server.on('upgrade', (req, socket: net.Socket) => {
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nx-side: ${name}\r\n\r\n`);
        socket.on('data', (d) => socket.write(`${name}:${d.toString()}`));
        socket.on('end', () => socket.end()); // like a real websocket server: the peer left, so do we
      });
      return up;
    };
    const monolith = await echo('monolith');
    const candidate = await echo('candidate');
    const h = await startTestProxy(
      testConfig(monolith.url, candidate.url, { routes: [{ id: 'live', method: 'GET', path: '/live', service: 'catalog', mode: 'migrated' }] }),
    );
    const talk = async (path: string) => {
      const port = Number(new URL(h.proxy.url).port);
      const socket = net.connect(port, '127.0.0.1');
      await once(socket, 'connect');
      socket.write(`GET ${path} HTTP/1.1\r\nhost: x\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\r\n`);
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      await until(() => text.includes('\r\n\r\n'), 'upgrade response');
      socket.write('ping');
      await until(() => text.endsWith('ping'), 'echo');
      socket.destroy();
      return text;
    };
    try {
      const viaMonolith = await talk('/other');
      assert.match(viaMonolith, /^HTTP\/1\.1 101/);
      assert.ok(viaMonolith.endsWith('monolith:ping'));
      assert.ok((await talk('/live')).endsWith('candidate:ping'));
    } finally {
      await h.proxy.close();
      await monolith.close();
      await candidate.close();
    }
  });
});
