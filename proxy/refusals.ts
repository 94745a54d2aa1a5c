// The requests the proxy answers itself and never forwards (RFC 9112's 400s for a bad Host or request target, the
// 501 for a transfer coding it does not pass on, and the 400/408/413/431 Node's parser answers before the proxy sees a
// request): a count per reason and one log line each. Only refusals reach this file; a request that is served never does. A scanner or a client trying request smuggling can send thousands a
// second, so the lines are capped per second and what the cap held back is said in one line at the end of that second.
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../common/log.ts';
import { clip } from '../common/unprintable.ts';

/**
 * Why the proxy answered a request itself. The last three are Node's parser's answers, through the server's
 * `clientError` event: `parse` (400, or 413 for chunk extensions over Node's limit), `headers-too-large` (431),
 * `timeout` (408: the request did not arrive within Node's headersTimeout or requestTimeout).
 */
export type RefusalReason = 'host-duplicate' | 'host-invalid' | 'target-invalid' | 'transfer-coding' | 'parse' | 'headers-too-large' | 'timeout';

export const REFUSAL_REASONS: readonly RefusalReason[] = ['host-duplicate', 'host-invalid', 'target-invalid', 'transfer-coding', 'parse', 'headers-too-large', 'timeout'];

export type RefusalCounts = Record<RefusalReason, number>;

export function noRefusals(): RefusalCounts {
  return { 'host-duplicate': 0, 'host-invalid': 0, 'target-invalid': 0, 'transfer-coding': 0, parse: 0, 'headers-too-large': 0, timeout: 0 };
}

/** Adds `b`'s counts to `a` (the --workers primary summing its workers). */
export function addRefusals(a: RefusalCounts, b: Partial<RefusalCounts> | undefined): RefusalCounts {
  if (b) for (const r of REFUSAL_REASONS) a[r] += b[r] ?? 0;
  return a;
}

/** What a refusal's line says besides its reason (the fields of a request's access line that make sense for it). */
export interface RefusedRequest {
  method: string;
  /** the path without its query; absent when the target itself was refused (`target` then) */
  path?: string;
  /** the route the path matches; absent when none does (the monolith's default) or the target was refused */
  route?: string;
  status: number;
  reqId: string;
  /** a refused request target, as received (cut to 200 characters) */
  target?: string;
  /** the client's address (the peer of the connection: a load balancer's when one is in front) */
  client?: string;
}

/** What the line of a request Node's parser refused says: no method, path or id is known, only what the parser saw. */
export interface RefusedConnection {
  status: number;
  /** Node's error code (HPE_INVALID_METHOD, HPE_HEADER_OVERFLOW, ERR_HTTP_REQUEST_TIMEOUT, ...) */
  code: string;
  /** the start of the bytes the parser was reading, escaped (packetForLog) */
  packet?: string;
  /** the client's address, as for a request */
  client?: string;
}

/** Lines per second before the rest are only counted (and said in one line at the end of that second). */
export const REFUSAL_LINES_PER_SECOND = 10;
const WINDOW_MS = 1000;

export class Refusals {
  readonly counts = noRefusals();
  private windowStart = -Infinity;
  private written = 0;
  private held = noRefusals();
  private heldTotal = 0;
  private timer: NodeJS.Timeout | undefined = undefined;

  constructor(
    private readonly log: Logger,
    private readonly perSecond = REFUSAL_LINES_PER_SECOND,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a refusal and writes its line at warn, unless this second's lines are spent (then counted as held back). */
  refused(reason: RefusalReason, request: RefusedRequest | RefusedConnection): void {
    this.counts[reason]++;
    const now = this.now();
    if (now - this.windowStart >= WINDOW_MS) {
      this.flush();
      this.windowStart = now;
      this.written = 0;
    }
    if (this.written < this.perSecond) {
      this.written++;
      this.log.warn({ refused: reason, ...request }, 'refused');
      return;
    }
    this.held[reason]++;
    this.heldTotal++;
    // said when this second ends, whether or not another refusal comes to roll the window over
    this.timer ??= setTimeout(() => this.flush(), Math.max(0, this.windowStart + WINDOW_MS - now)).unref();
  }

  /** The line for the refusals held back since the last one, if any (at the end of their second, and on close). */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.heldTotal === 0) return;
    const byReason: Partial<RefusalCounts> = {};
    for (const r of REFUSAL_REASONS) if (this.held[r] > 0) byReason[r] = this.held[r];
    this.log.warn({ suppressed: this.heldTotal, byReason }, `refused: ${this.heldTotal} more refusals not logged (over ${this.perSecond} a second; all are counted)`);
    this.held = noRefusals();
    this.heldTotal = 0;
  }
}

/** A client's target or path, as a log field: cut, so a 16 KB one does not make a 16 KB line. */
export function cutForLog(url: string): string {
  const cut = clip(url, 200);
  return cut.length < url.length ? `${cut}…` : url;
}

/** A parser error as Node gives it to `clientError` (rawPacket: the chunk it was reading, when it was parsing one). */
export interface ClientError extends Error {
  code?: string;
  rawPacket?: Buffer;
}

// Node's own answers, byte for byte (lib/_http_server.js): a status line and Connection: close, nothing else
const nodeAnswer = (status: number) => Buffer.from(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n\r\n`, 'latin1');
const NODE_ANSWERS = new Map<number, Buffer>([400, 408, 413, 431].map((s) => [s, nodeAnswer(s)]));

/** Node's status for a client error, and the refusal it counts as; none for a connection that failed or a client that left. */
export function clientErrorRefusal(code: string | undefined): { status: number; reason?: RefusalReason } {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, reason: 'headers-too-large' };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, reason: 'parse' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, reason: 'timeout' };
    // the client closed its side mid-request (a cancelled upload, say): it left, it was not refused
    case 'HPE_INVALID_EOF_STATE':
      return { status: 400 };
    default:
      return code?.startsWith('HPE_') ? { status: 400, reason: 'parse' } : { status: 400 };
  }
}

/**
 * The proxy server's `clientError` listener. With a listener Node no longer answers by itself, so this writes what
 * Node wrote (its status line and Connection: close) when the socket is writable and no answer was begun on it, and
 * destroys the socket as Node did; a parser refusal is counted and logged, a connection that failed (ECONNRESET: the
 * client left) is only destroyed. Made once per server; runs only on a client error, never on a served request.
 */
export function onClientError(refusals: Refusals): (err: ClientError, socket: Duplex) => void {
  return (err, socket) => {
    if (err.code === 'ECONNRESET') return void socket.destroy();
    const client = (socket as Duplex & { remoteAddress?: string }).remoteAddress; // read before destroy() clears it
    const { status, reason } = clientErrorRefusal(err.code);
    // Node's own test, on its internals (lib/_http_server.js socketOnError): once the head of the response on this
    // socket went out, a second status line would corrupt what the client reads (headersSent is already true when the
    // head is only built, so it is not the same test)
    const current = (socket as Duplex & { _httpMessage?: { _headerSent?: boolean } | null })._httpMessage;
    if (socket.writable && !current?._headerSent) socket.write(NODE_ANSWERS.get(status)!);
    socket.destroy();
    if (reason === undefined) return;
    refusals.refused(reason, err.rawPacket === undefined ? { status, code: err.code!, client } : { status, code: err.code!, packet: packetForLog(err.rawPacket), client });
  };
}

const PACKET_CHARS = 200;
// credentials in the packet's header lines are not logged (the same names the diff store redacts)
const SECRET_FIELD = /^((?:proxy-)?authorization|cookie)[ \t]*:[^\r\n]*/gim;

/**
 * The start of a packet as a log field: printable ASCII as it is, every other byte escaped (\r, \n, \t, \\, \xNN),
 * cut at 200 characters; never raw bytes into the log.
 */
export function packetForLog(packet: Buffer): string {
  const text = packet.toString('latin1', 0, Math.min(packet.length, PACKET_CHARS * 4)).replace(SECRET_FIELD, '$1: [redacted]');
  let out = '';
  let i = 0;
  for (; i < text.length && out.length < PACKET_CHARS; i++) {
    const c = text.charCodeAt(i);
    if (c === 13) out += '\\r';
    else if (c === 10) out += '\\n';
    else if (c === 9) out += '\\t';
    else if (c === 92) out += '\\\\';
    else if (c >= 32 && c < 127) out += text[i];
    else out += `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return i < text.length || packet.length > PACKET_CHARS * 4 ? `${out}…` : out;
}
