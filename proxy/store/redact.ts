// Redaction happens before anything is queued for the store: configured headers and JSON
// paths in request and response bodies (and in diff entry values, which quote bodies) become
// "[redacted]". Text that is not JSON (forms, query strings, broken JSON) is scrubbed by key name.
import { createHash } from 'node:crypto';
import type { DiffEntry } from '../types.ts';
import { capText, isJsonContentType, looksBinary } from './body-text.ts';
import { decodeContent, readableText } from '../compare/index.ts';
import { compilePath, matchesPath, pathSegments, terminalName, type CompiledPath, type PathSegment } from './json-path.ts';
import { UserError } from '../../common/user-error.ts';

export const REDACTED = '[redacted]';

/**
 * The deepest JSON nesting redaction walks. Deeper values cannot be walked on the stack nor serialised
 * (JSON.stringify overflows a few thousand levels down), so they are never stored as they are: a body
 * becomes a line with its size and digest, a diff value TOO_DEEP_VALUE, a recorded request is skipped.
 */
export const MAX_REDACT_DEPTH = 1000;
export const TOO_DEEP_VALUE = `[nested deeper than ${MAX_REDACT_DEPTH} levels: not stored]`;
/** What Redactor.json returns for a value nested deeper than MAX_REDACT_DEPTH. */
export const TOO_DEEP: unique symbol = Symbol('nested too deep to redact');

export interface RedactOptions {
  headers: string[];
  fields: string[];
}

export const DEFAULT_REDACT: RedactOptions = {
  headers: ['authorization', 'cookie', 'set-cookie', 'proxy-authorization'],
  fields: ['$..password', '$..cardNumber'],
};

export interface BodyInput {
  body?: Buffer;
  headers: Record<string, string>;
  size: number;
  hash?: string;
  truncated?: boolean;
}

export interface Redactor {
  headers(headers: Record<string, string>): Record<string, string>;
  query(query: string): string;
  /** JSON value with every matching path replaced; `base` is the path of `value` itself. A value nested deeper
   * than MAX_REDACT_DEPTH is TOO_DEEP_VALUE as a whole: it is never walked, so never stored as it was. */
  value(value: unknown, base?: readonly PathSegment[]): unknown;
  text(text: string): string;
  /** Decoded, redacted, capped body text for a stored sample. */
  body(input: BodyInput, maxBytes: number): string;
  entries(entries: readonly DiffEntry[]): DiffEntry[];
  /** As value(), but TOO_DEEP instead of a placeholder when the value nests deeper than MAX_REDACT_DEPTH. */
  json(value: unknown): unknown;
}

export function createRedactor(options: RedactOptions = DEFAULT_REDACT): Redactor {
  const headerNames = new Set(options.headers.map((h) => h.toLowerCase()));
  const patterns: CompiledPath[] = options.fields.map((field) => {
    const compiled = compilePath(field);
    if (!compiled) throw new UserError(`redact.fields: "${field}" is not a JSON path; write it like "$..password" or "$.customer.cardNumber"`);
    return compiled;
  });
  const names = [...new Set(patterns.map(terminalName).filter((n): n is string => n !== undefined))];
  const textRules = names.map(textRule);

  const isSecretPath = (segs: readonly PathSegment[]): boolean => patterns.some((p) => matchesPath(p, segs));

  /** The redacted copy of a JSON value, or TOO_DEEP when it nests deeper than MAX_REDACT_DEPTH. */
  function redactJson(v: unknown, base: readonly PathSegment[] = []): unknown {
    const segs = [...base];
    const walk = (node: unknown, depth: number): unknown => {
      if (patterns.length > 0 && isSecretPath(segs)) return REDACTED;
      if (typeof node === 'string') return text(node);
      if (node === null || typeof node !== 'object') return node;
      // checked with no patterns too: what is returned is serialised for the store, and JSON.stringify
      // overflows the stack a few thousand levels down
      if (depth >= MAX_REDACT_DEPTH) throw TOO_DEEP;
      if (Array.isArray(node)) {
        return node.map((child, i) => {
          segs.push(i);
          const out = walk(child, depth + 1);
          segs.pop();
          return out;
        });
      }
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) {
        segs.push(key);
        out[key] = walk(child, depth + 1);
        segs.pop();
      }
      return out;
    };
    try {
      return walk(v, 0);
    } catch (err) {
      if (err === TOO_DEEP) return TOO_DEEP;
      throw err;
    }
  }

  function value(v: unknown, base: readonly PathSegment[] = []): unknown {
    const out = redactJson(v, base);
    return out === TOO_DEEP ? TOO_DEEP_VALUE : out;
  }

  function text(t: string): string {
    let out = t;
    for (const rule of textRules) out = rule(out);
    return out;
  }

  function headers(h: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, v] of Object.entries(h)) out[name] = headerNames.has(name.toLowerCase()) ? REDACTED : text(v);
    return out;
  }

  function query(q: string): string {
    if (q === '' || names.length === 0) return q;
    return q
      .split('&')
      .map((part) => {
        const eq = part.indexOf('=');
        const key = safeDecode(eq < 0 ? part : part.slice(0, eq));
        return eq >= 0 && names.includes(key) ? `${part.slice(0, eq)}=${encodeURIComponent(REDACTED)}` : part;
      })
      .join('&');
  }

  function body(input: BodyInput, maxBytes: number): string {
    if (!input.body) {
      if (input.size === 0) return '';
      return `[body not captured: ${input.size} bytes${input.hash ? `, sha256 ${input.hash}` : ''}]`;
    }
    const bytes = decodeContent(input.body, input.headers['content-encoding']) ?? input.body; // undecodable: show as received
    if (looksBinary(bytes)) return `[binary body: ${bytes.length} bytes]`;
    const raw = readableText(bytes, input.headers['content-type']);
    const json = parseJsonLike(raw, input.headers['content-type']);
    if (!json) return capText(text(raw), maxBytes);
    const redacted = redactJson(json.value);
    // too deep to walk for secrets: the bytes are not stored, only what identifies them (the digest a whole-body
    // `hash` difference carries, compare/response-diff.ts)
    if (redacted === TOO_DEEP) return `[JSON body nested deeper than ${MAX_REDACT_DEPTH} levels, not stored: ${input.body.length} bytes, sha256 ${createHash('sha256').update(input.body).digest('hex')}]`;
    return capText(JSON.stringify(redacted), maxBytes);
  }

  function entries(list: readonly DiffEntry[]): DiffEntry[] {
    return list.map((entry) => {
      if (entry.path.startsWith('headers.')) {
        const name = entry.path.slice('headers.'.length).toLowerCase();
        if (headerNames.has(name)) return { ...entry, monolith: maskDefined(entry.monolith), candidate: maskDefined(entry.candidate) };
        return { ...entry, monolith: value(entry.monolith), candidate: value(entry.candidate) };
      }
      const segs = pathSegments(entry.path) ?? [];
      return { ...entry, monolith: value(entry.monolith, segs), candidate: value(entry.candidate, segs) };
    });
  }

  return { headers, query, value, text, body, entries, json: redactJson };
}

function maskDefined(v: unknown): unknown {
  return v === undefined ? undefined : REDACTED;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Scrubs `"name": value` (JSON-ish, also cut-off JSON) and `name=value` (forms, logs). */
function textRule(name: string): (text: string) => string {
  const key = escapeRegExp(name);
  const json = new RegExp(`("${key}"\\s*:\\s*)("(?:[^"\\\\]|\\\\.)*"?|[^,}\\]\\s]+)`, 'g');
  const form = new RegExp(`((?:^|[&?;\\s])${key}=)([^&;\\s]*)`, 'g');
  return (text) => {
    if (!text.includes(name)) return text;
    return text.replace(json, `$1"${REDACTED}"`).replace(form, `$1${encodeURIComponent(REDACTED)}`);
  };
}

/**
 * A request body as text with its secrets redacted, for the traffic recorder: JSON bodies have the
 * configured paths replaced (and are re-serialised only when something was replaced, so a replay sends
 * the original bytes otherwise); other text is scrubbed by key name (forms, query-like bodies).
 * Undefined for a JSON body nested deeper than MAX_REDACT_DEPTH: it cannot be checked, so it is not recorded.
 */
export function redactBodyText(redactor: Redactor, text: string, contentType: string | undefined): string | undefined {
  const json = parseJsonLike(text, contentType);
  if (!json) return redactor.text(text);
  const redacted = redactor.json(json.value);
  if (redacted === TOO_DEEP) return undefined;
  const out = JSON.stringify(redacted);
  return out === JSON.stringify(json.value) ? text : out;
}

/** The parsed body when it is JSON (by content type or by its first character); undefined for text that is not. */
function parseJsonLike(raw: string, contentType: string | undefined): { value: unknown } | undefined {
  const trimmed = raw.trimStart();
  if (!isJsonContentType(contentType) && !trimmed.startsWith('{') && !trimmed.startsWith('[')) return undefined;
  try {
    return { value: JSON.parse(raw) as unknown };
  } catch {
    return undefined; // not JSON after all: scrubbed as text
  }
}
