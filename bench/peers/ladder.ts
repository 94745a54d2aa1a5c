// Diagnostic: raw http-proxy-3 plus strangler's per-request features added one at a time
// (`--features timeout,reqid,close,log`), to price each step of the legacy-mode hot path.
// Run as `npm run bench -- --only ladder-0,ladder-1,... --skip-slow --skip-memory`.
import { randomUUID } from 'node:crypto';
import { Agent, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createProxyServer } from 'http-proxy-3';
import { pino } from 'pino';
import { createLogger } from '../../common/log.ts';
import { childArg, serveBenchChild } from '../lib/ipc.ts';

const features = new Set(childArg('features', '').split(',').filter(Boolean));
const upstream = childArg('upstream');
// alog: the same log line through an async, batching destination (one write per ~4 KB, not per request)
const log = features.has('alog')
  ? pino({ name: 'ladder', level: process.env.LOG_LEVEL ?? 'info' }, pino.destination({ dest: 1, sync: false, minLength: 4096 }))
  : createLogger('ladder');
const agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256, scheduling: 'lifo' });
const options = features.has('timeout') ? { target: new URL(upstream), agent, proxyTimeout: 30_000 } : { target: new URL(upstream), agent };
// serveropts: options given once to createProxyServer (as the raw peer does) instead of on every web() call;
// stringtarget: the per-call target as a string (http-proxy-3 parses it on every request)
const serverOpts = features.has('serveropts');
const perCall = features.has('stringtarget') ? { ...options, target: upstream } : options;
const proxy = createProxyServer(serverOpts ? { ...options, xfwd: true } : { xfwd: true });
proxy.on('error', (_err, _req, res) => {
  if ('writeHead' in res && !res.headersSent) res.writeHead(502);
  res.end();
});
if (features.has('proxyres')) proxy.on('proxyRes', () => undefined);

const kStart = Symbol('start');
type Res = ServerResponse & { [kStart]?: number; id?: string };

function onClose(this: Res): void {
  const ms = performance.now() - (this[kStart] ?? 0);
  if (features.has('log') || features.has('alog')) log.info({ route: 'catalog.getBook', mode: 'legacy', upstream: 'legacy', status: this.statusCode, ms: Math.round(ms * 100) / 100, reqId: this.id }, 'request');
}

function handle(req: IncomingMessage, res: Res): void {
  if (features.has('reqid')) {
    let id = req.headers['x-request-id'];
    if (typeof id !== 'string' || id === '') req.headers['x-request-id'] = id = randomUUID();
    res.setHeader('x-request-id', id);
    res.id = id;
  }
  if (features.has('close')) {
    res[kStart] = performance.now();
    res.on('close', onClose);
  }
  if (serverOpts) proxy.web(req, res);
  else proxy.web(req, res, perCall);
}

const server = createServer(handle);
server.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
serveBenchChild({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }, async () => {
  server.closeAllConnections();
  server.close();
  agent.destroy();
});
