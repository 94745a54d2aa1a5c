// The proxy's logger and its one line per request (the access log).
//
// On a terminal (or in tests) the logger is the shared one from common/log.ts and the access line goes through
// pino like any other. Otherwise every line, pino's own and the access lines, goes through one LineBuffer that
// writes 8 KB at a time (at least once a second, and on exit) to stdout. What the bench found on the way:
// - a write syscall per line cost about a sixth of legacy mode's CPU per request;
// - sonic-boom's own buffering (minLength) measures the byte length of everything it holds on every write, which
//   flattens the growing string each time: a copy of up to 8 KB and as much garbage per request. LineBuffer keeps
//   the lines in an array and joins them once per chunk;
// - where stdout is a file or a device (/dev/null) the chunks are written on the main thread: such writes cannot
//   block, while asynchronous ones go through libuv's thread pool, whose cross-thread wake-ups tripled the proxy's
//   futex calls (strace: 1,717 vs 624 per ~5,000 requests). Where stdout is a pipe or a socket (a collector that
//   may fall behind) writes stay asynchronous, so a full pipe never stalls the proxy.
// The access line itself is built from the child logger's bindings, which pino keeps serialised: the same JSON
// pino would write, at a fraction of the cost of its generic serialiser.
import { fstatSync, writeSync } from 'node:fs';
import { pino } from 'pino';
import { createLogger, type Logger } from '../common/log.ts';

const FLUSH_MS = 1000;
const CHUNK = 8192;
const INFO = 30;
/** set on loggers made by createProxyLogger: where their access lines can be written directly */
const kDestination = Symbol('strangler.accessDestination');
type WithDestination = Logger & { [kDestination]?: LineBuffer };

/** Lines collected in order and handed on `chunk` characters at a time (0: each line at once). */
class LineBuffer {
  private lines: string[] = [];
  private size = 0;

  constructor(
    private readonly destination: { write(text: string): unknown },
    private readonly chunk: number,
  ) {}

  write(line: string): void {
    // warnings and errors go out at once (with everything before them, in order); info lines wait for a chunk
    if (isWarnOrWorse(line)) {
      this.lines.push(line);
      this.flush();
    } else this.info(line);
  }

  /**
   * A line known to be at info level (the access line): no level check, which would read a character of a string
   * still made of concatenated parts and so copy it into one (the join of the chunk copies it anyway).
   */
  info(line: string): void {
    this.lines.push(line);
    this.size += line.length;
    if (this.size >= this.chunk) this.flush();
  }

  flush(): void {
    const text = this.take();
    if (text) this.destination.write(text);
  }

  /** The lines not handed on yet, removed from the buffer. */
  take(): string {
    const text = this.lines.length === 1 ? this.lines[0] : this.lines.join('');
    this.lines = [];
    this.size = 0;
    return text;
  }
}

/** pino's lines start with `{"level":NN`: 40 warn, 50 error, 60 fatal */
function isWarnOrWorse(line: string): boolean {
  return line.charCodeAt(9) >= 52 /* '4' */ && line.startsWith('{"level":');
}

/** `to`: where the lines go instead of stdout, one at a time (tests). */
export function createProxyLogger(to?: { write(line: string): unknown }): Logger {
  if (!to && (process.stdout.isTTY || process.env.NODE_ENV === 'test')) return createLogger('proxy');
  let lines: LineBuffer;
  if (to) lines = new LineBuffer(to, 0);
  else {
    const sync = writesCannotBlock(1);
    const stdout = pino.destination({ dest: 1, sync });
    lines = new LineBuffer(stdout, CHUNK);
    setInterval(() => lines.flush(), FLUSH_MS).unref();
    // on exit (after pino's own hook has flushed what sonic-boom holds) the rest is written synchronously
    process.once('exit', () => {
      const text = lines.take();
      if (text) writeSync(1, text);
    });
  }
  const logger: WithDestination = pino({ name: 'proxy', level: process.env.LOG_LEVEL ?? 'info' }, lines);
  logger[kDestination] = lines;
  return logger;
}

export interface AccessLog {
  /** one request's line, at info: `{..bindings, status, ms, reqId, aborted?, msg: "request"}` */
  request(status: number, ms: number, reqId: string, aborted: boolean): void;
  /**
   * one WebSocket upgrade's line when its handshake ends, at info: `{..bindings, method, path, status, ms, reqId,
   * aborted?, msg: "upgrade"}`; status 0 when the client left before any answer (aborted). Through pino: upgrades are
   * few, and the path is the client's to choose.
   */
  upgrade(method: string, path: string, status: number, ms: number, reqId: string, aborted: boolean): void;
}

/** The access log of one route and upstream: `bindings` are fixed per route table (route, mode, upstream). */
export function accessLog(parent: Logger, bindings: Record<string, string>): AccessLog {
  const child = parent.child(bindings);
  const destination = (parent as WithDestination)[kDestination];
  const upgrade: AccessLog['upgrade'] = (method, path, status, ms, reqId, aborted) => {
    child.info({ method, path, status, ms, reqId, aborted: aborted || undefined }, 'upgrade');
  };
  if (!destination) {
    return {
      request(status, ms, reqId, aborted) {
        child.info({ status, ms, reqId, aborted: aborted || undefined }, 'request');
      },
      upgrade,
    };
  }
  // pino keeps a child's bindings serialised as `,"pid":…,"hostname":…,"name":…,"route":…` (chindings)
  const chindings = (child as unknown as Record<symbol, string>)[pino.symbols.chindingsSym];
  return {
    request(status, ms, reqId, aborted) {
      if (child.levelVal > INFO) return;
      const id = SAFE_ID.test(reqId) ? `"${reqId}"` : JSON.stringify(reqId);
      destination.info(`{"level":30,"time":${Date.now()}${chindings},"status":${status},"ms":${ms},"reqId":${id}${aborted ? ',"aborted":true' : ''},"msg":"request"}\n`);
    },
    upgrade,
  };
}

/** ids that need no JSON escaping (generated UUIDs, the usual client ids) */
const SAFE_ID = /^[\w.:@/+=-]*$/;

/** A regular file or a character device (/dev/null): a write there does not wait for a reader. */
function writesCannotBlock(fd: number): boolean {
  try {
    const st = fstatSync(fd);
    return st.isFile() || (st.isCharacterDevice() && !process.stdout.isTTY);
  } catch {
    return false;
  }
}
