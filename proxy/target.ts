// The request target, read once the same way everywhere: the path the forwarder sends upstream is the path the
// router matches and the path a shadow copy is sent to. Read differently, `/books/x/%2e%2e/%2e%2e/orders/secret`
// matched the /books route and reached its service as /orders/secret, and an absolute-form target
// (`GET http://other.host/books/1`) went to the candidate as written.
import { toURL } from 'http-proxy-3/dist/lib/http-proxy/common.js';

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
