// The shapes of Express-style code the route extractor recognises (Express, and the Fastify and Koa
// calls that look the same): how an app or router is created, how a middleware is named,
// `route(path).<verb>()` chains, calls that hand the app to a function, and how mount prefixes join.
// Syntax only, plus symbol resolution where a call's target or a constructor's package is needed.
import { ts } from 'ts-morph';
import { functionName, isFunctionLike } from './functions.ts';
import { importSpecifierOf } from './package-values.ts';
import type { LoadedProject } from './project.ts';
import { codeTargetOf, resolveReference } from './symbols.ts';
import { exportedValue, requiredFile, unwrap } from './value-key.ts';

export const VERBS = new Set(['get', 'post', 'put', 'patch', 'delete', 'options', 'head', 'all']);

/** The HTTP method a registration method stands for: the verbs, and koa-router's `del` alias of delete. */
export function verbMethod(name: string): string | undefined {
  return VERBS.has(name) ? name.toUpperCase() : name === 'del' ? 'DELETE' : undefined;
}

/** How a router-like value was made: `express()`, `express.Router()` / `Router()`, or something else. */
export type RouterInit = 'app' | 'router' | 'other';

export function initKind(decl: ts.Node): RouterInit {
  if (!ts.isVariableDeclaration(decl) && !ts.isPropertyDeclaration(decl) && !ts.isPropertyAssignment(decl)) return 'other';
  const init = decl.initializer && unwrap(decl.initializer);
  if (!init || !(ts.isCallExpression(init) || ts.isNewExpression(init))) return 'other';
  const callee = init.expression.getText().replace(/\s+/g, '');
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
}

/**
 * `initKind`, and beyond Express's names: `Fastify()` / `require('fastify')()` and `new Koa()` are apps,
 * `new KoaRouter()` from koa-router / @koa/router is a router, told by the package the callee is imported from.
 */
export function routerOrigin(decl: ts.Node, checker: ts.TypeChecker): RouterOrigin {
  let init = initKind(decl);
  if (!ts.isVariableDeclaration(decl) && !ts.isPropertyDeclaration(decl) && !ts.isPropertyAssignment(decl)) return { init };
  const made = decl.initializer && unwrap(decl.initializer);
  if (!made || !(ts.isCallExpression(made) || ts.isNewExpression(made))) return { init };
  const pkg = packageOf(made.expression, checker);
  if (init === 'other') init = pkg === 'fastify' || pkg === 'koa' ? 'app' : pkg && KOA_ROUTER_PACKAGES.has(pkg) ? 'router' : 'other';
  if (pkg && KOA_ROUTER_PACKAGES.has(pkg)) return { init, koaOptions: made.arguments?.[0] ?? null };
  return init === 'router' && made.arguments?.[0] ? { init, options: made.arguments[0] } : { init };
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

/** Methods that return the router or app they are called on, so that registrations chain. */
const CHAINABLE = new Set([...VERBS, 'del', 'use', 'register', 'addHook', 'prefix']);

/**
 * `app.use(a).use(b)`, `router.get('/a', h).post('/b', h)`, `fastify.register(p).register(q)`: the value the
 * chain starts from. Only calls that look like registrations (a verb with a path and a handler, `use` with an
 * argument) are stepped over, so `map.get(k).get(x, y)` is not taken for a router.
 */
export function chainReceiver(receiver: ts.Expression): ts.Expression {
  let cur = receiver;
  while (ts.isCallExpression(cur) && ts.isPropertyAccessExpression(cur.expression) && CHAINABLE.has(cur.expression.name.text)) {
    const name = cur.expression.name.text;
    if (cur.arguments.length < (verbMethod(name) ? 2 : 1)) break;
    cur = cur.expression.expression;
  }
  return cur;
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
