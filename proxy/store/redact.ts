// Redaction happens before anything is queued for the store: configured headers and JSON
// paths in request and response bodies (and in diff entry values, which quote bodies) become
// "[redacted]". Text that is not JSON (forms, query strings, broken JSON) is scrubbed by key name.
import type { DiffEntry } from '../types.ts';
import { capText, isJsonContentType, looksBinary } from './body-text.ts';
import { decodeContent, readableText } from '../compare/index.ts';
import { compilePath, matchesPath, pathSegments, terminalName, type CompiledPath, type PathSegment } from './json-path.ts';
import { UserError } from '../../common/user-error.ts';

export const REDACTED = '[redacted]';

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
  /** JSON value with every matching path replaced; `base` is the path of `value` itself. */
  value(value: unknown, base?: readonly PathSegment[]): unknown;
  text(text: string): string;
  /** Decoded, redacted, capped body text for a stored sample. */
  body(input: BodyInput, maxBytes: number): string;
  entries(entries: readonly DiffEntry[]): DiffEntry[];
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

  function value(v: unknown, base: readonly PathSegment[] = []): unknown {
    if (patterns.length === 0) return v;
    const segs = [...base];
    const walk = (node: unknown): unknown => {
      if (isSecretPath(segs)) return REDACTED;
      if (typeof node === 'string') return text(node);
      if (Array.isArray(node)) {
        return node.map((child, i) => {
          segs.push(i);
          const out = walk(child);
          segs.pop();
          return out;
        });
      }
      if (node !== null && typeof node === 'object') {
        const out: Record<string, unknown> = {};
        for (const [key, child] of Object.entries(node)) {
          segs.push(key);
          out[key] = walk(child);
          segs.pop();
        }
        return out;
      }
      return node;
    };
    return walk(v);
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
    return capText(json ? JSON.stringify(value(json.value)) : text(raw), maxBytes);
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

  return { headers, query, value, text, body, entries };
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
 */
export function redactBodyText(redactor: Redactor, text: string, contentType: string | undefined): string {
  const json = parseJsonLike(text, contentType);
  if (!json) return redactor.text(text);
  const redacted = JSON.stringify(redactor.value(json.value));
  return redacted === JSON.stringify(json.value) ? text : redacted;
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
