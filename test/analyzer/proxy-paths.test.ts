import { test } from 'node:test';
import assert from 'node:assert/strict';
import { proxyPaths } from '../../analyzer/proxy-config.ts';
import { isValidRoutePath } from '../../proxy/config.ts';

test('framework route paths as proxy rules: optional parts written out, constraints dropped, final wildcards kept', () => {
  const cases: [string, string[]][] = [
    ['/', ['/']],
    ['/books/:id', ['/books/:id']],
    ['/books/', ['/books']],
    ['/books/:id?', ['/books', '/books/:id']], // Express 4, Koa, Fastify
    ['/books{/:id}', ['/books', '/books/:id']], // Express 5
    ['/a{/:b{/:c}}', ['/a', '/a/:b', '/a/:b/:c']],
    ['/users/:id(\\d+)', ['/users/:id']],
    ['/u/:id(^\\d+)', ['/u/:id']], // Fastify's regex parameter
    ['/files/*', ['/files/*']],
    ['/files/*path', ['/files/*path']], // Express 5
    ['/files{/*path}', ['/files', '/files/*path']],
    ['/static/:path(.*)', ['/static/*path']],
    ['/x/:rest*', ['/x/*rest']],
    ['/x/:rest+', ['/x/*rest']],
    ['/api/(.*)', ['/api/*']], // Koa, Nest 10
  ];
  for (const [path, rules] of cases) {
    assert.deepEqual(proxyPaths(path), rules, path);
    assert.ok(rules.every(isValidRoutePath), `${path}: every rule is one the proxy accepts`);
  }
});

test('what no proxy rule can say: undefined', () => {
  for (const path of ['/a/*/b', '/:from-:to', '/file.:ext', '/ab?cd', '/ab+cd', '/a\\:b', '/a/b}', '/a{/b', 'books', '/x/:a?/:b?/:c?/:d?']) {
    assert.equal(proxyPaths(path), undefined, path);
  }
});
