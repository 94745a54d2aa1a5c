// HTTP entry points of Express, Fastify, Koa (koa-router) and Hono apps: app/router.<verb>(path, ...handlers),
// route(path).<verb>() chains, fastify.route({ … }), Hono's on(methods, path, …), and use(prefix, router) /
// register(plugin, { prefix }) / Hono's route(prefix, app) mounts followed across files (and through functions
// that receive the app) to the full path. Routers, apps and plugin instances are identified by their
// declaration, through the type checker (router-registry.ts).
import { ts } from 'ts-morph';
import { routeTable } from './route-tree.ts';
import { chainReceiver, routeChainBase, verbMethod } from './express-syntax.ts';
import { addComputedVerb, addMethod, addParam, addPrefix, addRoute, addRouteAt, addUse } from './express-routes.ts';
import { routeDeclaration } from './fastify-syntax.ts';
import { addDeclaredRoute, addHook, addRegister } from './fastify-routes.ts';
import { usesHono } from './hono-syntax.ts';
import { honoRegistrations } from './hono-routes.ts';
import { isNamedRoute } from './koa-syntax.ts';
import { callbackCalls } from './callback-calls.ts';
import { isFunctionLike } from './functions.ts';
import { handOverSharedResponders } from './shared-responders.ts';
import { guarded } from './guard.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { meetPassedRouters, mountForwarded, mountParameterRouters, resolveMounts } from './route-mounts.ts';
import { callIndex, mountHelpers, registerHelperRoutes } from './route-helpers.ts';
import { parameterHandlers } from './handler-params.ts';
import { routerRegistry, type RouteContext } from './router-registry.ts';
import { expressionAt, loopIterations } from './mount-loops.ts';
import { unwrap } from './value-key.ts';
import type { RouteFact, UnresolvedRoute, Warning } from './types.ts';

export interface RouteResult {
  routes: RouteFact[];
  unresolved: UnresolvedRoute[];
  warnings: Warning[];
}

/** An argument that may hand a value on by name: `app`, `ctx.router`, `...args` (call-arguments.ts reads the spread). */
function passesAlong(arg: ts.Expression): boolean {
  return ts.isIdentifier(arg) || ts.isPropertyAccessExpression(arg) || ts.isSpreadElement(arg);
}

/** `require('x')`: a call that gives a module, never a value of the function it calls. */
function isRequire(call: ts.CallExpression): boolean {
  return ts.isIdentifier(call.expression) && call.expression.text === 'require';
}

export function extractRoutes(project: LoadedProject): RouteResult {
  const warnings: Warning[] = [];
  /** calls that pass an identifier along: candidates for "function receives the app" */
  const passing: ts.CallExpression[] = [];
  /** the other calls of functions with arguments, which a handler given as a parameter is read at too (handler-params.ts) */
  const giving: ts.CallExpression[] = [];
  /** and the calls giving only literals, or nothing: they give a parameter its default */
  const bare: ts.CallExpression[] = [];
  /** `x.name(…)` calls by name: candidates for functions the project adds to a router (`app.lazyUse(…)`) */
  const methodCalls = new Map<string, ts.CallExpression[]>();
  /** Hono's calls (route(prefix, app), on(), mount()) are only looked at in a project that imports Hono */
  const hono = usesHono(project);
  const routers = routerRegistry(project, hono);
  const ctx: RouteContext = { project, warnings, routers, helperRoutes: [], parameterHandlers: [] };

  const honoCalls = honoRegistrations({
    project,
    warnings,
    routerOf: routers.routerOf,
    addRoute: (file, call, method, receiver, pathArg, handlers) => addRoute(ctx, file, call, method, receiver, pathArg, handlers),
  });

  /** `use()` on a Hono app scopes middleware; on any other router it mounts routers and middleware. */
  const use = (file: LoadedFile, call: ts.CallExpression, receiver: ts.Expression): void => {
    // `for (const r of [admin, api]) r.use(…)`: a use() on each router of the loop, made at its element (mount-loops.ts)
    const looped = ts.isIdentifier(receiver) ? loopIterations(project, [receiver], warnings, undefined, false) : undefined;
    for (const at of looped ?? [undefined]) {
      const node = routers.routerOf(at ? expressionAt(project, receiver, at) ?? receiver : receiver);
      if (!node) continue;
      if (node.hono) honoCalls.use(node, file, call);
      else addUse(ctx, node, file, call, at);
    }
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
              addRoute(ctx, file, n, method, chainBase.receiver, chainBase.path, args);
            } else if (args.length >= 2) {
              const at = isNamedRoute(args, project.checker) ? 1 : 0;
              addRoute(ctx, file, n, method, chainReceiver(callee.expression), args[at], args.slice(at + 1));
            } else if (hono && args.length === 1 && isFunctionLike(unwrap(args[0]))) {
              honoCalls.warn(file, n, chainReceiver(callee.expression), (line) => `${line}: ${callee.getText(file.source).replace(/\s+/g, '')}(handler) without a path adds a handler to the path registered before it; not reported`);
            }
          } else if (name === 'use' && args.length >= 1) {
            use(file, n, chainReceiver(callee.expression));
          } else if (name === 'register' && args.length >= 1) {
            addRegister(ctx, file, n, chainReceiver(callee.expression));
          } else if (name === 'addHook' && args.length >= 2) {
            addHook(ctx, n, chainReceiver(callee.expression));
          } else if (hono && name === 'route' && args.length === 2) {
            const receiver = chainReceiver(callee.expression);
            // `for (const a of [v1, v2]) a.route('/books', books)`: a mount on each app of the loop, made at its element
            const looped = ts.isIdentifier(receiver) ? loopIterations(project, [receiver], warnings, undefined, false) : undefined;
            for (const at of looped ?? [undefined]) honoCalls.mount(file, n, at ? expressionAt(project, receiver, at) ?? receiver : receiver, at);
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
            if (route) addDeclaredRoute(ctx, file, n, chainReceiver(callee.expression), route);
          } else if (name === 'prefix' && args.length === 1) {
            addPrefix(ctx, n, chainReceiver(callee.expression));
          } else if (name === 'param' && args.length === 2) {
            addParam(ctx, n, chainReceiver(callee.expression));
          }
        } else if (ts.isElementAccessExpression(callee) && n.arguments.length >= 2) {
          addComputedVerb(ctx, file, n, callee);
        }
        // `register.apply(this, [router, ctrl])` hands them on in its array
        if (n.arguments.some(passesAlong) || n.arguments.length === 2 && ts.isPropertyAccessExpression(callee) && callee.name.text === 'apply') passing.push(n);
        else if (n.arguments.some((a) => !ts.isLiteralExpression(a)) && !isRequire(n)) giving.push(n);
        else if (!isRequire(n)) bare.push(n);
        // `[a, b].forEach(register)`: a call of `register` with each element (callback-calls.ts)
        const through = callbackCalls(project, n);
        if (through) for (const call of through) (call.arguments.some(passesAlong) ? passing : giving).push(call);
        if (ts.isPropertyAccessExpression(callee) && n.arguments.length > 0) {
          const calls = methodCalls.get(callee.name.text);
          if (calls) calls.push(n);
          else methodCalls.set(callee.name.text, [n]);
        }
      } else if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(n.left) && isFunctionLike(unwrap(n.right))) {
        addMethod(ctx, n.left, unwrap(n.right) as ts.SignatureDeclaration);
      }
      ts.forEachChild(n, visit);
    };
    visit(file.source);
  }

  const callsOf = callIndex(project, passing);
  const givingOf = callIndex(project, giving);
  const bareOf = callIndex(project, bare);
  /** every call of a function that gives it a value (`crud(require('./books'))`, `item({ router: app, path: '/x' })`); `all`: also those giving none */
  const everyCallOf = (fn: ts.Node, all = false): readonly ts.CallExpression[] => {
    const more = all ? [...givingOf(fn), ...bareOf(fn)] : givingOf(fn);
    return more.length === 0 ? callsOf(fn) : [...callsOf(fn), ...more];
  };
  // routes whose path a function's callers give (`setupPageRoute(router, '/login', …)`), at each call, also one giving
  // literals only (`page('/a')`)
  registerHelperRoutes(ctx, (fn) => everyCallOf(fn, true), addRouteAt);
  // handlers given as a parameter of the registering function (`controllers.home`), as its callers give them
  // (every call of the function counts: `crud(require('./books'))` passes no name along)
  const byParameter = parameterHandlers(project, everyCallOf);
  byParameter.resolveAll(ctx.parameterHandlers ?? []);
  // the routers handed to functions that register on their parameters (also in an object, `register({ router, ctrl })`),
  // before the mounts look for them
  meetPassedRouters(ctx, everyCallOf);
  // Pass 2: which router mounts which (use(), Hono's route(), Fastify's register()).
  resolveMounts(ctx, callsOf);
  // … and the mounts functions the project adds to a router make at each call (`app.lazyUse('/members', require('./members'))`),
  // and those plain helpers make (`mount(app, '/x', r)`)
  mountForwarded(ctx, methodCalls);
  mountHelpers(ctx, callsOf);
  // Pass 3: routers that are parameters are the argument passed at each call site of their function.
  mountParameterRouters(ctx, everyCallOf);

  // routes ending in a responder many files share: their own code before it is the handler
  handOverSharedResponders(project, routers.nodes.values());

  // … or, in a router a factory made or a route a helper registered, as the call that made it gives them
  return { ...routeTable(routers.nodes.values(), warnings, byParameter.at), warnings };
}
