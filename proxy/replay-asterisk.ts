// The one request of a traffic file undici will not send: `OPTIONS *` (RFC 9112 §3.2.4), a question about the server
// as a whole, which --record writes with the path `*`. undici takes only a path starting with "/" or an absolute URL
// (its request.js: "path must be an absolute URL or start with a slash"), so that request goes over node:http.
import http from 'node:http';

/** What came back: the status and how many body bytes. */
export interface AsteriskAnswer {
  statusCode: number;
  bytes: number;
}

/** Sends `<method> *` to one origin, on a keep-alive pool of its own made on first use. */
export class AsteriskSender {
  private agent: http.Agent | undefined;
  private readonly hostname: string;
  private readonly port: number;

  constructor(
    origin: string,
    private readonly maxSockets: number,
    private readonly timeoutMs: number,
  ) {
    const url = new URL(origin);
    // WHATWG URLs keep IPv6 hosts in brackets; the socket wants the bare address
    this.hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    this.port = Number(url.port) || 80;
  }

  /**
   * Rejects as undici's pool would, so a summary counts the same failure under the same code: the socket's error
   * (ECONNREFUSED, ECONNRESET), an AbortError for the signal, and undici's UND_ERR_HEADERS_TIMEOUT or
   * UND_ERR_BODY_TIMEOUT when the answer's head, or the next of its body, takes longer than the timeout.
   */
  send(method: string, headers: Record<string, string | string[]>, body: Buffer | undefined, signal: AbortSignal | undefined): Promise<AsteriskAnswer> {
    this.agent ??= new http.Agent({ keepAlive: true, maxSockets: this.maxSockets });
    // node frames a body of an OPTIONS with nothing (it chunks only the methods that usually have one): say its length
    const framed = body === undefined ? headers : { ...headers, 'content-length': String(body.length) };
    return new Promise((resolve, reject) => {
      let res: http.IncomingMessage | undefined;
      let bytes = 0;
      const req = http.request({ hostname: this.hostname, port: this.port, method, path: '*', headers: framed, agent: this.agent, signal });
      req.setTimeout(this.timeoutMs, () => {
        if (res === undefined) req.destroy(timeout('UND_ERR_HEADERS_TIMEOUT', 'headers', this.timeoutMs));
        else res.destroy(timeout('UND_ERR_BODY_TIMEOUT', 'body', this.timeoutMs));
      });
      req.on('error', reject);
      req.on('response', (answer) => {
        res = answer;
        answer.on('data', (chunk: Buffer) => (bytes += chunk.length));
        answer.on('end', () => resolve({ statusCode: answer.statusCode ?? 0, bytes }));
        answer.on('error', reject);
        // cut short without an error event: still no complete answer
        answer.on('close', () => {
          if (!answer.complete) reject(Object.assign(new Error('the answer was cut short'), { code: 'ECONNRESET' }));
        });
      });
      req.end(body);
    });
  }

  close(): void {
    this.agent?.destroy();
  }
}

function timeout(code: string, what: string, ms: number): Error {
  return Object.assign(new Error(`no ${what} within ${ms} ms`), { code });
}
