// Shared data types on the proxy's comparison path: what shadow.ts captures,
// what compare/ produces and what store.ts persists. Plain data only.

export type Mode = 'legacy' | 'shadow' | 'canary' | 'migrated';

export interface CapturedResponse {
  status: number;
  /** lower-cased header names; multi-valued headers joined with ", " */
  headers: Record<string, string>;
  /** the body bytes as received (still content-encoded), or undefined when over maxBodyBytes */
  body?: Buffer;
  /** total body size in bytes (also when truncated) */
  size: number;
  /** sha256 hex of the full body when it was truncated (the bytes are gone, the digest is what is compared);
   * "" when the body is kept (its bytes are compared directly) */
  hash: string;
  /** true when the body exceeded maxBodyBytes and only hash and size were kept */
  truncated: boolean;
  latencyMs: number;
}

export interface CapturedRequest {
  id: string; // x-request-id
  method: string;
  path: string; // path without the query
  query: string; // raw query string without "?", may be ""
  headers: Record<string, string>;
  body?: Buffer;
  receivedAt: number; // epoch ms
}

/** One shadowed exchange, handed to the comparison step (onPair). */
export interface Pair {
  routeId: string;
  service: string;
  request: CapturedRequest;
  monolith: CapturedResponse;
  /** undefined when the candidate call failed; see candidateError */
  candidate?: CapturedResponse;
  candidateError?: 'timeout' | 'refused' | 'reset' | 'error';
  /** a second monolith answer to the same request, for noise learning (sampled) */
  monolithAgain?: CapturedResponse;
}

export type DiffKind = 'changed' | 'type' | 'missing' | 'extra' | 'order' | 'length' | 'status' | 'header' | 'text' | 'hash';

export interface DiffEntry {
  /** JSON path with concrete indices, e.g. "$.items[3].price"; "status" / "headers.content-type" for non-body parts */
  path: string;
  kind: DiffKind;
  monolith?: unknown;
  candidate?: unknown;
}

export interface CompareRules {
  ignore?: string[];
  unordered?: (string | { path: string; key: string })[];
  tolerance?: number;
  headers?: string[];
}
