// Stable, readable route ids for the plan and the proxy config: `GET /api/books/:id` in catalog → `catalog.getBook`.

import { singular } from './vocabulary.ts';

const VERBS: Record<string, string> = { GET: 'get', POST: 'create', PUT: 'replace', PATCH: 'update', DELETE: 'delete', HEAD: 'head', OPTIONS: 'options', ALL: 'all' };
const GENERIC = new Set(['api', 'rest', 'v1', 'v2', 'v3', 'v4', 'public', 'internal']);

function pascal(word: string): string {
  return word
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}

const isParam = (s: string): boolean => s.startsWith(':') || s.startsWith('{') || s.includes('*');

/** `<verb><Noun>` for a route; a static segment followed by a parameter is singular (`/books/:id` → `Book`). */
export function routeAction(method: string, path: string): string {
  const segments = path.split('/').filter((s) => s.length > 0 && !GENERIC.has(s.toLowerCase()));
  const verb = VERBS[method.toUpperCase()] ?? method.toLowerCase().replace(/[^a-z]/g, '');
  const nouns: string[] = [];
  const creates = method.toUpperCase() === 'POST';
  segments.forEach((s, i) => {
    if (isParam(s)) return;
    // `/books/:id` is one book; POST /books creates one book
    const one = (i + 1 < segments.length && isParam(segments[i + 1])) || (creates && i === segments.length - 1);
    nouns.push(pascal(one ? singular(s) : s));
  });
  const last = segments[segments.length - 1];
  const plural = (w: string): boolean => /s$/.test(w) && !/(ss|us|is)$/.test(w);
  // a segment with no letter or digit (`/_`, `/-`, `/é`) names nothing: it is no action either
  const named = last !== undefined && !isParam(last) && pascal(last) !== '';
  // POST /login is the action itself
  if (creates && segments.length === 1 && named && !plural(last)) return nouns[0][0].toLowerCase() + nouns[0].slice(1);
  // POST /orders/:id/cancel reads better as cancelOrder than createOrderCancel; POST /books/:id/reviews adds a review
  if (creates && segments.length >= 2 && named && !plural(last) && isParam(segments[segments.length - 2])) {
    const action = nouns.pop()!;
    return action[0].toLowerCase() + action.slice(1) + nouns.join('');
  }
  return verb + (nouns.join('') || 'Root');
}

/** Gives each route a unique id within the plan: `<service>.<action>`, with 2, 3… appended on a clash. */
export function assignRouteIds<T extends { service: string; method: string; path: string }>(routes: readonly T[]): Array<T & { id: string }> {
  const used = new Set<string>();
  return routes.map((r) => {
    const base = `${r.service}.${routeAction(r.method, r.path)}`;
    let id = base;
    for (let i = 2; used.has(id); i++) id = `${base}${i}`;
    used.add(id);
    return { ...r, id };
  });
}
