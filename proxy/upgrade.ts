// Which upgrades the proxy carries: WebSocket only. A request asking for any other protocol (h2c, as `curl --http2`
// and Java's HttpClient ask on http:// URLs) is served over HTTP/1.1 as if it had not asked, as nginx does; a server
// may ignore Upgrade (RFC 9110 §7.8). Before, such a connection was closed without an answer.
import type { ClientRequest, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * A JSON answer written straight on an upgrade's socket (an upgrade has no response object): the proxy's own 400 and
 * 502/504, with the request's id, and the connection closed after it.
 */
export function socketAnswer(statusLine: string, body: string, id: string): string {
  return `HTTP/1.1 ${statusLine}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nx-request-id: ${id}\r\nconnection: close\r\n\r\n${body}`;
}

/** How an upgrade's handshake ended: an answer the upstream gave (101 or a refusal), the proxy's 502/504, or the client gone first. */
export type HandshakeOutcome = 'answered' | 'failed' | 'aborted';

/**
 * One WebSocket upgrade's handshake, from the client's request to the head of its answer: ended once, with the status
 * the client got (101, the upstream's refusal, the proxy's 502/504), 0 when it got none. What comes after the 101 is
 * the WebSocket's, not the handshake's.
 */
export class Handshake {
  private ended = false;
  /** the upgrade request to the upstream, once made: given up when the client leaves before its answer */
  proxyReq: ClientRequest | undefined = undefined;

  constructor(
    readonly requestId: string,
    private readonly onEnd: (status: number, outcome: HandshakeOutcome) => void,
  ) {}

  end(status: number, outcome: HandshakeOutcome): void {
    if (this.ended) return;
    this.ended = true;
    // else the upstream's connection stayed taken until it answered or the route's timeout fired
    if (outcome === 'aborted') this.proxyReq?.destroy();
    this.onEnd(status, outcome);
  }
}

export function isWebSocketUpgrade(req: IncomingMessage): boolean {
  return req.method === 'GET' && req.headers.upgrade?.toLowerCase() === 'websocket';
}

/**
 * Node's server stops parsing a connection at a request with Upgrade (it has an upgrade listener: WebSocket) and hands
 * over the socket. Here the request's head is written again without Upgrade (and without the `upgrade` option of its
 * Connection), put back in front of what the socket still holds (the first bytes of a body, pipelined requests), and
 * the socket given back to the server as a new connection: it parses the request like any other, body and keep-alive
 * included. The head is the one the server's parser accepted, names and values as received.
 */
export function serveWithoutUpgrade(server: Server, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const raw = req.rawHeaders;
  let text = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (name === 'upgrade') continue;
    let value = raw[i + 1];
    if (name === 'connection') {
      value = value
        .split(',')
        .map((o) => o.trim())
        .filter((o) => o !== '' && o.toLowerCase() !== 'upgrade')
        .join(', ');
      if (value === '') continue;
    }
    text += `${raw[i]}: ${value}\r\n`;
  }
  // an empty chunk put back would read as nothing more to come: the request after it would never be parsed
  if (head.length > 0) socket.unshift(head);
  socket.unshift(Buffer.from(`${text}\r\n`, 'latin1'));
  handBack(server, socket as Socket & { _httpMessage?: ServerResponse | null });
}

/**
 * Gives the socket back to the server once no answer is being written on it. A request pipelined behind others comes
 * here while their answers are still on their way; the server's new state for the socket would know nothing of them,
 * queue this request's answer behind one that never ends, and the client would wait forever. (`_httpMessage` is how
 * node's server marks the answer that holds a socket; it answers pipelined requests one at a time, in order.)
 */
function handBack(server: Server, socket: Socket & { _httpMessage?: ServerResponse | null }): void {
  const busy = socket._httpMessage;
  if (busy) {
    // the server's own finish listener (added first) moves the socket on to the next answer, or ends it
    busy.once('finish', () => handBack(server, socket));
    return;
  }
  if (socket.destroyed || !socket.writable) return; // the last answer closed the connection (Connection: close)
  socket.setTimeout(0); // the idle timer an answer that went before armed; the server arms its own
  server.emit('connection', socket);
}
