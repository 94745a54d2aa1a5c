// Test fixtures for the proxy: real upstream servers on port 0 that record what they receive, and a proxy
// started on port 0 in front of them.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import net, { type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { parseConfig, type ProxyConfig, type ProxyConfigInput } from '../../proxy/config.ts';
import { SERVING_V8_FLAGS } from '../../proxy/runtime.ts';
import { startProxy, type ProxyOptions, type RunningProxy } from '../../proxy/server.ts';
import type { Pair } from '../../proxy/types.ts';

export const ADMIN_TOKEN = 'test-admin-token';

export interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

export interface Upstream {
  url: string;
  seen: Seen[];
  handler: Handler;
  server: http.Server;
  close(): Promise<void>;
}

/** An upstream that answers JSON naming itself, unless handler is replaced. */
export async function startUpstream(name: string): Promise<Upstream> {
  const up: Upstream = {
    url: '',
    seen: [],
    handler: (req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ from: name, method: req.method, url: req.url }));
    },
    server: undefined as unknown as http.Server,
    close: async () => {
      await new Promise<void>((r) => {
        up.server.close(() => r());
        up.server.closeAllConnections();
      });
    },
  };
  up.server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      up.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      up.handler(req, res, body);
    });
  });
  await new Promise<void>((r) => up.server.listen(0, '127.0.0.1', () => r()));
  up.url = `http://127.0.0.1:${(up.server.address() as AddressInfo).port}`;
  return up;
}

export function testConfig(legacyUrl: string, candidateUrl: string, extra: Partial<ProxyConfigInput> = {}): ProxyConfig {
  return parseConfig({
    version: 1,
    legacy: { url: legacyUrl },
    services: { catalog: { url: candidateUrl, owner: 'team-catalog' } },
    defaults: { noise: { learn: false } },
    ...extra,
  });
}

export interface Harness {
  proxy: RunningProxy;
  pairs: Pair[];
  /** resolves when at least n pairs have arrived */
  waitPairs(n: number): Promise<Pair[]>;
}

export async function startTestProxy(config: ProxyConfig, options: ProxyOptions = {}): Promise<Harness> {
  const pairs: Pair[] = [];
  const waiters: { n: number; resolve: (p: Pair[]) => void }[] = [];
  const proxy = await startProxy(config, {
    port: 0,
    host: '127.0.0.1',
    adminPort: 0,
    adminToken: ADMIN_TOKEN,
    onPair: (p) => {
      pairs.push(p);
      for (const w of waiters.splice(0)) {
        if (pairs.length >= w.n) w.resolve(pairs);
        else waiters.push(w);
      }
    },
    ...options,
  });
  return {
    proxy,
    pairs,
    waitPairs: (n) => (pairs.length >= n ? Promise.resolve(pairs) : new Promise((resolve) => waiters.push({ n, resolve }))),
  };
}

/** A monolith and a candidate (startUpstream) with a test proxy in front of them; close() stops all three. */
export interface Stack {
  monolith: Upstream;
  candidate: Upstream;
  h: Harness;
  close(): Promise<void>;
}

/** Starts the monolith and the candidate, then the proxy with the config `config` builds from their URLs. */
export async function startStack(config: (monolithUrl: string, candidateUrl: string) => ProxyConfig, options: ProxyOptions = {}): Promise<Stack> {
  const monolith = await startUpstream('monolith');
  const candidate = await startUpstream('candidate');
  const h = await startTestProxy(config(monolith.url, candidate.url), options);
  return {
    monolith,
    candidate,
    h,
    close: async () => {
      await h.proxy.close();
      await monolith.close();
      await candidate.close();
    },
  };
}

/** A raw request through node:http (no body parsing), returning status, headers and the exact body bytes. */
export function request(
  url: string,
  options: { method?: string; path?: string; headers?: http.OutgoingHttpHeaders; body?: Buffer | string; agent?: http.Agent } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  // node sends no length for a DELETE body unless told; every server would answer 400
  const headers = options.body !== undefined ? { 'content-length': Buffer.byteLength(options.body), ...options.headers } : options.headers;
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}${options.path ?? '/'}`,
      { method: options.method ?? 'GET', headers, agent: options.agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export const json = (b: Buffer): Record<string, unknown> => JSON.parse(b.toString('utf8')) as Record<string, unknown>;

/** Resolves when cond() is true, polling on the event loop (for counters updated after a response ends). */
export async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function connections(server: http.Server): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
}

/**
 * A URL whose connections are refused, and stay refused while the test runs. Not a port just freed: the next
 * `listen(0)` anywhere on the machine may be handed it (CI once saw a test proxy get the port its "gone" service had
 * been given, and forward to itself until its headers were too large). A port below the range the kernel hands out for
 * port 0 is one no test server can get; it is checked to refuse now, in case something on the machine listens there.
 */
export async function closedPortUrl(): Promise<string> {
  return `http://127.0.0.1:${await refusingPort(10000, 20000)}`;
}

/**
 * A port nothing listens on, for a test that must know its server's port before it listens (a config naming the
 * proxy's own address). Taken from above closedPortUrl's ports, so a server started on it is never the "refused"
 * address of a test running beside it.
 */
export function portToListenOn(): Promise<number> {
  return refusingPort(20000, Math.min(ephemeralLow(), 32768));
}

async function refusingPort(from: number, below: number): Promise<number> {
  for (let attempt = 0; attempt < 64; attempt++) {
    const port = from + Math.floor(Math.random() * (below - from));
    if (await refuses(port)) return port;
  }
  throw new Error(`no refusing port found between ${from} and ${below}`);
}

function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return low > 21000 ? low : 32768; // a range starting lower leaves no room for both helpers: the default then
  } catch {
    return 32768; // Linux's default; macOS and Windows start at 49152
  }
}

/** Whether connecting to 127.0.0.1:port is refused now (nothing listens there). */
export function refuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

/** `strangler proxy` in a child process, until it announced its URLs. */
export interface ProxyCli {
  child: ChildProcess;
  proxyUrl: string;
  adminUrl: string;
  /** the CLI's stdout so far: the announce line, then its log lines */
  readonly out: string;
  /** SIGTERM unless it already exited; resolves with its exit code */
  stop(): Promise<number | null>;
}

/**
 * Writes config to dir/strangler.config.json and starts `strangler proxy --config <it> ...args` as the bin's shebang
 * starts it (the serving V8 flags on node's command line: V8 reads them at start-up only; --workers children inherit
 * them), with NODE_ENV=test, LOG_LEVEL=info and env.
 */
export async function startProxyCli(dir: string, config: object, options: { args?: string[]; env?: Record<string, string> } = {}): Promise<ProxyCli> {
  const configPath = join(dir, 'strangler.config.json');
  writeFileSync(configPath, JSON.stringify(config));
  const child = spawn(process.execPath, [...SERVING_V8_FLAGS, '--import', 'tsx', 'bin/strangler.ts', 'proxy', '--config', configPath, ...(options.args ?? [])], {
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', ...options.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  // one process: "strangler proxy on <url> (admin <url>), ..."; --workers: "... on <url> ..., admin <url>"
  const announce = /strangler proxy on ([^\s,]+).*?admin ([^\s,)]+)/;
  await until(() => announce.test(out), 'proxy announced', 30_000);
  const [, proxyUrl, adminUrl] = announce.exec(out)!;
  return {
    child,
    proxyUrl,
    adminUrl,
    get out() {
      return out;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      return child.exitCode;
    },
  };
}

/** A pino logger whose lines the test can read, parsed. */
export function captureLogger(level = 'info'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { logger: pino({ level }, stream), lines };
}
