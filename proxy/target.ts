// The request target, read once the same way everywhere: the path the forwarder sends upstream is the path the
// router matches and the path a shadow copy is sent to. Read differently, `/books/x/%2e%2e/%2e%2e/orders/secret`
// matched the /books route and reached its service as /orders/secret, and an absolute-form target
// (`GET http://other.host/books/1`) went to the candidate as written. The server now turns an absolute-form target
// into the origin-form request it names, Host its authority, before anything reads it (absoluteTarget, below);
// targetPath and routePath still reduce one that reaches them some other way.
import { toURL } from 'http-proxy-3/dist/lib/http-proxy/common.js';
import { isValidHost } from './host-header.ts';

// request-target characters the WHATWG URL parser keeps as they are, in a path and in a query
const VERBATIM_CHARS = /^\/[A-Za-z0-9\-._~!$&()*+,;=:@/?%]*$/;

/** Whether the parser would change this target: dot segments (percent-encoded ones too), "//", absolute form, "?" alone. */
function needsParsing(url: string): boolean {
  return url.charCodeAt(0) !== 47 /* / */ || url.startsWith('//') || url.includes('/.') || /%2e/i.test(url) || url.endsWith('?');
}

/**
 * The path and query of a request target, normalised as the WHATWG URL parser does (http-proxy-3's getPath): what
 * the upstream receives. The common target is already in that form and comes back as it is.
 */
export function targetPath(url: string): string {
  if (url === '' || url.startsWith('?')) return url;
  if (VERBATIM_CHARS.test(url) && !needsParsing(url)) return url;
  // the asterisk form (`OPTIONS *`, RFC 9112 §3.2.4) names the server, not a path: the parser would make it `/*`
  if (url === '*') return url;
  try {
    const u = toURL(url);
    return `${u.pathname}${u.search}`;
  } catch {
    return '/';
  }
}

/** The path the router matches: the target's path as the upstream receives it, without the query. */
export function routePath(url: string): string {
  const target = needsParsing(url) ? targetPath(url) : url;
  const q = target.indexOf('?');
  return q === -1 ? target : target.slice(0, q);
}

/** An absolute-form target (RFC 9112 §3.2.2) read as the request it names: the authority and the origin-form. */
export interface AbsoluteTarget {
  /** `host[:port]` as the target wrote it: the request's Host */
  authority: string;
  /** `/path?query` (`/` when the target had no path) */
  path: string;
}

const SCHEME_END = '://';

/**
 * An absolute-form target split into its authority and origin-form, or undefined when the proxy refuses it: a scheme
 * other than http or https (any case), an authority with user info (RFC 9110 §4.2.4), an empty host (§4.2.1) or one
 * that is not `host[:port]` (the Host header's rule). Asked only of a target that does not start with `/`.
 */
export function absoluteTarget(url: string): AbsoluteTarget | undefined {
  const colon = url.indexOf(SCHEME_END);
  if (colon !== 4 && colon !== 5) return undefined;
  const scheme = url.slice(0, colon).toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return undefined;
  const start = colon + SCHEME_END.length;
  let end = start;
  while (end < url.length && url.charCodeAt(end) !== 47 /* / */ && url.charCodeAt(end) !== 63 /* ? */) end++;
  const authority = url.slice(start, end);
  // the name part may not be empty (`http:///x`, `http://:80/x`); user info and anything but host[:port] fail isValidHost
  if (authority === '' || authority.charCodeAt(0) === 58 /* : */ || !isValidHost(authority)) return undefined;
  const rest = url.slice(end);
  return { authority, path: rest === '' ? '/' : rest.charCodeAt(0) === 63 ? `/${rest}` : rest };
}
