// Captures a body as it streams past: keeps the bytes up to maxBodyBytes, past it only size and sha256 (hashed only
// then: a kept body is compared by its bytes, and sha256 over every 1 MB answer cost milliseconds each). The bytes
// kept are taken from a ByteBudget shared by every capture of the process, so that many large answers in flight
// at once cannot grow the proxy without bound: a capture the budget cannot cover is shed (it keeps nothing).
import { createHash, type Hash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { CapturedResponse } from './types.ts';

/** Body bytes the shadow copies may hold at once, across all routes. */
export class ByteBudget {
  used = 0;
  constructor(public limit: number) {}

  take(n: number): boolean {
    if (this.used + n > this.limit) return false;
    this.used += n;
    return true;
  }

  give(n: number): void {
    this.used -= n;
  }

  get exhausted(): boolean {
    return this.used >= this.limit;
  }
}

export class BodyCapture {
  private chunks: Buffer[] = [];
  /** when the length is announced, one buffer of that size filled as chunks arrive (no concat copy at the end) */
  private into: Buffer | undefined;
  /** started once the body goes past maxBytes (fed the bytes kept so far first) */
  private hash: Hash | undefined;
  /** bytes taken from the budget and not yet given back */
  private held = 0;
  size = 0;
  truncated = false;
  /** the budget could not cover this body: nothing is kept, and the exchange it belongs to is given up */
  shed = false;

  constructor(
    private readonly maxBytes: number,
    private readonly budget: ByteBudget,
    announced?: string | string[],
  ) {
    const length = typeof announced === 'string' ? Number(announced) : NaN;
    if (length > maxBytes) {
      this.truncated = true;
      this.hash = createHash('sha256');
    } else if (length > 0 && Number.isSafeInteger(length)) {
      if (!this.reserve(length)) return;
      this.into = Buffer.allocUnsafe(length);
    }
  }

  add(chunk: Buffer): void {
    if (this.shed) return;
    const at = this.size;
    this.size += chunk.length;
    if (this.truncated) {
      this.hash!.update(chunk);
      return;
    }
    if (this.size > this.maxBytes) {
      this.truncated = true;
      const hash = (this.hash = createHash('sha256'));
      if (this.into) hash.update(this.into.subarray(0, at));
      for (const c of this.chunks) hash.update(c);
      hash.update(chunk);
      this.drop();
      return;
    }
    if (this.into) {
      if (this.size <= this.into.length) {
        chunk.copy(this.into, at);
        return;
      }
      // more bytes than announced (the connection will be judged by its parser): keep them as chunks from here
      this.chunks.push(this.into.subarray(0, at));
      this.into = undefined;
      if (!this.reserve(chunk.length)) return;
    } else if (!this.reserve(chunk.length)) return;
    this.chunks.push(chunk);
  }

  /** Keeps nothing more: the exchange this body belongs to was given up. */
  abandon(): void {
    this.shed = true;
    this.drop();
  }

  /** Gives the bytes back to the budget (the caller is done with them, or has handed them on). Idempotent. */
  release(): void {
    this.budget.give(this.held);
    this.held = 0;
  }

  /** Hands the bytes taken from the budget to the caller, who gives them back later: returns how many. */
  handOff(): number {
    const n = this.held;
    this.held = 0;
    return n;
  }

  /** The bytes kept, or undefined when over the limit or shed. */
  body(): Buffer | undefined {
    if (this.truncated || this.shed) return undefined;
    if (this.into) return this.size === this.into.length ? this.into : this.into.subarray(0, this.size);
    return this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
  }

  finish(status: number, headers: IncomingHttpHeaders, latencyMs: number): CapturedResponse {
    return {
      status,
      headers: flattenHeaders(headers),
      body: this.body(),
      size: this.size,
      hash: this.hash?.digest('hex') ?? '',
      truncated: this.truncated,
      latencyMs,
    };
  }

  private reserve(n: number): boolean {
    if (this.budget.take(n)) {
      this.held += n;
      return true;
    }
    this.abandon();
    return false;
  }

  private drop(): void {
    this.chunks = [];
    this.into = undefined;
    this.release();
  }
}

/**
 * The content-length a response announces for a body that follows it: none for the answer to a HEAD, a 204 or a 304,
 * whose length is the resource's (reserved from the budget up front, a HEAD of a large file held bytes that never came).
 */
export function bodyLength(method: string, status: number, announced: string | string[] | undefined): string | string[] | undefined {
  return method === 'HEAD' || status === 204 || status === 304 ? undefined : announced;
}

/** Connection-level headers differ between our two clients and say nothing about the service. */
const TRANSPORT = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection']);

export function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    const v = headers[name];
    if (v === undefined || TRANSPORT.has(name)) continue;
    out[name] = typeof v === 'string' ? v : v.join(', ');
  }
  return out;
}
