// HTTP entry points of Express, Fastify, Koa (koa-router) and Hono apps: app/router.<verb>(path, ...handlers),
// route(path).<verb>() chains, fastify.route({ … }), Hono's on(methods, path, …), and use(prefix, router) /
// register(plugin, { prefix }) / Hono's route(prefix, app) mounts followed across files (and through functions
// that receive the app) to the full path. Routers, apps and plugin instances are identified by their
// declaration, through the type checker (router-registry.ts).
import { ts } from 'ts-morph';
import { routeTable, type Middleware, type PluginMount, type RouterNode } from './route-tree.ts';
import { calledFunction, chainReceiver, exprName, isPlainObject, isStoreClient, routeChainBase, verbMethod } from './express-syntax.ts';
import { forwardsPrefix, HOOK_PHASES, optionHandler, optionHooks, pluginFunction, pluginOptionsParameter, registerPrefix, routeDeclaration, setsPrefix, type Plugin, type RegisterPrefix, type RouteDeclaration } from './fastify-syntax.ts';
import { honoPath, iteratedElements, spreadHandlers, usesHono } from './hono-syntax.ts';
import { honoRegistrations, namePos } from './hono-routes.ts';
import { isNamedRoute, prefixOf, routerMiddleware } from './koa-syntax.ts';
import { markFastify, routerRegistry } from './router-registry.ts';
import { objectLiteralOf } from './object-literal.ts';
import { isFunctionLike, lineOf, ownFunctionName } from './functions.ts';
import { handlerRef, pathsOf, plausibleHandler } from './route-args.ts';
import { guarded } from './guard.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { stringValue } from './string-value.ts';
import { fileOf } from './symbols.ts';
import { unwrap, valueKey } from './value-key.ts';
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
  const { nodes, nodeFor, routerOf, existing } = routerRegistry(project, hono);

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

  // Pass 2: classify use() arguments into child routers and middleware; resolve register() to plugins.
  const isRouter = (node: RouterNode | undefined): node is RouterNode =>
    !!node && (node.init !== 'other' || node.routes.length > 0 || node.mounts.length > 0);
  /** `export const booksRoutes = router.routes()` … `api.use(booksRoutes)`: the `routes()` call a const holds. */
  const heldRouterMiddleware = (arg: ts.Expression): ReturnType<typeof routerMiddleware> => {
    const e = unwrap(arg);
    if (!ts.isIdentifier(e) && !ts.isPropertyAccessExpression(e)) return undefined;
    const key = valueKey(project, e);
    return key && ts.isVariableDeclaration(key) && key.initializer ? routerMiddleware(key.initializer) : undefined;
  };
  // each register() call's plugin, and the register() calls that load each plugin function
  const plugins = new Map<PluginMount, Plugin | undefined>();
  const registrations = new Map<ts.Node, PluginMount[]>();
  for (const node of [...nodes.values()]) {
    for (const mount of node.plugins) {
      const plugin = pluginFunction(project, mount.plugin);
      plugins.set(mount, plugin);
      if (plugin) registrations.set(plugin.fn, [...(registrations.get(plugin.fn) ?? []), mount]);
    }
  }
  /**
   * The prefixes a register() call gives, reading a plugin's own options passed on to the plugins it
   * registers (`{ prefix: opts.prefix }`, `register(inner, opts)`) from the register() calls that load it.
   */
  const mountPrefix = (mount: PluginMount, depth: number): RegisterPrefix => registerPrefix(project, mount.options, (expr) => {
    const options = pluginOptionsParameter(project, expr);
    const outer = options && registrations.get(options.parent);
    if (!outer || depth > 4) return undefined;
    const prefixes = new Set<string>();
    for (const m of outer) {
      const given = mountPrefix(m, depth + 1);
      if (!given.prefixes) return given;
      for (const p of given.prefixes) prefixes.add(p);
    }
    return { prefixes: [...prefixes], expression: expr.getText() };
  });
  for (const node of [...nodes.values()]) {
    for (const mount of node.mounts) {
      const middleware: Middleware[] = [];
      let mountedRouter = false;
      for (const arg of mount.args) {
        if (mount.hono) {
          // `routes.forEach((route) => app.route('/', route))`: each app of the array
          for (const app of iteratedElements(project, arg) ?? [arg]) {
            const child = routerOf(app);
            if (child?.hono && child !== node) {
              node.children.push({ node: child, prefixes: mount.prefixes, expression: mount.expression, middleware: [], file: mount.file, line: mount.line, pos: mount.pos });
              child.mountedBy++;
            } else {
              warnings.push({ file: mount.file.rel, message: `${mount.file.rel}:${mount.line}: route(${mount.expression}, ${arg.getText()}) mounts '${app.getText()}', which could not be traced to a Hono app; its routes are not reported` });
            }
          }
          continue;
        }
        let child = existing(arg);
        const koa = isRouter(child) ? undefined : routerMiddleware(arg) ?? heldRouterMiddleware(arg);
        if (koa) {
          // app.use(router.routes()): the router itself is mounted; allowedMethods() is neither a route nor a route's middleware
          const router = existing(chainReceiver(koa.router));
          if (isRouter(router) && koa.kind === 'allowedMethods') continue;
          if (isRouter(router)) child = router;
        }
        if (isRouter(child) && child !== node) {
          node.children.push({ node: child, prefixes: mount.prefixes, expression: mount.expression, middleware: [...middleware], file: mount.file, line: mount.line, pos: mount.pos });
          child.mountedBy++;
          mountedRouter = true;
        } else {
          middleware.push({ name: exprName(arg), phase: 0 });
        }
      }
      if (!mountedRouter && mount.prefixes?.length === 1 && mount.prefixes[0] === '/') {
        for (const { name } of middleware) node.middleware.push({ file: mount.file, pos: mount.pos, name });
      }
    }
    for (const mount of node.plugins) {
      const plugin = plugins.get(mount);
      const param = plugin?.fn.parameters[0];
      const child = param && nodeFor(param);
      if (!plugin || !child || child === node) continue;
      let { prefixes, expression } = mountPrefix(mount, 0);
      if (plugin.shared) {
        if (setsPrefix(project, mount.options) && !forwardsPrefix(project, plugin.fn)) {
          const name = ownFunctionName(plugin.fn, plugin.fn.getSourceFile());
          warnings.push({ file: mount.file.rel, message: `${mount.file.rel}:${mount.line}: plugin '${name}' is wrapped in fastify-plugin, so Fastify ignores its prefix ${expression}; its routes are reported under the prefix of the instance that registers it` });
        }
        prefixes = ['/'];
        expression = '';
      }
      node.children.push({ node: child, prefixes, expression, middleware: [], file: mount.file, line: mount.line, pos: mount.pos, ...(plugin.shared ? { shared: true } : {}) });
      child.mountedBy++;
    }
  }

  // Pass 3: routers that are parameters (`function register(app) { app.get(...) }`) are the argument
  // passed at each call site of their function.
  const paramNodes = [...nodes.values()].filter((n) => ts.isParameter(n.key) && (n.routes.length > 0 || n.children.length > 0));
  if (paramNodes.length > 0) {
    const byFunction = new Map<ts.Node, RouterNode[]>();
    for (const p of paramNodes) byFunction.set(p.key.parent, [...(byFunction.get(p.key.parent) ?? []), p]);
    for (const call of passing) {
      const fn = calledFunction(project, call);
      const params = fn && byFunction.get(fn);
      if (!params) continue;
      for (const p of params) {
        const index = (fn as ts.SignatureDeclaration).parameters.indexOf(p.key as ts.ParameterDeclaration);
        const arg = call.arguments[index];
        const parent = arg && routerOf(arg);
        if (!parent || parent === p) continue;
        const file = fileOf(project, call)!;
        parent.children.push({ node: p, prefixes: ['/'], expression: arg.getText(), middleware: [], file, line: lineOf(call, file.source), pos: call.getStart(file.source) });
        p.mountedBy++;
      }
    }
  }

  return { ...routeTable(nodes.values(), warnings), warnings };
}
