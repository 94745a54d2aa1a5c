// Next.js routes, read from the file system (no `next` installed): pages-router API routes with the methods their
// handler branches on, app-router route handlers one per exported method, route groups, private folders and
// slots, catch-alls, src/ and basePath; the handler ids tables join on; and the plan and proxy config analyze() emits.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ts } from 'ts-morph';
import { extractFacts } from '../../../analyzer/extract/index.ts';
import { methodTable } from '../../../analyzer/extract/next-dispatch.ts';
import { handledMethods } from '../../../analyzer/extract/next-methods.ts';
import { appSegments, nextPath, pagesSegments } from '../../../analyzer/extract/next-paths.ts';
import { analyze, toProxyConfig } from '../../../analyzer/index.ts';
import { folderLabel } from '../../../analyzer/naming.ts';
import { planSchema } from '../../../analyzer/plan.ts';
import { parseConfig } from '../../../proxy/config.ts';
import { compileRouter } from '../../../proxy/router.ts';
import { factsOf, findRoute, fixture, handlerTables } from './fixture.ts';
import type { Facts } from '../../../analyzer/extract/types.ts';
import { tempProjects } from './temp-project.ts';

/** `METHOD path file:line handler [middleware]`: every route fact in one line. */
const described = (facts: Facts): string[] =>
  facts.routes.map((r) => `${r.method} ${r.path} ${r.file}:${r.line} ${r.handler.name}${r.middleware.length ? ` [${r.middleware.join(',')}]` : ''}`);

describe('Next.js routes: a bookshop with pages/api routes and app-router route handlers', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('next-app');
  });

  test('every route with the path Next serves it on, its file:line, handler and wrappers; no more, no fewer', () => {
    assert.deepEqual(described(facts), [
      'ALL /api/auth/*nextauth pages/api/auth/[...nextauth].ts:8 NextAuth',
      'GET /api/books pages/api/books/index.ts:4 books',
      'POST /api/books pages/api/books/index.ts:4 books',
      'ALL /api/books/:id pages/api/books/[id].ts:15 handler',
      'DELETE /api/books/:id pages/api/books/[id].ts:15 handler',
      'GET /api/cart app/(shop)/api/cart/route.ts:5 GET',
      'POST /api/cart app/(shop)/api/cart/route.ts:10 <anonymous@10> [withRateLimit]',
      'ALL /api/health pages/api/health.js:1 health',
      'GET /api/orders app/api/orders/route.ts:4 GET',
      'POST /api/orders app/api/orders/route.ts:8 POST',
      'GET /api/orders/:id app/api/orders/[id]/route.ts:19 getOrder',
      'PATCH /api/orders/:id app/api/orders/[id]/route.ts:12 PATCH',
      'GET /api/reports/sales pages/api/reports/sales.ts:12 salesReport [withAuth]',
      'GET /docs/*slug app/docs/[[...slug]]/route.ts:3 GET',
    ]);
    assert.deepEqual(facts.unresolvedRoutes, []);
    assert.deepEqual(facts.warnings, []);
  });

  test('pages/api methods: switch cases with a 405 default are all there is; an if with an else branch leaves the rest to ALL', () => {
    // switch (req.method) { case 'GET' … case 'POST' … default: 405 }
    assert.deepEqual(facts.routes.filter((r) => r.path === '/api/books').map((r) => r.method), ['GET', 'POST']);
    // if (req.method === 'DELETE') { … } else { the book }: the else branch answers every other method
    assert.deepEqual(facts.routes.filter((r) => r.path === '/api/books/:id').map((r) => r.method), ['ALL', 'DELETE']);
    // if (req.method !== 'GET') return 405, behind export default withAuth(salesReport)
    assert.deepEqual(facts.routes.filter((r) => r.path === '/api/reports/sales').map((r) => r.method), ['GET']);
    // no method read at all: one ALL route, as Express's app.all()
    assert.deepEqual(facts.routes.filter((r) => r.path === '/api/health').map((r) => r.method), ['ALL']);
  });

  test('handlers: declarations and consts are named, a function inside a wrapper is inline, a package factory unresolved', () => {
    assert.deepEqual(findRoute(facts, 'GET', '/api/books').handler, { kind: 'named', file: 'pages/api/books/index.ts', name: 'books', line: 4 });
    assert.deepEqual(findRoute(facts, 'DELETE', '/api/books/:id').handler, { kind: 'named', file: 'pages/api/books/[id].ts', name: 'handler', line: 4 });
    assert.deepEqual(findRoute(facts, 'GET', '/api/reports/sales').handler, { kind: 'named', file: 'pages/api/reports/sales.ts', name: 'salesReport', line: 6 });
    assert.deepEqual(findRoute(facts, 'GET', '/api/orders/:id').handler, { kind: 'named', file: 'app/api/orders/[id]/route.ts', name: 'getOrder', line: 6 });
    assert.deepEqual(findRoute(facts, 'PATCH', '/api/orders/:id').handler, { kind: 'named', file: 'app/api/orders/[id]/route.ts', name: 'PATCH', line: 12 });
    assert.deepEqual(findRoute(facts, 'POST', '/api/cart').handler, { kind: 'inline', file: 'app/(shop)/api/cart/route.ts', name: '<anonymous@10>', line: 10 });
    assert.deepEqual(findRoute(facts, 'ALL', '/api/auth/*nextauth').handler, { kind: 'unresolved', name: 'NextAuth' });
  });

  test('not routes: pages and layouts, _app, a pages/api helper named _utils, the private app/_lib folder', () => {
    const routeFiles = new Set(facts.routes.map((r) => r.file));
    for (const file of ['pages/index.tsx', 'pages/_app.tsx', 'pages/api/_utils.ts', 'app/layout.tsx', 'app/(shop)/cart/page.tsx', 'app/_lib/db.ts', 'lib/auth.ts']) {
      assert.ok(facts.files.some((f) => f.path === file), `${file} is analysed`);
      assert.ok(!routeFiles.has(file), `${file} holds no route`);
    }
  });

  test('the tables each handler reads and writes attach to its route', () => {
    const tables = (method: string, path: string) => handlerTables(facts, findRoute(facts, method, path));
    assert.deepEqual(tables('GET', '/api/books'), ['read books', 'write books']);
    assert.deepEqual(tables('DELETE', '/api/books/:id'), ['read books', 'write books']);
    assert.deepEqual(tables('GET', '/api/reports/sales'), ['read order_items']);
    assert.deepEqual(tables('GET', '/api/orders'), ['read orders']);
    assert.deepEqual(tables('POST', '/api/orders'), ['write order_items', 'write orders']);
    assert.deepEqual(tables('GET', '/api/orders/:id'), ['read orders']);
    assert.deepEqual(tables('PATCH', '/api/orders/:id'), ['write orders']);
    assert.deepEqual(tables('GET', '/api/cart'), ['read cart_items']);
    assert.deepEqual(tables('POST', '/api/cart'), ['write cart_items']);
    assert.deepEqual(tables('GET', '/docs/*slug'), ['read doc_pages']);
    assert.deepEqual(tables('ALL', '/api/health'), []);
  });
});

describe('Next.js routes under src/ with a basePath, and the shapes the analyzer cannot say', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('next-basepath');
  });

  test("basePath '/shop' from next.config.mjs prefixes every route; src/ holds pages and app when the root has neither", () => {
    assert.deepEqual(described(facts), [
      'ALL /shop/api src/pages/api/index.js:3 default',
      'POST /shop/api src/pages/api/index.js:3 default',
      'GET /shop/api/items src/pages/api/items.ts:4 items',
      'HEAD /shop/api/items src/pages/api/items.ts:4 items',
      'GET /shop/api/legacy src/app/api/legacy/route.ts:1 GET',
      'HEAD /shop/api/legacy src/app/api/legacy/route.ts:1 HEAD',
      'GET /shop/api/ping src/app/api/ping/route.ts:1 GET',
      'HEAD /shop/api/ping src/app/api/ping/route.ts:5 HEAD',
      'GET /shop/api/status src/app/api/status/route.ts:1 GET',
      'GET /shop/files/*path/meta src/app/files/[...path]/meta/route.ts:1 GET',
    ]);
  });

  test('re-exported handlers (export *, export { GET } from) are the functions of the module they come from', () => {
    assert.deepEqual(findRoute(facts, 'GET', '/shop/api/status').handler, { kind: 'named', file: 'src/app/api/ping/route.ts', name: 'GET', line: 1 });
    assert.deepEqual(findRoute(facts, 'HEAD', '/shop/api/legacy').handler, { kind: 'named', file: 'src/app/api/ping/route.ts', name: 'HEAD', line: 5 });
  });

  test("const { method } = req with !['GET', 'HEAD'].includes(method) is a guard: those two methods only; module.exports with code after an if: POST and ALL", () => {
    assert.deepEqual(facts.routes.filter((r) => r.path === '/shop/api/items').map((r) => r.method), ['GET', 'HEAD']);
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'GET', '/shop/api/items')), ['read items']);
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'POST', '/shop/api')), ['write visits']);
  });

  test('a parallel-route @slot is not routed; a star export of an unread module and a catch-all before the end are warned about', () => {
    assert.ok(!facts.routes.some((r) => r.file.includes('@modal')));
    assert.deepEqual(facts.warnings.map((w) => w.message), [
      "src/app/api/auth/route.ts:1: export * from '@acme/auth-kit/next'; re-exports a module the analyzer does not read; HTTP method handlers among its exports are not reported",
      'src/app/files/[...path]/meta/route.ts: catch-all segment [...path] before the last segment (Next.js refuses it at build time); reported as /shop/files/*path/meta',
    ]);
  });
});

describe('Next.js routes behind the wrappers of real apps (next-wrappers)', () => {
  let facts: Facts;
  before(async () => {
    facts = await factsOf('next-wrappers');
  });

  test('a wrapper around a wrapper is unwrapped to the function inside; `export const PUT = PATCH` is PATCH, also through export *', () => {
    assert.deepEqual(described(facts), [
      'GET /api/clicks pages/api/clicks.ts:10 clicks [withAuth,withLog]',
      'GET /api/comments pages/api/comments.ts:7 <anonymous@7> [cors]',
      'POST /api/digest app/api/digest/route.ts:6 <anonymous@8> [withError,withQueueSignature]',
      'GET /api/hooks pages/api/hooks/index.ts:13 listHooks [withMiddleware,withLog]',
      'POST /api/hooks pages/api/hooks/index.ts:14 createHook [withMiddleware,withLog]',
      'DELETE /api/hooks/:id pages/api/hooks/[id].ts:14 deleteHook [hook]',
      'GET /api/hooks/:id pages/api/hooks/[id].ts:13 listHooks [hook,withLog]',
      'POST /api/likes pages/api/likes.ts:10 like',
      'PATCH /api/links/:id app/api/links/[id]/route.ts:6 <anonymous@7> [withWorkspace]',
      'PUT /api/links/:id app/api/links/[id]/route.ts:16 <anonymous@7> [withWorkspace]',
      'PATCH /api/shortlinks/:id app/api/(old)/shortlinks/[id]/route.ts:1 <anonymous@7> [withWorkspace]',
      'PUT /api/shortlinks/:id app/api/(old)/shortlinks/[id]/route.ts:1 <anonymous@7> [withWorkspace]',
      'GET /api/tags pages/api/tags.ts:12 listTags [<anonymous>]',
      'POST /api/tags pages/api/tags.ts:12 <anonymous@12> [<anonymous>,requireUser]',
      'GET /api/v1/users/:username pages/api/v1/users/[username].js:19 getHandler [injectRequestId]',
      'PATCH /api/v1/users/:username pages/api/v1/users/[username].js:20 patchHandler [injectRequestId,canUpdate]',
    ]);
    assert.deepEqual(facts.warnings, []);
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'GET', '/api/clicks')), ['read clicks']);
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'POST', '/api/digest')), ['write digest_items']);
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'PUT', '/api/shortlinks/:id')), ['write links']);
  });

  test("a method table (cal.com's defaultHandler({ GET: import('./_list'), POST: … })) gives one route per key, exported or forwarded to from the handler", () => {
    // exported through a wrapper factory: the methods are the table's keys, the handlers each module's default export
    assert.deepEqual(findRoute(facts, 'GET', '/api/hooks').handler, { kind: 'named', file: 'pages/api/hooks/_list.ts', name: 'listHooks', line: 5 });
    assert.deepEqual(findRoute(facts, 'POST', '/api/hooks').handler, { kind: 'named', file: 'pages/api/hooks/index.ts', name: 'createHook', line: 6 });
    // lower-case keys; `return defaultHandler({ … })(req, res)` after an auth check: the check is the methods' middleware
    assert.deepEqual(facts.routes.filter((r) => r.path === '/api/hooks/:id').map((r) => r.method), ['DELETE', 'GET']);
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'GET', '/api/hooks')), ['read hooks']);
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'POST', '/api/hooks')), ['write hooks']);
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'DELETE', '/api/hooks/:id')), ['write hooks']);
    assert.ok(!facts.routes.some((r) => r.file === 'pages/api/hooks/_list.ts'), 'a _-prefixed module is no route of its own');
  });

  test('next-connect: each verb on the exported chain or on the router const is a route, .use() and the arguments before the handler its middleware, no ALL', () => {
    assert.deepEqual(facts.routes.filter((r) => r.path === '/api/v1/users/:username' || r.path === '/api/tags').map((r) => r.method), ['GET', 'POST', 'GET', 'PATCH']);
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'PATCH', '/api/v1/users/:username')), ['write users']);
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'POST', '/api/tags')), ['write tags']);
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'GET', '/api/tags')), ['read tags']);
  });

  test("next-connect through the app's own router factory: a function returning the chain (its .use() is middleware) or a const holding it", () => {
    assert.deepEqual(facts.routes.filter((r) => r.path === '/api/comments' || r.path === '/api/likes').map((r) => `${r.method} ${r.path}`), ['GET /api/comments', 'POST /api/likes']);
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'GET', '/api/comments')), ['read comments']);
    assert.deepEqual(handlerTables(facts, findRoute(facts, 'POST', '/api/likes')), ['write likes']);
  });
});

describe('Next.js routes with next.config pageExtensions (next-page-extensions)', () => {
  test("pageExtensions ['public.js', 'api.ts']: only those files are routes, the extension is not part of the path", async () => {
    const facts = await factsOf('next-page-extensions');
    assert.deepEqual(described(facts), [
      'ALL /api/orders pages/api/orders.api.ts:3 orders',
      'POST /api/orders pages/api/orders.api.ts:3 orders',
      'GET /api/ping app/api/ping/route.api.ts:1 GET',
      'GET /api/v1/status pages/api/v1/status/index.public.js:3 status',
      'ALL /api/v1/users/:username pages/api/v1/users/[username].public.js:1 user',
    ]);
    assert.deepEqual(facts.warnings, []);
  });
});

describe('Next.js routes: when they are read at all', () => {
  const project = tempProjects('next');
  const handler = 'export async function GET() { return new Response("ok"); }\n';

  test('an app/**/route.ts in a project that neither depends on nor imports next is no route', async () => {
    const facts = await extractFacts(project({ 'package.json': '{"dependencies":{"express":"^5.0.0"}}', 'app/api/orders/route.ts': handler }));
    assert.deepEqual(facts.routes, []);
  });

  test('without a next dependency, a file importing next/server is enough', async () => {
    const facts = await extractFacts(project({ 'app/api/orders/route.ts': `import { NextResponse } from 'next/server';\nexport const GET = () => NextResponse.json([]);\n` }));
    assert.deepEqual(facts.routes.map((r) => `${r.method} ${r.path}`), ['GET /api/orders']);
  });

  test("a package.json saved with a byte-order mark is read: its next dependency and its _moduleAliases", async () => {
    const facts = await extractFacts(project({
      'package.json': `\uFEFF${JSON.stringify({ dependencies: { next: '^15.0.0' }, _moduleAliases: { '@lib': './lib' } })}`,
      'app/api/orders/route.ts': `import { limit } from '@lib/limits';\nexport async function GET() { return new Response(String(limit)); }\n`,
      'lib/limits.ts': 'export const limit = 10;\n',
    }));
    assert.deepEqual(facts.routes.map((r) => `${r.method} ${r.path}`), ['GET /api/orders']);
    assert.deepEqual(facts.imports.map((e) => `${e.from} -> ${e.to}`), ['app/api/orders/route.ts -> lib/limits.ts']);
  });

  test('a root pages/ folder wins over src/ (Next ignores src/pages and src/app then); a basePath built at run time is warned about', async () => {
    const facts = await extractFacts(project({
      'package.json': '{"devDependencies":{"next":"^15.0.0"}}',
      'next.config.js': 'module.exports = { basePath: process.env.BASE_PATH };\n',
      'pages/api/ping.ts': 'export default function ping(req: any, res: any) { res.end(); }\n',
      'src/app/api/orders/route.ts': handler,
    }));
    assert.deepEqual(facts.routes.map((r) => `${r.method} ${r.path}`), ['ALL /api/ping']);
    assert.deepEqual(facts.warnings.map((w) => w.message), ['next.config.js:1: basePath process.env.BASE_PATH is not a literal path; Next.js routes are reported without it']);
  });

  test('pageExtensions that are not a literal list are warned about; the default extensions are read', async () => {
    const facts = await extractFacts(project({
      'package.json': '{"dependencies":{"next":"^15.0.0"}}',
      'next.config.mjs': 'const extra = process.env.EXT;\nexport default { pageExtensions: ["ts", extra] };\n',
      'pages/api/ping.ts': 'export default function ping(req: any, res: any) { res.end(); }\n',
    }));
    assert.deepEqual(facts.routes.map((r) => `${r.method} ${r.path}`), ['ALL /api/ping']);
    assert.deepEqual(facts.warnings.map((w) => w.message), ['next.config.mjs:2: pageExtensions ["ts", extra] is not a list of literal extensions; Next.js route files are read with the default extensions']);
  });

  test('a pages/api file without a default export, a route.ts without a method export: warned, not reported', async () => {
    const facts = await extractFacts(project({
      'package.json': '{"dependencies":{"next":"^15.0.0"}}',
      'pages/api/helpers.ts': 'export const limit = 10;\n',
      'app/api/orders/route.ts': 'export const dynamic = "force-dynamic";\n',
    }));
    assert.deepEqual(facts.routes, []);
    assert.deepEqual(facts.warnings.map((w) => w.message), [
      'app/api/orders/route.ts: a route file that exports no HTTP method handler (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS) the analyzer can read; no route reported for /api/orders',
      'pages/api/helpers.ts: no default export the analyzer can read (Next.js serves the default export of a pages/api file); no route reported for /api/helpers',
    ]);
  });
});

describe('Next.js file paths and method reading', () => {
  test('segments to proxy paths: params, catch-alls, optional catch-alls, index, basePath, names the proxy cannot take', () => {
    assert.deepEqual(pagesSegments('api/books/index.ts'), ['api', 'books']);
    assert.deepEqual(pagesSegments('api/books/[id].tsx'), ['api', 'books', '[id]']);
    assert.equal(pagesSegments('api/_middleware.ts'), undefined);
    assert.equal(pagesSegments('api/types.d.ts'), undefined);
    assert.deepEqual(appSegments('(shop)/api/cart/route.ts'), ['api', 'cart']);
    assert.equal(appSegments('api/cart/page.tsx'), undefined);
    assert.equal(appSegments('_lib/route.ts'), undefined);
    assert.equal(appSegments('@modal/route.ts'), undefined);
    assert.equal(appSegments('feed/(.)photo/route.ts'), undefined);
    assert.deepEqual(appSegments('route.ts'), []);
    assert.deepEqual(pagesSegments('api/users/[name].public.js', ['public.js']), ['api', 'users', '[name]']);
    assert.equal(pagesSegments('api/users/helpers.js', ['public.js']), undefined);
    assert.deepEqual(appSegments('api/ping/route.api.ts', ['api.ts', 'ts']), ['api', 'ping']);
    assert.equal(appSegments('api/ping/route.ts', ['api.ts']), undefined);
    assert.deepEqual(nextPath('', []), { path: '/' });
    assert.deepEqual(nextPath('/shop', []), { path: '/shop' });
    assert.deepEqual(nextPath('/shop', ['api', '[id]']), { path: '/shop/api/:id' });
    assert.deepEqual(nextPath('', ['docs', '[[...slug]]']), { path: '/docs/*slug' });
    assert.deepEqual(nextPath('', ['auth', '[...nextauth]']), { path: '/auth/*nextauth' });
    assert.deepEqual(nextPath('', ['posts', '[post-id]']), { path: '/posts/:post_id' });
    assert.equal(nextPath('', ['[...a]', 'b']).problem, 'catch-all segment [...a] before the last segment (Next.js refuses it at build time)');
  });

  const methodsOf = (code: string) => {
    const source = ts.createSourceFile('h.ts', code, ts.ScriptTarget.ES2022, true);
    const fn = source.statements.find(ts.isFunctionDeclaration)!;
    return handledMethods(fn);
  };

  test('methods: aliases of req.method, toUpperCase(), a destructured parameter, a 405 anywhere making the list exhaustive', () => {
    assert.deepEqual(methodsOf('function h(req, res) { const m = req.method?.toUpperCase(); if (m === "put") return; res.end(); }'), { methods: ['PUT'], others: true });
    assert.deepEqual(methodsOf('function h({ method }, res) { switch (method) { case "GET": case "HEAD": return; } }'), { methods: ['GET', 'HEAD'], others: false });
    assert.deepEqual(methodsOf('function h(req, res) { if (req.method === "GET") return a(); if (req.method === "POST") return b(); res.status(405).end(); }'), { methods: ['GET', 'POST'], others: false });
    assert.deepEqual(methodsOf('function h(req, res) { if (req.headers.method === "GET") return; res.end(); }'), { methods: [], others: false });
    assert.deepEqual(methodsOf('function h(req, res) { if (other.method === "GET") return; }'), { methods: [], others: false });
  });

  test('method tables: all keys HTTP methods in any case; an options object with a method-named key is none', () => {
    const tableOf = (code: string) => {
      const source = ts.createSourceFile('t.ts', `x(${code});`, ts.ScriptTarget.ES2022, true);
      const call = (source.statements[0] as ts.ExpressionStatement).expression as ts.CallExpression;
      return methodTable(call.arguments[0])?.map((e) => e.method);
    };
    assert.deepEqual(tableOf('{ GET: a, post: b, "DELETE": c }'), ['GET', 'POST', 'DELETE']);
    assert.equal(tableOf('{ GET: a, onError: b }'), undefined);
    assert.equal(tableOf('{}'), undefined);
    assert.equal(tableOf('{ ...handlers }'), undefined);
  });

  test('folder names: a [param] or @slot folder names no service', () => {
    assert.equal(folderLabel('app/api/orders/[id]/route.ts'), 'orders');
    assert.equal(folderLabel('pages/api/books/[id].ts'), 'books');
  });
});

describe('analyze on a Next.js bookshop', () => {
  test('the plan serves the Next routes from candidate services and the emitted proxy config parses', async () => {
    const { facts, plan } = await analyze(fixture('next-app'), { pinsFile: false, rootLabel: 'next-app' });
    planSchema.parse(JSON.parse(JSON.stringify(plan)));
    assert.equal(plan.summary.routes, 14);
    const planned = plan.services.flatMap((s) => s.routes.map((r) => `${r.method} ${r.path}`));
    const kernel = facts.routes.filter((r) => !planned.includes(`${r.method} ${r.path}`)).map((r) => `${r.method} ${r.path}`);
    // the health check and NextAuth's catch-all touch no table and call nothing: shared-kernel code, on the monolith
    assert.deepEqual(kernel.sort(), ['ALL /api/auth/*nextauth', 'ALL /api/health']);
    const orders = plan.services.find((s) => s.files.includes('app/api/orders/route.ts'))!;
    assert.equal(orders.name, 'orders');
    assert.deepEqual(orders.routes.map((r) => `${r.method} ${r.path} ${r.handler}`), [
      'GET /api/orders app/api/orders/route.ts#GET',
      'POST /api/orders app/api/orders/route.ts#POST',
      'GET /api/orders/:id app/api/orders/[id]/route.ts#getOrder',
      'PATCH /api/orders/:id app/api/orders/[id]/route.ts#PATCH',
    ]);
    const books = plan.services.find((s) => s.files.includes('pages/api/books/index.ts'))!;
    assert.ok(books.files.includes('pages/api/books/[id].ts'));

    const config = parseConfig(JSON.parse(JSON.stringify(toProxyConfig(plan))), 'next-app strangler.config.json');
    const rules = config.routes.map((r) => `${r.method} ${r.path} ${r.service}`);
    assert.equal(rules.length, 12);
    for (const rule of [`GET /docs/*slug ${plan.services.find((s) => s.files.includes('app/docs/[[...slug]]/route.ts'))!.name}`, `* /api/books/:id ${books.name}`, `DELETE /api/books/:id ${books.name}`, 'PATCH /api/orders/:id orders']) {
      assert.ok(rules.includes(rule), `${rule} in ${rules.join('; ')}`);
    }
    assert.ok(config.routes.every((r) => r.service in config.services));
    // the first declared rule wins: DELETE keeps its own rule (and mode) when the handler also falls through to `*`
    assert.ok(rules.indexOf(`DELETE /api/books/:id ${books.name}`) < rules.indexOf(`* /api/books/:id ${books.name}`), rules.join('; '));
    const router = compileRouter(config.routes.map((r) => ({ method: r.method, path: r.path, value: r.id })));
    const del = config.routes.find((r) => r.method === 'DELETE' && r.path === '/api/books/:id')!;
    const all = config.routes.find((r) => r.method === '*' && r.path === '/api/books/:id')!;
    assert.deepEqual([router.match('DELETE', '/api/books/7'), router.match('GET', '/api/books/7')], [del.id, all.id]);
  });
});
