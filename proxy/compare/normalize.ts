// The normalized view of a response: decoded body with ignored fields removed and only the compared
// headers kept. This is what a person sees in a report; the diff applies the same rules while walking.
import type { CapturedResponse, CompareRules } from '../types.ts';
import { compileRules, step, type CompiledRules, type States, type StepResult } from './rules.ts';
import { decodeBody, type NormalizedBody } from './decode.ts';

/**
 * Stands in for an ignored array element: removing it would shift the indices after it (and make
 * normalizing twice remove a second element), so it is replaced in place instead.
 */
export const IGNORED = '[ignored]';

const MEDIA_TYPE_SPACES = /\s*([;=])\s*/g;
// JSON is UTF-8 by definition (RFC 8259), so the parameter says nothing for JSON media types.
const JSON_UTF8 = /^([^;]*[/+]json);charset="?utf-8"?(?=;|$)/;

function apply(c: CompiledRules, v: unknown, st: States, sr: StepResult): unknown {
  if (st.length === 0 || typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    return v.map((el, i) => {
      const cs = step(c, st, i, sr);
      return sr.ignored ? IGNORED : apply(c, el, cs, sr);
    });
  }
  const out: Record<string, unknown> = {};
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    const cs = step(c, st, k, sr);
    if (!sr.ignored) out[k] = apply(c, o[k], cs, sr);
  }
  return out;
}

/** A copy of a parsed JSON value with the rules' ignored paths removed (shares untouched subtrees). */
export function applyRules(value: unknown, rules: CompareRules | CompiledRules = {}): unknown {
  const c = compileRules(rules);
  if (c.ignoreBody) return IGNORED;
  return apply(c, value, c.rootStates, { ignored: false, unordered: undefined });
}

/** Header values compared loosely where servers legitimately differ in spelling (case, spaces). */
export function normalizeHeaderValue(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (name === 'content-type') return v.toLowerCase().replace(MEDIA_TYPE_SPACES, '$1').replace(JSON_UTF8, '$1');
  return v;
}

export interface NormalizedResponse {
  status: number;
  headers: Record<string, string>;
  body: NormalizedBody;
}

export function normalizeResponse(res: CapturedResponse, rules: CompareRules | CompiledRules = {}): NormalizedResponse {
  const c = compileRules(rules);
  const headers: Record<string, string> = {};
  for (const h of c.headers) {
    const v = normalizeHeaderValue(h, res.headers[h]);
    if (v !== undefined) headers[h] = v;
  }
  const body = decodeBody(res);
  if (c.ignoreBody) return { status: res.status, headers, body: { kind: 'text', value: IGNORED } };
  if (body.kind === 'json') body.value = applyRules(body.value, c);
  return { status: res.status, headers, body };
}
