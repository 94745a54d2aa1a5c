// What a WebSocket upgrade carries upstream: the client's hop-by-hop headers stay on its hop, as with any request,
// what the handshake needs goes on, and the x-forwarded-* headers a request gets.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { request, startTestProxy, testConfig, until } from './helpers.ts';

/** A raw upstream: records the head of each upgrade request as it came over the wire, answers 101 and echoes. */
async function rawUpstream(): Promise<{ url: string; heads: string[]; close: () => Promise<void> }> {
  const heads: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let text = '';
    let upgraded = false;
    socket.on('data', (d: Buffer) => {
      if (upgraded) return void socket.write(`echo:${d.toString('latin1')}`);
      text += d.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      heads.push(text.slice(0, end));
      upgraded = true;
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n');
    });
    socket.on('end', () => socket.end());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    heads,
    close: async () => {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/** The header lines of a recorded head, as [lower-case name, value] pairs. */
function fields(head: string): [string, string][] {
  return head
    .split('\r\n')
    .slice(1)
    .map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
    });
}

describe('websocket upgrades: the headers that go upstream', () => {
  test("a client's te, keep-alive, proxy-connection, trailer, the headers its Connection names and x-strangler-shadow stay on its hop; Connection: Upgrade, Upgrade and Sec-WebSocket-* go on", async () => {
    const monolith = await rawUpstream();
    const h = await startTestProxy(testConfig(monolith.url, monolith.url, { routes: [] }));
    try {
      const socket = net.connect(Number(new URL(h.proxy.url).port), '127.0.0.1');
      await once(socket, 'connect');
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
      socket.write(
        'GET /live?x=1 HTTP/1.1\r\nHost: shop.example\r\nUpgrade: websocket\r\n' +
          // a Sec-WebSocket field named in Connection still goes on: the handshake needs it
          'Connection: keep-alive, Upgrade, X-Drop-Me, TE, Sec-WebSocket-Protocol\r\n' +
          'Keep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nTE: trailers\r\nTrailer: x-checksum\r\nX-Drop-Me: 1\r\n' +
          'X-Strangler-Shadow: 1\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' +
          'Sec-WebSocket-Protocol: chat\r\nSec-WebSocket-Extensions: permessage-deflate\r\nOrigin: http://shop.example\r\nX-Keep: yes\r\n\r\n',
      );
      await until(() => text.includes('\r\n\r\n'), 'upgrade response');
      assert.match(text, /^HTTP\/1\.1 101 /);
      socket.write('ping');
      await until(() => text.endsWith('echo:ping'), 'echo over the upgraded connection');
      socket.destroy();

      assert.equal(monolith.heads.length, 1);
      const [line] = monolith.heads[0].split('\r\n');
      assert.equal(line, 'GET /live?x=1 HTTP/1.1');
      const got = fields(monolith.heads[0]);
      const names = got.map(([n]) => n);
      const value = (name: string) => got.filter(([n]) => n === name).map(([, v]) => v);
      for (const gone of ['te', 'keep-alive', 'proxy-connection', 'trailer', 'x-drop-me', 'x-strangler-shadow']) assert.ok(!names.includes(gone), `${gone} is not passed on: ${monolith.heads[0]}`);
      assert.deepEqual(value('connection'), ['keep-alive, Upgrade'], 'Connection keeps its upgrade (and keep-alive) options only');
      assert.deepEqual(value('upgrade'), ['websocket']);
      assert.deepEqual(value('sec-websocket-key'), ['dGhlIHNhbXBsZSBub25jZQ==']);
      assert.deepEqual(value('sec-websocket-version'), ['13']);
      assert.deepEqual(value('sec-websocket-protocol'), ['chat']);
      assert.deepEqual(value('sec-websocket-extensions'), ['permessage-deflate']);
      assert.deepEqual(value('origin'), ['http://shop.example']);
      assert.deepEqual(value('x-keep'), ['yes']);
      assert.deepEqual(value('host'), ['shop.example']);
      assert.equal(value('x-request-id').length, 1, 'the request id goes on');
    } finally {
      await h.proxy.close();
      await monolith.close();
    }
  });

  test("x-forwarded-host is the client's Host on an upgrade as on a request (a client's own kept), also to an upstream that gets its own Host", async () => {
    const monolith = await rawUpstream();
    const h = await startTestProxy(testConfig(monolith.url, monolith.url, { legacy: { url: monolith.url, hostHeader: 'upstream' }, routes: [] }));
    try {
      for (const extra of ['', 'X-Forwarded-Host: edge.example\r\n']) {
        const socket = net.connect(Number(new URL(h.proxy.url).port), '127.0.0.1');
        await once(socket, 'connect');
        let text = '';
        socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
        socket.write(`GET /live HTTP/1.1\r\nHost: shop.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${extra}\r\n`);
        await until(() => text.includes('\r\n\r\n'), 'upgrade response');
        socket.destroy();
      }
      const [first, second] = monolith.heads.map(fields);
      const value = (got: [string, string][], name: string) => got.filter(([n]) => n === name).map(([, v]) => v);
      assert.deepEqual(value(first, 'host'), [new URL(monolith.url).host]);
      assert.deepEqual(value(first, 'x-forwarded-host'), ['shop.example']);
      assert.deepEqual(value(second, 'x-forwarded-host'), ['edge.example'], "a client's own is kept, as http-proxy-3 keeps it on a request");
    } finally {
      await h.proxy.close();
      await monolith.close();
    }
  });

  test("x-forwarded-proto is the client's scheme on an upgrade as on a request (http, not ws); a client's own x-forwarded-* are appended to, as on a request", async () => {
    const monolith = await rawUpstream();
    const h = await startTestProxy(testConfig(monolith.url, monolith.url, { routes: [] }));
    try {
      for (const extra of ['', 'X-Forwarded-Proto: https\r\nX-Forwarded-For: 203.0.113.7\r\nX-Forwarded-Port: 443\r\n']) {
        const socket = net.connect(Number(new URL(h.proxy.url).port), '127.0.0.1');
        await once(socket, 'connect');
        let text = '';
        socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
        socket.write(`GET /live HTTP/1.1\r\nHost: shop.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${extra}\r\n`);
        await until(() => text.includes('\r\n\r\n'), 'upgrade response');
        assert.match(text, /^HTTP\/1\.1 101 /);
        socket.destroy();
      }
      const [first, second] = monolith.heads.map(fields);
      const value = (got: [string, string][], name: string) => got.filter(([n]) => n === name).map(([, v]) => v);
      assert.deepEqual(value(first, 'x-forwarded-proto'), ['http']);
      assert.deepEqual(value(first, 'x-forwarded-for'), ['127.0.0.1']);
      assert.deepEqual(value(first, 'x-forwarded-port'), ['80'], 'the port of the Host the client asked for');
      // what http-proxy-3's XHeaders makes of a request's: the client's value, a comma, the proxy's
      assert.deepEqual(value(second, 'x-forwarded-proto'), ['https,http']);
      assert.deepEqual(value(second, 'x-forwarded-for'), ['203.0.113.7,127.0.0.1']);
      assert.deepEqual(value(second, 'x-forwarded-port'), ['443,80']);
      assert.deepEqual(value(second, 'x-forwarded-host'), ['shop.example']);
    } finally {
      await h.proxy.close();
      await monolith.close();
    }
  });

  test('a handshake that names nothing else in Connection goes on as it came, to the candidate too', async () => {
    const monolith = await rawUpstream();
    const candidate = await rawUpstream();
    const h = await startTestProxy(
      testConfig(monolith.url, candidate.url, { routes: [{ id: 'live', method: 'GET', path: '/live', service: 'catalog', mode: 'migrated' }] }),
    );
    try {
      const socket = net.connect(Number(new URL(h.proxy.url).port), '127.0.0.1');
      await once(socket, 'connect');
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
      socket.write('GET /live HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nTE: trailers\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
      await until(() => text.includes('\r\n\r\n'), 'upgrade response');
      assert.match(text, /^HTTP\/1\.1 101 /);
      socket.destroy();
      assert.equal(monolith.heads.length, 0);
      assert.equal(candidate.heads.length, 1);
      const got = fields(candidate.heads[0]);
      const value = (name: string) => got.filter(([n]) => n === name).map(([, v]) => v);
      assert.deepEqual(value('connection'), ['Upgrade']);
      assert.deepEqual(value('upgrade'), ['websocket']);
      assert.deepEqual(value('te'), [], 'TE is not passed on with an upgrade, not even trailers');
      assert.deepEqual(value('sec-websocket-key'), ['dGhlIHNhbXBsZSBub25jZQ==']);
    } finally {
      await h.proxy.close();
      await monolith.close();
      await candidate.close();
    }
  });

  test('Host goes on even when the client\'s Connection names it', async () => {
    const monolith = await rawUpstream();
    const h = await startTestProxy(testConfig(monolith.url, monolith.url, { routes: [] }));
    try {
      const socket = net.connect(Number(new URL(h.proxy.url).port), '127.0.0.1');
      await once(socket, 'connect');
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
      socket.write('GET /live HTTP/1.1\r\nHost: shop.example\r\nUpgrade: websocket\r\nConnection: Upgrade, Host, X-Drop-Me\r\nX-Drop-Me: 1\r\n\r\n');
      await until(() => text.includes('\r\n\r\n'), 'upgrade response');
      assert.match(text, /^HTTP\/1\.1 101 /);
      socket.destroy();
      const got = fields(monolith.heads[0]);
      const value = (name: string) => got.filter(([n]) => n === name).map(([, v]) => v);
      assert.deepEqual(value('host'), ['shop.example'], "the client's Host, not the upstream's address");
      assert.deepEqual(value('x-forwarded-host'), ['shop.example']);
      assert.deepEqual(value('x-drop-me'), []);
      assert.deepEqual(value('connection'), ['Upgrade']);
    } finally {
      await h.proxy.close();
      await monolith.close();
    }
  });

  test('an upgrade that announces a body goes upstream without Content-Length or Transfer-Encoding: refused, it leaves no connection waiting for a body another client\'s request would fill', async () => {
    // node's server hands an upgrade over at the end of its head: what follows (the "body") is the upgraded connection's,
    // sent upstream only after a 101. An upstream that refuses the upgrade (a plain node server: no upgrade listener)
    // answers at once and keeps the connection for the proxy's next request.
    const seen: string[] = [];
    const upstream = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url} content-length=${req.headers['content-length']} transfer-encoding=${req.headers['transfer-encoding']}`);
      if (req.url === '/live') return void res.end('no websocket here');
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => res.end(`${req.method} ${req.url} ${body}`));
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    const url = `http://127.0.0.1:${(upstream.address() as net.AddressInfo).port}`;
    const h = await startTestProxy(
      testConfig(url, url, {
        routes: [
          { id: 'live', method: 'GET', path: '/live', service: 'catalog', mode: 'legacy', timeoutMs: 1000 },
          { id: 'next', method: 'POST', path: '/next', service: 'catalog', mode: 'legacy', timeoutMs: 1000 },
        ],
      }),
    );
    try {
      for (const framing of ['Content-Length: 5\r\n\r\nhello', 'Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n']) {
        seen.length = 0;
        const socket = net.connect(Number(new URL(h.proxy.url).port), '127.0.0.1');
        await once(socket, 'connect');
        let text = '';
        socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
        socket.write(`GET /live HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${framing}`);
        await until(() => text.includes('no websocket here'), 'the refusal');
        socket.destroy();
        // another client's request, on the pooled connection the refusal came back on
        const r = await request(h.proxy.url, { method: 'POST', path: '/next', body: 'abcdefghij' });
        assert.equal(r.status, 200, `${framing.split('\r\n')[0]}: ${r.body.toString()}`);
        assert.equal(r.body.toString(), 'POST /next abcdefghij');
        assert.deepEqual(seen, ['GET /live content-length=undefined transfer-encoding=undefined', 'POST /next content-length=10 transfer-encoding=undefined']);
      }
    } finally {
      await h.proxy.close();
      upstream.closeAllConnections();
      upstream.close();
    }
  });
});
