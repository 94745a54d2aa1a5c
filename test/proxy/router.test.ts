import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { upstreamPath } from '../../proxy/forward.ts';
import { compileRouter, pathParams, requestPath } from '../../proxy/router.ts';

describe('router', () => {
  const router = compileRouter([
    { method: 'GET', path: '/books/special', value: 'special' },
    { method: 'GET', path: '/books/:id', value: 'book' },
    { method: 'GET', path: '/books/:id/reviews', value: 'reviews' },
    { method: 'POST', path: '/books', value: 'createBook' },
    { method: '*', path: '/admin/*', value: 'admin' },
    { method: 'GET', path: '/admin/stats', value: 'neverReached' },
    { method: 'GET', path: '/', value: 'home' },
    { method: 'DELETE', path: '/files/*rest', value: 'files' },
  ]);

  test('static, params and declared order', () => {
    assert.equal(router.match('GET', '/books/special'), 'special');
    assert.equal(router.match('GET', '/books/42'), 'book');
    assert.equal(router.match('GET', '/books/42/reviews'), 'reviews');
    assert.equal(router.match('GET', '/books/42/other'), undefined);
    assert.equal(router.match('GET', '/'), 'home');
  });

  test('a later static rule never beats an earlier wildcard that matches', () => {
    assert.equal(router.match('GET', '/admin/stats'), 'admin');
    assert.equal(router.match('PATCH', '/admin/x/y/z'), 'admin');
    assert.equal(router.match('PROPFIND', '/admin/x'), 'admin');
    assert.equal(router.match('GET', '/admin'), 'admin');
  });

  test('method must match; GET rules answer HEAD', () => {
    assert.equal(router.match('POST', '/books'), 'createBook');
    assert.equal(router.match('GET', '/books'), undefined);
    assert.equal(router.match('POST', '/books/1'), undefined);
    assert.equal(router.match('HEAD', '/books/1'), 'book');
    assert.equal(router.match('DELETE', '/files/a/b.txt'), 'files');
    assert.equal(router.match('GET', '/files/a'), undefined);
  });

  test('SEARCH is a method a rule can name (WebDAV SEARCH, Directus\'s router.search)', () => {
    const search = compileRouter([
      { method: 'SEARCH', path: '/items/:collection', value: 'searchItems' },
      { method: 'GET', path: '/items/:collection', value: 'readItems' },
    ]);
    assert.equal(search.match('SEARCH', '/items/books'), 'searchItems');
    assert.equal(search.match('GET', '/items/books'), 'readItems');
    assert.equal(search.match('POST', '/items/books'), undefined);
  });

  test('a trailing slash is the same path; an empty segment is no param', () => {
    assert.equal(router.match('GET', '/books/42/'), 'book');
    assert.equal(router.match('GET', '/books//reviews'), undefined);
  });

  test('the earliest rule wins even when it is found on a later branch', () => {
    const r = compileRouter([
      { method: 'GET', path: '/:kind/latest', value: 'param-first' },
      { method: 'GET', path: '/books/latest', value: 'static-second' },
    ]);
    assert.equal(r.match('GET', '/books/latest'), 'param-first');
  });

  test('pathParams and requestPath', () => {
    assert.deepEqual(pathParams('/books/:id/reviews/:rid', '/books/7/reviews/a%20b'), { id: '7', rid: 'a b' });
    assert.deepEqual(pathParams('/files/*rest', '/files/a/b'), { rest: 'a/b' });
    assert.equal(pathParams('/books/:id', '/authors/1'), undefined);
    assert.equal(requestPath('/books/1?x=2'), '/books/1');
    assert.equal(requestPath('http://example.com/a/b?c'), '/a/b');
  });

  test('the path routed is the path forwarded: dot segments (encoded too) resolved, absolute form reduced', () => {
    assert.equal(requestPath('/books/x/../../orders/secret'), '/orders/secret');
    assert.equal(requestPath('/books/x/%2e%2e/%2E%2E/orders/secret?q=1'), '/orders/secret');
    assert.equal(requestPath('/books/./1'), '/books/1');
    assert.equal(requestPath('http://other.host/books/1?x'), '/books/1');
    assert.equal(router.match('GET', requestPath('/books/x/%2e%2e/%2e%2e/admin/stats')), 'admin', 'routed where it is sent');
    for (const url of ['/books/x/%2e%2e/%2e%2e/orders/secret?q=1', '/a/./b/../c', 'http://h/books/1?x=y', '/plain/path?q']) {
      const forwarded = upstreamPath('/', url);
      assert.equal(requestPath(url), forwarded.split('?')[0], url);
    }
  });

  test('literal segments match whatever their case (as Express routes do); params keep theirs', () => {
    assert.equal(router.match('GET', '/BOOKS/Special'), 'special');
    assert.equal(router.match('GET', '/Books/ABC/Reviews'), 'reviews');
    const upper = compileRouter([{ method: 'GET', path: '/API/Items/:id', value: 'item' }]);
    assert.equal(upper.match('GET', '/api/items/1'), 'item');
    assert.deepEqual(pathParams('/API/Items/:id', '/api/ITEMS/AbC'), { id: 'AbC' });
  });
});
