// The router tree the route extractor builds — apps, routers and Fastify plugin instances (by
// declaration), their routes, and which one mounts which under what prefix — and the walk from the roots
// (routers nobody mounts) that turns it into full paths, middleware chains and the routes that cannot be placed.
import type { ts } from 'ts-morph';
import { joinPath, type RouterInit } from './express-syntax.ts';
import { inScope } from './hono-syntax.ts';
import type { Iteration } from './mount-loops.ts';
import type { LoadedFile } from './project.ts';
import type { HandlerRef, RouteFact, UnresolvedRoute, Warning } from './types.ts';

/**
 * A middleware or hook by name. `phase` orders Fastify hooks as Fastify runs them (onRequest 0, preParsing 1,
 * preValidation 2, preHandler 3, each in registration order); Express and Koa middleware are all phase 0,
 * so their order is the order they are written in.
 */
export interface Middleware {
  name: string;
  phase: number;
}

export interface LocalRoute {
  method: string;
  /** undefined when the path is not known statically */
  paths: string[] | undefined;
  expression: string;
  reason: string;
  file: LoadedFile;
  line: number;
  pos: number;
  middleware: Middleware[];
  handler: HandlerRef;
  /**
   * a handler written with a parameter of its function (`ctrl.list` in `function crud(ctrl)`) that pass 1 left
   * unresolved: read again at the calls that made the router it is reached through (handler-params.ts); `calls` are the
   * helper calls that registered it (`setupPageRoute(router, name, …, ctrl.page)`), outermost first
   */
  parameter?: { expr: ts.Expression; calls: readonly ts.CallExpression[] };
  /** Express's handler arguments as written, middleware first, when there is more than one (shared-responders.ts reads them) */
  handlers?: readonly ts.Expression[];
}

/** What a route written with a parameter is at the calls (outermost first) that made the routers it is reached through. */
export type HandlerAt = (route: LocalRoute, calls: readonly ts.CallExpression[]) => HandlerRef | undefined;

export interface Mount {
  prefixes: string[] | undefined;
  expression: string;
  /** the arguments after the prefix, in order: routers and middleware */
  args: ts.Expression[];
  /** the argument taken for the prefix (read again at each element of a loop the mount is written in) */
  prefixArg?: ts.Expression;
  /** the prefix is taken for one by its name alone (`relativePath`): a router after all is put back among the arguments in pass 2 */
  namedPrefix?: boolean;
  /** Hono's `route(prefix, child)`: the argument is an app, never a middleware */
  hono?: boolean;
  /**
   * `app.use(mountPath, lazyLoad(() => requireFn()))` in `function lazyUse(mountPath, requireFn)`: the prefix is a
   * parameter of `fn` (its index: `prefix`; -1 when the prefix is `prefixes`, and a router is what a parameter is
   * given), so the mount is made at each call of the function, with the call's arguments
   */
  forwarded?: {
    fn: ts.SignatureDeclaration;
    prefix: number;
    /** the prefix is an expression of the function's parameters (`'/api/' + name`), `prefixArg`, read at each call (with `at`) */
    built?: boolean;
  };
  /**
   * made at one element of a loop over the routers that mount (`for (const [r, p, child] of table) r.use(p, child)`): that
   * element's values; for a `built` prefix handed on through helpers, what the inner helpers' parameters were given
   */
  at?: Iteration;
  file: LoadedFile;
  line: number;
  pos: number;
}

/** `fastify.register(plugin, options)`: resolved to the plugin's instance parameter after all files are read. */
export interface PluginMount {
  plugin: ts.Expression;
  options: ts.Expression | undefined;
  /** made at one element of a loop (`for (const [prefix, plugin] of table) app.register(plugin, { prefix })`): its values */
  at?: Iteration;
  file: LoadedFile;
  line: number;
  pos: number;
}

export interface Child {
  node: RouterNode;
  prefixes: string[] | undefined;
  expression: string;
  middleware: Middleware[];
  file: LoadedFile;
  line: number;
  pos: number;
  /** a fastify-plugin: not encapsulated, it shares the parent's instance (prefix and hooks) */
  shared?: boolean;
  /** a router that is a function's parameter, mounted where a call of the function gives it: that call */
  call?: ts.CallExpression;
}

export interface RouterNode {
  key: ts.Node;
  name: string;
  file: LoadedFile;
  init: RouterInit;
  routes: LocalRoute[];
  mounts: Mount[];
  plugins: PluginMount[];
  /** children this router mounts, resolved after all files are read */
  children: Child[];
  /**
   * pathless `use(fn)` middleware, by position; a Hono `use('/books/*', fn)` has the path it is scoped to, and
   * applies to the routes and mounts under it, also on the app nobody mounts
   */
  middleware: { file: LoadedFile; pos: number; name: string; path?: string }[];
  /** Fastify hooks (`addHook`): they apply to every route of the instance and its plugins, wherever written */
  hooks: Middleware[];
  /**
   * `router.param('id', load)` (Express, koa-router): runs before the handlers of this router's own routes
   * whose path has `:id`, wherever written (Express keeps param callbacks local to their router)
   */
  params: { param: string; name: string }[];
  /** a koa-router prefix (`new Router({ prefix })`, `router.prefix()`), a Hono `basePath()`; value undefined when built at run time */
  prefix?: { value: string | undefined; expression: string };
  /** set for a Fastify plugin's instance parameter: the plugin's name, for the warning when nothing registers it */
  plugin?: string;
  /** a Fastify app or plugin instance: the argument between a route's path and handler is its options, never a middleware */
  fastify?: boolean;
  /** a Hono app: `route(prefix, child)` mounts, `on()` registers, `use(path, fn)` scopes a middleware */
  hono?: boolean;
  /** functions the project adds to the router (`app.lazyUse = function lazyUse(…) {…}`), by name */
  methods?: Map<string, ts.SignatureDeclaration>;
  mountedBy: number;
  /**
   * made by a call of a project factory (`commentRouter()`, `express.Router('x')` of a project wrapper): the
   * factory's own local, whose routes, mounts and middleware every router made through it has
   */
  base?: RouterNode;
  /** made by a call of a project factory: that call (`crud(require('./books'))`), whose arguments its routes' parameters are */
  call?: ts.CallExpression;
  /** how many routers are made from this one (it is a factory's local): it is reported through them, not as a root */
  derived: number;
}

/** A router, app or plugin instance: made by a known constructor, or one the project registers on. */
export const isRouter = (node: RouterNode | undefined): node is RouterNode =>
  !!node && (node.init !== 'other' || lineage(node).some((l) => l.routes.length > 0 || l.mounts.length > 0));

/** The router and the factory locals it is made from, itself first. */
export function lineage(node: RouterNode): RouterNode[] {
  const chain: RouterNode[] = [];
  for (let n: RouterNode | undefined = node; n && !chain.includes(n); n = n.base) chain.push(n);
  return chain;
}

/**
 * Full paths for every route reachable from a root; warns about routers that nothing mounts. `handlerAt` reads a handler
 * written with a parameter (`LocalRoute.parameter`) at the factory and helper calls the walk came through.
 */
export function routeTable(nodes: Iterable<RouterNode>, warnings: Warning[], handlerAt?: HandlerAt): { routes: RouteFact[]; unresolved: UnresolvedRoute[] } {
  const routes: RouteFact[] = [];
  const unresolved: UnresolvedRoute[] = [];
  /** each route reported, by method, path and where it is written (the fact, for a route written with a parameter) */
  const seen = new Map<string, RouteFact | undefined>();
  const contextHooks = instanceHooks();
  /** the route's handler where the walk reached it through `calls` (its own, unless written with a parameter) */
  const handlerOf = (r: LocalRoute, calls: readonly ts.CallExpression[]): HandlerRef =>
    (r.parameter && handlerAt && r.handler.kind === 'unresolved' && calls.length > 0 ? handlerAt(r, [...calls, ...r.parameter.calls]) : undefined) ?? r.handler;
  const walk = (node: RouterNode, parentPrefix: string | undefined, parentExpr: string, inherited: Middleware[], stack: Set<RouterNode>, isRoot: boolean, shared: boolean, outerCalls: readonly ts.CallExpression[]): void => {
    if (stack.has(node)) return;
    stack.add(node);
    const levels = lineage(node);
    let prefix = parentPrefix;
    let prefixExpr = parentExpr;
    // a koa-router prefix applies to the router's own routes and to the routers it nests; one set on a router
    // made by a factory wins over the factory's
    const ownPrefix = levels.find((l) => l.prefix)?.prefix;
    if (ownPrefix && prefix !== undefined) {
      if (ownPrefix.value === undefined) {
        prefix = undefined;
        prefixExpr = ownPrefix.expression;
      } else {
        prefix = joinPath(prefix, ownPrefix.value);
      }
    }
    // application-wide hooks are not repeated on every route, like the app's own use(fn); a shared
    // (fastify-plugin) instance's hooks are its parent's, already inherited
    const hooks = isRoot || shared ? [] : contextHooks(node);
    const params = levels.flatMap((l) => l.params);
    // a factory registers on its local before the caller gets the router: the factory's middleware runs before all the
    // caller adds, and what the caller adds does not reach the routes the factory registered (deepest factory first)
    for (let i = levels.length - 1; i >= 0; i--) {
      const level = levels[i];
      // the factory calls this level's routes and mounts ran in, outermost first: levels[i - 1] was made by a call of
      // the function whose local level i is, and so on out
      const madeBy = i === 0 ? [] : levels.slice(0, i).flatMap((l) => (l.call ? [l.call] : []));
      const calls = madeBy.length > 0 ? [...outerCalls, ...madeBy] : outerCalls;
      const before = (file: LoadedFile, pos: number, paths: string[] | undefined): Middleware[] => [
        ...levels.slice(i + 1).reverse().flatMap((made) => positional(made, file, pos, paths, isRoot, true)),
        ...positional(level, file, pos, paths, isRoot, false),
      ];
      for (const r of level.routes) {
        const middleware = inRunOrder([...inherited, ...hooks, ...before(r.file, r.pos, r.paths), ...paramMiddleware(params, r.paths), ...r.middleware]);
        if (prefix === undefined || r.paths === undefined) {
          const key = `U\0${r.method}\0${r.file.rel}\0${r.line}`;
          if (seen.has(key)) continue;
          seen.set(key, undefined);
          unresolved.push({ file: r.file.rel, line: r.line, method: r.method, expression: r.paths === undefined ? r.expression : prefixExpr, reason: r.paths === undefined ? r.reason : 'mounted under a prefix built at run time' });
          continue;
        }
        const handler = handlerOf(r, calls);
        for (const p of r.paths) {
          const path = joinPath(prefix, p);
          const key = `${r.method}\0${path}\0${r.file.rel}\0${r.line}`;
          if (seen.has(key)) {
            // one route reached through calls that give it different handlers (`pageRoute(app, a)`, `pageRoute(app, b)`): none of them
            const first = seen.get(key);
            if (first && handler !== first.handler && (handler.file !== first.handler.file || handler.name !== first.handler.name)) first.handler = r.handler;
            continue;
          }
          const fact = { method: r.method, path, file: r.file.rel, line: r.line, middleware, handler };
          seen.set(key, r.parameter ? fact : undefined);
          routes.push(fact);
        }
      }
      for (const c of level.children) {
        const childInherited = (at: string[] | undefined): Middleware[] => [...inherited, ...hooks, ...before(c.file, c.pos, at), ...c.middleware];
        const childCalls = c.call ? [...calls, c.call] : calls;
        if (prefix === undefined || c.prefixes === undefined) walk(c.node, undefined, prefix === undefined ? prefixExpr : c.expression, childInherited(c.prefixes), stack, false, !!c.shared, childCalls);
        else for (const p of c.prefixes) walk(c.node, joinPath(prefix, p), prefixExpr, childInherited([p]), stack, false, !!c.shared, childCalls);
      }
    }
    stack.delete(node);
  };
  for (const node of nodes) {
    // a factory's local is reported through the routers made from it
    if (node.mountedBy > 0 || node.derived > 0 || lineage(node).every((l) => l.routes.length === 0 && l.children.length === 0)) continue;
    if (node.init === 'router') {
      warnings.push({ file: node.file.rel, message: `router '${node.name}' in ${node.file.rel} is not mounted anywhere the analyzer can see; its routes are reported with their own paths` });
    } else if (node.plugin !== undefined) {
      warnings.push({ file: node.file.rel, message: `Fastify plugin '${node.plugin}' in ${node.file.rel} is not registered anywhere the analyzer can see (loaded by @fastify/autoload or at run time?); its routes are reported with their own paths` });
    }
    walk(node, '', '', [], new Set(), true, false, []);
  }
  routes.sort((a, b) => cmp(a.path, b.path) || cmp(a.method, b.method) || cmp(a.file, b.file) || a.line - b.line);
  unresolved.sort((a, b) => cmp(a.file, b.file) || a.line - b.line);
  return { routes, unresolved };
}

/** The router's param() callbacks for the parameters a route's path has, in the order the path names them. */
function paramMiddleware(params: RouterNode['params'], paths: string[] | undefined): Middleware[] {
  if (params.length === 0 || !paths) return [];
  const found: { at: number; index: number; name: string }[] = [];
  params.forEach(({ param, name }, index) => {
    const at = Math.min(...paths.map((p) => p.search(new RegExp(`:${param.replace(/[^\w$]/g, '\\$&')}(?![\\w$])`))).filter((i) => i >= 0));
    if (Number.isFinite(at)) found.push({ at, index, name });
  });
  return found.sort((a, b) => a.at - b.at || a.index - b.index).map(({ name }) => ({ name, phase: 0 }));
}

/**
 * `use(fn)` middleware of a router registered before position `pos` (or in another file; `all`: wherever, a
 * factory's, registered before its caller's): a root's pathless ones are application-wide and not repeated on every
 * route; a path-scoped one (Hono) runs for the routes and mounts at `paths` (router-local) under its path.
 */
function positional(node: RouterNode, file: LoadedFile, pos: number, paths: string[] | undefined, isRoot: boolean, all: boolean): Middleware[] {
  return node.middleware
    .filter((m) => {
      const scope = m.path;
      return (all || m.file !== file || m.pos < pos) && (scope === undefined ? !isRoot : !!paths?.some((p) => inScope(scope, p)));
    })
    .map((m) => ({ name: m.name, phase: 0 }));
}

/**
 * The hooks of a Fastify instance: its own, then those of the fastify-plugins registered on it (they are
 * not encapsulated: their hooks land on the instance that registers them), memoised per node.
 */
function instanceHooks(): (node: RouterNode) => Middleware[] {
  const memo = new Map<RouterNode, Middleware[]>();
  const of = (node: RouterNode, visiting: Set<RouterNode>): Middleware[] => {
    const known = memo.get(node);
    if (known) return known;
    if (visiting.has(node)) return node.hooks;
    visiting.add(node);
    const levels = lineage(node);
    const hooks = levels.flatMap((l) => l.hooks);
    for (const c of levels.flatMap((l) => l.children)) if (c.shared) hooks.push(...of(c.node, visiting));
    visiting.delete(node);
    memo.set(node, hooks);
    return hooks;
  };
  return (node) => of(node, new Set());
}

/** Names in the order they run: by phase (a stable sort keeps the written order within a phase). */
function inRunOrder(list: Middleware[]): string[] {
  const ordered = list.some((m) => m.phase !== 0) ? [...list].sort((a, b) => a.phase - b.phase) : list;
  return ordered.map((m) => m.name);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
