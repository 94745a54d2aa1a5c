// Forwarding on http-proxy-3's passes: one keep-alive agent per upstream, precomputed per-upstream options,
// hop-by-hop header handling, error classification, and the migrated-mode fallback that retries a safe request
// on the monolith when the candidate fails.
//
// The request pipeline is http-proxy-3's own — deleteLength and XHeaders on the way in, setupOutgoing for the
// upstream request, OUTGOING_PASSES for the answer's status and headers — but its `stream` step is done here:
// ProxyServer.web() spreads its options into a new object, creates half a dozen closures and a second `close`
// listener per request, and pipes even a request without a body; strangler needs one `close` listener per
// response anyway (latency, access log), so that one listener also stops the upstream request of a client that
// went away. WebSocket upgrades go through ProxyServer.ws(), their hop-by-hop headers removed and a request's
// x-forwarded-* headers added first.
import { randomUUID } from 'node:crypto';
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ProxyServer, type ServerOptions } from 'http-proxy-3';
import { urlJoin } from 'http-proxy-3/dist/lib/http-proxy/common.js';
import { targetPath } from './target.ts';
import { deleteLength, XHeaders } from 'http-proxy-3/dist/lib/http-proxy/passes/web-incoming.js';
import { OUTGOING_PASSES } from 'http-proxy-3/dist/lib/http-proxy/passes/web-outgoing.js';
import { hasRequestBody } from './request-body.ts';
import { socketAnswer, type Handshake } from './upgrade.ts';

export type FailureKind = 'timeout' | 'refused' | 'reset' | 'error';

export interface Upstream {
  /** "legacy" or the service name, as logged */
  readonly name: string;
  readonly url: URL;
  readonly agent: http.Agent;
  readonly timeoutMs: number;
  /** http-proxy-3's options for this upstream, fixed at creation: target, agent, x-forwarded-* on (XHeaders runs once per
   * client request, so a retry on the monolith carries the headers once; the outgoing passes read none of these) */
  readonly options: ServerOptions;
  /** what every upstream request to it shares (see outgoingRequest) */
  readonly request: UpstreamRequestBase;
  /** created on first use: WebSocket upgrades */
  ws: ProxyServer | undefined;
}

/** What the forwarder needs to know about a request, one object per request (the server's request state). */
export interface ForwardState {
  id: string;
  start: number;
  upstream: Upstream;
  /** set when the candidate serves with fallback: where to retry a failed safe request */
  fallbackTo: Upstream | undefined;
  fellBack: boolean;
  /** sent again once on another connection: the kept-alive one it went out on was closed under it (see errorHandler) */
  resent: boolean;
  failure: FailureKind | undefined;
  /** performance.now() by which the upstream's response headers must have arrived */
  deadline: number;
  timedOut: boolean;
  /** the id was generated here: add x-request-id to the upstream request */
  addId: boolean;
  /** the client sent `TE: trailers`: say it upstream (see stripHopByHop) */
  teTrailers: boolean;
  proxyReq: http.ClientRequest | undefined;
  /** links of the forwarder's list of requests waiting for response headers (see WaitingList) */
  waiting: boolean;
  prevWaiting: ForwardState | undefined;
  nextWaiting: ForwardState | undefined;
}

/**
 * What sees the body of an upstream response as it streams to the client (the shadow capture of the monolith's
 * answer). Called from the forwarder's own listeners: the response stream gets the same listeners, in the same
 * order, whether or not its body is captured (see stream()).
 */
export interface BodyTap {
  chunk(chunk: Buffer): void;
  /** the body arrived whole */
  complete(proxyRes: IncomingMessage): void;
  /** the body was cut short (upstream reset or timed out mid-body, client gone) */
  cut(): void;
}

// TE too, but for its `trailers` member (stripHopByHop)
const HOP_BY_HOP = ['keep-alive', 'proxy-connection', 'trailer', 'upgrade'] as const;
const SHADOW_MARK = 'x-strangler-shadow';
// an upgrade's: Upgrade stays (the handshake), TE goes whole; the mark of a shadow copy is the proxy's own there too
// and the framing of a body the upgrade request does not carry (see stripUpgradeHopByHop)
const UPGRADE_HOP_BY_HOP = ['keep-alive', 'proxy-connection', 'trailer', 'te', SHADOW_MARK, 'content-length', 'transfer-encoding'] as const;
const RESPONSE_HOP_BY_HOP = ['keep-alive', 'proxy-connection', 'proxy-authenticate', 'upgrade'] as const;
/**
 * What a client's Connection may name but the request needs end to end, so not removed on that account (RFC 9110
 * §7.6.1 lets a proxy remove the fields Connection names; it does not oblige it to forward a different request).
 * Host: required in HTTP/1.1 (RFC 9112 §3.2); removed, the upstream got the proxy's own (node's client writes the
 * target's) and x-forwarded-host went empty. Content-Length and Transfer-Encoding: node's parser framed the body by
 * them, and the upstream request is framed from them (hasRequestBody; ClientRequest writes the length, or chunks);
 * removed, the body that was read was not sent (nor copied), and the client's connection lost the requests pipelined
 * behind it. Kept, the upstream request is framed exactly as it would be without the Connection option. TE: read by
 * takeTe. x-request-id: the answer and the log line already carry the client's, so the upstream gets it too.
 */
const NAMED_BUT_KEPT = new Set(['host', 'content-length', 'transfer-encoding', 'te', 'x-request-id']);
// typed loosely on purpose: these are http-proxy-3's own passes, called with exactly what it would pass them
type OutgoingPass = (req: IncomingMessage, res: ServerResponse, proxyRes: IncomingMessage, options: ServerOptions) => void;
const outgoingPasses = Object.values(OUTGOING_PASSES) as unknown as OutgoingPass[];
type IncomingPass = (req: IncomingMessage, res: ServerResponse, options: ServerOptions) => void;
const xHeaders = XHeaders as IncomingPass;

export interface ForwarderHooks {
  /** the request could not be served (after any fallback); the forwarder already answered 502/504 when it could */
  onFailure(req: IncomingMessage, state: ForwardState, err: Error): void;
  /** a candidate failure was retried on the monolith */
  onFallback(req: IncomingMessage, state: ForwardState): void;
  /** upstream response headers arrived: a shadow exchange returns the tap its capture reads the body through */
  onResponse(state: ForwardState, proxyRes: IncomingMessage): BodyTap | undefined;
  /** the client's exchange is over: answered in full (finished) or cut short (the client went away, or we cut it) */
  onDone(state: ForwardState, res: ServerResponse, finished: boolean): void;
}

/**
 * Upstream timeouts are enforced by one sweep over the requests still waiting for response headers, not by a
 * timer per request: http-proxy-3's proxyTimeout re-arms a socket timer on every read and write, which the
 * bench priced at about a fifth of the whole legacy-mode CPU cost per request.
 */
const SWEEP_MS = 25;

export class Forwarder {
  private readonly waiting = new WaitingList();
  private readonly sweeper: NodeJS.Timeout;
  private readonly agents = new Map<string, http.Agent>();
  private readonly upstreams = new Map<string, Upstream>();

  constructor(private readonly hooks: ForwarderHooks) {
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  /** The upstream for a URL and timeout, created once and reused by every table built afterwards. */
  upstream(name: string, url: string, timeoutMs: number, hostHeader: 'client' | 'upstream' = 'client'): Upstream {
    const key = `${name} ${url} ${timeoutMs} ${hostHeader}`;
    let u = this.upstreams.get(key);
    if (u) return u;
    const target = new URL(url);
    const agent = this.agentFor(target);
    const ownHost = hostHeader === 'upstream';
    u = { name, url: target, agent, timeoutMs, options: { target, agent, xfwd: true, changeOrigin: ownHost }, request: requestBase(target, agent, ownHost), ws: undefined };
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

  /** Forwards a client request to state.upstream; answers 502/504 itself when that fails. */
  web(req: IncomingMessage, res: ServerResponse, state: ForwardState): void {
    if (stripHopByHop(req)) state.teTrailers = true;
    deleteLength(req);
    xHeaders(req, res, state.upstream.options);
    // one listener per response, for the whole exchange: a client gone before the end stops the upstream request
    res.on('close', () => {
      this.waiting.delete(state);
      const finished = res.writableFinished;
      if (!finished) state.proxyReq?.destroy();
      this.hooks.onDone(state, res, finished);
    });
    this.send(req, res, state, state.start + state.upstream.timeoutMs);
  }

  /** Carries a WebSocket upgrade to upstream; `handshake` is told how it ended (see Handshake). */
  ws(req: IncomingMessage, socket: Duplex, head: Buffer, upstream: Upstream, handshake: Handshake): void {
    if (!upstream.ws) {
      // changeOrigin: an upstream with hostHeader "upstream" gets its own host with an upgrade as with a request.
      // xfwd off: the x-forwarded-* headers are a request's, added below (http-proxy-3's upgrade ones say `ws`/`wss`)
      upstream.ws = new ProxyServer({ target: upstream.url, agent: upstream.agent, xfwd: false, changeOrigin: upstream.options.changeOrigin });
      const name = upstream.name;
      const timeoutMs = upstream.timeoutMs;
      // the client's socket failing (the upstream's failures go to the callback given with each upgrade, below)
      upstream.ws.on('error', (err, _req, s) => upgradeFailed(err, s as Socket, name, randomUUID()));
      // the handshake gets the route's timeout as any request's answer does: an upstream that takes the connection and
      // never answers the upgrade held the client's socket for good. Once upgraded, http-proxy-3 clears the socket's
      // timer (setupSocket): an idle WebSocket is not cut.
      upstream.ws.on('proxyReqWs', (proxyReq: http.ClientRequest, _req, _socket, options) => {
        const shake = (options as UpgradeOptions).handshake;
        shake.proxyReq = proxyReq;
        proxyReq.setTimeout(timeoutMs, () => proxyReq.destroy(Object.assign(new Error(`no answer to the upgrade within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
        // the timeout is for the answer's head, as for any request: an upstream refusing the upgrade with a plain
        // answer may take its time over the body
        proxyReq.once('response', (proxyRes: IncomingMessage) => {
          proxyReq.setTimeout(0);
          withRequestId(proxyRes, shake.requestId);
          shake.end(proxyRes.statusCode ?? 0, 'answered');
        });
        // these listeners are added before http-proxy-3's own (it emits proxyReqWs first), so they run before it writes
        // the answer's head from proxyRes.headers: the 101, or the upstream's refusal
        proxyReq.once('upgrade', (proxyRes: IncomingMessage) => {
          withRequestId(proxyRes, shake.requestId);
          shake.end(proxyRes.statusCode ?? 101, 'answered');
        });
      });
    }
    stripUpgradeHopByHop(req);
    // the x-forwarded-* headers of a request, by the same pass (for, port, proto appended to a client's own; host kept
    // when the client sent one): x-forwarded-proto is the scheme the client used, `http` or `https`, which is what
    // backends read it as (express's req.protocol, nginx's $scheme, RFC 7239's proto). http-proxy-3's upgrade pass says
    // `ws`/`wss` there, and adds no x-forwarded-host. (XHeaders reads only req and options.)
    xHeaders(req, undefined as unknown as ServerResponse, upstream.options);
    const name = upstream.name;
    const options: UpgradeOptions = { handshake };
    upstream.ws.ws(req, socket, head, options, (err, _req, s) => {
      const status = upgradeFailed(err, s as Socket, name, handshake.requestId);
      handshake.end(status, status === 0 ? 'aborted' : 'failed');
    });
  }

  close(): void {
    clearInterval(this.sweeper);
    this.waiting.clear();
    for (const a of this.agents.values()) a.destroy();
  }

  /** One attempt: the upstream request, its error and response handling. */
  private send(req: IncomingMessage, res: ServerResponse, state: ForwardState, deadline: number): void {
    state.deadline = deadline;
    state.timedOut = false;
    let proxyReq: http.ClientRequest;
    try {
      // a generated id goes into the upstream request's own header table, req.headers stays as is; with Expect,
      // ClientRequest writes its headers in its constructor, so there the id is among the headers it is given
      const early = state.addId && req.headers.expect !== undefined;
      const base = state.upstream.request;
      proxyReq = (base.https ? https : http).request(outgoingRequest(base, req, early ? state.id : undefined, req.headers.expect !== undefined, state.teTrailers));
      if (state.addId && !early) proxyReq.setHeader('x-request-id', state.id);
      if (base.host !== undefined && req.headers.expect === undefined) proxyReq.setHeader('host', base.host);
    } catch (err) {
      state.proxyReq = undefined;
      this.failed(err as Error, req, res, state);
      return;
    }
    state.proxyReq = proxyReq;
    // a request waiting for a fallback decision keeps its answer until the status is known
    const held = state.fallbackTo !== undefined && !state.fellBack;
    const onError = this.errorHandler(req, res, state, proxyReq, held);
    req.on('error', onError);
    proxyReq.on('error', onError);
    proxyReq.on('response', (proxyRes) => {
      this.waiting.delete(state);
      if (held && (proxyRes.statusCode ?? 0) >= 500 && this.canRetry(req, res, state)) {
        proxyRes.resume(); // drain so the connection returns to the pool
        this.retry(req, res, state);
        return;
      }
      this.respond(req, res, state, proxyRes);
    });
    // 1xx answers ahead of the final one (103 Early Hints, 102 Processing) go on to the client as they come, but not a
    // candidate's while a fallback is still possible: until its final status it may fail and the monolith answer, and
    // the client would have hints (preloads, a Link to follow) from a service whose answer it never got. After a
    // fallback the attempt is no longer held, and the monolith's go on.
    if (!held) proxyReq.on('information', (info) => passInformational(req, res, info));
    this.waiting.add(state);
    if (hasRequestBody(req.headers)) req.pipe(proxyReq);
    else proxyReq.end(); // no body: nothing to pipe (http-proxy-3 pipes anyway)
  }

  /**
   * The error listener of one attempt, on both the client's request and the upstream request. Returned from here
   * rather than declared in send(): tsx (esbuild keepNames) wraps a named closure in a defineProperty call each time
   * it is created.
   */
  private errorHandler(req: IncomingMessage, res: ServerResponse, state: ForwardState, proxyReq: http.ClientRequest, held: boolean) {
    return (err: NodeJS.ErrnoException): void => {
      if (state.proxyReq !== proxyReq) return; // an attempt already given up (retried on the monolith)
      if (req.socket.destroyed && err.code === 'ECONNRESET') {
        // the client went away while the upstream was still answering: nothing to answer, stop the upstream request
        this.waiting.delete(state);
        proxyReq.destroy();
        return;
      }
      if (proxyReq.reusedSocket && state.waiting && !state.resent && !state.timedOut && resendable(req, err)) {
        // the upstream closed a kept-alive connection as this request went out on it (its idle timeout ran out at
        // that moment): nothing reached it, and an idempotent request without a body goes again, once, on another
        // connection, rather than a 502 for a race the client cannot see (node's docs on request.reusedSocket)
        state.resent = true;
        this.waiting.delete(state);
        this.send(req, res, state, state.deadline);
        return;
      }
      if (held) this.heldFailed(err, req, res, state);
      else this.failed(err, req, res, state);
    };
  }

  /** Upstream status and headers arrived and are the client's answer: copy them, then stream the body. */
  private respond(req: IncomingMessage, res: ServerResponse, state: ForwardState, proxyRes: IncomingMessage): void {
    const tap = this.hooks.onResponse(state, proxyRes);
    if (res.writableEnded || res.destroyed) {
      tap?.cut();
      proxyRes.resume();
      return;
    }
    if (!res.headersSent) {
      stripResponseHopByHop(proxyRes.headers);
      if (proxyRes.headers.trailer !== undefined && !chunkedToClient(req, proxyRes)) proxyRes.headers.trailer = undefined;
      for (const pass of outgoingPasses) pass(req, res, proxyRes, state.upstream.options);
    }
    stream(proxyRes, res, tap);
  }

  private sweep(): void {
    const now = performance.now();
    for (let state = this.waiting.first(); state; ) {
      const next = state.nextWaiting;
      if (now >= state.deadline) {
        this.waiting.delete(state);
        state.timedOut = true;
        // surfaces as the upstream request's error event, classified as a timeout
        state.proxyReq?.destroy();
      }
      state = next;
    }
  }

  private failed(err: Error, req: IncomingMessage, res: ServerResponse, state: ForwardState): void {
    this.waiting.delete(state);
    state.failure = classifyFailure(err, state);
    answerError(res, state);
    this.hooks.onFailure(req, state, err);
  }

  private heldFailed(err: Error, req: IncomingMessage, res: ServerResponse, state: ForwardState): void {
    if (this.canRetry(req, res, state)) {
      state.failure = classifyFailure(err, state);
      this.retry(req, res, state);
      return;
    }
    this.failed(err, req, res, state);
  }

  private canRetry(req: IncomingMessage, res: ServerResponse, state: ForwardState): boolean {
    return state.fallbackTo !== undefined && !state.fellBack && !res.headersSent && !res.destroyed && !req.socket.destroyed;
  }

  private retry(req: IncomingMessage, res: ServerResponse, state: ForwardState): void {
    const to = state.fallbackTo!;
    state.fellBack = true;
    state.upstream = to;
    this.hooks.onFallback(req, state);
    // send() replaces state.proxyReq: late events of the failed attempt are ignored from here on
    this.send(req, res, state, performance.now() + to.timeoutMs);
  }
}

/**
 * The upstream's body to the client, with backpressure, and to the tap when there is one. Not proxyRes.pipe(res):
 * pipe() adds six listeners across the two streams and about ten closures per response (legacy mode cost ~9% less
 * CPU per request without it), and a shadow capture's own listeners on top of them gave a captured response's
 * stream other listener tables than an uncaptured one's: with a small share of requests captured (a slow candidate
 * fills the copy cap, ~1.5% copied) node's stream and event code served both kinds, and the capture alone cost every
 * request ~2.6 µs; with these same three listeners on every response, ~1.4 (docs/benchmarks.md).
 *
 * pipe() does not pass on an upstream that dies mid-body (reset, timeout after the headers) either: without the
 * close listener the client would wait forever for the rest of a response whose headers promised more. Cutting it
 * is the contract.
 */
function stream(proxyRes: IncomingMessage, res: ServerResponse, tap: BodyTap | undefined): void {
  proxyRes.on('data', (chunk: Buffer) => {
    if (tap !== undefined) tap.chunk(chunk);
    // answered already (a 502 for an upstream error that came between the headers and the body): a write after
    // end would be an 'error' event on the response, with no listener to take it
    if (res.writableEnded) return;
    if (!res.write(chunk)) {
      proxyRes.pause();
      res.once('drain', () => proxyRes.resume());
    }
  });
  proxyRes.on('end', () => {
    if (tap !== undefined) tap.complete(proxyRes);
    if (proxyRes.rawTrailers.length !== 0) passTrailers(proxyRes, res);
    res.end();
  });
  proxyRes.on('close', () => {
    if (proxyRes.complete) return;
    if (tap !== undefined) tap.cut();
    res.destroy();
  });
}

/** node's own way to write a 1xx ahead of an answer (writeContinue, writeProcessing, writeEarlyHints use it) */
type RawWriter = ServerResponse & { _writeRaw?: (data: string, encoding: BufferEncoding) => boolean };

/**
 * An upstream's 1xx, written to the client as received (status, reason, fields). Not through writeEarlyHints: it
 * refuses a Link list joined by commas, the common form, and drops a 103 without Link. Not a 100 Continue: node's
 * server answered the client's Expect itself, before the request was forwarded. Not to an HTTP/1.0 client (RFC 9110
 * §15.2), nor once the final answer has started. Not asked for an attempt held for a fallback decision (send()).
 */
function passInformational(req: IncomingMessage, res: RawWriter, info: http.InformationEvent): void {
  if (info.statusCode === 100 || req.httpVersionMajor !== 1 || req.httpVersionMinor === 0 || res.headersSent || res.destroyed || res._writeRaw === undefined) return;
  let head = `HTTP/1.1 ${info.statusCode} ${info.statusMessage}\r\n`;
  const raw = info.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (name === 'connection' || name === 'keep-alive' || name === 'transfer-encoding' || name === 'content-length') continue;
    head += `${raw[i]}: ${raw[i + 1]}\r\n`;
  }
  res._writeRaw(`${head}\r\n`, 'latin1');
}

/**
 * The upstream's trailers (the fields of a chunked answer after its body), to the client's answer. Node writes them
 * only when that answer is chunked; an HTTP/1.0 client's is not, and gets the body without them.
 */
function passTrailers(proxyRes: IncomingMessage, res: ServerResponse): void {
  const raw = proxyRes.rawTrailers;
  const trailers: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) trailers.push([raw[i], raw[i + 1]]);
  try {
    res.addTrailers(trailers);
  } catch {
    // a field node will not write (it checks names and values more strictly than its parser reads them): the answer
    // ends without the rest, rather than the process with an exception thrown from a stream event
  }
}

const CHUNKED = /(?:^|\W)chunked(?:$|\W)/i;

/**
 * Whether the client's answer is sent chunked, so that a Trailer header may announce trailers in it: node throws on
 * a Trailer it cannot honour (an answer with a length, or with no body: to a HEAD, a 204, a 304; any answer to HTTP/1.0,
 * whose chunked coding http-proxy-3's removeChunked drops). Asked only of an answer that has Trailer.
 */
function chunkedToClient(req: IncomingMessage, proxyRes: IncomingMessage): boolean {
  const coding = proxyRes.headers['transfer-encoding'];
  const status = proxyRes.statusCode;
  return req.httpVersion !== '1.0' && req.method !== 'HEAD' && coding !== undefined && CHUNKED.test(coding) && status !== 204 && status !== 304;
}

/** The parts of an upstream request that depend on the upstream only, computed once. */
interface UpstreamRequestBase {
  https: boolean;
  hostname: string;
  port: number;
  /** the upstream URL's own path (a service mounted under a prefix), as http-proxy-3 prepends it */
  basePath: string;
  agent: http.Agent;
  /** '' for plain http (no TLS server name: spares the agent deriving one from the Host header per request) */
  servername: string | undefined;
  /** the Host header to send instead of the client's (hostHeader: "upstream"), else undefined */
  host: string | undefined;
}

function requestBase(target: URL, agent: http.Agent, ownHost: boolean): UpstreamRequestBase {
  const https = target.protocol === 'https:';
  // WHATWG URLs keep IPv6 hosts in brackets; the socket wants the bare address
  const hostname = target.hostname.startsWith('[') ? target.hostname.slice(1, -1) : target.hostname;
  return { https, hostname, port: Number(target.port) || (https ? 443 : 80), basePath: targetPath(`${target.pathname}${target.search}`), agent, servername: https ? undefined : '', host: ownHost ? target.host : undefined };
}

/**
 * The options of one upstream request: what http-proxy-3's setupOutgoing computes for strangler's options
 * (a URL target, an agent, no auth, TLS or path rewriting options), with only the keys node:http reads. Its
 * version carries two dozen keys, most of them undefined, and node's agent copies every key of the options into a
 * new object on each request (the agent's addRequest was the largest JavaScript entry of the peer's profile).
 *
 * The headers are the client's object itself, not a copy (but for Expect, see send()): ClientRequest copies them
 * into its own header table (setHeader per key), so a spread copy was pure overhead, and a costly one. With
 * `{ ...req.headers }` here the process promoted ~95 KB per scavenge to the old generation instead of ~1 KB
 * (--trace-gc-nvp, legacy mode under the bench's load), ran about one mark-compact a second, and spent ~5% more
 * CPU per request (65.5 vs 62.3 µs, same interleaved run).
 */
type OutgoingRequest = http.RequestOptions & { headers: http.OutgoingHttpHeaders; servername?: string };

/**
 * `early`: the request carries Expect, so ClientRequest writes its headers in its constructor: a generated id and
 * an upstream's own Host must be among the headers it is given (else they are set on it after, by send()).
 * `teTrailers`: the client said it reads trailers; the upstream hears `TE: trailers`, with the `TE` connection option
 * RFC 9110 §10.1.4 requires of its sender, in a copy of the headers: req.headers.connection is also what
 * http-proxy-3's setConnection mirrors into the client's answer, which must not say `te`.
 */
function outgoingRequest(base: UpstreamRequestBase, req: IncomingMessage, requestId: string | undefined, early = false, teTrailers = false): OutgoingRequest {
  let headers: http.OutgoingHttpHeaders = req.headers;
  if (requestId !== undefined || (early && base.host !== undefined) || teTrailers) {
    headers = { ...req.headers };
    if (requestId !== undefined) headers['x-request-id'] = requestId;
    if (early && base.host !== undefined) headers.host = base.host;
    if (teTrailers) {
      headers.te = 'trailers';
      // the client's close or keep-alive as before (node's agent says keep-alive when there is none), and TE
      headers.connection = `${req.headers.connection ?? 'keep-alive'}, te`;
    }
  }
  return {
    hostname: base.hostname,
    port: base.port,
    method: req.method,
    path: upstreamPath(base.basePath, req.url ?? '/'),
    headers,
    agent: base.agent,
    servername: base.servername,
  };
}

/** The path of the upstream request: http-proxy-3's urlJoin(base path, path of the client's request). */
export function upstreamPath(basePath: string, url: string): string {
  const path = targetPath(url);
  // the common case, an upstream without a base path: urlJoin('/', p) is p itself for a p starting with one '/'
  if (basePath === '/' && path.startsWith('/') && !path.startsWith('//')) return path;
  // `OPTIONS *` asks about the server as a whole: `*` as it came, whatever the upstream's own path (urlJoin made it `/*`)
  if (path === '*') return path;
  return urlJoin(basePath, path);
}

/**
 * The requests waiting for response headers, linked through their own states. Not a Set: a Set with an entry added
 * and removed per request rehashes its table every few hundred requests, and each retired table keeps its keys and
 * a pointer to its successor (V8's OrderedHashTable::Rehash, for iterators that may still walk it). Once one of
 * those tables had been promoted to the old generation (a full GC promotes everything young), every retired table
 * kept the next one alive through the remembered set, with the ~50 in-flight request graphs each one still listed:
 * 2 MB promoted per scavenge instead of 0.1, a full GC every few hundred milliseconds, and a quarter more CPU per
 * request in legacy mode, in about half of the bench's proxy processes (--trace-gc-nvp). Here an entry's links are
 * cleared when it leaves.
 */
class WaitingList {
  private head: ForwardState | undefined = undefined;

  first(): ForwardState | undefined {
    return this.head;
  }

  add(s: ForwardState): void {
    if (s.waiting) return;
    s.waiting = true;
    s.prevWaiting = undefined;
    s.nextWaiting = this.head;
    if (this.head) this.head.prevWaiting = s;
    this.head = s;
  }

  delete(s: ForwardState): void {
    if (!s.waiting) return;
    s.waiting = false;
    if (s.prevWaiting) s.prevWaiting.nextWaiting = s.nextWaiting;
    else this.head = s.nextWaiting;
    if (s.nextWaiting) s.nextWaiting.prevWaiting = s.prevWaiting;
    s.prevWaiting = undefined;
    s.nextWaiting = undefined;
  }

  clear(): void {
    while (this.head) this.delete(this.head);
  }
}

/**
 * Removes the client's hop-by-hop headers from its request. True when the client sent `TE: trailers` (removed too):
 * the forwarder then says it upstream itself (outgoingRequest).
 */
function stripHopByHop(req: IncomingMessage): boolean {
  const h = req.headers;
  const connection = h.connection;
  if (connection !== undefined && connection !== 'close' && connection !== 'keep-alive') {
    // headers named in Connection are hop-by-hop too, but for what the request needs end to end (NAMED_BUT_KEPT).
    // Connection itself stays, as the client's wish for its own connection only: http-proxy-3's setConnection mirrors it
    // into the response, which is how a client's "close" is honoured; the names it listed (`x-drop-me`,
    // `HTTP2-Settings`) were repeated to the upstream and in the answer. TE is read below (a client that sends it must
    // name it here: RFC 9110 §10.1.4)
    for (const name of connectionListed(connection)) if (!NAMED_BUT_KEPT.has(name)) delete h[name];
    const options = connection.toLowerCase();
    if (/(^|[\s,])close($|[\s,])/.test(options)) h.connection = 'close';
    else if (/(^|[\s,])keep-alive($|[\s,])/.test(options)) h.connection = 'keep-alive';
    else delete h.connection;
  }
  for (const name of HOP_BY_HOP) if (h[name] !== undefined) delete h[name];
  // the mark of a shadow copy is the proxy's own: from a client it would make a real request look like a copy to a
  // service that spares copies its side effects
  if (h[SHADOW_MARK] !== undefined) delete h[SHADOW_MARK];
  return h.te !== undefined && takeTe(req);
}

/**
 * Removes the client's hop-by-hop headers from a WebSocket upgrade, as stripHopByHop does from a request, but for what
 * the handshake needs: Connection keeps its `upgrade` option (and the client's `keep-alive` or `close`), Upgrade stays,
 * and the Sec-WebSocket-* fields go on even when Connection names them (Host and x-request-id too, as on a request:
 * NAMED_BUT_KEPT). TE goes whole: a 101 has no body to carry trailers. Upgrades are per connection, not per request:
 * off the hot path.
 *
 * Content-Length and Transfer-Encoding go too, named or not: node's server hands an upgrade over at the end of its
 * head, and whatever follows (a "body" included) is the upgraded connection's, sent upstream only after a 101. Said
 * upstream, they announced a body the upgrade request never carried: an upstream that refused the upgrade (a plain
 * answer, the connection kept alive) waited for it, and took it from the next request the proxy sent on that pooled
 * connection, another client's (cut short: a 504 or a 502 for that client). Without them the upstream reads the
 * request the proxy read, a handshake without a body.
 */
function stripUpgradeHopByHop(req: IncomingMessage): void {
  const h = req.headers;
  const connection = h.connection;
  if (connection !== undefined) {
    let kept = '';
    for (const option of connection.split(',')) {
      const o = option.trim();
      const name = o.toLowerCase();
      if (name === 'upgrade' || name === 'keep-alive' || name === 'close') kept += kept === '' ? o : `, ${o}`;
      else if (name !== '' && name !== 'connection' && !NAMED_BUT_KEPT.has(name) && !name.startsWith('sec-websocket-')) delete h[name];
    }
    // node emits 'upgrade' only for a Connection with `upgrade`: never empty here, but no empty field if it were
    if (kept === '') delete h.connection;
    else h.connection = kept;
  }
  for (const name of UPGRADE_HOP_BY_HOP) if (h[name] !== undefined) delete h[name];
}

/**
 * Removes the client's TE; true when it had the `trailers` member (any case; RFC 9110 §10.1.4) and the client reads
 * HTTP/1.1: to an HTTP/1.0 client the answer is never chunked and cannot carry trailers, and an upstream told
 * otherwise would put in them what that client then never gets. The transfer codings TE may also list are about this
 * hop only (the proxy asks for none upstream).
 */
function takeTe(req: IncomingMessage): boolean {
  const te = String(req.headers.te); // one string (node joins repeated lines); typed loosely as any unnamed header is
  delete req.headers.te;
  if (req.httpVersionMajor !== 1 || req.httpVersionMinor === 0) return false;
  for (const member of te.split(',')) if (member.trim().toLowerCase() === 'trailers') return true;
  return false;
}

/** The header names a Connection value lists as hop-by-hop (its "close" and "keep-alive" options left out). */
function connectionListed(connection: string): string[] {
  const names: string[] = [];
  for (const name of connection.split(',')) {
    const n = name.trim().toLowerCase();
    if (n !== '' && n !== 'close' && n !== 'keep-alive' && n !== 'connection') names.push(n);
  }
  return names;
}

/**
 * The upstream's hop-by-hop response headers stay on its hop: its Connection (and the headers it names), its
 * Keep-Alive (a client told the upstream's `timeout=99` would reuse connections this server closes after its own
 * keep-alive timeout, which node announces itself), Proxy-Authenticate, Upgrade. (Trailer is end-to-end: it goes on
 * with the trailers it announces, where the client's answer is chunked; see respond.) http-proxy-3's
 * setConnection then answers the client's Connection. Set to undefined, not deleted: the headers object keeps its
 * shape on the hot path, and writeHeaders skips undefined values.
 */
function stripResponseHopByHop(h: IncomingHttpHeaders): void {
  const connection = h.connection;
  if (connection !== undefined) {
    if (connection !== 'keep-alive' && connection !== 'close') for (const name of connectionListed(connection)) h[name] = undefined;
    h.connection = undefined;
  }
  for (const name of RESPONSE_HOP_BY_HOP) if (h[name] !== undefined) h[name] = undefined;
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

/** RFC 9110 §9.2.2: what may be sent twice with the effect of once (without a body: one piped is gone) */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/** Whether a request whose kept-alive connection failed under it may go again: idempotent, no body, closed or reset. */
function resendable(req: IncomingMessage, err: NodeJS.ErrnoException): boolean {
  return (err.code === 'ECONNRESET' || err.code === 'EPIPE') && IDEMPOTENT.has(req.method ?? '') && !hasRequestBody(req.headers);
}

/**
 * The answer to an upgrade carries the request's id, as every answer does (an upstream that sends its own keeps it,
 * as on a request's answer). http-proxy-3 writes that head itself, from proxyRes.headers.
 */
function withRequestId(proxyRes: IncomingMessage, id: string): void {
  if (proxyRes.headers['x-request-id'] === undefined) proxyRes.headers['x-request-id'] = id;
}

/** http-proxy-3's per-call options of an upgrade, with the handshake its proxyReqWs listener reports to */
type UpgradeOptions = ServerOptions & { handshake: Handshake };

/**
 * An upgrade its upstream failed. Before the upstream answered, nothing was written to the client: it gets the 502
 * JSON any request gets, 504 when the upstream did not answer in time (the connection used to close without a word);
 * after the 101 the connection is cut. Returns the status written, 0 when none was.
 */
function upgradeFailed(err: Error, socket: Socket, upstream: string, id: string): number {
  if (socket.destroyed) return 0;
  if (socket.bytesWritten > 0 || !socket.writable) {
    socket.destroy();
    return 0;
  }
  const reason = classifyFailure(err);
  const timedOut = reason === 'timeout';
  const body = JSON.stringify({ error: timedOut ? 'upstream timed out' : 'upstream unavailable', upstream, reason, requestId: id });
  socket.end(socketAnswer(timedOut ? '504 Gateway Timeout' : '502 Bad Gateway', body, id));
  return timedOut ? 504 : 502;
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
