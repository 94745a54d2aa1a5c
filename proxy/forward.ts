// Forwarding through http-proxy-3: one keep-alive agent per upstream, precomputed per-upstream options (no
// per-request option objects built here), hop-by-hop header handling, error classification, and the
// migrated-mode fallback that retries a safe request on the monolith when the candidate fails.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { ProxyServer, type ServerOptions } from 'http-proxy-3';
import { hasRequestBody } from './request-body.ts';
import { OUTGOING_PASSES } from 'http-proxy-3/dist/lib/http-proxy/passes/web-outgoing.js';

export type FailureKind = 'timeout' | 'refused' | 'reset' | 'error';

export interface Upstream {
  /** "legacy" or the service name, as logged */
  readonly name: string;
  readonly url: URL;
  readonly agent: http.Agent;
  readonly timeoutMs: number;
  /** this upstream's own http-proxy-3 instance, options fixed at creation */
  readonly proxy: ProxyServer;
  /** created on first use: holds the response until its status is known (fallback) */
  held: ProxyServer | undefined;
  /** created on first use: a retry of a request already forwarded once (no second x-forwarded-*) */
  retry: ProxyServer | undefined;
}

/** What the forwarder needs to know about a request; the server keeps it on the request object. */
export interface ForwardState {
  id: string;
  start: number;
  upstream: Upstream;
  /** set when the candidate serves with fallback: where to retry a failed safe request */
  fallbackTo: Upstream | undefined;
  fellBack: boolean;
  failure: FailureKind | undefined;
  /** performance.now() by which the upstream's response headers must have arrived */
  deadline: number;
  timedOut: boolean;
  /** the id was generated here: add x-request-id to the upstream request */
  addId: boolean;
  proxyReq: http.ClientRequest | undefined;
}

export const kState = Symbol('strangler.forward');
type WithState = IncomingMessage & { [kState]?: ForwardState };

const HOP_BY_HOP = ['keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade'] as const;
// typed loosely on purpose: these are http-proxy-3's own passes, called with exactly what it would pass them
type OutgoingPass = (req: IncomingMessage, res: ServerResponse, proxyRes: IncomingMessage, options: ServerOptions) => void;
const outgoingPasses = Object.values(OUTGOING_PASSES) as unknown as OutgoingPass[];

export interface ForwarderHooks {
  /** the request could not be served (after any fallback); the forwarder already answered 502/504 when it could */
  onFailure(req: IncomingMessage, state: ForwardState, err: Error): void;
  /** a candidate failure was retried on the monolith */
  onFallback(req: IncomingMessage, state: ForwardState): void;
  /** upstream response headers arrived (shadow capture hooks in here) */
  onResponse(req: IncomingMessage, res: ServerResponse, proxyRes: IncomingMessage): void;
}

/**
 * Upstream timeouts are enforced by one sweep over the requests still waiting for response headers, not by a
 * timer per request: http-proxy-3's proxyTimeout re-arms a socket timer on every read and write, which the
 * bench priced at about a fifth of the whole legacy-mode CPU cost per request.
 */
const SWEEP_MS = 25;

export class Forwarder {
  private readonly waiting = new Set<ForwardState>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly agents = new Map<string, http.Agent>();
  private readonly upstreams = new Map<string, Upstream>();
  private readonly onProxyReq = (proxyReq: http.ClientRequest, req: IncomingMessage): void => {
    const state = (req as WithState)[kState];
    if (!state) return;
    state.proxyReq = proxyReq;
    if (state.timedOut) proxyReq.destroy();
    // http-proxy-3 emits this on the socket, before the headers go out — unless the body was already written
    // (a request stream put in flowing mode early); web() gives such requests their id up front
    else if (state.addId && !proxyReq.headersSent) proxyReq.setHeader('x-request-id', state.id);
  };

  constructor(private readonly hooks: ForwarderHooks) {
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  /**
   * The upstream for a URL and timeout, created once and reused by every table built afterwards. Each gets
   * its own http-proxy-3 instance with the target in its server options: passing options on every web()
   * call instead measured about 20% more CPU per request (http-proxy-3 merges them per request).
   */
  upstream(name: string, url: string, timeoutMs: number): Upstream {
    const key = `${name} ${url} ${timeoutMs}`;
    let u = this.upstreams.get(key);
    if (u) return u;
    const target = new URL(url);
    const agent = this.agentFor(target);
    u = { name, url: target, agent, timeoutMs, proxy: this.streamingProxy(target, agent, true), held: undefined, retry: undefined };
    this.upstreams.set(key, u);
    return u;
  }

  /** One keep-alive pool per origin, shared by every upstream (route timeout) on it. */
  private agentFor(target: URL): http.Agent {
    let agent = this.agents.get(target.origin);
    if (!agent) {
      const Agent = target.protocol === 'https:' ? https.Agent : http.Agent;
      agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256, scheduling: 'lifo' });
      this.agents.set(target.origin, agent);
    }
    return agent;
  }

  private streamingProxy(target: URL, agent: http.Agent, xfwd: boolean): ProxyServer {
    const proxy = new ProxyServer({ target, agent, xfwd });
    proxy.on('error', (err, req, res) => this.failed(err, req as WithState, res));
    proxy.on('proxyRes', (proxyRes, req, res) => {
      const state = (req as WithState)[kState];
      if (state) this.waiting.delete(state);
      cutClientIfUpstreamDies(proxyRes, res);
      this.hooks.onResponse(req, res, proxyRes);
    });
    proxy.on('proxyReq', this.onProxyReq);
    // the client went away while the upstream was still answering: http-proxy-3 destroys the upstream request
    proxy.on('econnreset', () => {});
    return proxy;
  }

  private heldProxy(u: Upstream): ProxyServer {
    if (u.held) return u.held;
    const proxy = new ProxyServer({ target: u.url, agent: u.agent, xfwd: true, selfHandleResponse: true });
    proxy.on('error', (err, req, res) => this.heldFailed(err, req as WithState, res));
    proxy.on('proxyRes', (proxyRes, req, res) => this.heldResponse(proxyRes, req as WithState, res));
    proxy.on('proxyReq', this.onProxyReq);
    proxy.on('econnreset', () => {});
    return (u.held = proxy);
  }

  web(req: IncomingMessage, res: ServerResponse, state: ForwardState): void {
    (req as WithState)[kState] = state;
    stripHopByHop(req);
    state.deadline = state.start + state.upstream.timeoutMs;
    if (state.addId && hasRequestBody(req.headers)) {
      // a body may reach the upstream request before its socket does, and then the headers are gone by the time
      // onProxyReq runs: requests with a body carry the generated id in their own headers (the cheap path is for the rest)
      req.headers['x-request-id'] = state.id;
      state.addId = false;
    }
    this.waiting.add(state);
    if (state.fallbackTo) this.heldProxy(state.upstream).web(req, res);
    else state.upstream.proxy.web(req, res);
  }

  ws(req: IncomingMessage, socket: Duplex, head: Buffer, upstream: Upstream): void {
    upstream.proxy.ws(req, socket, head);
  }

  /** The client's exchange is over (answered or gone): stop watching its deadline. */
  done(state: ForwardState): void {
    this.waiting.delete(state);
  }

  close(): void {
    clearInterval(this.sweeper);
    this.waiting.clear();
    for (const a of this.agents.values()) a.destroy();
  }

  private sweep(): void {
    if (this.waiting.size === 0) return;
    const now = performance.now();
    for (const state of this.waiting) {
      if (now < state.deadline) continue;
      this.waiting.delete(state);
      state.timedOut = true;
      // surfaces as the request's error event, classified as a timeout; before a socket is assigned, onProxyReq does it
      state.proxyReq?.destroy();
    }
  }

  private failed(err: Error, req: WithState, res: ServerResponse | Duplex): void {
    const state = req[kState];
    if (!state) {
      res.destroy();
      return;
    }
    this.waiting.delete(state);
    state.failure = classifyFailure(err, state);
    if (res instanceof http.ServerResponse) answerError(res, state);
    else res.destroy(); // a websocket upgrade that failed: nothing to answer on a raw socket
    this.hooks.onFailure(req, state, err);
  }

  private heldFailed(err: Error, req: WithState, res: ServerResponse | Duplex): void {
    const state = req[kState];
    if (state && res instanceof http.ServerResponse && this.canRetry(req, res, state)) {
      state.failure = classifyFailure(err, state);
      this.retry(req, res, state);
      return;
    }
    this.failed(err, req, res);
  }

  private heldResponse(proxyRes: IncomingMessage, req: WithState, res: ServerResponse): void {
    const state = req[kState];
    if (state) this.waiting.delete(state);
    if (state && (proxyRes.statusCode ?? 0) >= 500 && this.canRetry(req, res, state)) {
      proxyRes.resume(); // drain so the connection returns to the pool
      this.retry(req, res, state);
      return;
    }
    // what http-proxy-3 does itself when it streams: announce, copy status and headers, then pipe
    cutClientIfUpstreamDies(proxyRes, res);
    this.hooks.onResponse(req, res, proxyRes);
    for (const pass of outgoingPasses) pass(req, res, proxyRes, { target: state?.upstream.url });
    proxyRes.pipe(res);
  }

  private canRetry(req: IncomingMessage, res: ServerResponse, state: ForwardState): boolean {
    return state.fallbackTo !== undefined && !state.fellBack && !res.headersSent && !res.destroyed && !req.socket.destroyed;
  }

  private retry(req: WithState, res: ServerResponse, state: ForwardState): void {
    const to = state.fallbackTo!;
    state.fellBack = true;
    state.upstream = to;
    state.timedOut = false;
    state.proxyReq = undefined;
    state.deadline = performance.now() + to.timeoutMs;
    this.waiting.add(state);
    this.hooks.onFallback(req, state);
    to.retry ??= this.streamingProxy(to.url, to.agent, false);
    to.retry.web(req, res);
  }
}

const kClient = Symbol('strangler.client');
type UpstreamResponse = IncomingMessage & { [kClient]?: ServerResponse };

/**
 * pipe() does not pass on an upstream that dies mid-body (reset, timeout after the headers): without this the
 * client would wait forever for the rest of a response whose headers promised more. Cutting it is the contract.
 */
function cutClientIfUpstreamDies(proxyRes: IncomingMessage, res: ServerResponse): void {
  (proxyRes as UpstreamResponse)[kClient] = res;
  proxyRes.on('close', onUpstreamClose); // `on`, not `once`: no wrapper closure per request; it fires once anyway
}

function onUpstreamClose(this: UpstreamResponse): void {
  if (!this.complete) this[kClient]?.destroy();
}

function stripHopByHop(req: IncomingMessage): void {
  const h = req.headers;
  const connection = h.connection;
  if (connection !== undefined && connection !== 'close' && connection !== 'keep-alive') {
    // headers named in Connection are hop-by-hop too. Connection itself stays: http-proxy-3 mirrors it into
    // the response, which is how a client's "close" is honoured.
    for (const name of connection.split(',')) {
      const n = name.trim().toLowerCase();
      if (n !== 'close' && n !== 'keep-alive' && n !== 'connection') delete h[n];
    }
  }
  for (const name of HOP_BY_HOP) if (h[name] !== undefined) delete h[name];
}

export function classifyFailure(err: Error, state?: { timedOut: boolean }): FailureKind {
  if (state?.timedOut) return 'timeout';
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH') return 'refused';
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return 'timeout';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET') return 'reset';
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'timeout';
  return 'error';
}

function answerError(res: ServerResponse, state: ForwardState): void {
  if (res.headersSent) {
    res.destroy(); // the body was already streaming: cut it so the client sees a broken response, not a short one
    return;
  }
  if (res.destroyed) return;
  const status = state.failure === 'timeout' ? 504 : 502;
  const message = state.failure === 'timeout' ? 'upstream timed out' : 'upstream unavailable';
  const body = JSON.stringify({ error: message, upstream: state.upstream.name, reason: state.failure, requestId: state.id });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-request-id': state.id });
  res.end(body);
}
