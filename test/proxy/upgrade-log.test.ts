// WebSocket upgrades in the access log and the route stats: one line per upgrade when its handshake ends (the 101,
// the upstream's refusal, the proxy's 502/504, or the client leaving first), counted as the route's requests are.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { captureLogger, closedPortUrl, startTestProxy, startUpstream, testConfig, until, type Harness, type Upstream } from './helpers.ts';

describe('upgrades in the access log and the stats', () => {
  let monolith: Upstream;
  let h: Harness;
  let lines: Record<string, unknown>[];
  const hanging: net.Socket[] = [];

  before(async () => {
    monolith = await startUpstream('monolith');
    monolith.server.on('upgrade', (req, socket: net.Socket) => {
      if (req.url === '/hang') {
        hanging.push(socket); // takes the connection, never answers; reads it, to see the proxy leave
        return void socket.resume();
      }
      if (req.url === '/refuse') return void socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      socket.write('HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\r\n');
      socket.on('data', (d) => socket.write(`echo:${d.toString()}`));
      socket.on('end', () => socket.end());
    });
    const down = await closedPortUrl();
    const captured = captureLogger();
    lines = captured.lines;
    h = await startTestProxy(
      testConfig(monolith.url, down, {
        routes: [
          { id: 'live', method: 'GET', path: '/live', service: 'catalog', mode: 'legacy' },
          { id: 'refuse', method: 'GET', path: '/refuse', service: 'catalog', mode: 'shadow' },
          { id: 'hang', method: 'GET', path: '/hang', service: 'catalog', mode: 'legacy' },
          { id: 'moved', method: 'GET', path: '/moved', service: 'catalog', mode: 'migrated' },
        ],
      }),
      { logger: captured.logger },
    );
  });
  after(async () => {
    for (const s of hanging) s.destroy();
    await h?.proxy.close();
    await monolith?.close();
  });

  /** Opens an upgrade; resolves with the socket and what it read so far once the answer's head is in (or it closed). */
  async function upgrade(path: string, extra = ''): Promise<{ socket: net.Socket; text: () => string }> {
    const socket = net.connect(Number(new URL(h.proxy.url).port), '127.0.0.1');
    await once(socket, 'connect');
    let text = '';
    socket.on('data', (d) => (text += d.toString()));
    socket.write(`GET ${path} HTTP/1.1\r\nhost: x\r\nupgrade: websocket\r\nconnection: Upgrade\r\n${extra}\r\n`);
    return { socket, text: () => text };
  }
  const upgradeLines = (route: string) => lines.filter((l) => l.msg === 'upgrade' && l.route === route);
  const statsOf = (route: string) => h.proxy.stats().find((s) => s.routeId === route)!;

  test('a 101: one access line (method, path without its query, route, mode, upstream, status, handshake time, id) and counted as a request of the route', async () => {
    const ws = await upgrade('/live?token=secret', 'x-request-id: ws-1\r\n');
    await until(() => ws.text().includes('\r\n\r\n'), 'upgrade answer');
    assert.match(ws.text(), /^HTTP\/1\.1 101/);
    await until(() => upgradeLines('live').length === 1, 'the upgrade line');
    const line = upgradeLines('live')[0];
    assert.deepEqual(
      { ...line, ms: typeof line.ms, time: undefined, pid: undefined, hostname: undefined, level: undefined },
      { route: 'live', mode: 'legacy', upstream: 'legacy', method: 'GET', path: '/live', status: 101, ms: 'number', reqId: 'ws-1', msg: 'upgrade', time: undefined, pid: undefined, hostname: undefined, level: undefined },
    );
    assert.equal(monolith.seen.length, 0, 'an upgrade is not a request the monolith answered');
    const stats = statsOf('live');
    assert.equal(stats.requests, 1);
    assert.equal(stats.latency.monolith.count, 1, 'the handshake time is in the latency');
    // talking over the WebSocket afterwards writes no more lines
    ws.socket.write('ping');
    await until(() => ws.text().endsWith('echo:ping'), 'echo');
    ws.socket.destroy();
    await once(ws.socket, 'close');
    assert.equal(upgradeLines('live').length, 1, 'one line per upgrade');
    assert.equal(lines.filter((l) => l.route === 'live' && l.msg === 'request').length, 0);
  });

  test("the upstream's refusal (403), a refused candidate (502 JSON): the status the client got, and counted as such", async () => {
    const refused = await upgrade('/refuse');
    await once(refused.socket, 'close');
    assert.match(refused.text(), /^HTTP\/1\.1 403/);
    await until(() => upgradeLines('refuse').length === 1, 'the refusal line');
    assert.equal(upgradeLines('refuse')[0].status, 403);
    assert.equal(upgradeLines('refuse')[0].upstream, 'legacy');
    assert.equal(statsOf('refuse').requests, 1);
    assert.equal(statsOf('refuse').shadowed, 0, 'an upgrade is never copied');

    const down = await upgrade('/moved');
    await once(down.socket, 'close');
    assert.match(down.text(), /^HTTP\/1\.1 502/);
    const body = JSON.parse(down.text().slice(down.text().indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
    await until(() => upgradeLines('moved').length === 1, 'the 502 line');
    const line = upgradeLines('moved')[0];
    assert.equal(line.status, 502);
    assert.equal(line.upstream, 'catalog');
    assert.equal(line.mode, 'migrated');
    assert.equal(line.reqId, body.requestId, "the line's id is the one in the answer");
    const stats = statsOf('moved');
    assert.equal(stats.requests, 1);
    assert.equal(stats.candidateAnswers, 1);
    assert.equal(stats.candidate5xx, 1);
    assert.equal(stats.candidateErrors, 1);
    assert.equal(stats.latency.candidate.count, 1);
  });

  test('the 101 and the upstream\'s refusal carry x-request-id, as every other answer does: the client\'s, else the generated one of the line', async () => {
    const own = await upgrade('/live', 'x-request-id: ws-own\r\n');
    await until(() => own.text().includes('\r\n\r\n'), 'upgrade answer');
    const head = (text: string) => text.slice(0, text.indexOf('\r\n\r\n'));
    assert.match(head(own.text()), /^HTTP\/1\.1 101/);
    assert.match(head(own.text()), /\r\nx-request-id: ws-own(\r\n|$)/);
    own.socket.destroy();
    const before = upgradeLines('live').length;
    const generated = await upgrade('/live');
    await until(() => generated.text().includes('\r\n\r\n'), 'upgrade answer');
    await until(() => upgradeLines('live').length === before + 1, 'its line');
    assert.match(head(generated.text()), new RegExp(`\r\nx-request-id: ${String(upgradeLines('live').at(-1)!.reqId)}(\r\n|$)`));
    generated.socket.destroy();
    const refused = await upgrade('/refuse', 'x-request-id: ws-refused\r\n');
    await once(refused.socket, 'close');
    assert.match(head(refused.text()), /^HTTP\/1\.1 403/);
    assert.match(head(refused.text()), /\r\nx-request-id: ws-refused(\r\n|$)/);
  });

  test('a client that leaves before the answer: one line, aborted, status 0; counted, with no latency; the upstream request is given up', { timeout: 5000 }, async () => {
    const ws = await upgrade('/hang');
    await until(() => hanging.length === 1, 'the upstream holds the upgrade');
    const upstreamClosed = once(hanging[0], 'end');
    // a reset, as a browser tab closed mid-handshake sends: the proxy is not reading the socket yet, so a plain FIN
    // would only be seen once the upstream answered
    ws.socket.resetAndDestroy();
    await until(() => upgradeLines('hang').length === 1, 'the aborted line');
    const line = upgradeLines('hang')[0];
    assert.equal(line.status, 0);
    assert.equal(line.aborted, true);
    assert.equal(statsOf('hang').requests, 1);
    assert.equal(statsOf('hang').latency.monolith.count, 0);
    await upstreamClosed; // it was held until the route's timeout (30 s here, past this test's own)
  });
});
