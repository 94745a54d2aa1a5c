import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
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
});
