// The peer: raw http-proxy-3 with the same keep-alive agent settings strangler's forward.ts uses,
// nothing else. Strangler's legacy mode is measured against this (target: at most 1.05x its CPU
// per request).
import { Agent, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createProxyServer } from 'http-proxy-3';
import { childArg, serveBenchChild } from '../lib/ipc.ts';

const upstream = childArg('upstream');
const agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256, scheduling: 'lifo' });
const proxy = createProxyServer({ target: upstream, agent, xfwd: true });
proxy.on('error', (_err, _req, res) => {
  if ('writeHead' in res && !res.headersSent) res.writeHead(502);
  res.end();
});
const server = createServer((req, res) => proxy.web(req, res));
server.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
serveBenchChild({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }, async () => {
  server.closeAllConnections();
  server.close();
  agent.destroy();
});
