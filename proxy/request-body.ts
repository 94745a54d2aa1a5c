// Whether a request carries a body, from its headers alone (HTTP/1.1: a non-zero content-length or any
// transfer-encoding), which the forwarder, the shadow copy and the traffic recorder all decide on; and reading a body
// beside the forwarder for a shadow copy (teeRequestBody).
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { ByteBudget } from './capture.ts';

export function hasRequestBody(headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * A request framed by a transfer coding other than chunked alone (`identity, chunked`, `gzip, chunked`). Node's parser
 * reads its body as chunked, but the list went on as it came: an upstream that takes only an exact "chunked" reads no
 * body and the chunks as the next request on the connection (a desync), and a copy would carry still-coded bytes as
 * plain ones. Refused with 501, as nginx does (RFC 9112 §6.1); node already refuses chunked followed by anything.
 */
export function hasUnsupportedTransferCoding(headers: IncomingHttpHeaders): boolean {
  const coding = headers['transfer-encoding'];
  return coding !== undefined && coding !== 'chunked' && coding.trim().toLowerCase() !== 'chunked';
}

/** What a request body read beside the forwarder is handed to (teeRequestBody). */
export interface RequestBodySink {
  /** n more bytes kept, taken from the budget: the sink gives them back when it is done with them */
  bodyBytesKept(n: number): void;
  /** past maxBytes or the budget: nothing more is kept, what was is dropped (a copy needs the exact bytes) */
  bodyOverflow(): void;
  /** the whole body, within the limits */
  bodyComplete(body: Buffer): void;
  /** the client went away before the body was complete */
  bodyAborted(): void;
}

/**
 * Reads a request's body as it streams on to the monolith: keeps the bytes while within maxBytes and the budget,
 * and tells the sink how it went. Listeners are inline arrows: tsx (esbuild keepNames) wraps a named closure in a
 * defineProperty call per creation.
 */
export function teeRequestBody(req: IncomingMessage, maxBytes: number, budget: ByteBudget, sink: RequestBodySink): void {
  let chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    if (size === Infinity) return; // given up: the client's body goes on to the monolith, the copy holds nothing
    size += chunk.length;
    if (size <= maxBytes && budget.take(chunk.length)) {
      sink.bodyBytesKept(chunk.length);
      chunks.push(chunk);
      return;
    }
    chunks = [];
    size = Infinity;
    sink.bodyOverflow();
  });
  req.on('end', () => {
    if (size <= maxBytes) sink.bodyComplete(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
  });
  req.on('close', () => {
    if (!req.complete) sink.bodyAborted();
  });
}
