// Whether a request carries a body, from its headers alone (HTTP/1.1: a non-zero content-length or any
// transfer-encoding). The forwarder, the shadow copy and the traffic recorder all decide on it.
import type { IncomingHttpHeaders } from 'node:http';

export function hasRequestBody(headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
