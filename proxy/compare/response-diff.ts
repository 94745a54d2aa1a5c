// Compares two captured responses: status, the chosen headers, then the body by its kind.
import { createHash } from 'node:crypto';
import type { CapturedResponse, CompareRules, DiffEntry } from '../types.ts';
import { compileRules, type CompiledRules } from './rules.ts';
import { decodeBody, isJsonType, type NormalizedBody } from './decode.ts';
import { tryLockstep } from './lockstep.ts';
import { normalizeHeaderValue } from './normalize.ts';
import { diffValues } from './diff.ts';
import { textDiff } from './text-diff.ts';

const PREVIEW_CHARS = 1000;

function preview(body: NormalizedBody): unknown {
  return typeof body.value === 'string' ? body.value.slice(0, PREVIEW_CHARS) : body.value;
}

/** Both bodies kept and byte-identical, or both truncated with the same digest. */
function sameBytes(m: CapturedResponse, c: CapturedResponse): boolean {
  if (m.truncated || c.truncated) return m.truncated && c.truncated && m.hash !== '' && m.hash === c.hash;
  const a = m.body ?? EMPTY;
  const b = c.body ?? EMPTY;
  return a.length === b.length && a.equals(b);
}
const EMPTY = Buffer.alloc(0);

/** What a hash difference shows of one side: the capture's digest when truncated, else one taken of the kept bytes. */
function digestOf(res: CapturedResponse): { hash: string; size: number } {
  if (res.truncated || !res.body) return { hash: res.hash, size: res.size };
  return { hash: createHash('sha256').update(res.body).digest('hex'), size: res.size };
}

export function diffBodies(m: CapturedResponse, c: CapturedResponse, rules: CompiledRules): DiffEntry[] {
  try {
    return walkBodies(m, c, rules);
  } catch (err) {
    // a JSON body nested deeper than the walk's stack (thousands of levels): the bytes differ (equal bytes read alike
    // return before the walk), so the pair is one whole-body difference by digest, not a pair the comparator skips
    if (!(err instanceof RangeError)) throw err;
    return [{ path: '$', kind: 'hash', monolith: digestOf(m), candidate: digestOf(c) }];
  }
}

function walkBodies(m: CapturedResponse, c: CapturedResponse, rules: CompiledRules): DiffEntry[] {
  if (rules.ignoreBody) return [];
  // Same bytes read the same way: nothing to parse (the common case when a service matches).
  if (sameBytes(m, c) && m.headers['content-encoding'] === c.headers['content-encoding'] && m.headers['content-type'] === c.headers['content-type']) {
    return [];
  }
  // Plain JSON on both sides: most pairs are answered by reading the bytes side by side, parsing only
  // the values that differ (lockstep.ts); the rest fall through to parsing both bodies.
  if (m.body && c.body && !m.truncated && !c.truncated && m.headers['content-encoding'] === undefined && c.headers['content-encoding'] === undefined) {
    if (isJsonType(m.headers['content-type']) && isJsonType(c.headers['content-type'])) {
      const entries = tryLockstep(m.body, c.body, rules);
      if (entries) return entries;
    }
  }
  const bm = decodeBody(m);
  const bc = decodeBody(c);
  if (bm.kind === 'hash' || bc.kind === 'hash') {
    // Over maxBodyBytes only the raw digest was kept; identical bytes are the only equality we can see.
    if (sameBytes(m, c)) return [];
    return [{ path: '$', kind: 'hash', monolith: digestOf(m), candidate: digestOf(c) }];
  }
  if (bm.kind !== bc.kind) return [{ path: '$', kind: 'type', monolith: preview(bm), candidate: preview(bc) }];
  switch (bm.kind) {
    case 'json':
      return diffValues(bm.value, bc.value, rules);
    case 'text': {
      const e = textDiff(bm.value as string, bc.value as string);
      return e ? [e] : [];
    }
    default: {
      const dm = bm.value as { hash: string; size: number };
      const dc = bc.value as { hash: string; size: number };
      return dm.hash === dc.hash ? [] : [{ path: '$', kind: 'hash', monolith: dm, candidate: dc }];
    }
  }
}

/** All differences between the monolith's and the candidate's answer, before noise filtering. */
export function diffResponses(
  monolith: CapturedResponse,
  candidate: CapturedResponse,
  rules: CompareRules | CompiledRules = {},
): DiffEntry[] {
  const c = compileRules(rules);
  const entries: DiffEntry[] = [];
  if (monolith.status !== candidate.status) {
    entries.push({ path: 'status', kind: 'status', monolith: monolith.status, candidate: candidate.status });
  }
  for (const h of c.headers) {
    if (monolith.headers[h] === candidate.headers[h]) continue; // the same spelling: nothing to normalize
    const vm = normalizeHeaderValue(h, monolith.headers[h]);
    const vc = normalizeHeaderValue(h, candidate.headers[h]);
    if (vm === vc) continue;
    const e: DiffEntry = { path: `headers.${h}`, kind: 'header' };
    if (vm !== undefined) e.monolith = monolith.headers[h];
    if (vc !== undefined) e.candidate = candidate.headers[h];
    entries.push(e);
  }
  for (const e of diffBodies(monolith, candidate, c)) entries.push(e);
  return entries;
}
