// The floor for a Node proxy: a minimal forwarder on undici's Pool.stream, writing the upstream
// body straight into the client response. No routing, no logging, no metrics.
import { createServer, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { childArg, serveBenchChild } from '../lib/ipc.ts';

const hopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host']);

function forwardable(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined && !hopByHop.has(name)) out[name] = value;
  }
  return out;
}

const pool = new Pool(childArg('upstream'), { connections: 256, pipelining: 1, keepAliveTimeout: 60_000 });
const server = createServer((req, res) => {
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  pool.stream(
    { path: req.url ?? '/', method: req.method as 'GET', headers: forwardable(req.headers), body: hasBody ? req : null, opaque: res },
    ({ statusCode, headers }) => {
      res.writeHead(statusCode, forwardable(headers as IncomingHttpHeaders) as OutgoingHttpHeaders);
      return res;
    },
    (err) => {
      if (!err) return;
      if (!res.headersSent) res.writeHead(502);
      res.end();
    },
  );
});
server.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
serveBenchChild({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }, async () => {
  server.closeAllConnections();
  server.close();
  await pool.close();
});
