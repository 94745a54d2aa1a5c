// Whether a request carries a body, from its headers alone (HTTP/1.1: a non-zero content-length or any
// transfer-encoding). The forwarder, the shadow copy and the traffic recorder all decide on it.
import type { IncomingHttpHeaders } from 'node:http';

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
