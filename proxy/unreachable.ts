// Routes that can never match: first declared match wins (router.ts), so a route whose every request is matched
// by one declared before it never serves anything. Legal (the analyzer emits configs from apps that register a
// route twice), but worth a warning. Mirrors router.ts exactly; where it cannot be sure, it says nothing.

export interface RouteShape {
  id: string;
  method: string; // GET | POST | ... | '*'
  path: string;
}

export interface UnreachableRoute {
  /** the route that never matches */
  route: string;
  /** the first route declared before it that matches every request it would */
  shadowedBy: string;
}

/** Each route that an earlier one covers, with the first earlier route that does. */
export function unreachableRoutes(routes: readonly RouteShape[]): UnreachableRoute[] {
  const out: UnreachableRoute[] = [];
  routes.forEach((later, i) => {
    const earlier = routes.slice(0, i).find((e) => covers(e, later));
    if (earlier) out.push({ route: later.id, shadowedBy: earlier.id });
  });
  return out;
}

/** Whether every request `later` matches (method and path) is also matched by `earlier`. */
export function covers(earlier: RouteShape, later: RouteShape): boolean {
  return methodCovers(earlier.method, later.method) && pathCovers(segmentsOf(earlier.path), segmentsOf(later.path));
}

/** The router answers HEAD with a GET route, and any method (unknown ones too) with a '*' route. */
function methodCovers(earlier: string, later: string): boolean {
  if (earlier === '*') return true;
  if (later === '*') return false; // '*' also takes methods no route names (PROPFIND): only another '*' covers it
  return earlier === later || (earlier === 'GET' && later === 'HEAD');
}

/** A path's segments as the router splits them: "/a/b/" is "/a/b", "/" is one empty segment. */
function segmentsOf(path: string): string[] {
  const segments = path.split('/').slice(1);
  if (segments.length > 1 && segments[segments.length - 1] === '') segments.pop();
  return segments;
}

const isRest = (s: string) => s.startsWith('*');
const isParam = (s: string) => s.startsWith(':');

/**
 * Literal segments match in any case (the router lowercases both sides), `:param` one non-empty segment, a final
 * `*` zero or more segments.
 */
function pathCovers(earlier: string[], later: string[]): boolean {
  for (let i = 0; ; i++) {
    const e = earlier[i];
    const l = later[i];
    if (e !== undefined && isRest(e)) return true; // whatever the later route has from here on
    if (e === undefined || l === undefined) return e === l; // both end here; else one is longer than the other
    if (isRest(l)) return false; // the later route takes any number of segments here, the earlier a fixed count
    if (isParam(e)) {
      if (isParam(l)) continue;
      if (l === '') return false; // a param never matches an empty segment
      continue;
    }
    if (isParam(l) || e.toLowerCase() !== l.toLowerCase()) return false;
  }
}
