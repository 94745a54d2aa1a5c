// The shapes of Express-style code the route extractor recognises (Express, and the Fastify and Koa
// calls that look the same): how an app or router is created, how a middleware is named,
// `route(path).<verb>()` chains, calls that hand the app to a function, and how mount prefixes join.
// Syntax only, plus symbol resolution where a call's target or a constructor's package is needed.
import { ts } from 'ts-morph';
import { functionName, isFunctionLike } from './functions.ts';
import { basePathChain, HONO_PACKAGES } from './hono-syntax.ts';
import { importSpecifierOf } from './package-values.ts';
import type { LoadedProject } from './project.ts';
import { codeTargetOf, resolveReference } from './symbols.ts';
import { exportedValue, functionResult, requiredFile, unwrap } from './value-key.ts';

// `search`: Express registers every method node's http.METHODS lists; SEARCH is the one apps use (Directus)
export const VERBS = new Set(['get', 'post', 'put', 'patch', 'delete', 'options', 'head', 'all', 'search']);

/** The HTTP method a registration method stands for: the verbs, and koa-router's `del` alias of delete. */
export function verbMethod(name: string): string | undefined {
  return VERBS.has(name) ? name.toUpperCase() : name === 'del' ? 'DELETE' : undefined;
}

/** How a router-like value was made: `express()`, `express.Router()` / `Router()`, or something else. */
export type RouterInit = 'app' | 'router' | 'other';

/**
 * The expression that made a router-like value: a declaration's initializer (`const r = Router()`), or the
 * call itself when the router is made in place and used without a name (`Router().use('/api', api)`).
 */
function constructionOf(decl: ts.Node): ts.CallExpression | ts.NewExpression | undefined {
  if (ts.isCallExpression(decl) || ts.isNewExpression(decl)) return decl;
  if (!ts.isVariableDeclaration(decl) && !ts.isPropertyDeclaration(decl) && !ts.isPropertyAssignment(decl)) return undefined;
  const init = decl.initializer && unwrap(decl.initializer);
  return init && (ts.isCallExpression(init) || ts.isNewExpression(init)) ? init : undefined;
}

export function initKind(decl: ts.Node): RouterInit {
  const made = constructionOf(decl);
  if (!made) return 'other';
  const callee = made.expression.getText().replace(/\s+/g, '');
  if (/(^|\.)Router$/.test(callee) || /^require\(['"]express['"]\)\.Router$/.test(callee)) return 'router';
  if (/^express$/.test(callee) || /^require\(['"]express['"]\)$/.test(callee)) return 'app';
  return 'other';
}

const KOA_ROUTER_PACKAGES = new Set(['koa-router', '@koa/router']);

/** How a router-like value was made, with the package that made it when the constructor is imported. */
export interface RouterOrigin {
  init: RouterInit;
  /** the options argument of `new Router(opts)` from koa-router or @koa/router (null: no argument) */
  koaOptions?: ts.Expression | null;
  /** the options argument of any other router constructor, read only for a `prefix` */
  options?: ts.Expression;
  /** made by `Fastify()` / `require('fastify')()` */
  fastify?: boolean;
  /** made by `new Hono()` (hono-syntax.ts's packages), with the `basePath(p)` calls made on it in place */
  hono?: { basePaths: ts.Expression[] };
}

/**
 * `initKind`, and beyond Express's names: `Fastify()` / `require('fastify')()` and `new Koa()` are apps,
 * `new KoaRouter()` from koa-router / @koa/router is a router, told by the package the callee is imported from.
 */
export function routerOrigin(decl: ts.Node, checker: ts.TypeChecker): RouterOrigin {
  let init = initKind(decl);
  const made = constructionOf(decl);
  if (!made) return { init };
  // `new Hono().basePath('/api')`: the app, its routes under /api
  const based = basePathChain(made);
  const honoMade = based ? based.base : made;
  if (makesHonoApp(honoMade, checker, 0)) {
    return { init: 'app', hono: { basePaths: based?.paths ?? [] } };
  }
  if (based) return { init };
  const pkg = packageOf(made.expression, checker);
  if (init === 'other') init = pkg === 'fastify' || pkg === 'koa' ? 'app' : pkg && KOA_ROUTER_PACKAGES.has(pkg) ? 'router' : 'other';
  if (pkg && KOA_ROUTER_PACKAGES.has(pkg)) return { init, koaOptions: made.arguments?.[0] ?? null };
  if (pkg === 'fastify') return { init, fastify: true };
  return init === 'router' && made.arguments?.[0] ? { init, options: made.arguments[0] } : { init };
}

/** `new Hono()` (hono-syntax.ts's packages), hono/factory's `createApp()`, or a call to a project function that makes one. */
function makesHonoApp(made: ts.Expression, checker: ts.TypeChecker, depth: number): boolean {
  return ts.isNewExpression(made) && HONO_PACKAGES.has(packageOf(made.expression, checker) ?? '') || isFactoryApp(made, checker) || isAppFunctionCall(made, checker, depth);
}

const appFunctions = new WeakMap<ts.Node, boolean>();

/**
 * `createRouter()` where `export const createRouter = () => new OpenAPIHono({ defaultHook })`: a function of the
 * project that returns a new Hono app as it is made, so that each call is an app of its own. One that registers on
 * the app first (`const app = new Hono(); app.get(…); return app`) is followed to that app instead, by value-key.ts,
 * as for Express. Memoised per function: the question is asked of every call a chain starts from.
 */
function isAppFunctionCall(made: ts.Expression, checker: ts.TypeChecker, depth: number): boolean {
  if (depth > 3 || !ts.isCallExpression(made)) return false;
  const callee = unwrap(made.expression);
  const name = ts.isIdentifier(callee) ? callee : ts.isPropertyAccessExpression(callee) ? callee.name : undefined;
  let symbol = name && checker.getSymbolAtLocation(name);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const decl = symbol?.valueDeclaration;
  const init = decl && ts.isVariableDeclaration(decl) && decl.initializer ? unwrap(decl.initializer) : undefined;
  const fn = decl && isFunctionLike(decl) ? decl : init && isFunctionLike(init) ? init : undefined;
  if (!fn) return false;
  const known = appFunctions.get(fn);
  if (known !== undefined) return known;
  appFunctions.set(fn, false);
  const result = functionResult(fn, (returned) => makesHonoApp(unwrap(returned), checker, depth + 1) || undefined) === true;
  appFunctions.set(fn, result);
  return result;
}

/** `factory.createApp()`, `createFactory().createApp()`: a Hono app, made by a factory from hono/factory's `createFactory()`. */
function isFactoryApp(made: ts.Expression, checker: ts.TypeChecker): boolean {
  if (!ts.isCallExpression(made) || !ts.isPropertyAccessExpression(made.expression) || made.expression.name.text !== 'createApp') return false;
  let factory = unwrap(made.expression.expression);
  if (ts.isIdentifier(factory)) {
    let symbol = checker.getSymbolAtLocation(factory);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    const decl = symbol?.valueDeclaration;
    if (decl && ts.isVariableDeclaration(decl) && decl.initializer) factory = unwrap(decl.initializer);
  }
  return ts.isCallExpression(factory) && packageOf(factory.expression, checker) === 'hono/factory';
}

/** Packages whose clients have `get`/`del`/`post`-named methods that are not routes (`client.get(key, cb)`). */
const CLIENT_PACKAGES = new Set(['ioredis', 'redis', '@redis/client']);

/**
 * A data-store client (`new Redis()` from ioredis, `redis.createClient()`, a property typed `RedisClient` from
 * redis): its `get(key, callback)` and `del(key, callback)` read like routes with a path made at run time, but
 * are commands.
 */
export function isStoreClient(decl: ts.Node, checker: ts.TypeChecker): boolean {
  const made = constructionOf(decl);
  const typed = !made && (ts.isVariableDeclaration(decl) || ts.isPropertyDeclaration(decl) || ts.isParameter(decl)) ? decl.type : undefined;
  let named: ts.Node | undefined = made ? unwrap(made.expression) : typed && ts.isTypeReferenceNode(typed) ? typed.typeName : undefined;
  // `redis.createClient()`, `require('redis').createClient()`, `IORedis.Redis`
  while (named && (ts.isPropertyAccessExpression(named) || ts.isQualifiedName(named))) named = ts.isPropertyAccessExpression(named) ? unwrap(named.expression) : named.left;
  const pkg = named && packageOf(named as ts.Expression, checker);
  return pkg !== undefined && CLIENT_PACKAGES.has(pkg);
}

/** The package a constructor comes from: `require('x')` called directly, or a name imported / required from it. */
function packageOf(callee: ts.Expression, checker: ts.TypeChecker): string | undefined {
  const e = unwrap(callee);
  if (ts.isCallExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'require' && e.arguments[0] && ts.isStringLiteralLike(e.arguments[0])) {
    return e.arguments[0].text;
  }
  if (!ts.isIdentifier(e)) return undefined;
  const decl = checker.getSymbolAtLocation(e)?.declarations?.[0];
  return decl && importSpecifierOf(decl);
}

/**
 * `vhost('api.example.com', api)` (the `vhost` package): a middleware that hands the requests for a host to an app or
 * router. The host and the app, when `expr` is such a call.
 */
export function vhostCall(expr: ts.Expression, checker: ts.TypeChecker): { host: ts.Expression; app: ts.Expression } | undefined {
  const e = unwrap(expr);
  if (!ts.isCallExpression(e) || e.arguments.length !== 2 || packageOf(e.expression, checker) !== 'vhost') return undefined;
  return { host: e.arguments[0], app: e.arguments[1] };
}

export function exprName(expr: ts.Expression): string {
  const e = unwrap(expr);
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.getText().replace(/\s+/g, '');
  if (ts.isCallExpression(e)) return exprName(e.expression);
  if (isFunctionLike(e)) return functionName(e) ?? '<anonymous>';
  const text = e.getText();
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

export function calleeName(call: ts.CallExpression): ts.Node | undefined {
  const c = call.expression;
  return ts.isIdentifier(c) ? c : ts.isPropertyAccessExpression(c) ? c.name : undefined;
}

/** The function a call invokes, when it is in the project (`register(app)`, `require('./routes')(app)`). */
export function calledFunction(project: LoadedProject, call: ts.CallExpression): ts.Node | undefined {
  const callee = unwrap(call.expression);
  if (ts.isCallExpression(callee)) {
    const file = requiredFile(project, callee);
    const value = file && exportedValue(file);
    if (!value) return undefined;
    const v = unwrap(value);
    if (isFunctionLike(v)) return v;
    const ref = ts.isIdentifier(v) ? resolveReference(project, v) : undefined;
    return ref?.kind === 'project' ? ref.target.decl : undefined;
  }
  const name = calleeName(call);
  const target = name ? resolveReference(project, name) : undefined;
  if (target?.kind !== 'project') return undefined;
  const decl = target.target.decl;
  return isFunctionLike(decl) ? decl : codeTargetOf(project, decl)?.decl;
}

/**
 * Methods that return the router, app or Fastify instance they are called on, so that calls chain, with
 * the fewest arguments such a call has: registrations, and the Fastify and Express settings written in
 * the same chains (`fastify.decorate('svc', svc).get('/', h)`, `router.param('id', load).get(…)`).
 */
const CHAINABLE = new Map<string, number>([
  ...[...VERBS, 'del'].map((verb): [string, number] => [verb, 2]),
  ['use', 1], ['register', 1], ['addHook', 1], ['prefix', 1], ['param', 2],
  ['decorate', 2], ['decorateRequest', 2], ['decorateReply', 2], ['addContentTypeParser', 2], ['addSchema', 1],
  ['setErrorHandler', 1], ['setNotFoundHandler', 1],
  // Hono's: `app.route('/books', books)`, `app.on('PURGE', '/cache', h)`, `app.mount('/legacy', handler)` return the
  // app, and so does @hono/zod-openapi's `app.openapi(route, handler)`
  ['route', 2], ['on', 3], ['mount', 2], ['openapi', 2],
]);

/**
 * `app.use(a).use(b)`, `router.get('/a', h).post('/b', h)`, `fastify.register(p).register(q)`: the value the
 * chain starts from. Only calls that look like registrations (a verb with a path and a handler, `use` with an
 * argument) are stepped over, so `map.get(k).get(x, y)` is not taken for a router.
 */
export function chainReceiver(receiver: ts.Expression): ts.Expression {
  let cur = receiver;
  while (ts.isCallExpression(cur) && ts.isPropertyAccessExpression(cur.expression)) {
    const least = CHAINABLE.get(cur.expression.name.text);
    if (least === undefined || cur.arguments.length < least) break;
    cur = cur.expression.expression;
  }
  return cur;
}

/** `const cache = { get(key, fn) {…} }`: a plain object, whose `get(path, fn)` is not a route. */
export function isPlainObject(decl: ts.Node): boolean {
  return ts.isVariableDeclaration(decl) && !!decl.initializer && ts.isObjectLiteralExpression(unwrap(decl.initializer));
}

/** A router, app or Fastify instance made in place: `Router()`, `express.Router()`, `new Router()`, `express()`, `Fastify()`, `new Koa()`. */
export function isRouterConstruction(node: ts.Node, checker: ts.TypeChecker): node is ts.CallExpression | ts.NewExpression {
  return (ts.isCallExpression(node) || ts.isNewExpression(node)) && routerOrigin(node, checker).init !== 'other';
}

/**
 * The router a chain written without a name stands for: `Router().use(a).use(b)` (held by a const, exported
 * as `export default Router().use('/api', api)`, or mounted in place) is the `Router()` it starts from.
 * Undefined when `key` is not such a chain (a named router keeps its declaration as its identity).
 */
export function inPlaceRouter(key: ts.Node, checker: ts.TypeChecker): ts.Node | undefined {
  const made = ts.isCallExpression(key) || ts.isNewExpression(key) ? key
    : (ts.isVariableDeclaration(key) || ts.isPropertyDeclaration(key) || ts.isPropertyAssignment(key)) && key.initializer ? unwrap(key.initializer) : undefined;
  if (!made || !ts.isCallExpression(made)) return made && made === key && isRouterConstruction(made, checker) ? made : undefined;
  const base = chainReceiver(made);
  if (base === made) return made === key && isRouterConstruction(made, checker) ? made : undefined;
  return isRouterConstruction(base, checker) ? base : undefined;
}

/** `X.route(path).get(...).post(...)`: the router X and the path, when `receiver` is such a chain. */
export function routeChainBase(receiver: ts.Expression): { receiver: ts.Expression; path: ts.Expression } | undefined {
  let cur = receiver;
  while (ts.isCallExpression(cur) && ts.isPropertyAccessExpression(cur.expression)) {
    const name = cur.expression.name.text;
    if (name === 'route' && cur.arguments.length === 1) return { receiver: cur.expression.expression, path: cur.arguments[0] };
    if (!VERBS.has(name)) return undefined;
    cur = cur.expression.expression;
  }
  return undefined;
}

export function joinPath(prefix: string, path: string): string {
  const a = prefix.replace(/\/+$/, '');
  let b = path === '' || path.startsWith('/') ? path : `/${path}`;
  if (b === '/') b = '';
  const joined = a + b;
  return joined === '' ? '/' : joined;
}
