// Passes 2 and 3 of the route extractor, once every file is read: which router mounts which. use() arguments
// become child routers or middleware (in a loop: each element the loop goes over, mount-loops.ts), Hono's route(prefix,
// app) its apps, register() its plugin instances; a mounting function (one the project adds to its apps,
// `app.lazyUse(prefix, require('./x'))`, or a plain helper, `mount(app, '/x', r)`) mounts at each call; and a router
// that is a function's parameter is mounted on the router each call of that function passes.
import { ts } from 'ts-morph';
import { isRouter, lineage, type Child, type Middleware, type Mount, type RouterNode } from './route-tree.ts';
import { boundArgument, boundDeclaration, type Bound } from './bound-parameters.ts';
import { givenRouters, mountAt, type CallsOf } from './route-helpers.ts';
import { chainReceiver, exprName, vhostCall } from './express-syntax.ts';
import { pluginMounter } from './fastify-routes.ts';
import { routerMiddleware } from './koa-syntax.ts';
import { isFunctionLike, lineOf } from './functions.ts';
import { honoPath } from './hono-syntax.ts';
import { expressionAt, loopIterations, readsLoop, stringAt, staticHead, valueAt, type Iteration } from './mount-loops.ts';
import { isExpression } from './loop-collections.ts';
import type { LoadedProject } from './project.ts';
import type { RouteContext } from './router-registry.ts';
import { fileOf } from './symbols.ts';
import { unwrap, valueKey } from './value-key.ts';

/**
 * Before pass 2: the routers calls hand to a function that registers on its parameter (`addRoutes(router, …)` in
 * NodeBB's `function apiRouter() { const router = express.Router(); addRoutes(router, …); return router }`) are met
 * now, so that a mount of such a router (`app.use('/api/admin', apiRouter())`) finds it.
 */
export function meetPassedRouters({ project, routers }: RouteContext, callsOf: CallsOf): void {
  for (const p of [...routers.nodes.values()]) {
    const bound = boundRouter(project, p);
    if (!bound) continue;
    for (const call of callsOf(bound.fn)) {
      const arg = givenRouter(project, bound, call);
      if (arg) routers.routerOf(arg);
    }
  }
}

/** A router that is a function's parameter (`function register(app)`), or taken from one (`function ({ router, ctrl })`). */
function boundRouter(project: LoadedProject, node: RouterNode): Bound | undefined {
  return ts.isParameter(node.key) || ts.isBindingElement(node.key) ? boundDeclaration(project, node.key) : undefined;
}

/** What a call gives such a router: its argument, or the property of the object literal it writes for the pattern. */
function givenRouter(project: LoadedProject, bound: Bound, call: ts.CallExpression): ts.Expression | undefined {
  const given = boundArgument(project, bound, call);
  return given && given.rest.length === 0 ? given.value : undefined;
}

/** Pass 2: classify use() arguments into child routers and middleware; resolve route() to Hono apps and register() to plugins. */
export function resolveMounts(ctx: RouteContext, callsOf: CallsOf): void {
  const mountPlugins = pluginMounter(ctx);
  for (const node of [...ctx.routers.nodes.values()]) {
    for (const mount of node.mounts) {
      if (mount.namedPrefix && isRouter(ctx.routers.existing(mount.prefixArg!))) unnamePrefix(mount);
      if (mount.hono) mountHonoApps(ctx, node, mount);
      else if (!mount.forwarded && !mountLooped(ctx, node, mount) && !givenRouters(ctx, callsOf, mount)) mountUsed(ctx, node, mount);
    }
    mountPlugins(node);
  }
}

/** `app.use(base, pages)` with `base` a router: not a prefix named like one, the first router mounted. */
function unnamePrefix(mount: Mount): void {
  mount.args = [mount.prefixArg!, ...mount.args];
  mount.prefixes = ['/'];
  mount.prefixArg = undefined;
  mount.namedPrefix = undefined;
}

/** `export const booksRoutes = router.routes()` … `api.use(booksRoutes)`: the `routes()` call a const holds. */
function heldRouterMiddleware({ project }: RouteContext, arg: ts.Expression): ReturnType<typeof routerMiddleware> {
  const e = unwrap(arg);
  if (!ts.isIdentifier(e) && !ts.isPropertyAccessExpression(e)) return undefined;
  const key = valueKey(project, e);
  return key && ts.isVariableDeclaration(key) && key.initializer ? routerMiddleware(key.initializer) : undefined;
}

/**
 * Express's and Koa's `use([prefix,] …args)`: each router among the args is a child, with the middleware
 * written before it; a pathless use() that mounts no router adds its middleware to the router's own.
 */
function mountUsed(ctx: RouteContext, node: RouterNode, mount: Mount): void {
  const { existing } = ctx.routers;
  const middleware: Middleware[] = [];
  let mountedRouter = false;
  for (const arg of mount.args) {
    // `vhost('api.example.com', api)`: api, for that host only
    const host = vhostCall(arg, ctx.project.checker);
    let child = existing(host?.app ?? arg);
    const koa = isRouter(child) ? undefined : routerMiddleware(arg) ?? heldRouterMiddleware(ctx, arg);
    if (koa) {
      // app.use(router.routes()): the router itself is mounted; allowedMethods() is neither a route nor a route's middleware
      const router = existing(chainReceiver(koa.router));
      if (isRouter(router) && koa.kind === 'allowedMethods') continue;
      if (isRouter(router)) child = router;
    }
    // `let r; switch (driver) { case 'a': r = makeA(); … } app.use('/x', r)`: each router the variable is given
    const children = isRouter(child) ? [child] : host || koa ? [] : assignedRouters(ctx, arg);
    const mounted = children.filter((c) => c !== node);
    for (const c of mounted) {
      const through = host ? [...middleware, { name: exprName(arg), phase: 0 }] : [...middleware];
      node.children.push({ node: c, prefixes: mount.prefixes, expression: mount.expression, middleware: through, file: mount.file, line: mount.line, pos: mount.pos });
      c.mountedBy++;
      mountedRouter = true;
      if (host) hostScoped(ctx, mount, host);
    }
    if (mounted.length === 0) middleware.push({ name: exprName(arg), phase: 0 });
  }
  if (!mountedRouter && mount.prefixes?.length === 1 && mount.prefixes[0] === '/') {
    for (const { name } of middleware) node.middleware.push({ file: mount.file, pos: mount.pos, name });
  }
}

/**
 * The routers a `let`/`var` is given: its initializer and each `name = …` in the block it is declared in, those that
 * are routers (a branch giving something else, or nothing, mounts nothing).
 */
function assignedRouters({ project, routers }: RouteContext, arg: ts.Expression): RouterNode[] {
  const e = unwrap(arg);
  if (!ts.isIdentifier(e)) return [];
  const symbol = project.checker.getSymbolAtLocation(e);
  const decl = symbol?.valueDeclaration;
  if (!decl || !ts.isVariableDeclaration(decl) || !ts.isVariableDeclarationList(decl.parent) || decl.parent.flags & ts.NodeFlags.Const) return [];
  const values: ts.Expression[] = decl.initializer ? [decl.initializer] : [];
  const visit = (n: ts.Node): void => {
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(n.left) && n.left.text === e.text && project.checker.getSymbolAtLocation(n.left) === symbol) values.push(n.right);
    ts.forEachChild(n, visit);
  };
  visit(decl.parent.parent.parent);
  const found: RouterNode[] = [];
  for (const value of values) {
    const router = routers.existing(value);
    if (isRouter(router) && !found.includes(router)) found.push(router);
  }
  return found;
}

/** A host-scoped mount: the proxy routes by path alone, so the routes keep their paths, with a warning saying for which host they are. */
function hostScoped({ warnings }: RouteContext, mount: Mount, { host, app }: { host: ts.Expression; app: ts.Expression }): void {
  const where = `${mount.file.rel}:${mount.line}`;
  warnings.push({ file: mount.file.rel, message: `${where}: vhost(${host.getText()}, ${app.getText()}) serves ${app.getText()}'s routes only for that host; they are reported under their paths, which the proxy matches whatever the host` });
}

/**
 * A use() in a loop over routers (`routers.forEach((r) => app.use(r))`, `for (const [prefix, r] of mounts) app.use(prefix,
 * r)`, `app.use(relativePath, routers[x])`): each element's router, under the prefix the loop gives it. A first argument
 * that is not taken for a path is the prefix when the loop gives it a string, or when it is named like one (NodeBB's
 * `relativePath`, a value of its configuration). A prefix not known statically: the routers are mounted under its part
 * written before the first value made at run time (`/` at least), with a warning. A loop that mounts no router (over
 * middleware) is read as any use().
 */
function mountLooped(ctx: RouteContext, node: RouterNode, mount: Mount): boolean {
  const { project, routers, warnings } = ctx;
  const written = mount.prefixArg ? [mount.prefixArg, ...mount.args] : mount.args;
  const iterations = loopIterations(project, written, warnings, mount.at);
  if (!iterations) return false;
  const children: Child[] = [];
  let unknown: { expression: ts.Expression; head: string } | undefined;
  for (const at of iterations) {
    const { prefixArg, args } = loopPrefix(ctx, mount, at);
    // read at each element, also when pass 1 found a value (the checker gives `m.path` the first element's)
    let prefixes = mount.prefixes;
    const value = prefixArg && stringAt(project, prefixArg, at);
    if (value !== undefined) {
      prefixes = [value];
    } else if (prefixArg && (prefixes === undefined || prefixArg !== mount.prefixArg)) {
      const head = staticHead(project, prefixArg, at) || '/';
      unknown ??= { expression: prefixArg, head };
      prefixes = [head];
    }
    const middleware: Middleware[] = [];
    for (const arg of args) {
      // koa-router's `child.routes()`: the loop's router itself; its `allowedMethods()` is neither a route nor a middleware
      const koa = routerMiddleware(arg);
      const value = expressionAt(project, koa ? chainReceiver(koa.router) : arg, at);
      const child = value && routers.existing(value);
      if (koa?.kind === 'allowedMethods' && isRouter(child)) continue;
      if (isRouter(child) && child !== node) {
        children.push({ node: child, prefixes, expression: prefixArg?.getText() ?? mount.expression, middleware: [...middleware], file: mount.file, line: mount.line, pos: mount.pos });
      } else {
        middleware.push({ name: exprName(koa ? arg : value ?? arg), phase: 0 });
      }
    }
  }
  if (children.length === 0) return false;
  for (const child of children) {
    node.children.push(child);
    child.node.mountedBy++;
  }
  if (unknown) {
    const where = `${mount.file.rel}:${mount.line}`;
    warnings.push({ file: mount.file.rel, message: `${where}: the prefix ${unknown.expression.getText()} this loop mounts its routers under is not known statically (made at run time); their routes are reported under '${unknown.head}'` });
  }
  return true;
}

/** The prefix argument of a use() at one element of its loop, and the arguments after it. */
function loopPrefix({ project, routers }: RouteContext, mount: Mount, at: Iteration): { prefixArg: ts.Expression | undefined; args: ts.Expression[] } {
  if (mount.prefixArg || mount.args.length < 2) return { prefixArg: mount.prefixArg, args: mount.args };
  const first = mount.args[0];
  const value = valueAt(project, first, at);
  const isPrefix = stringAt(project, first, at) !== undefined ||
    (ts.isIdentifier(first) || ts.isPropertyAccessExpression(first)) && /path|prefix|mount|url|base/i.test(first.getText()) &&
    isExpression(value) && !isFunctionLike(value) && !isRouter(routers.existing(value));
  return isPrefix ? { prefixArg: first, args: mount.args.slice(1) } : { prefixArg: undefined, args: mount.args };
}

/**
 * Hono's `route(prefix, child)`: the child is an app, never a middleware; one that cannot be traced is warned about. In a
 * loop (`routes.forEach((route) => app.route('/', route))`, `for (const [prefix, sub] of pairs) app.route(prefix, sub)`):
 * each app of the loop, under the prefix its element gives (unresolved when that is not known statically).
 */
function mountHonoApps({ project, warnings, routers }: RouteContext, node: RouterNode, mount: Mount): void {
  const prefixArg = mount.prefixArg;
  const looped = !!prefixArg && readsLoop(project, prefixArg);
  const prefixAt = (at: Iteration): string[] | undefined => {
    const value = looped ? stringAt(project, prefixArg, at) : undefined;
    return !looped ? mount.prefixes : value === undefined ? undefined : [honoPath(value)];
  };
  for (const arg of mount.args) {
    const apps = loopIterations(project, looped ? [prefixArg, arg] : [arg], warnings, mount.at)?.map((at) => ({ app: expressionAt(project, arg, at) ?? arg, prefixes: prefixAt(at) })) ??
      [{ app: arg, prefixes: mount.prefixes }];
    for (const { app, prefixes } of apps) {
      const child = routers.routerOf(app);
      if (child?.hono && child !== node) {
        node.children.push({ node: child, prefixes, expression: mount.expression, middleware: [], file: mount.file, line: mount.line, pos: mount.pos });
        child.mountedBy++;
      } else {
        warnings.push({ file: mount.file.rel, message: `${mount.file.rel}:${mount.line}: route(${mount.expression}, ${arg.getText()}) mounts '${app.getText()}', which could not be traced to a Hono app; its routes are not reported` });
      }
    }
  }
}

/**
 * Pass 3: routers that are parameters (`function register(app) { app.get(...) }`) are the argument passed at
 * each call site of their function.
 */
export function mountParameterRouters({ project, routers }: RouteContext, callsOf: CallsOf): void {
  const paramNodes = [...routers.nodes.values()].filter((n) => (ts.isParameter(n.key) || ts.isBindingElement(n.key)) && lineage(n).some((l) => l.routes.length > 0 || l.children.length > 0));
  for (const p of paramNodes) {
    const bound = boundRouter(project, p);
    if (!bound) continue;
    for (const call of callsOf(bound.fn)) {
      const arg = givenRouter(project, bound, call);
      const parent = arg && routers.routerOf(arg);
      if (!parent || parent === p) continue;
      const file = fileOf(project, call)!;
      parent.children.push({ node: p, prefixes: ['/'], expression: arg.getText(), middleware: [], file, line: lineOf(call, file.source), pos: call.getStart(file.source), call });
      p.mountedBy++;
    }
  }
}

/**
 * Functions the project adds to a router (Ghost's `app.lazyUse = function lazyUse(mountPath, requireFn) { app.use(mountPath,
 * lazyLoad(() => requireFn())) }`): each call on a router made from that one (`backendApp.lazyUse('/ghost/api',
 * require('../api'))`) mounts, on the router it is called on, what the call's arguments give: the prefix, and the
 * router a parameter is or, called (`requireFn()`), makes.
 */
export function mountForwarded(ctx: RouteContext, calls: ReadonlyMap<string, readonly ts.CallExpression[]>): void {
  const { routers } = ctx;
  for (const owner of [...routers.nodes.values()]) {
    for (const [name, fn] of owner.methods ?? []) {
      const mounts = owner.mounts.filter((m) => m.forwarded?.fn === fn);
      if (mounts.length === 0) continue;
      for (const call of calls.get(name) ?? []) {
        const receiver = routers.routerOf(chainReceiver((call.expression as ts.PropertyAccessExpression).expression));
        if (!receiver || !lineage(receiver).includes(owner)) continue;
        for (const mount of mounts) mountAt(ctx, receiver, mount, call);
      }
    }
  }
}
