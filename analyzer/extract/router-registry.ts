// The routers, apps and Fastify plugin instances the route extractor has met, each a RouterNode keyed by its
// declaration (or the `Router()` call an unnamed chain starts from), and what the registration readers share.
// A call of a project function that makes a router in its body (a factory) is a router of its own, keyed by the
// variable holding it or by the call, whose `base` is the factory's local: what the factory registers there.
import { ts } from 'ts-morph';
import { lineage, type LocalRoute, type RouterNode } from './route-tree.ts';
import { calledFunction, chainReceiver, exprName, inPlaceRouter, isRouterConstruction, joinPath, routerOrigin } from './express-syntax.ts';
import { looksLikeFastifyInstance } from './fastify-syntax.ts';
import { basePathChain, basePathPrefix } from './hono-syntax.ts';
import { constructorPrefix } from './koa-syntax.ts';
import { isFunctionLike, lineOf, ownFunctionName } from './functions.ts';
import { heldElement, type Bound } from './loop-collections.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { fileOf } from './symbols.ts';
import { functionResult, functionValue, madeInside, unwrap, valueKey, type ValueKeyOptions } from './value-key.ts';
import type { Warning } from './types.ts';

export interface RouterRegistry {
  /** every router met so far, in the order met: the order routes are reported in */
  readonly nodes: ReadonlyMap<ts.Node, RouterNode>;
  /** the router a declaration (or in-place construction) is, made on first sight */
  nodeFor(key: ts.Node): RouterNode | undefined;
  /** the router a receiver is (`app`, `router`, a chain on one), when it is one */
  routerOf(receiver: ts.Expression): RouterNode | undefined;
  /** the router an expression is, only when one was met already (mounts are resolved against these) */
  existing(expr: ts.Expression): RouterNode | undefined;
  /**
   * the router a call of the function `fn` stands for gives (`requireFn()` with `require('../api')` given for it),
   * when one was met already: keyed by `key` when the function makes it in its body
   */
  calledValue(fn: ts.Expression, key: ts.Node): RouterNode | undefined;
}

/** What the registration readers and the mount resolution work on. */
export interface RouteContext {
  project: LoadedProject;
  warnings: Warning[];
  routers: RouterRegistry;
  /** routes whose path is a parameter of the function registering them (route-helpers.ts), registered at its calls after pass 1 */
  helperRoutes?: HelperRoute[];
  /** routes whose handler is written with a parameter of their function (handler-params.ts), read at its calls after pass 1 */
  parameterHandlers?: LocalRoute[];
}

/**
 * `router.get('/api' + name, …, controller)` in NodeBB's `setupPageRoute(router, name, middleware, middlewares, controller)`:
 * `fn` and the indexes of its parameters the path is made from; the route as written, or, through a helper handing its
 * parameters on, as the call of it gives it (`at`: what the inner functions' parameters are given).
 */
export interface HelperRoute {
  fn: ts.SignatureDeclaration;
  params: number[];
  at: ReadonlyMap<ts.Node, Bound>;
  file: LoadedFile;
  call: ts.CallExpression;
  method: string;
  receiver: ts.Expression;
  pathArg: ts.Expression;
  handlers: readonly ts.Expression[];
  /** the helper calls it is registered through so far, outermost first */
  through: readonly ts.CallExpression[];
}

/** A Fastify plugin's instance parameter: named, so that a plugin nothing registers can be warned about. */
export function markFastify(node: RouterNode): void {
  node.fastify = true;
  if (node.plugin !== undefined || !ts.isParameter(node.key)) return;
  const fn = node.key.parent;
  node.plugin = ownFunctionName(fn, node.file.source);
}

/** The variable a call's value is held by (`const router = makeRouter()`): the name a router made by a factory is known by. */
function holderOf(call: ts.CallExpression): ts.VariableDeclaration | undefined {
  let p: ts.Node = call.parent;
  while (ts.isParenthesizedExpression(p) || ts.isAsExpression(p) || ts.isNonNullExpression(p) || ts.isSatisfiesExpression(p) || ts.isAwaitExpression(p)) p = p.parent;
  return ts.isVariableDeclaration(p) && ts.isIdentifier(p.name) ? p : undefined;
}

/**
 * A router made by a factory call is what the factory made (an app, a router, Hono's, Fastify's): it takes the kind
 * of its base when its own construction (`makeRouter()`) does not tell.
 */
function inherit(node: RouterNode, base: RouterNode): void {
  node.base = base;
  base.derived++;
  if (node.init === 'other') node.init = base.init;
  if (base.hono) node.hono = true;
  if (base.fastify) node.fastify = true;
}

/** `hono`: the project imports Hono, so Hono's ways of making and naming apps are looked for too. */
export function routerRegistry(project: LoadedProject, hono: boolean): RouterRegistry {
  const nodes = new Map<ts.Node, RouterNode>();
  /** the key of each router made by a factory call → the key of the factory's own local it is made from */
  const bases = new Map<ts.Node, ts.Node>();
  /** … and the factory call it is made by */
  const madeBy = new Map<ts.Node, ts.CallExpression>();
  const instances: ValueKeyOptions = {
    instance: (call, made) => {
      const key = holderOf(call) ?? call;
      if (key !== made) {
        bases.set(key, made);
        madeBy.set(key, call);
      }
      return key;
    },
  };

  const nodeFor = (key: ts.Node): RouterNode | undefined => {
    let node = nodes.get(key);
    if (node) return node;
    const file = fileOf(project, key);
    if (!file) return undefined;
    const named = (key as ts.NamedDeclaration).name;
    const origin = routerOrigin(key, project.checker);
    node = { key, name: named ? named.getText() : exprName(key as ts.Expression), file, init: origin.init, routes: [], mounts: [], plugins: [], children: [], middleware: [], hooks: [], params: [], mountedBy: 0, derived: 0 };
    const prefix = constructorPrefix(project, origin);
    if (prefix) node.prefix = prefix;
    if (origin.fastify) node.fastify = true;
    if (ts.isParameter(key) && looksLikeFastifyInstance(key)) markFastify(node);
    if (origin.hono) {
      node.hono = true;
      if (origin.hono.basePaths.length > 0) node.prefix = basePathPrefix(origin.hono.basePaths, project.checker, joinPath);
    }
    nodes.set(key, node);
    const baseKey = bases.get(key);
    const base = baseKey && nodeFor(baseKey);
    if (base && !lineage(base).includes(node)) {
      inherit(node, base);
      node.call = madeBy.get(key);
    }
    if (hono && !origin.hono) basedOnApp(node);
    return node;
  };

  /**
   * Hono's `const v1 = app.basePath('/v1')` on an app made elsewhere: a router whose routes are under /v1 and are
   * the app's (Hono's basePath() returns a copy sharing the app's routes), so the app mounts it at its own root.
   */
  const basedOnApp = (node: RouterNode): void => {
    const made = ts.isVariableDeclaration(node.key) && node.key.initializer ? node.key.initializer : node.key;
    const based = basePathChain(made);
    const parent = based && routerOf(based.base);
    if (!based || !parent?.hono || parent === node) return;
    node.hono = true;
    node.init = 'app';
    node.prefix = basePathPrefix(based.paths, project.checker, joinPath);
    const source = node.file.source;
    parent.children.push({ node, prefixes: ['/'], expression: '', middleware: [], file: node.file, line: lineOf(made, source), pos: made.getStart(source) });
    node.mountedBy++;
  };

  const inElement = new Set<ts.Node>();
  /** A router's identity: its declaration, or the `Router()` call an unnamed chain starts from. */
  const routerKey = (expr: ts.Expression): ts.Node | undefined => {
    const base = chainReceiver(unwrap(expr));
    if (isRouterConstruction(base, project.checker)) return base;
    // Hono's `app.basePath('/v1').get(…)`: the router basePath() makes, in place
    if (hono && basePathChain(base)) return base;
    const key = valueKey(project, base, 0, instances);
    // NodeBB's `const routers = [express.Router(), …]; const router = routers[1]`: the element
    const element = heldElement(project, key && ts.isVariableDeclaration(key) && key.initializer ? key.initializer : base);
    if (element && !inElement.has(element)) {
      inElement.add(element);
      const elementKey = routerKey(element);
      inElement.delete(element);
      return elementKey;
    }
    const inPlace = key && inPlaceRouter(key, project.checker);
    if (inPlace || !hono) return inPlace || key;
    // Hono's RPC style keeps a chain's type, so a chain's value is what gets named and returned: the app it is on
    const made = key ? (ts.isVariableDeclaration(key) && key.initializer ? unwrap(key.initializer) : undefined) : base;
    if (!made || !ts.isCallExpression(made)) return key;
    // `const routes = app.get(…).openapi(…)`
    const on = chainReceiver(made);
    if (on !== made) return routerKey(on);
    // `export const tasks = createTaskRoute()`, where the function ends `return app.get(…).post(…)`
    return returnedChain(made) ?? key;
  };

  const expanding = new Set<ts.Node>();
  const returnedChain = (call: ts.CallExpression): ts.Node | undefined => {
    const fn = calledFunction(project, call);
    if (!fn || !isFunctionLike(fn) || expanding.has(fn)) return undefined;
    expanding.add(fn);
    const key = functionResult(fn, (returned) => {
      const e = unwrap(returned);
      const on = ts.isCallExpression(e) ? chainReceiver(e) : e;
      return on !== e ? routerKey(on) : undefined;
    });
    expanding.delete(fn);
    return key;
  };

  const routerOf = (receiver: ts.Expression): RouterNode | undefined => {
    const key = routerKey(receiver);
    return key && nodeFor(key);
  };

  // `app.use('/x', makeRouter())`: a router of its own when the factory's local is a router met already
  const existingKey = (key: ts.Node): RouterNode | undefined => {
    for (let k: ts.Node | undefined = key; k; k = bases.get(k)) if (nodes.has(k)) return nodeFor(key);
    return undefined;
  };

  const existing = (expr: ts.Expression): RouterNode | undefined => {
    const key = routerKey(expr);
    return key && existingKey(key);
  };

  const calledValue = (value: ts.Expression, key: ts.Node): RouterNode | undefined => {
    const fn = functionValue(project, value);
    const made = fn && functionResult(fn, (returned) => routerKey(returned));
    if (!fn || !made) return undefined;
    if (!madeInside(made, fn)) return existingKey(made);
    bases.set(key, made);
    return existingKey(key);
  };

  return { nodes, nodeFor, routerOf, existing, calledValue };
}
