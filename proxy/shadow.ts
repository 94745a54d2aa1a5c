// Shadow copies: beside the monolith call the client is waiting on, the same request goes to the candidate
// (undici, keep-alive pool per origin, under a per-service concurrency cap with a timeout), both responses are
// captured, sometimes the monolith is asked a second time for noise learning, and the pair goes to onPair.
// Nothing here can delay or change what the client gets: a full cap drops the copy and counts it, and so does a
// full byte budget (the bodies all copies hold at once), which sheds a copy even mid-way.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { Pool, type Dispatcher } from 'undici';
import type { Logger } from 'pino';
import { BodyCapture, ByteBudget, bodyLength, flattenHeaders } from './capture.ts';
import { classifyFailure, type BodyTap } from './forward.ts';
import { hasRequestBody, teeRequestBody, type RequestBodySink } from './request-body.ts';
import { targetPath } from './target.ts';
import type { RouteCounters } from './stats.ts';
import type { ProxyConfig } from './config.ts';
import type { CapturedRequest, CapturedResponse, Pair } from './types.ts';
import { CopySlots, logCopyLimit, slowCopy } from './copy-slots.ts';

/** Everything a shadowed route needs, resolved once per config (defaults merged with the route's own). */
export interface ShadowPlan {
  routeId: string;
  service: string;
  candidateOrigin: string;
  candidateBase: string; // path prefix of the service URL, "" for "/"
  /** the Host header copies carry instead of the client's (the service's hostHeader: "upstream") */
  candidateHost?: string;
  legacyOrigin: string;
  /** the same for the noise sample's second ask of the monolith */
  legacyHost?: string;
  legacyBase: string;
  sample: number;
  concurrency: number;
  /** a candidate much slower than the monolith gets fewer copies in flight (CopySlots) */
  adaptive: boolean;
  timeoutMs: number;
  maxBodyBytes: number;
  writes: boolean;
  /** share of safe shadowed requests also sent to the monolith a second time (0 when noise learning is off) */
  noiseSample: number;
  /** after this many noise samples on the route (counters.noiseSamples), the share is noiseSettledSample */
  noiseSettleAfter: number;
  noiseSettledSample: number;
  counters: RouteCounters;
}

/** What the forwarder feeds a shadowed request's monolith answer into (server.ts RequestState.exchange). */
export interface ShadowSide {
  /** the monolith's response headers arrived: the tap the body is read through, or undefined when none is kept */
  monolithResponse(proxyRes: IncomingMessage): BodyTap | undefined;
  /** the monolith's answer will not be whole: it could not answer (the client got an error), or the client's exchange
   * ended first (the client went away, its upstream request was stopped). There is nothing to compare */
  monolithFailed(): void;
}

/** Where shadow copies are made: on the request thread (Shadower) or in a thread of their own (shadow-thread.ts). */
export interface ShadowEngine {
  begin(req: IncomingMessage, plan: ShadowPlan, requestId: string, start: number): ShadowSide | undefined;
  setBudget(bytes: number): void;
  /** the per-service copy slots admission takes from (read by the admin API for the copy limits: copyLimits) */
  readonly slots?: CopySlots;
  /** whether this route's copies go through a shadow thread now (shadowThread "slow": while its candidate is known slow) */
  inThread?(plan: ShadowPlan): boolean;
  /** the proxy applied a config (start-up excepted): a reload, a mode change */
  configure?(config: ProxyConfig): void;
  close(): Promise<void>;
}

/** The parts of a request an exchange reads (an IncomingMessage, or its copy in the shadow thread). */
export type RequestHead = Pick<IncomingMessage, 'method' | 'url' | 'headers'>;

/**
 * The admission checks every copy passes, in order: unsafe methods (unless the route copies writes), the sample,
 * the byte budget and the per-service cap, a body announced as too big to copy. Counts what it turns away (in
 * `dropped`; those a slow candidate's lowered limit turned away in `droppedSlow` as well).
 */
export function admit(req: RequestHead, plan: ShadowPlan, budget: ByteBudget, slots: CopySlots): boolean {
  const c = plan.counters;
  if (!plan.writes && !isSafeMethod(req.method)) {
    c.skippedUnsafe++;
    return false;
  }
  if (plan.sample < 1 && Math.random() >= plan.sample) return false;
  if (budget.exhausted) {
    c.dropped++;
    return false;
  }
  if (!slots.acquire(plan.service, plan.concurrency)) {
    c.dropped++;
    if (slots.refusedBelowCap) c.droppedSlow++; // a slow candidate's lowered limit, not the cap: counted apart too
    return false;
  }
  const length = req.headers['content-length'];
  if (length !== undefined && Number(length) > plan.maxBodyBytes) {
    // announced as too big to copy faithfully: no copy, nothing buffered
    slots.release(plan.service);
    c.dropped++;
    return false;
  }
  return true;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
export const isSafeMethod = (method: string | undefined): boolean => SAFE.has(method ?? 'GET');

/** Request headers undici refuses or that describe our hop, not the request. */
const NOT_COPIED = new Set(['content-length', 'transfer-encoding', 'expect', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'proxy-connection']);

export class Shadower implements ShadowEngine {
  private readonly pools = new Map<string, Pool>();
  readonly slots: CopySlots;
  /**
   * Bodies held by copies in flight (memory.shadowBytes), in two halves: what an exchange takes on admission (the
   * request body, the monolith's answer) and what completes it (the candidate's answer, the noise sample). With one
   * pool, a slow candidate would let waiting monolith answers fill it all, every candidate answer would then be
   * shed, and no pair would ever complete. A pair's bytes go back once onPair has it, or when it is given up.
   */
  readonly admitted = new ByteBudget(0);
  readonly completing = new ByteBudget(0);

  constructor(
    private readonly onPair: ((pair: Pair) => void) | undefined,
    private readonly log: Logger,
    budgetBytes: number,
    /** shared with another engine (SplitEngine), whose owner then hears the limits move; else its own */
    slots?: CopySlots,
  ) {
    this.slots = slots ?? new CopySlots();
    if (!slots) this.slots.onLimit = (change) => logCopyLimit(log, change);
    this.setBudget(budgetBytes);
  }

  setBudget(bytes: number): void {
    this.admitted.limit = bytes / 2;
    this.completing.limit = bytes / 2;
  }

  /**
   * Starts a copy of this request unless the method is unsafe, the sample skips it or the cap is full.
   * Returns the exchange the server feeds the monolith's response into, or undefined when no copy is made.
   */
  begin(req: IncomingMessage, plan: ShadowPlan, requestId: string, start: number): ShadowExchange | undefined {
    if (!admit(req, plan, this.admitted, this.slots)) return undefined;
    const ex = new ShadowExchange(this, req, plan, requestId, start);
    if (hasRequestBody(req.headers)) {
      ex.teeRequestBody(req);
    } else ex.sendCopy(undefined);
    return ex;
  }

  acquire(service: string, cap: number): boolean {
    return this.slots.acquire(service, cap);
  }

  release(service: string): void {
    this.slots.release(service);
  }

  /**
   * A copy's candidate call ended (its slot; a noise sample's goes back through release alone): `slow` when the
   * candidate took much longer than the monolith (slowCopy), undefined when no call was made.
   */
  copyEnded(plan: ShadowPlan, _exchange: ShadowExchange, slow: boolean | undefined): void {
    if (slow === undefined) this.slots.release(plan.service);
    else this.slots.ended(plan.service, slow, plan.concurrency, plan.adaptive);
  }

  pool(origin: string): Pool {
    let p = this.pools.get(origin);
    if (!p) {
      // connections stay bounded by the per-service caps above; pipelining off so one slow answer blocks nothing.
      // An aborted copy (timeout) makes undici open a fresh connection for its re-queued request; with no
      // keep-alive hint from the server that connection idles for keepAliveTimeout, so keep it short.
      p = new Pool(origin, { pipelining: 1, keepAliveTimeout: 2_000 });
      this.pools.set(origin, p);
    }
    return p;
  }

  emit(pair: Pair): void {
    if (!this.onPair) return;
    try {
      this.onPair(pair);
    } catch (err) {
      this.log.warn({ err, route: pair.routeId }, 'onPair threw; pair dropped');
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.destroy().catch(() => {})));
    this.pools.clear();
  }
}

/** One call to an upstream whose whole response is captured (the candidate copy, or the monolith asked again). */
class CaptureCall implements Dispatcher.DispatchHandler {
  private capture: BodyCapture | undefined;
  private controller: Dispatcher.DispatchController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private settled = false;
  private status = 0;
  private headers: IncomingHttpHeaders = {};
  private readonly start = performance.now();
  response: CapturedResponse | undefined;
  error: Pair['candidateError'];

  constructor(
    private readonly method: string,
    private readonly maxBytes: number,
    private readonly budget: ByteBudget,
    timeoutMs: number,
    private readonly done: (call: CaptureCall) => void,
  ) {
    // undici's own header/body timeouts tick at ~1 s resolution; this one is exact and covers the whole call
    this.timer = setTimeout(expire, timeoutMs, this);
    this.timer.unref();
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // settled before undici got to it (timed out or stopped while queued): do not send it at all
    if (this.settled) controller.abort(new Error('shadow call already settled'));
  }

  expire(): void {
    this.timer = undefined;
    this.abort(Object.assign(new Error('shadow call timed out'), { code: 'UND_ERR_HEADERS_TIMEOUT' }));
  }

  onResponseStart(_c: Dispatcher.DispatchController, status: number, headers: IncomingHttpHeaders): void {
    if (this.settled) return; // nothing is captured for a call that already ended (it would never be released)
    this.status = status;
    this.headers = headers;
    this.capture = new BodyCapture(this.maxBytes, this.budget, bodyLength(this.method, status, headers['content-length']));
    if (this.capture.shed) this.stop();
  }

  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    const capture = this.capture;
    if (!capture) return;
    capture.add(chunk);
    if (capture.shed) this.stop();
  }

  onResponseEnd(): void {
    if (this.settled) return;
    this.finish();
    const capture = this.capture ?? new BodyCapture(this.maxBytes, this.budget);
    this.response = capture.finish(this.status, this.headers, performance.now() - this.start);
    this.done(this);
  }

  /** the byte budget ran out while this body streamed in (or the exchange was given up): nothing kept */
  get shed(): boolean {
    return this.capture?.shed ?? false;
  }

  /** Gives this call's body bytes back to the budget. */
  release(): void {
    this.capture?.release();
  }

  /** Ends the call now, keeping nothing: the byte budget could not cover this exchange. */
  stop(): void {
    if (this.settled) return;
    this.capture?.abandon();
    this.abort(Object.assign(new Error('shadow byte budget exhausted'), { code: 'STRANGLER_SHED' }));
  }

  /** Ends the call with err: through undici once it has the request, directly before that. */
  private abort(err: Error): void {
    if (this.controller && !this.controller.aborted) this.controller.abort(err);
    else this.onResponseError(null, err);
  }

  onResponseError(_c: Dispatcher.DispatchController | null, err: Error): void {
    if (this.settled) return;
    this.finish();
    this.error = classifyFailure(err);
    this.done(this);
  }

  private finish(): void {
    this.settled = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

function expire(call: CaptureCall): void {
  call.expire();
}

/**
 * One shadowed request, from the client's request to the pair handed on. It outlives the client's exchange
 * (a slow candidate keeps it for as long as it takes), so it keeps only plain data taken from the request at
 * the start, never the request object: that one reaches, through http-proxy-3's listeners, the whole
 * client/monolith exchange, and holding it for a slow candidate's 300 ms put GC at 8.6% of busy time (2.4% without).
 */
export class ShadowExchange implements BodyTap, ShadowSide, RequestBodySink {
  private request: CapturedRequest | undefined;
  private monolith: CapturedResponse | undefined;
  private monolithSettled = false;
  private candidate: CaptureCall | undefined;
  private candidateSettled = false;
  private released = false;
  /** the budget could not cover the bodies: the exchange ends without a pair, counted as dropped */
  private shed = false;
  private monolithCapture: BodyCapture | undefined;
  /** bytes of a monolith answer captured elsewhere (monolithCaptured) taken from the budget */
  private monolithBytes = 0;
  /** request body bytes taken from the budget */
  private requestBytes = 0;
  private readonly method: string;
  private readonly url: string;
  /** the request headers as sent on a copy (no body headers) */
  private readonly copied: Record<string, string | string[]>;
  /** the request headers as recorded with the pair */
  private readonly recorded: Record<string, string>;

  constructor(
    private readonly shadower: Shadower,
    req: RequestHead,
    private readonly plan: ShadowPlan,
    private readonly requestId: string,
    private readonly start: number,
  ) {
    this.method = req.method ?? 'GET';
    // the target as the monolith receives it (proxy/target.ts): the copy and the noise sample ask for the same thing
    this.url = targetPath(req.url ?? '/');
    this.copied = copyHeaders(req.headers, requestId);
    this.recorded = flattenHeaders(req.headers);
    this.recorded['x-request-id'] = requestId;
  }

  teeRequestBody(req: IncomingMessage): void {
    teeRequestBody(req, this.plan.maxBodyBytes, this.shadower.admitted, this);
  }

  // RequestBodySink: the request body as it streams to the monolith
  bodyBytesKept(n: number): void {
    this.requestBytes += n;
  }

  bodyOverflow(): void {
    this.giveUp();
  }

  bodyComplete(body: Buffer): void {
    this.sendCopy(body);
  }

  bodyAborted(): void {
    this.abandonCandidate();
  }

  sendCopy(body: Buffer | undefined): void {
    if (this.candidateSettled || this.candidate) return;
    const { plan, url } = this;
    let headers = body ? { ...this.copied, 'content-length': String(body.length) } : this.copied;
    if (plan.candidateHost !== undefined) headers = { ...headers, host: plan.candidateHost };
    this.request = {
      id: this.requestId,
      method: this.method,
      path: pathOf(url),
      query: queryOf(url),
      headers: this.recorded,
      body,
      receivedAt: Date.now() - Math.round(performance.now() - this.start),
    };
    plan.counters.shadowed++;
    this.candidate = new CaptureCall(this.method, plan.maxBodyBytes, this.shadower.completing, plan.timeoutMs, () => this.candidateDone());
    dispatch(this.shadower.pool(plan.candidateOrigin), this.candidate, {
      path: plan.candidateBase + url,
      method: this.request.method,
      headers,
      body: body ?? null,
      headersTimeout: plan.timeoutMs,
      bodyTimeout: plan.timeoutMs,
    });
  }

  /**
   * The monolith's response headers arrived at the proxy: returns the tap through which the forwarder hands over
   * the body as it streams to the client (no listeners of our own on the response: see forward.ts stream()), or
   * undefined when the byte budget cannot cover it.
   */
  monolithResponse(proxyRes: IncomingMessage): BodyTap | undefined {
    const capture = new BodyCapture(this.plan.maxBodyBytes, this.shadower.admitted, bodyLength(this.method, proxyRes.statusCode ?? 0, proxyRes.headers['content-length']));
    this.monolithCapture = capture;
    if (capture.shed) {
      this.giveUp();
      this.monolithSettle(); // nothing of this body is needed: the exchange ends without waiting for it
      return undefined;
    }
    return this;
  }

  // BodyTap: the monolith's body
  chunk(chunk: Buffer): void {
    const capture = this.monolithCapture!;
    if (capture.shed) return; // the client's stream goes on; only the copy of it stopped
    capture.add(chunk);
    if (capture.shed) this.giveUp();
  }

  complete(proxyRes: IncomingMessage): void {
    const capture = this.monolithCapture!;
    if (!capture.shed) this.monolith = capture.finish(proxyRes.statusCode ?? 0, proxyRes.headers, performance.now() - this.start);
    this.monolithSettle();
  }

  cut(): void {
    this.monolithSettle();
  }

  /**
   * The monolith's answer, captured elsewhere: in the shadow thread, the request thread captured it and posted it
   * here (undefined when it had no answer to hand on). Its bytes are held from the budget like a capture's.
   */
  monolithCaptured(response: CapturedResponse | undefined): void {
    if (response && !this.shed) {
      const n = response.body?.length ?? 0;
      if (this.shadower.admitted.take(n)) {
        this.monolithBytes = n;
        this.monolith = response;
      } else this.giveUp();
    }
    this.monolithSettle();
  }

  /** The monolith's answer was shed elsewhere (the byte budget could not cover it): no pair, counted as dropped. */
  monolithShed(): void {
    this.giveUp();
    this.monolithSettle();
  }

  /**
   * The monolith's answer will not be whole (ShadowSide): nothing to compare. A body that was streaming keeps nothing
   * more and gives its bytes back (chunks already on their way find the capture abandoned); an answer already
   * complete is kept.
   */
  monolithFailed(): void {
    if (this.monolithSettled) return;
    this.monolithCapture?.abandon();
    this.monolithSettle();
  }

  /** The byte budget could not cover this exchange's bodies: stop the copy, keep nothing, count it as dropped. */
  private giveUp(): void {
    if (this.shed) return;
    this.shed = true;
    this.monolithCapture?.abandon();
    this.releaseBytes();
    if (this.candidate && !this.candidateSettled) this.candidate.stop(); // settles it: candidateDone below
    else this.abandonCandidate();
  }

  private monolithSettle(): void {
    if (this.monolithSettled) return;
    this.monolithSettled = true;
    this.maybeFinish();
  }

  private abandonCandidate(): void {
    if (this.candidateSettled) return;
    this.candidateSettled = true;
    this.releaseSlot(undefined);
    this.maybeFinish();
  }

  private candidateDone(): void {
    if (this.candidateSettled) return;
    this.candidateSettled = true;
    const call = this.candidate!;
    this.releaseSlot(call.response ? slowCopy(call.response.latencyMs, this.monolith?.latencyMs) : call.error === 'timeout');
    const c = this.plan.counters;
    if (call.shed) this.giveUp();
    else if (call.error && !this.shed) c.candidateErrors++; // an error after giveUp is our own abort
    else if (call.response) c.candidate.record(call.response.latencyMs);
    this.maybeFinish();
  }

  private releaseSlot(slow: boolean | undefined): void {
    if (this.released) return;
    this.released = true;
    this.shadower.copyEnded(this.plan, this, slow);
  }

  /** Gives every body byte this exchange holds back to the budget (idempotent). */
  private releaseBytes(): void {
    this.shadower.admitted.give(this.requestBytes + this.monolithBytes);
    this.requestBytes = 0;
    this.monolithBytes = 0;
    this.monolithCapture?.release();
    this.candidate?.release();
  }

  private maybeFinish(): void {
    if (!this.monolithSettled || !this.candidateSettled) return;
    const monolith = this.monolith;
    const call = this.candidate;
    if (this.shed || !monolith || !call || !this.request) {
      // shed, no monolith answer or no copy sent: nothing to compare
      if (this.shed) this.plan.counters.dropped++;
      this.releaseBytes();
      return;
    }
    const pair: Pair = { routeId: this.plan.routeId, service: this.plan.service, request: this.request, monolith };
    if (call.response) pair.candidate = call.response;
    else pair.candidateError = call.error ?? 'error';
    if (this.askMonolithAgain()) {
      const again = new CaptureCall(pair.request.method, this.plan.maxBodyBytes, this.shadower.completing, this.plan.timeoutMs, (c) => {
        this.shadower.release(this.plan.service);
        if (c.response) pair.monolithAgain = c.response;
        this.hand(pair);
        c.release();
      });
      dispatch(this.shadower.pool(this.plan.legacyOrigin), again, {
        path: this.plan.legacyBase + this.url,
        method: pair.request.method,
        headers: this.plan.legacyHost === undefined ? this.copied : { ...this.copied, host: this.plan.legacyHost },
        headersTimeout: this.plan.timeoutMs,
        bodyTimeout: this.plan.timeoutMs,
      });
      return;
    }
    this.hand(pair);
  }

  /** onPair takes the pair over (the comparator queues it under a byte cap of its own): our bytes go back. */
  private hand(pair: Pair): void {
    this.releaseBytes();
    this.shadower.emit(pair);
  }

  private askMonolithAgain(): boolean {
    const { plan } = this;
    const c = plan.counters;
    // A route's noise rates are known well enough after settleAfter samples (±1.6 points at 1,000); from then on
    // a small share keeps them current without asking the monolith a tenth of its traffic again forever.
    const share = c.noiseSamples >= plan.noiseSettleAfter ? plan.noiseSettledSample : plan.noiseSample;
    if (
      share > 0 &&
      isSafeMethod(this.request?.method) &&
      !this.shadower.completing.exhausted &&
      Math.random() < share &&
      this.shadower.acquire(plan.service, plan.concurrency)
    ) {
      c.noiseSamples++;
      return true;
    }
    return false;
  }
}

function dispatch(pool: Pool, handler: CaptureCall, options: Omit<Dispatcher.DispatchOptions, 'origin'>): void {
  try {
    pool.dispatch(options as Dispatcher.DispatchOptions, handler);
  } catch (err) {
    handler.onResponseError(null, err as Error);
  }
}

/** The request headers as sent on a copy: our hop's headers removed, marked as a shadow copy. */
function copyHeaders(src: IncomingHttpHeaders, requestId: string): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const name in src) {
    const v = src[name];
    if (v !== undefined && !NOT_COPIED.has(name)) headers[name] = v;
  }
  headers['x-request-id'] = requestId; // also when the proxy generated it (it is not in req.headers then)
  headers['x-strangler-shadow'] = '1';
  return headers;
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function queryOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? '' : url.slice(q + 1);
}
