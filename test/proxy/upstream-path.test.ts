import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toURL, urlJoin } from 'http-proxy-3/dist/lib/http-proxy/common.js';
import { upstreamPath } from '../../proxy/forward.ts';

// http-proxy-3's own computation of the upstream path (setupOutgoing: urlJoin(getPath(target path), getPath(req.url)));
// forward.ts takes a shortcut for targets the URL parser would leave as they are, and must agree with it everywhere
function reference(base: string, url: string): string {
  return urlJoin(getPath(base), getPath(url));
}

/** http-proxy-3's getPath: the path and query of a target, through the URL parser. */
function getPath(u: string): string {
  if (u === '' || u.startsWith('?')) return u;
  const parsed = toURL(u);
  return `${parsed.pathname}${parsed.search}`;
}

const targets = [
  '/', '/books/42', '/books/42?x=1&y=2', '/books?', '/books/?q=', '/a/./b', '/a/../b', '/a/%2e%2e/b', '/a/%2E/b', '/.hidden',
  '/file.json', '/v1.2/items', '/a//b', '//evil.example/x', '/a b', '/a%20b', '/caf\u00e9', '/a"b', '/a<b>', '/a`b', '/a{b}',
  '/a#frag', '/a?b#frag', "/a?it's", '/a?x=<y>', '/a\\b', '/a|b', '/a^b', '/a[0]', '/%zz', '/a?b?c', '/a?x=/../y', '/~user/@me:1',
  "/!$&'()*+,;=", '/a/.', '/a/..', '/a?.', '?x=1', '/search?q=a+b&r=%2F', 'http://example.com/a/b?x=1', 'http://example.com',
];

for (const base of ['/', '/api', '/api/', '/svc/v1?token=1']) {
  test(`upstream path under base ${base} matches http-proxy-3's`, () => {
    // forward.ts computes the base path once per upstream: getPath of the upstream URL's path and query
    for (const url of targets) assert.equal(upstreamPath(getPath(base), url), reference(base, url), `base ${base}, target ${url}`);
  });
}
