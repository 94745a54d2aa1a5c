// The recorded-traffic format shared by `strangler replay` and `strangler proxy --record`:
// NDJSON, one request a line. Parsed through one zod schema at the edge; written append-only.
import { createReadStream, createWriteStream, openSync, type WriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { withoutBom } from '../common/json-text.ts';
import { UserError } from '../common/user-error.ts';
import { createRedactor, DEFAULT_REDACT, redactBodyText, type RedactOptions } from './store/redact.ts';
import { hasRequestBody } from './request-body.ts';

const required = { error: (issue: { input?: unknown }) => (issue.input === undefined ? 'required' : undefined) };
const headerValue = z.union([z.string(), z.array(z.string())]);

export const trafficRequestSchema = z
  .object({
    method: z
      .string(required)
      .regex(/^[A-Za-z]+$/, 'expected an HTTP method such as "GET"')
      .transform((m) => m.toUpperCase()),
    // or the asterisk form of `OPTIONS *` (RFC 9112 §3.2.4), as --record writes it
    path: z.string(required).refine((p) => p.startsWith('/') || p === '*', 'expected a path starting with "/" (query string included)'),
    headers: z.record(z.string(), headerValue).optional(),
    body: z.string().optional(),
    bodyEncoding: z.enum(['utf8', 'base64']).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.path === '*' && r.method !== 'OPTIONS') {
      ctx.addIssue({ code: 'custom', path: ['path'], message: '"*" (the asterisk form) is only for OPTIONS (RFC 9112 section 3.2.4); expected a path starting with "/"' });
    }
  });

export type TrafficRequest = z.output<typeof trafficRequestSchema>;

/** What a recorder is handed for one live request; the body is the raw bytes as received. */
export interface LiveRequest {
  method: string;
  /** path with its query string, as on the request line */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body?: Buffer;
}

/**
 * Parses one NDJSON line. A bad line becomes a UserError naming `source:lineNumber`
 * and what is wrong, so the CLI can print it as one line and exit 2.
 */
export function parseTrafficLine(line: string, source: string, lineNumber: number): TrafficRequest {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (err) {
    throw new UserError(`${source}:${lineNumber}: not valid JSON (${(err as Error).message}); expected one request object per line`);
  }
  const parsed = trafficRequestSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'line'}: ${i.message}`).join('; ');
    throw new UserError(`${source}:${lineNumber}: ${issues}`);
  }
  if (parsed.data.bodyEncoding === 'base64' && parsed.data.body !== undefined && !isBase64(parsed.data.body)) {
    throw new UserError(`${source}:${lineNumber}: body: not valid base64 although bodyEncoding is "base64"`);
  }
  return parsed.data;
}

function isBase64(text: string): boolean {
  return /^[A-Za-z0-9+/]*={0,2}$/.test(text) && text.length % 4 === 0;
}

/** Streams the requests of an NDJSON file; blank lines are skipped, a bad line throws (see parseTrafficLine). */
/**
 * The requests of a traffic file, as it was when reading began (or up to `bytes`): a file still being appended to
 * (the proxy replayed at recording into it with --record) would otherwise feed the replay its own echoes, for ever.
 */
export async function* readTrafficFile(path: string, bytes?: number): AsyncGenerator<TrafficRequest> {
  const size = bytes ?? (await trafficFileSize(path));
  if (size === 0) return;
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8', end: size - 1 }), crlfDelay: Infinity });
  let lineNumber = 0;
  try {
    for await (const raw of lines) {
      lineNumber++;
      // a byte-order mark (editors on Windows write one) is not part of the first request
      const line = lineNumber === 1 ? withoutBom(raw) : raw;
      if (line.trim() === '') continue;
      yield parseTrafficLine(line, path, lineNumber);
    }
  } finally {
    lines.close();
  }
}

/** The size of a traffic file now, or a one-line error when it is missing or not a file. */
export async function trafficFileSize(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new UserError(`${path}: not a file; pass an NDJSON traffic file (one request a line)`);
    return info.size;
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${path}: cannot read the traffic file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); check the path`);
  }
}

/** The body bytes a traffic request carries, decoded from its encoding. */
export function trafficBody(req: TrafficRequest): Buffer | undefined {
  if (req.body === undefined) return undefined;
  return Buffer.from(req.body, req.bodyEncoding === 'base64' ? 'base64' : 'utf8');
}

// Headers that describe one hop or one framing of the body, not the request; replaying or
// recording them would be wrong (the client recomputes them) or refused by the HTTP client.
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'content-length',
  'expect',
  'host',
]);

export function isHopByHopHeader(name: string): boolean {
  return hopByHop.has(name.toLowerCase());
}

export const REDACTED = '[redacted]';

/**
 * Turns a live request into the traffic format: hop-by-hop headers dropped, the values of
 * the headers in `redactHeaders` replaced by "[redacted]", the body kept as UTF-8 text when
 * it is valid UTF-8 (readable diffs of recordings) and as base64 otherwise (byte-exact).
 */
export function toTrafficRequest(req: LiveRequest, redactHeaders: readonly string[] = []): TrafficRequest {
  const redact = new Set(redactHeaders.map((h) => h.toLowerCase()));
  const headers: Record<string, string | string[]> = {};
  for (const [rawName, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    const name = rawName.toLowerCase();
    if (hopByHop.has(name)) continue;
    headers[name] = redact.has(name) ? REDACTED : value;
  }
  const out: TrafficRequest = { method: req.method.toUpperCase(), path: req.path };
  if (Object.keys(headers).length > 0) out.headers = headers;
  if (req.body !== undefined && req.body.length > 0) {
    const text = decodeUtf8(req.body);
    if (text !== undefined) {
      out.body = text;
    } else {
      out.body = req.body.toString('base64');
      out.bodyEncoding = 'base64';
    }
  }
  return out;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** One NDJSON line (with its newline) for a traffic request. */
export function writeTrafficLine(req: TrafficRequest): string {
  return JSON.stringify(req) + '\n';
}

export interface TrafficRecorderOptions {
  /** header names whose values are replaced by "[redacted]" before anything is written (a function: read per request) */
  redactHeaders?: readonly string[] | (() => readonly string[]);
  /** requests with a larger body are not recorded (counted as skipped); default 1 MiB */
  maxBodyBytes?: number;
  /** when this much is waiting to be written, new requests are dropped (counted) rather than
   * buffered without bound: the recorder sits beside the proxy's hot path; default 8 MiB */
  maxBufferedBytes?: number;
  /** headers left out of the recording; default x-request-id (a replay is a new request and gets a new id) */
  dropHeaders?: readonly string[];
  /** rewrites a UTF-8 request body before it is written (secrets in JSON fields); binary bodies are kept.
   * Undefined: the body cannot be redacted (JSON nested too deep to walk), so the request is not recorded (counted). */
  redactBody?: (body: string, contentType: string | undefined) => string | undefined;
  /** told once when the file stops taking writes (disk full, file system gone): recording stops, serving goes on */
  onError?: (err: Error) => void;
}

export interface RecorderStats {
  recorded: number;
  skippedLargeBody: number;
  /** requests whose body could not be checked for secrets (JSON nested deeper than redaction walks) */
  skippedUnredactable: number;
  droppedBackpressure: number;
}

/** Append-only NDJSON writer for live traffic, with header redaction. Never blocks the caller. */
export class TrafficRecorder {
  readonly path: string;
  private readonly stream: WriteStream;
  private readonly redactHeaders: readonly string[] | (() => readonly string[]);
  readonly maxBodyBytes: number;
  private readonly maxBufferedBytes: number;
  private readonly dropHeaders: ReadonlySet<string>;
  private readonly redactBody: TrafficRecorderOptions['redactBody'];
  private readonly counts: RecorderStats = { recorded: 0, skippedLargeBody: 0, skippedUnredactable: 0, droppedBackpressure: 0 };
  private failure: Error | undefined;
  private closed = false;

  constructor(path: string, options: TrafficRecorderOptions = {}) {
    this.path = path;
    this.redactHeaders = options.redactHeaders ?? DEFAULT_REDACT.headers;
    this.maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 8 * 1024 * 1024;
    this.dropHeaders = new Set((options.dropHeaders ?? ['x-request-id']).map((h) => h.toLowerCase()));
    this.redactBody = options.redactBody;
    // opened now, so a path that cannot be written stops the start instead of every request going unrecorded
    let fd: number;
    try {
      fd = openSync(path, 'a');
    } catch (err) {
      throw new UserError(`cannot record traffic to ${path}: ${(err as Error).message}`);
    }
    this.stream = createWriteStream(path, { fd, flags: 'a' });
    this.stream.on('error', (err) => {
      if (this.failure) return;
      this.failure = err;
      options.onError?.(err);
    });
  }

  /** Records one request; returns false when it was skipped or dropped. */
  record(req: LiveRequest): boolean {
    if (this.closed || this.failure) return false;
    if (req.body !== undefined && req.body.length > this.maxBodyBytes) {
      this.counts.skippedLargeBody++;
      return false;
    }
    if (this.stream.writableLength > this.maxBufferedBytes) {
      this.counts.droppedBackpressure++;
      return false;
    }
    const line = toTrafficRequest(req, typeof this.redactHeaders === 'function' ? this.redactHeaders() : this.redactHeaders);
    if (this.redactBody && line.body !== undefined && line.bodyEncoding !== 'base64') {
      const type = req.headers['content-type'];
      const body = this.redactBody(line.body, Array.isArray(type) ? type[0] : type);
      if (body === undefined) {
        this.counts.skippedUnredactable++;
        return false;
      }
      line.body = body;
    }
    if (line.headers && this.dropHeaders.size > 0) {
      for (const name of this.dropHeaders) delete line.headers[name];
      if (Object.keys(line.headers).length === 0) delete line.headers;
    }
    this.stream.write(writeTrafficLine(line));
    this.counts.recorded++;
    return true;
  }

  /** Counts a request whose body was over maxBodyBytes (the live hook finds out only while reading it). */
  skipLargeBody(): void {
    this.counts.skippedLargeBody++;
  }

  /**
   * The proxy's onRequest hook: records each request as it arrives, its body tapped beside the
   * forwarding (never buffered past maxBodyBytes). Must be called in the same tick the request
   * is handed to the forwarder, which is what the proxy's onRequest does.
   */
  readonly onRequest = (req: IncomingMessage): void => {
    const h = req.headers;
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    if (!hasRequestBody(h)) {
      this.record({ method, path, headers: h });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > this.maxBodyBytes) {
        tooLarge = true;
        chunks.length = 0;
      } else chunks.push(chunk);
    });
    req.once('end', () => {
      if (tooLarge) this.skipLargeBody();
      else this.record({ method, path, headers: h, body: Buffer.concat(chunks) });
    });
  };

  stats(): RecorderStats {
    return { ...this.counts };
  }

  /** Flushes and closes the file; rejects if the file could not be written. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.failure) throw this.failure;
    this.stream.end();
    await once(this.stream, 'finish');
    if (this.failure) throw this.failure;
  }
}

/**
 * A recorder applying a proxy config's redaction (headers, and JSON fields or form keys in bodies) before
 * anything is written: what `strangler proxy --record` and the demo use. Given a function, the redaction is
 * read per request (the live config: a reload that adds a field redacts it from the next request on).
 */
export function redactingRecorder(path: string, redact: RedactOptions | (() => RedactOptions), options: TrafficRecorderOptions = {}): TrafficRecorder {
  let current: RedactOptions | undefined;
  let redactor: ReturnType<typeof createRedactor>;
  const now = (): RedactOptions => {
    const r = typeof redact === 'function' ? redact() : redact;
    if (r !== current) {
      redactor = createRedactor(r); // compiled once per config, not per request
      current = r;
    }
    return r;
  };
  now();
  return new TrafficRecorder(path, {
    ...options,
    redactHeaders: () => now().headers,
    redactBody: (text, contentType) => {
      now();
      return redactBodyText(redactor, text, contentType);
    },
  });
}

