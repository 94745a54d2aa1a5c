// Passes 2 and 3 of the route extractor, once every file is read: which router mounts which. use() arguments
// become child routers or middleware, Hono's route(prefix, app) its apps, register() its plugin instances; a mounting
// function the project adds to its apps (`app.lazyUse(prefix, require('./x'))`) mounts at each call; and a
// router that is a function's parameter is mounted on the router each call of that function passes.
import { ts } from 'ts-morph';
import { lineage, type Middleware, type Mount, type RouterNode } from './route-tree.ts';
import { calledFunction, chainReceiver, exprName } from './express-syntax.ts';
import { pathsOf } from './route-args.ts';
import type { LoadedProject } from './project.ts';
import { pluginMounter } from './fastify-routes.ts';
import { iteratedElements } from './hono-syntax.ts';
import { routerMiddleware } from './koa-syntax.ts';
import { lineOf } from './functions.ts';
import type { RouteContext } from './router-registry.ts';
import { fileOf } from './symbols.ts';
import { unwrap, valueKey } from './value-key.ts';

/** Pass 2: classify use() arguments into child routers and middleware; resolve route() to Hono apps and register() to plugins. */
export function resolveMounts(ctx: RouteContext): void {
  const mountPlugins = pluginMounter(ctx);
  for (const node of [...ctx.routers.nodes.values()]) {
    for (const mount of node.mounts) {
      if (mount.hono) mountHonoApps(ctx, node, mount);
      else if (!mount.forwarded) mountUsed(ctx, node, mount);
    }
    mountPlugins(node);
  }
}

const isRouter = (node: RouterNode | undefined): node is RouterNode =>
  !!node && (node.init !== 'other' || lineage(node).some((l) => l.routes.length > 0 || l.mounts.length > 0));

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
    let child = existing(arg);
    const koa = isRouter(child) ? undefined : routerMiddleware(arg) ?? heldRouterMiddleware(ctx, arg);
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

/** Hono's `route(prefix, child)`: the child is an app, never a middleware; one that cannot be traced is warned about. */
function mountHonoApps({ project, warnings, routers }: RouteContext, node: RouterNode, mount: Mount): void {
  for (const arg of mount.args) {
    // `routes.forEach((route) => app.route('/', route))`: each app of the array
    for (const app of iteratedElements(project, arg) ?? [arg]) {
      const child = routers.routerOf(app);
      if (child?.hono && child !== node) {
        node.children.push({ node: child, prefixes: mount.prefixes, expression: mount.expression, middleware: [], file: mount.file, line: mount.line, pos: mount.pos });
        child.mountedBy++;
      } else {
        warnings.push({ file: mount.file.rel, message: `${mount.file.rel}:${mount.line}: route(${mount.expression}, ${arg.getText()}) mounts '${app.getText()}', which could not be traced to a Hono app; its routes are not reported` });
      }
    }
  }
}

/**
 * Pass 3: routers that are parameters (`function register(app) { app.get(...) }`) are the argument passed at
 * each call site of their function. `passing`: the calls that pass an identifier or property along.
 */
export function mountParameterRouters({ project, routers }: RouteContext, passing: readonly ts.CallExpression[]): void {
  const paramNodes = [...routers.nodes.values()].filter((n) => ts.isParameter(n.key) && lineage(n).some((l) => l.routes.length > 0 || l.children.length > 0));
  if (paramNodes.length === 0) return;
  const byFunction = new Map<ts.Node, RouterNode[]>();
  for (const p of paramNodes) byFunction.set(p.key.parent, [...(byFunction.get(p.key.parent) ?? []), p]);
  for (const call of passing) {
    const fn = calledFunction(project, call);
    const params = fn && byFunction.get(fn);
    if (!params) continue;
    for (const p of params) {
      const index = (fn as ts.SignatureDeclaration).parameters.indexOf(p.key as ts.ParameterDeclaration);
      const arg = call.arguments[index];
      const parent = arg && routers.routerOf(arg);
      if (!parent || parent === p) continue;
      const file = fileOf(project, call)!;
      parent.children.push({ node: p, prefixes: ['/'], expression: arg.getText(), middleware: [], file, line: lineOf(call, file.source), pos: call.getStart(file.source) });
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

/** One forwarded mount at one call: on the router the call is made on, with the call's prefix and what its arguments give. */
function mountAt({ project, routers }: RouteContext, receiver: RouterNode, mount: Mount, call: ts.CallExpression): void {
  const { fn, prefix } = mount.forwarded!;
  const prefixArg = call.arguments[prefix];
  const file = fileOf(project, call);
  if (!prefixArg || !file) return;
  const middleware: Middleware[] = [];
  for (const arg of mount.args) {
    const given = givenFor(project, fn, arg, call);
    const child = given ? (given.called ? routers.calledValue(given.value, given.value) : routers.existing(given.value)) : routers.existing(arg);
    if (isRouter(child) && child !== receiver) {
      receiver.children.push({ node: child, prefixes: pathsOf(project, prefixArg).paths, expression: prefixArg.getText(), middleware: [...middleware], file, line: lineOf(call, file.source), pos: call.getStart(file.source) });
      child.mountedBy++;
    } else {
      middleware.push({ name: exprName(given?.value ?? arg), phase: 0 });
    }
  }
}

/**
 * What a call gives for a mount's argument written with the function's parameters: the parameter itself (`router`), or
 * a call of it anywhere in the argument (`lazyLoad(() => Promise.resolve(requireFn()))`: the router requireFn makes).
 */
function givenFor(project: LoadedProject, fn: ts.SignatureDeclaration, arg: ts.Expression, call: ts.CallExpression): { value: ts.Expression; called: boolean } | undefined {
  const parameterIndex = (e: ts.Node): number => {
    if (!ts.isIdentifier(e)) return -1;
    const decl = project.checker.getSymbolAtLocation(e)?.valueDeclaration;
    return decl && ts.isParameter(decl) ? fn.parameters.indexOf(decl) : -1;
  };
  const direct = parameterIndex(unwrap(arg));
  if (direct >= 0) return call.arguments[direct] && { value: call.arguments[direct], called: false };
  let calledIndex = -1;
  const visit = (n: ts.Node): void => {
    if (calledIndex >= 0) return;
    if (ts.isCallExpression(n) && parameterIndex(unwrap(n.expression)) >= 0) calledIndex = parameterIndex(unwrap(n.expression));
    else ts.forEachChild(n, visit);
  };
  visit(arg);
  return calledIndex >= 0 && call.arguments[calledIndex] ? { value: call.arguments[calledIndex], called: true } : undefined;
}
