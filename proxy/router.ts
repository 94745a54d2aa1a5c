// Route rules compiled once per config into a segment trie per method, so a request is matched by walking
// its path segments, not by testing every rule. The declared order still decides: among all rules that
// match, the one declared first wins.
import { RULE_METHODS } from './methods.ts';

interface Node<T> {
  statics: Map<string, Node<T>> | undefined;
  param: Node<T> | undefined;
  /** rules ending here: [declared index, value] */
  ends: Entry<T>[];
  /** rules with a trailing wildcard at this depth (matches zero or more further segments) */
  rests: Entry<T>[];
}

interface Entry<T> {
  index: number;
  value: T;
}

export interface RouteRule<T> {
  method: string; // GET | POST | ... | '*'
  path: string;
  value: T;
}

/** One trie per method a rule can name */
const KNOWN_METHODS = RULE_METHODS;

export interface Router<T> {
  /** The first declared rule matching method and path (path without the query), or undefined. */
  match(method: string, path: string): T | undefined;
}

const newNode = <T>(): Node<T> => ({ statics: undefined, param: undefined, ends: [], rests: [] });

function splitPath(path: string): string[] {
  const segments = path.split('/');
  // "/a/b/" and "/a/b" are the same route; segments[0] is always "" (paths start with "/")
  if (segments.length > 2 && segments[segments.length - 1] === '') segments.pop();
  return segments;
}

function insert<T>(root: Node<T>, path: string, entry: Entry<T>): void {
  const segments = splitPath(path);
  let node = root;
  for (let i = 1; i < segments.length; i++) {
    const s = segments[i];
    if (s.startsWith('*')) {
      node.rests.push(entry);
      return;
    }
    if (s.startsWith(':')) {
      node = node.param ??= newNode();
    } else {
      // literal segments match whatever their case, as Express routes do by default
      const key = s.toLowerCase();
      node.statics ??= new Map();
      let next = node.statics.get(key);
      if (!next) node.statics.set(key, (next = newNode()));
      node = next;
    }
  }
  node.ends.push(entry);
}

/** Lowest declared index matching segments[i..], or Infinity. Backtracks over static, param and wildcard branches. */
function best<T>(node: Node<T>, segments: string[], i: number, found: Entry<T> | undefined): Entry<T> | undefined {
  for (const e of node.rests) if (!found || e.index < found.index) found = e;
  if (i === segments.length) {
    for (const e of node.ends) if (!found || e.index < found.index) found = e;
    return found;
  }
  const s = segments[i];
  // the common request is already lower case: one lookup; another case costs a second
  const next = node.statics && (node.statics.get(s) ?? node.statics.get(s.toLowerCase()));
  if (next) found = best(next, segments, i + 1, found);
  if (node.param && s !== '') found = best(node.param, segments, i + 1, found);
  return found;
}

export function compileRouter<T>(rules: readonly RouteRule<T>[]): Router<T> {
  const tries = new Map<string, Node<T>>();
  const anyMethod = newNode<T>(); // for methods no rule names (e.g. PROPFIND): only '*' rules
  for (const m of KNOWN_METHODS) tries.set(m, newNode());
  rules.forEach((rule, index) => {
    const entry = { index, value: rule.value };
    if (rule.method === '*') {
      for (const root of tries.values()) insert(root, rule.path, entry);
      insert(anyMethod, rule.path, entry);
    } else {
      insert(tries.get(rule.method)!, rule.path, entry);
      // like Express, a GET route answers HEAD too
      if (rule.method === 'GET') insert(tries.get('HEAD')!, rule.path, entry);
    }
  });
  return {
    match(method, path) {
      const root = tries.get(method) ?? anyMethod;
      return best(root, splitPath(path), 1, undefined)?.value;
    },
  };
}

/** The :params of a route path filled from a concrete path (diagnostics and tests; not on the hot path). */
export function pathParams(routePath: string, path: string): Record<string, string> | undefined {
  const pattern = splitPath(routePath);
  const actual = splitPath(path);
  const params: Record<string, string> = {};
  for (let i = 1; i < pattern.length; i++) {
    const p = pattern[i];
    if (p.startsWith('*')) {
      params[p.slice(1) || '*'] = actual.slice(i).join('/');
      return params;
    }
    if (i >= actual.length) return undefined;
    if (p.startsWith(':')) {
      if (actual[i] === '') return undefined;
      params[p.slice(1)] = decodeURIComponent(actual[i]);
    } else if (p.toLowerCase() !== actual[i].toLowerCase()) return undefined;
  }
  return actual.length === pattern.length ? params : undefined;
}

/**
 * The path a request is routed on: its target as the upstream will receive it (dot segments resolved, absolute
 * form reduced to its path; proxy/target.ts), without the query.
 */
export { routePath as requestPath } from './target.ts';
