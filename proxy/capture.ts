// Captures a response body as it streams past: keeps the bytes up to maxBodyBytes, past it only size and hash.
import { createHash, type Hash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { CapturedResponse } from './types.ts';

export class BodyCapture {
  private chunks: Buffer[] = [];
  private readonly hash: Hash = createHash('sha256');
  size = 0;
  truncated = false;

  constructor(private readonly maxBytes: number) {}

  add(chunk: Buffer): void {
    this.size += chunk.length;
    this.hash.update(chunk);
    if (this.truncated) return;
    if (this.size > this.maxBytes) {
      this.truncated = true;
      this.chunks = [];
    } else this.chunks.push(chunk);
  }

  /** The bytes kept, or undefined when over the limit (and after finish). */
  body(): Buffer | undefined {
    if (this.truncated) return undefined;
    return this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
  }

  finish(status: number, headers: IncomingHttpHeaders, latencyMs: number): CapturedResponse {
    return {
      status,
      headers: flattenHeaders(headers),
      body: this.body(),
      size: this.size,
      hash: this.hash.digest('hex'),
      truncated: this.truncated,
      latencyMs,
    };
  }
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
