import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import supertest from 'supertest';
import { parseConfig, type ProxyConfigInput } from '../../proxy/config.ts';
import { compileRouter } from '../../proxy/router.ts';
import { routePath } from '../../proxy/target.ts';
import { covers, unreachableRoutes, type RouteShape } from '../../proxy/unreachable.ts';
import { ADMIN_TOKEN, captureLogger, startProxyCli, startTestProxy, until } from './helpers.ts';

const r = (id: string, method: string, path: string): RouteShape => ({ id, method, path });
const coveredBy = (earlier: [string, string], later: [string, string]) => covers(r('e', ...earlier), r('l', ...later));

describe('unreachableRoutes: routes an earlier route matches first, every time', () => {
  test('an exact duplicate of an earlier method and path, under another id', () => {
    assert.deepEqual(unreachableRoutes([r('a', 'GET', '/books/:id'), r('b', 'GET', '/books/:id')]), [{ route: 'b', shadowedBy: 'a' }]);
  });

  test('a wildcard declared first covers what is under it', () => {
    assert.ok(coveredBy(['GET', '/*'], ['GET', '/books/:id']));
    assert.ok(coveredBy(['GET', '/books/*'], ['GET', '/books/:id']));
    assert.ok(coveredBy(['GET', '/books/*'], ['GET', '/books'])); // a final * matches zero segments too
    assert.ok(coveredBy(['GET', '/books/*rest'], ['GET', '/books/*']));
    assert.ok(coveredBy(['GET', '/*'], ['GET', '/']));
  });

  test('a param covers a literal, and names or case do not matter', () => {
    assert.ok(coveredBy(['GET', '/books/:id'], ['GET', '/books/new']));
    assert.ok(coveredBy(['GET', '/books/:id'], ['GET', '/books/:bookId']));
    assert.ok(coveredBy(['GET', '/Books/:id'], ['GET', '/books/:id/']));
  });

  test('methods: an ANY route covers every method; a GET route covers HEAD', () => {
    assert.ok(coveredBy(['*', '/admin/*'], ['GET', '/admin/stats']));
    assert.ok(coveredBy(['*', '/a'], ['*', '/a']));
    assert.ok(coveredBy(['GET', '/a'], ['HEAD', '/a']));
  });

  test('look-alikes that still match something of their own are not reported', () => {
    assert.ok(!coveredBy(['GET', '/books/new'], ['GET', '/books/:id']));
    assert.ok(!coveredBy(['GET', '/books/:id'], ['POST', '/books/:id']));
    assert.ok(!coveredBy(['HEAD', '/a'], ['GET', '/a'])); // GET requests are its own
    assert.ok(!coveredBy(['GET', '/a'], ['*', '/a'])); // POST /a, PROPFIND /a are its own
    assert.ok(!coveredBy(['GET', '/a/*'], ['GET', '/ab/x']));
    assert.ok(!coveredBy(['GET', '/ab/*'], ['GET', '/a/x']));
    assert.ok(!coveredBy(['GET', '/books'], ['GET', '/books/*'])); // /books/1 is its own
    assert.ok(!coveredBy(['GET', '/books/:id'], ['GET', '/books/*']));
    assert.ok(!coveredBy(['GET', '/books/:id'], ['GET', '/books']));
    assert.ok(!coveredBy(['GET', '/books/:id/reviews'], ['GET', '/books/:id']));
    assert.ok(!coveredBy(['GET', '/a/:x/b'], ['GET', '/a//b'])); // a param never matches an empty segment
    assert.ok(!coveredBy(['GET', '/:id'], ['GET', '/']));
  });

  test('names the first earlier route that covers it', () => {
    const routes = [r('all', 'GET', '/*'), r('books', 'GET', '/books/*'), r('book', 'GET', '/books/:id'), r('post', 'POST', '/books')];
    assert.deepEqual(unreachableRoutes(routes), [
      { route: 'books', shadowedBy: 'all' },
      { route: 'book', shadowedBy: 'all' },
    ]);
  });

  test('agrees with the router: a reported route is never what the router answers', () => {
    const routes = [
      r('a', 'GET', '/books/new'),
      r('b', 'GET', '/books/:id'),
      r('c', 'GET', '/books/New'),
      r('d', '*', '/admin/*'),
      r('e', 'DELETE', '/admin/x'),
      r('f', 'GET', '/books/*'),
      r('g', 'HEAD', '/books/1/x'),
    ];
    assert.deepEqual(unreachableRoutes(routes).map((u) => u.route), ['c', 'e', 'g']);
    const router = compileRouter(routes.map((x) => ({ method: x.method, path: x.path, value: x.id })));
    const requests = ['/books/new', '/books/NEW', '/books/1', '/books', '/books/1/x', '/admin', '/admin/x', '/admin/x/y'];
    const answered = new Set<string>();
    for (const m of ['GET', 'HEAD', 'POST', 'DELETE', 'PROPFIND']) for (const p of requests) answered.add(router.match(m, p) ?? '');
    assert.deepEqual([...answered].filter((id) => id !== '').sort(), ['a', 'b', 'd', 'f']);
  });
});

describe('unreachableRoutes: one earlier route at a time is enough', () => {
  // Several earlier routes together never cover a later one that no single one covers, as long as no route path has
  // an empty segment (`/a//b`): a param or a `*` stands for infinitely many segments and a literal for one, so a
  // request with a segment no route names at each param, and `//` plus such a segment at a final `*`, reaches the
  // later route unless one earlier route has a param or `*` at each of those places. `/a`, `/a/:x/*` before `/a/*`
  // leave it `/a//x`; `/`, `/:x/*` before `/*` leave it `//x`.
  test('every route not reported is what the router answers for a request of its own', () => {
    const segment = fc.oneof(fc.constantFrom('a', 'b', 'B'), fc.constant(':p'));
    const shape = fc.record({ method: fc.constantFrom('GET', 'HEAD', 'POST', '*'), segments: fc.array(segment, { maxLength: 3 }), rest: fc.boolean() });
    fc.assert(
      fc.property(fc.array(shape, { minLength: 1, maxLength: 7 }), (shapes) => {
        const routes = shapes.map((x, i) => r(`r${i}`, x.method, `/${[...x.segments, ...(x.rest ? ['*'] : [])].join('/')}`));
        const reported = new Set(unreachableRoutes(routes).map((u) => u.route));
        const router = compileRouter(routes.map((x) => ({ method: x.method, path: x.path, value: x.id })));
        shapes.forEach((x, i) => {
          if (reported.has(`r${i}`)) return;
          const own = [...x.segments.map((s) => (s === ':p' ? 'zz9' : s)), ...(x.rest ? ['', 'zz9'] : [])];
          const path = routePath(`/${own.join('/')}`);
          assert.equal(router.match(x.method === '*' ? 'PROPFIND' : x.method, path), `r${i}`, `${x.method} ${path} in ${routes.map((y) => `${y.method} ${y.path}`).join(', ')}`);
        });
      }),
      { numRuns: 2000 },
    );
  });

  test('so the look-alikes of a union are not warned about: the router gives the later route what they leave', () => {
    const routes = [r('a', 'GET', '/a'), r('ax', 'GET', '/a/:x/*'), r('rest', 'GET', '/a/*'), r('root', 'GET', '/'), r('x', 'GET', '/:x/*'), r('all', 'GET', '/*')];
    assert.deepEqual(unreachableRoutes(routes), []);
    const router = compileRouter(routes.map((x) => ({ method: x.method, path: x.path, value: x.id })));
    assert.equal(router.match('GET', routePath('/a//x')), 'rest');
    assert.equal(router.match('GET', routePath('//x')), 'all');
  });
});

const raw = (routes: NonNullable<ProxyConfigInput['routes']>, admin: ProxyConfigInput['admin'] = undefined): ProxyConfigInput => ({
  version: 1,
  legacy: { url: 'http://127.0.0.1:9' },
  services: { catalog: { url: 'http://127.0.0.1:9' } },
  routes,
  ...(admin && { admin }),
});
const unreachable = (lines: Record<string, unknown>[]) => lines.filter((l) => l.msg !== undefined && String(l.msg).includes('can never match'));

describe('routes that can never match: the proxy warns at start and on reload', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strangler-unreachable-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('one warning per unreachable route at start and again on each reload, naming it and the route before it', async () => {
    const routes = [
      { id: 'catalog.getBook', method: 'GET' as const, path: '/books/:id', service: 'catalog' },
      { id: 'catalog.getBookAgain', method: 'GET' as const, path: '/books/:id', service: 'catalog' },
      { id: 'catalog.newBook', method: 'GET' as const, path: '/books/new', service: 'catalog' },
      { id: 'catalog.createBook', method: 'POST' as const, path: '/books/:id', service: 'catalog' },
    ];
    const configPath = join(dir, 'strangler.config.json');
    writeFileSync(configPath, JSON.stringify(raw(routes)));
    const log = captureLogger();
    const { proxy } = await startTestProxy(parseConfig(raw(routes)), { configPath, watch: false, logger: log.logger });
    try {
      const atStart = unreachable(log.lines);
      assert.deepEqual(
        atStart.map((l) => [l.level, l.route, l.shadowedBy]),
        [
          [40, 'catalog.getBookAgain', 'catalog.getBook'],
          [40, 'catalog.newBook', 'catalog.getBook'],
        ],
      );
      assert.match(String(atStart[0].msg), /catalog\.getBookAgain .*can never match.*catalog\.getBook/);
      // a mode change is not a reload: nothing new to say
      await supertest(proxy.adminUrl).patch('/api/routes/catalog.getBook').set('Authorization', `Bearer ${ADMIN_TOKEN}`).send({ mode: 'shadow' }).expect(200);
      assert.equal(unreachable(log.lines).length, 2);
      await proxy.reload();
      assert.deepEqual(unreachable(log.lines).slice(2).map((l) => l.route), ['catalog.getBookAgain', 'catalog.newBook']);
    } finally {
      await proxy.close();
    }
  });

  test('strangler proxy says it on its log, once per route with --workers too (the primary says it, not each worker)', async () => {
    const routes = [
      { id: 'all', method: '*', path: '/books/*', service: 'catalog' },
      { id: 'book', method: 'GET', path: '/books/:id', service: 'catalog' },
    ];
    const config = { ...raw(routes as NonNullable<ProxyConfigInput['routes']>), listen: { host: '127.0.0.1', port: 0 }, admin: { port: 0 } };
    for (const workers of ['1', '2']) {
      const cli = await startProxyCli(dir, config, { args: ['--admin-insecure-local', '--no-diffs', '--workers', workers] });
      try {
        // the log goes out asynchronously on a pipe: it may follow the "strangler proxy on" line
        await until(() => cli.out.includes('can never match'), 'the warning');
      } finally {
        assert.equal(await cli.stop(), 0);
      }
      // every line the processes wrote, so a second warning (a worker's) would be there
      const stdout = cli.child.stdout!;
      if (!stdout.closed) await once(stdout, 'close');
      const warnings = cli.out.split('\n').filter((l) => l.includes('can never match')).map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.deepEqual(warnings.map((w) => [w.level, w.route, w.shadowedBy]), [[40, 'book', 'all']], `--workers ${workers}`);
    }
  });

  test('look-alikes that still match requests of their own start without a word', async () => {
    const log = captureLogger();
    const config = parseConfig(
      raw([
        { id: 'new', method: 'GET', path: '/books/new', service: 'catalog' },
        { id: 'book', method: 'GET', path: '/books/:id', service: 'catalog' },
        { id: 'update', method: 'PUT', path: '/books/:id', service: 'catalog' },
        { id: 'a', method: 'GET', path: '/a/*', service: 'catalog' },
        { id: 'ab', method: 'GET', path: '/ab/x', service: 'catalog' },
      ]),
    );
    const { proxy } = await startTestProxy(config, { logger: log.logger });
    await proxy.close();
    assert.deepEqual(unreachable(log.lines), []);
  });
});
