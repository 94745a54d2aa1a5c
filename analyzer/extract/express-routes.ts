// Express's registrations, read in pass 1, which the other frameworks share or mirror: `<verb>(path, …handlers)`
// (also Koa's, Fastify's with its options, and Hono's), `router[method](path, …)`, `use([prefix,] …)` (Koa's too;
// Hono's is in hono-routes.ts), `router.param(name, fn)`, and koa-router's `router.prefix(p)`.
import { ts } from 'ts-morph';
import type { LocalRoute, Middleware, RouterNode } from './route-tree.ts';
import { exprName, isPlainObject, isStoreClient, verbMethod } from './express-syntax.ts';
import { optionHandler, optionHooks } from './fastify-syntax.ts';
import { honoPath, spreadHandlers } from './hono-syntax.ts';
import { namePos } from './hono-routes.ts';
import { prefixOf } from './koa-syntax.ts';
import { objectLiteralOf } from './object-literal.ts';
import { isFunctionLike, lineOf, ownFunctionName } from './functions.ts';
import { handlerRef, pathsOf, plausibleHandler } from './route-args.ts';
import { markFastify, type RouteContext } from './router-registry.ts';
import { helperPath } from './route-helpers.ts';
import { rootedAtDefault, rootedAtParameter } from './handler-params.ts';
import { expressionAt, loopIterations, stringAt, type Iteration } from './mount-loops.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { stringValue } from './string-value.ts';
import { namedFunction } from './symbols.ts';
import { unwrap } from './value-key.ts';

/** `app.<verb>(path, …handlers)` on the receiver: a route of its router, when the receiver is one. */
export function addRoute(ctx: RouteContext, file: LoadedFile, call: ts.CallExpression, method: string, receiver: ts.Expression, pathArg: ts.Expression, handlers: readonly ts.Expression[], base?: Iteration): void {
  if (handlers.length === 0) return;
  const expression = pathArg.getText();
  // routes registered in a loop (`pages.forEach((p) => router.get(p.path, p.handler))`, `for (const r of [a, b]) r.get(…)`):
  // one per element, on the router it gives (mount-loops.ts); read before the path's static value, which the checker would
  // give as the first element's. A receiver's loop not known statically leaves the path's own loop read.
  const literal = ts.isStringLiteralLike(unwrap(pathArg));
  const iterations = loopIterations(ctx.project, literal ? [receiver] : [receiver, pathArg], ctx.warnings, base, false) ??
    (literal ? undefined : loopIterations(ctx.project, [pathArg], ctx.warnings, base));
  const { paths, reason } = pathsOf(ctx.project, pathArg);
  if (iterations) {
    for (const at of iterations) {
      const value = literal ? paths?.[0] : stringAt(ctx.project, pathArg, at);
      const given = handlers.map((h) => expressionAt(ctx.project, h, at) ?? h);
      const on = expressionAt(ctx.project, receiver, at) ?? receiver;
      addRouteAt(ctx, file, call, method, on, { paths: value === undefined ? undefined : [value], reason, expression }, given);
    }
    return;
  }
  // a path made from a parameter of the function registering it (`router.get('/api' + name, …)`): its callers give it
  const helper = paths === undefined && ctx.helperRoutes ? helperPath(ctx.project, pathArg) : undefined;
  if (helper && ctx.helperRoutes) {
    ctx.helperRoutes.push({ ...helper, file, call, method, receiver, pathArg, at: new Map(), handlers, through: [] });
    return;
  }
  addRouteAt(ctx, file, call, method, receiver, { paths, reason, expression }, handlers);
}

/** A route's path as the route table takes it: its values (undefined when made at run time), why not, and as written. */
export interface RoutePath {
  paths: string[] | undefined;
  reason: string;
  expression: string;
}

/**
 * A route with its path read: on the router the receiver is (`addRoute`, and a helper's route at each call: `through`,
 * the helper calls that registered it, outermost first).
 */
export function addRouteAt({ project, warnings, routers, parameterHandlers }: RouteContext, file: LoadedFile, call: ts.CallExpression, method: string, receiver: ts.Expression, path: RoutePath, handlers: readonly ts.Expression[], through: readonly ts.CallExpression[] = []): void {
  let { paths } = path;
  const { reason, expression } = path;
  const source = file.source;
  const node = routers.routerOf(receiver);
  const looksLikePath = !!paths && paths.every((p) => p.startsWith('/') || p === '*');
  if (!node) {
    const last = handlers[handlers.length - 1];
    if (looksLikePath && isFunctionLike(unwrap(last)) && /app|router|route|api|server/i.test(receiver.getText())) {
      warnings.push({ file: file.rel, message: `${file.rel}:${lineOf(call, source)}: route ${method} ${paths?.join(',')} registered on '${receiver.getText()}', which could not be traced to an app or router; not reported` });
    }
    return;
  }
  // a plain object's `get(path, fn)` (a cache, a client's stub) is not a router's
  if (node.init === 'other' && isPlainObject(node.key)) return;
  if (node.hono) {
    paths = paths?.map(honoPath);
    handlers = spreadHandlers(project, handlers);
  }
  // Fastify: `get(path, { handler, preHandler })`
  const lastOptions = objectLiteralOf(project, handlers[handlers.length - 1]);
  const fromOptions = lastOptions && optionHandler(lastOptions);
  const last = fromOptions ?? handlers[handlers.length - 1];
  // on a value not made by a known constructor, only calls that read as routes count (not axios.post(url, body));
  // a Fastify plugin's instance is known to be one
  if (node.init === 'other' && node.plugin === undefined && !(looksLikePath && plausibleHandler(project, last)) && !(paths === undefined && isFunctionLike(unwrap(last)))) return;
  // a Redis client's `get(\`${user}:cart\`, (err, data) => …)` is a command, not a route with a path made at run time
  if (node.init === 'other' && !looksLikePath && isStoreClient(node.key, project.checker)) return;
  // nor is a search client's `search(baseDn, options, callback)`: on a value not known to be a router, SEARCH needs a path written out
  if (node.init === 'other' && !looksLikePath && method === 'SEARCH') return;
  const middleware: Middleware[] = [];
  let fastifyOptions = !!fromOptions;
  for (const h of handlers.slice(0, -1)) {
    const u = unwrap(h);
    // Fastify: an options object before the handler (`get(path, { schema, preHandler }, handler)`)
    const options = objectLiteralOf(project, u);
    if (options) {
      middleware.push(...optionHooks(options));
      fastifyOptions = true;
    } else if (node.fastify) {
      // Fastify's `get(path, options, handler)`: options the analyzer cannot see (`require('./schemas').get`) hold no visible hook
      continue;
    } else {
      for (const m of ts.isArrayLiteralExpression(u) ? u.elements : [u]) middleware.push({ name: exprName(m), phase: 0 });
    }
  }
  if (fromOptions) middleware.push(...optionHooks(lastOptions));
  if (fastifyOptions) markFastify(node);
  const route: LocalRoute = {
    // the verb's own line: in a route(...).get().post() chain each verb sits on its own line
    method, paths, reason, expression, file, line: lineOf(ts.isPropertyAccessExpression(call.expression) ? call.expression.name : call, source),
    pos: node.hono ? namePos(call, source) : call.getStart(source), middleware, handler: handlerRef(project, last, source),
  };
  if (handlers.length > 1 && !fastifyOptions && !node.fastify && !node.hono) route.handlers = handlers;
  node.routes.push(route);
  // `controllers.accounts.edit` with `controllers` a parameter: read at the function's calls once all are known, and
  // again at the calls the router it is on was made by (route-tree.ts); one with a default is read there too, the
  // checker's answer being only the default's
  if (parameterHandlers && (route.handler.kind === 'unresolved' ? rootedAtParameter(project, last) : rootedAtDefault(project, last))) {
    route.handler = { kind: 'unresolved', name: exprName(last) };
    route.parameter = { expr: last, calls: through };
    parameterHandlers.push(route);
  }
}

/** `router[method](path, handler)`: a literal method is a route; one chosen at run time is unresolved. */
export function addComputedVerb(ctx: RouteContext, file: LoadedFile, call: ts.CallExpression, callee: ts.ElementAccessExpression): void {
  const { project, routers } = ctx;
  const verb = stringValue(callee.argumentExpression, project.checker)?.toLowerCase();
  if (verb !== undefined) {
    const method = verbMethod(verb);
    if (method) addRoute(ctx, file, call, method, callee.expression, call.arguments[0], call.arguments.slice(1));
    return;
  }
  // `for (const [m, p, h] of table) router[m](p, h)`: the method, path and handler each element gives (one not a verb is no route)
  const iterations = loopIterations(project, [callee.argumentExpression], ctx.warnings);
  const verbs = iterations?.map((at) => stringAt(project, callee.argumentExpression, at)?.toLowerCase());
  if (iterations && verbs?.every((v) => v !== undefined)) {
    iterations.forEach((at, i) => {
      const method = verbMethod(verbs[i]!);
      if (method) addRoute(ctx, file, call, method, callee.expression, call.arguments[0], call.arguments.slice(1), at);
    });
    return;
  }
  const node = routers.routerOf(callee.expression);
  if (!node || node.init === 'other') return;
  const source = file.source;
  node.routes.push({
    method: '*', paths: undefined, reason: 'method chosen at run time', expression: `${callee.getText(source)}(${call.arguments[0].getText(source)}, …)`,
    file, line: lineOf(call, source), pos: call.getStart(source), middleware: [], handler: handlerRef(project, call.arguments[call.arguments.length - 1], source),
  });
}

/** `router.param('id', load)`: a callback run before the handlers of the router's routes with `:id`. */
export function addParam({ project, routers }: RouteContext, call: ts.CallExpression, receiver: ts.Expression): void {
  const param = stringValue(call.arguments[0], project.checker);
  if (param === undefined) return;
  const node = routers.routerOf(receiver);
  // an inline callback is named by its function id (`<anonymous@12>`), the id its table accesses carry
  const fn = unwrap(call.arguments[1]);
  if (node) node.params.push({ param, name: isFunctionLike(fn) ? ownFunctionName(fn, fn.getSourceFile()) : exprName(fn) });
}

/** koa-router's `router.prefix('/x')`: applies to every route of the router, registered before or after. */
export function addPrefix({ project, routers }: RouteContext, call: ts.CallExpression, receiver: ts.Expression): void {
  const node = routers.routerOf(receiver);
  if (node) node.prefix = prefixOf(project, call.arguments[0]);
}

/**
 * Express's and Koa's `use([prefix,] …args)` on a router that is not Hono's: a mount whose arguments (routers
 * or middleware) are told apart in pass 2, once every router is known.
 */
export function addUse({ project }: RouteContext, node: RouterNode, file: LoadedFile, call: ts.CallExpression, at?: Iteration): void {
  const args = call.arguments;
  const first = unwrap(args[0]);
  let prefixes: string[] | undefined = ['/'];
  let rest: ts.Expression[] = [...args];
  const firstIsPath = ts.isStringLiteralLike(first) || ts.isTemplateExpression(first) || ts.isArrayLiteralExpression(first) && first.elements.every((el) => !isFunctionLike(el)) ||
    ts.isBinaryExpression(first) || ts.isRegularExpressionLiteral(first) || stringValue(first, project.checker) !== undefined;
  const forwarded = forwardedPrefix(project, first, args.length);
  // `app.use(relativePath, x)`: a prefix made at run time (its routes unresolved), not a middleware named relativePath
  const named = !firstIsPath && !forwarded && args.length >= 2 && namedPrefix(project, first);
  if (firstIsPath || forwarded || named) {
    prefixes = forwarded || named ? undefined : pathsOf(project, first).paths;
    rest = args.slice(1);
  }
  const flat = rest.flatMap((a) => {
    const u = unwrap(a);
    return ts.isArrayLiteralExpression(u) ? [...u.elements] : [u];
  });
  node.mounts.push({
    prefixes, expression: args[0].getText(), args: flat, file, line: lineOf(call, file.source), pos: call.getStart(file.source),
    ...(rest.length < args.length ? { prefixArg: first } : {}), ...(forwarded ? { forwarded } : {}), ...(at ? { at } : {}), ...(named ? { namedPrefix: true } : {}),
  });
}

/**
 * A first argument of use() held by a name that ends like a path's (`relativePath`, `config.basePath`, `API_PREFIX`,
 * `mountUrl`) and is no function: a prefix whose value is made at run time. Only the name's last word counts, so
 * `urlencoded` or `pathRewriter` stay middleware.
 */
const PREFIX_WORDS = new Set(['path', 'prefix', 'mount', 'mountpoint', 'url', 'base']);

function namedPrefix(project: LoadedProject, first: ts.Expression): boolean {
  const name = ts.isIdentifier(first) ? first.text : ts.isPropertyAccessExpression(first) ? first.name.text : undefined;
  const lastWord = name?.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(/[\s_$]+/).pop()?.toLowerCase();
  if (!lastWord || !PREFIX_WORDS.has(lastWord)) return false;
  if (project.checker.getTypeAtLocation(first).getCallSignatures().length > 0 || namedFunction(project, first)) return false;
  const decl = project.checker.getSymbolAtLocation(ts.isIdentifier(first) ? first : (first as ts.PropertyAccessExpression).name)?.valueDeclaration;
  const init = decl && (ts.isVariableDeclaration(decl) || ts.isPropertyAssignment(decl)) ? decl.initializer && unwrap(decl.initializer) : undefined;
  // a module's value (`const base = require('./routes/base')`) may be a router: pass 2 puts it back among the arguments when it is
  return !decl || !isFunctionLike(decl) && !(init && isFunctionLike(init));
}

/**
 * `use(mountPath, …)` where mountPath is a parameter of the function it is written in: the function's callers choose the
 * prefix. A parameter is taken for a path when it is named like one or typed `string` (`use(mw, other)` passes middleware).
 */
function forwardedPrefix(project: LoadedProject, first: ts.Expression, args: number): { fn: ts.SignatureDeclaration; prefix: number } | undefined {
  if (!ts.isIdentifier(first) || args < 2) return undefined;
  const decl = project.checker.getSymbolAtLocation(first)?.valueDeclaration;
  if (!decl || !ts.isParameter(decl) || !isFunctionLike(decl.parent)) return undefined;
  if (!/path|prefix|mount|url|base|route/i.test(first.text) && decl.type?.kind !== ts.SyntaxKind.StringKeyword) return undefined;
  const fn = decl.parent as ts.SignatureDeclaration;
  return { fn, prefix: fn.parameters.indexOf(decl) };
}

/** `app.lazyUse = function lazyUse(mountPath, requireFn) {…}` on a router or app: a function its callers call on it. */
export function addMethod({ routers }: RouteContext, target: ts.PropertyAccessExpression, fn: ts.SignatureDeclaration): void {
  const node = routers.routerOf(target.expression);
  if (!node || node.init === 'other') return;
  (node.methods ??= new Map()).set(target.name.text, fn);
}
