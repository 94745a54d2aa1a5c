// HTTP entry points of Express, Fastify, Koa (koa-router) and Hono apps: app/router.<verb>(path, ...handlers),
// route(path).<verb>() chains, fastify.route({ … }), Hono's on(methods, path, …), and use(prefix, router) /
// register(plugin, { prefix }) / Hono's route(prefix, app) mounts followed across files (and through functions
// that receive the app) to the full path. Routers, apps and plugin instances are identified by their
// declaration, through the type checker (router-registry.ts).
import { ts } from 'ts-morph';
import { routeTable, type Middleware } from './route-tree.ts';
import { chainReceiver, exprName, isPlainObject, isStoreClient, routeChainBase, verbMethod } from './express-syntax.ts';
import { HOOK_PHASES, optionHandler, optionHooks, routeDeclaration, type RouteDeclaration } from './fastify-syntax.ts';
import { honoPath, spreadHandlers, usesHono } from './hono-syntax.ts';
import { honoRegistrations, namePos } from './hono-routes.ts';
import { isNamedRoute, prefixOf } from './koa-syntax.ts';
import { markFastify, routerRegistry, type RouteContext } from './router-registry.ts';
import { mountParameterRouters, resolveMounts } from './route-mounts.ts';
import { objectLiteralOf } from './object-literal.ts';
import { isFunctionLike, lineOf, ownFunctionName } from './functions.ts';
import { handlerRef, pathsOf, plausibleHandler } from './route-args.ts';
import { guarded } from './guard.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { stringValue } from './string-value.ts';
import { unwrap } from './value-key.ts';
import type { RouteFact, UnresolvedRoute, Warning } from './types.ts';

export interface RouteResult {
  routes: RouteFact[];
  unresolved: UnresolvedRoute[];
  warnings: Warning[];
}

export function extractRoutes(project: LoadedProject): RouteResult {
  const warnings: Warning[] = [];
  /** calls that pass an identifier along: candidates for "function receives the app" */
  const passing: ts.CallExpression[] = [];
  /** Hono's calls (route(prefix, app), on(), mount()) are only looked at in a project that imports Hono */
  const hono = usesHono(project);
  const routers = routerRegistry(project, hono);
  const { nodes, routerOf } = routers;
  const ctx: RouteContext = { project, warnings, routers };

  const addRoute = (file: LoadedFile, call: ts.CallExpression, method: string, receiver: ts.Expression, pathArg: ts.Expression, handlers: readonly ts.Expression[]): void => {
    if (handlers.length === 0) return;
    const source = file.source;
    const node = routerOf(receiver);
    let { paths, reason } = pathsOf(project, pathArg);
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
    node.routes.push({
      // the verb's own line: in a route(...).get().post() chain each verb sits on its own line
      method, paths, reason, expression: pathArg.getText(), file, line: lineOf(ts.isPropertyAccessExpression(call.expression) ? call.expression.name : call, source),
      pos: node.hono ? namePos(call, source) : call.getStart(source), middleware, handler: handlerRef(project, last, source),
    });
  };

  const honoCalls = honoRegistrations({
    project,
    warnings,
    routerOf,
    addRoute,
  });

  /** `router[method](path, handler)`: a literal method is a route; one chosen at run time is unresolved. */
  const addComputedVerb = (file: LoadedFile, call: ts.CallExpression, callee: ts.ElementAccessExpression): void => {
    const verb = stringValue(callee.argumentExpression, project.checker)?.toLowerCase();
    if (verb !== undefined) {
      const method = verbMethod(verb);
      if (method) addRoute(file, call, method, callee.expression, call.arguments[0], call.arguments.slice(1));
      return;
    }
    const node = routerOf(callee.expression);
    if (!node || node.init === 'other') return;
    const source = file.source;
    node.routes.push({
      method: '*', paths: undefined, reason: 'method chosen at run time', expression: `${callee.getText(source)}(${call.arguments[0].getText(source)}, …)`,
      file, line: lineOf(call, source), pos: call.getStart(source), middleware: [], handler: handlerRef(project, call.arguments[call.arguments.length - 1], source),
    });
  };

  /** `fastify.route({ method, url, preHandler, handler })`: one route per method. */
  const addDeclaredRoute = (file: LoadedFile, call: ts.CallExpression, receiver: ts.Expression, route: RouteDeclaration): void => {
    const node = routerOf(receiver);
    if (!node) return;
    markFastify(node);
    const source = file.source;
    const { paths, reason } = pathsOf(project, route.url);
    const line = lineOf(ts.isPropertyAccessExpression(call.expression) ? call.expression.name : call, source);
    const common = { file, line, pos: call.getStart(source), middleware: route.hooks, handler: handlerRef(project, route.handler, source) };
    if (!route.methods) {
      node.routes.push({ ...common, method: '*', paths: undefined, reason: 'method chosen at run time', expression: route.method.getText(source) });
      return;
    }
    for (const method of route.methods) node.routes.push({ ...common, method, paths, reason, expression: route.url.getText(source) });
  };

  /** `fastify.register(plugin, options)`: resolved to the plugin's instance once every file is read. */
  const addRegister = (file: LoadedFile, call: ts.CallExpression, receiver: ts.Expression): void => {
    const node = routerOf(receiver);
    if (!node) return;
    node.plugins.push({ plugin: call.arguments[0], options: call.arguments[1], file, line: lineOf(call, file.source), pos: call.getStart(file.source) });
  };

  /** `fastify.addHook('preHandler', auth)`: a hook that runs before the handlers of the instance's routes. */
  const addHook = (call: ts.CallExpression, receiver: ts.Expression): void => {
    const phase = HOOK_PHASES.get(stringValue(call.arguments[0], project.checker) ?? '');
    if (phase === undefined) return;
    const node = routerOf(receiver);
    if (!node) return;
    node.hooks.push({ name: exprName(call.arguments[1]), phase });
    markFastify(node);
  };

  /** `router.param('id', load)`: a callback run before the handlers of the router's routes with `:id`. */
  const addParam = (call: ts.CallExpression, receiver: ts.Expression): void => {
    const param = stringValue(call.arguments[0], project.checker);
    if (param === undefined) return;
    const node = routerOf(receiver);
    // an inline callback is named by its function id (`<anonymous@12>`), the id its table accesses carry
    const fn = unwrap(call.arguments[1]);
    if (node) node.params.push({ param, name: isFunctionLike(fn) ? ownFunctionName(fn, fn.getSourceFile()) : exprName(fn) });
  };

  /** koa-router's `router.prefix('/x')`: applies to every route of the router, registered before or after. */
  const addPrefix = (call: ts.CallExpression, receiver: ts.Expression): void => {
    const node = routerOf(receiver);
    if (node) node.prefix = prefixOf(project, call.arguments[0]);
  };

  const addUse = (file: LoadedFile, call: ts.CallExpression, receiver: ts.Expression): void => {
    const node = routerOf(receiver);
    if (!node) return;
    if (node.hono) return honoCalls.use(node, file, call);
    const args = call.arguments;
    const first = unwrap(args[0]);
    let prefixes: string[] | undefined = ['/'];
    let rest: ts.Expression[] = [...args];
    const firstIsPath = ts.isStringLiteralLike(first) || ts.isTemplateExpression(first) || ts.isArrayLiteralExpression(first) && first.elements.every((el) => !isFunctionLike(el)) ||
      ts.isBinaryExpression(first) || ts.isRegularExpressionLiteral(first) || stringValue(first, project.checker) !== undefined;
    if (firstIsPath) {
      prefixes = pathsOf(project, first).paths;
      rest = args.slice(1);
    }
    const flat = rest.flatMap((a) => {
      const u = unwrap(a);
      return ts.isArrayLiteralExpression(u) ? [...u.elements] : [u];
    });
    node.mounts.push({ prefixes, expression: args[0].getText(), args: flat, file, line: lineOf(call, file.source), pos: call.getStart(file.source) });
  };

  // Pass 1: every registration, per file.
  for (const file of project.files) {
    guarded(file, warnings, 'routes', () => visitFile(file));
  }
  function visitFile(file: LoadedFile): void {
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n)) {
        const callee = n.expression;
        if (ts.isPropertyAccessExpression(callee)) {
          const name = callee.name.text;
          const args = n.arguments;
          const method = verbMethod(name);
          if (method) {
            const chainBase = routeChainBase(callee.expression);
            if (chainBase) {
              addRoute(file, n, method, chainBase.receiver, chainBase.path, args);
            } else if (args.length >= 2) {
              const at = isNamedRoute(args, project.checker) ? 1 : 0;
              addRoute(file, n, method, chainReceiver(callee.expression), args[at], args.slice(at + 1));
            } else if (hono && args.length === 1 && isFunctionLike(unwrap(args[0]))) {
              honoCalls.warn(file, n, chainReceiver(callee.expression), (line) => `${line}: ${callee.getText(file.source).replace(/\s+/g, '')}(handler) without a path adds a handler to the path registered before it; not reported`);
            }
          } else if (name === 'use' && args.length >= 1) {
            addUse(file, n, chainReceiver(callee.expression));
          } else if (name === 'register' && args.length >= 1) {
            addRegister(file, n, chainReceiver(callee.expression));
          } else if (name === 'addHook' && args.length >= 2) {
            addHook(n, chainReceiver(callee.expression));
          } else if (hono && name === 'route' && args.length === 2) {
            honoCalls.mount(file, n, chainReceiver(callee.expression));
          } else if (hono && (name === 'on' && args.length >= 3 || name === 'openapi' && args.length >= 2)) {
            honoCalls.on(file, n, chainReceiver(callee.expression), name === 'openapi');
          } else if (hono && (name === 'doc' || name === 'doc31') && args.length === 2) {
            honoCalls.doc(file, n, chainReceiver(callee.expression));
          } else if (hono && name === 'mount' && args.length >= 2) {
            const path = args[0].getText(file.source);
            const app = ts.isIdentifier(callee.expression) ? callee.expression.text : 'app';
            honoCalls.warn(file, n, chainReceiver(callee.expression), (line) => `${line}: ${app}.mount(${path}, …) hands the requests under ${path} to an app that is not Hono; its routes are not reported`);
          } else if (name === 'route' && args.length === 1) {
            const route = routeDeclaration(project, args[0]);
            if (route) addDeclaredRoute(file, n, chainReceiver(callee.expression), route);
          } else if (name === 'prefix' && args.length === 1) {
            addPrefix(n, chainReceiver(callee.expression));
          } else if (name === 'param' && args.length === 2) {
            addParam(n, chainReceiver(callee.expression));
          }
        } else if (ts.isElementAccessExpression(callee) && n.arguments.length >= 2) {
          addComputedVerb(file, n, callee);
        }
        if (n.arguments.some((a) => ts.isIdentifier(a) || ts.isPropertyAccessExpression(a))) passing.push(n);
      }
      ts.forEachChild(n, visit);
    };
    visit(file.source);
  }

  // Pass 2: which router mounts which (use(), Hono's route(), Fastify's register()).
  resolveMounts(ctx);
  // Pass 3: routers that are parameters are the argument passed at each call site of their function.
  mountParameterRouters(ctx, passing);

  return { ...routeTable(nodes.values(), warnings), warnings };
}
