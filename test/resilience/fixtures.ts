// Fixtures for the resilience suite: upstreams that misbehave on request, a dead address, raw-socket
// requests, and the proxy started quietly on port 0.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../common/log.ts';
import { parseConfig, type ProxyConfig, type ProxyConfigInput } from '../../proxy/config.ts';
import { startProxy, type ProxyOptions, type RunningProxy } from '../../proxy/server.ts';
import { closedPortUrl } from '../proxy/helpers.ts';

export const TOKEN = 'resilience-admin-token';
export const quiet = (name: string) => createLogger(name, { level: 'silent' });

/** How an upstream answers, chosen per request by the header `x-behave-<role>`. */
export type Behaviour = 'ok' | 'timeout' | 'reset' | 'reset-mid-body' | 'garbage' | '5xx' | 'invalid-json' | 'huge' | 'drip';
export const HUGE_BYTES = 5 * 1024 * 1024;

export interface TestUpstream {
  url: string;
  role: string;
  server: http.Server;
  /** requests received, by x-request-id */
  seen: Map<string, IncomingMessage>;
  /** sockets currently open from the proxy to this upstream */
  openSockets(): number;
  /** requests received whose response has not finished and whose connection is still open */
  inFlight(): number;
  close(): Promise<void>;
}

/** An upstream named `role` that answers JSON `{ from: role }` unless told to misbehave. */
export async function startBehavingUpstream(role: string, options: { keepAliveTimeout?: number } = {}): Promise<TestUpstream> {
  const seen = new Map<string, IncomingMessage>();
  let open = 0;
  let inFlight = 0;
  const server = http.createServer((req, res) => {
    inFlight++;
    res.once('close', () => inFlight--);
    const id = req.headers['x-request-id'];
    if (typeof id === 'string') seen.set(id, req);
    req.resume();
    req.on('end', () => behave((req.headers[`x-behave-${role}`] as Behaviour | undefined) ?? 'ok', role, req, res));
  });
  server.keepAliveTimeout = options.keepAliveTimeout ?? 30_000;
  server.on('connection', (socket) => {
    open++;
    socket.on('close', () => open--);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    role,
    server,
    seen,
    openSockets: () => open,
    inFlight: () => inFlight,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function behave(b: Behaviour, role: string, req: IncomingMessage, res: ServerResponse): void {
  switch (b) {
    case 'timeout':
      return; // never answers; the connection is cut when the test closes the server
    case 'reset':
      req.socket.destroy();
      return;
    case 'reset-mid-body':
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write(`{"from":"${role}","partial":`);
      setImmediate(() => req.socket.destroy());
      return;
    case 'drip': {
      // a body that never ends: one small chunk every 10 ms until the connection goes away
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write(`${role} `), 10);
      res.on('close', () => clearInterval(timer));
      return;
    }
    case 'garbage':
      req.socket.end('this is not HTTP at all\r\n\r\n');
      return;
    case '5xx':
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ from: role, error: 'unavailable' }));
      return;
    case 'invalid-json':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"from":"${role}", this is not json`);
      return;
    case 'huge': {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(HUGE_BYTES) });
      const chunk = Buffer.alloc(64 * 1024, role[0]);
      let left = HUGE_BYTES;
      const pump = (): void => {
        while (left > 0) {
          const n = Math.min(left, chunk.length);
          left -= n;
          if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
      return;
    }
    default:
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ from: role, path: req.url }));
  }
}

/** An address nothing listens on: connections to it are refused (see `closedPortUrl`). */
export const deadUrl = closedPortUrl;

export function config(input: Omit<ProxyConfigInput, 'version'>): ProxyConfig {
  return parseConfig({ version: 1, ...input, defaults: { noise: { learn: false }, ...input.defaults } });
}

export function startQuietProxy(cfg: ProxyConfig, options: ProxyOptions = {}): Promise<RunningProxy> {
  return startProxy(cfg, { port: 0, host: '127.0.0.1', adminPort: 0, adminToken: TOKEN, logger: quiet('proxy'), ...options });
}

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A request through node:http on a fresh connection; rejects when the response is cut. */
export function send(
  url: string,
  path: string,
  options: { method?: string; headers?: http.OutgoingHttpHeaders; body?: Buffer | string; agent?: http.Agent } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${path}`, { method: options.method ?? 'GET', headers: options.headers, agent: options.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('response aborted')));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Writes raw bytes on a new TCP connection and resolves with everything the server sent before closing. */
export function rawExchange(url: string, bytes: Buffer | string, options: { endAfterWrite?: boolean; idleMs?: number } = {}): Promise<string> {
  const { port, hostname } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.setTimeout(options.idleMs ?? 5000, () => socket.destroy());
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // the server may close while we are still writing a huge request; what it answered is what counts
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') return;
      reject(err);
    });
    socket.write(bytes, () => {
      if (options.endAfterWrite) socket.end();
    });
  });
}

/** The status code of the first response in a raw HTTP answer, 0 when there is none. */
export function statusOf(raw: string): number {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(raw);
  return m ? Number(m[1]) : 0;
}

/** A header's value in the head of a raw HTTP answer (the first one of that name, any case), undefined when absent. */
export function headerOf(raw: string, name: string): string | undefined {
  return new RegExp(`^${name}: (.*)$`, 'im').exec(raw.slice(0, raw.indexOf('\r\n\r\n')))?.[1]?.trim();
}

/** Resolves when cond() holds, checking every few ms on the event loop. */
export async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
