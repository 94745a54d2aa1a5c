// Plain project helpers that register what their callers give them: a mount (`function mount(app, prefix, router) {
// app.use(prefix, router) }`, `mount(app, '/x', r)`) or a route whose path is a parameter (NodeBB's `setupPageRoute(router,
// name, middleware, middlewares, controller)`) is made at each call of its function, with the call's arguments for the
// function's parameters, also through a helper that hands its own parameters on (MAX_HELPERS deep).
import { ts } from 'ts-morph';
import { isRouter, type Middleware, type Mount, type RouterNode } from './route-tree.ts';
import { boundArgument, boundDeclaration, boundParameter } from './bound-parameters.ts';
import { argumentAt, invokedFunction } from './call-arguments.ts';
import { exprName } from './express-syntax.ts';
import { isFunctionLike, lineOf } from './functions.ts';
import type { RoutePath } from './express-routes.ts';
import { callIterations, expressionAt, stringAt, type Bound, type Iteration } from './mount-loops.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { pathsOf } from './route-args.ts';
import type { HelperRoute, RouteContext } from './router-registry.ts';
import { stringValue } from './string-value.ts';
import { fileOf } from './symbols.ts';
import { unwrap } from './value-key.ts';

/** How many helpers deep a mount or route is followed when each hands its parameters on to the next (`outer(app, p, r)` → `mount(app, p, r)`). */
const MAX_HELPERS = 3;

/** The calls of a project function (among those that pass an identifier or property along). */
export type CallsOf = (fn: ts.Node) => readonly ts.CallExpression[];

/** `callsOf`, indexed on first use: which function each call invokes is asked once. */
export function callIndex(project: LoadedProject, passing: readonly ts.CallExpression[]): CallsOf {
  let byFunction: Map<ts.Node, ts.CallExpression[]> | undefined;
  return (fn) => {
    if (!byFunction) {
      byFunction = new Map();
      for (const call of passing) {
        const called = invokedFunction(project, call);
        if (!called) continue;
        const calls = byFunction.get(called);
        if (calls) calls.push(call);
        else byFunction.set(called, [call]);
      }
    }
    return byFunction.get(fn) ?? [];
  };
}

/**
 * `function mountBooks(app, router) { app.use('/books', router) }`: a use() handing on a parameter of the function it is
 * written in, given a router by a call of that function, is a mount made at each call (`forwarded`, done after pass 2);
 * a first argument that is a parameter the calls give a string is its prefix (`function mount(app, p, r) { app.use(p, r) }`).
 */
export function givenRouters(ctx: RouteContext, callsOf: CallsOf, mount: Mount): boolean {
  const { project, routers } = ctx;
  const params = mount.args.map((arg) => parameterOf(project, arg));
  const fn = params.find((p) => p !== undefined)?.fn;
  if (!fn) return false;
  const calls = callsOf(fn);
  // what a call gives for a parameter: its argument, or, in a loop, the argument at each element (`mounts.forEach(([p, r]) => mount(app, p, r))`)
  const given = (index: number, is: (arg: ts.Expression, at?: Iteration) => boolean): boolean => calls.some((call) => {
    const arg = argumentAt(project, call, index);
    if (!arg) return false;
    return is(arg) || !!callIterations(project, call, ctx.warnings)?.some((at) => is(expressionAt(project, arg, at) ?? arg, at));
  });
  const handsOn = params.some((p, i) => p?.fn === fn && !isRouter(routers.existing(mount.args[i])) && given(p.index, (a) => isRouter(routers.existing(a))));
  if (!handsOn) return false;
  const first = params[0];
  const prefix = first?.fn === fn && !mount.prefixArg && mount.args.length >= 2 && given(first.index, (a, at) => (at ? stringAt(project, a, at) : stringValue(a, project.checker)) !== undefined) ? first.index : -1;
  // `app.use('/api/' + name, r)`: a prefix made from the function's parameters, read at each call
  const built = prefix < 0 && !!mount.prefixArg && mount.prefixes === undefined && helperPath(project, mount.prefixArg)?.fn === fn;
  mount.forwarded = built ? { fn, prefix, built } : { fn, prefix };
  if (prefix >= 0) {
    mount.prefixArg = mount.args[0];
    mount.expression = mount.args[0].getText();
    mount.args = mount.args.slice(1);
  }
  return true;
}

/** A bare parameter of a function (`router` in `function (app, router) {…}`): the function and its index. */
export function parameterOf(project: LoadedProject, expr: ts.Expression): { fn: ts.SignatureDeclaration; index: number } | undefined {
  const e = unwrap(expr);
  if (!ts.isIdentifier(e)) return undefined;
  const decl = project.checker.getSymbolAtLocation(e)?.valueDeclaration;
  if (!decl || !ts.isParameter(decl) || !ts.isIdentifier(decl.name) || !isFunctionLike(decl.parent)) return undefined;
  return { fn: decl.parent, index: decl.parent.parameters.indexOf(decl) };
}

/**
 * Plain mounting helpers (`function mount(app, prefix, router) { app.use(prefix, router) }`, `function mountBooks(app,
 * router) { app.use('/books', router) }`): each call (`mount(app, '/x', require('./x'))`) mounts what it gives, on the
 * router it passes for the helper's receiver (or the router the helper mounts on, when that is no parameter). A call
 * inside another helper that hands on that one's parameters is followed to its calls in turn, MAX_HELPERS deep.
 */
export function mountHelpers(ctx: RouteContext, callsOf: CallsOf): void {
  const methods = new Set<ts.Node>();
  for (const node of ctx.routers.nodes.values()) for (const fn of node.methods?.values() ?? []) methods.add(fn);
  for (const owner of [...ctx.routers.nodes.values()]) {
    for (const mount of owner.mounts) {
      if (mount.forwarded && !mount.hono && !methods.has(mount.forwarded.fn)) mountInCalls(ctx, callsOf, owner, mount, 0);
    }
  }
}

function mountInCalls(ctx: RouteContext, callsOf: CallsOf, owner: RouterNode, mount: Mount, depth: number): void {
  const { fn } = mount.forwarded!;
  const receiverIndex = ts.isParameter(owner.key) && owner.key.parent === fn ? fn.parameters.indexOf(owner.key) : -1;
  for (const call of callsOf(fn)) {
    const receiverArg = receiverIndex < 0 ? undefined : argumentAt(ctx.project, call, receiverIndex) ?? undefined;
    // a call in a loop: a mount at each element, with what it gives (mount-loops.ts)
    const elements = callIterations(ctx.project, call, ctx.warnings);
    for (const element of elements ?? [undefined]) {
      const on = receiverArg && element ? expressionAt(ctx.project, receiverArg, element) ?? receiverArg : receiverArg;
      const receiver = receiverIndex < 0 ? owner : on && ctx.routers.routerOf(on);
      if (!receiver) continue;
      const outer = depth < MAX_HELPERS && !element ? handedOn(ctx, mount, call) : undefined;
      if (outer) mountInCalls(ctx, callsOf, receiver, outer, depth + 1);
      else mountAt(ctx, receiver, mount, call, element);
    }
  }
}

/**
 * A call of a helper written inside another function that gives it that function's own parameters (`function outer(app, p,
 * r) { mount(app, p, r) }`): the mount as the outer function makes it, with its parameters, to be made at its calls.
 */
function handedOn({ project }: RouteContext, mount: Mount, call: ts.CallExpression): Mount | undefined {
  const { fn, prefix, built } = mount.forwarded!;
  const prefixArg = prefix >= 0 ? argumentAt(project, call, prefix) ?? undefined : undefined;
  const givens = mount.args.map((arg) => givenFor(project, fn, arg, call));
  const outerParams = [prefixArg, ...givens.map((g) => (g && !g.called ? g.value : undefined))].map((e) => e && parameterOf(project, e));
  const outer = outerParams.find((p) => p !== undefined)?.fn;
  if (!outer || givens.some((g) => g?.called && parameterOf(project, g.value))) return undefined;
  if (built) return handedOnBuilt(project, mount, call, outer, givens);
  const outerPrefix = prefixArg && parameterOf(project, prefixArg);
  if (prefixArg && !outerPrefix && stringValue(prefixArg, project.checker) === undefined) return undefined;
  const file = fileOf(project, call);
  if (!file) return undefined;
  return {
    prefixes: prefix < 0 ? mount.prefixes : outerPrefix ? undefined : pathsOf(project, prefixArg!).paths,
    expression: prefixArg ? prefixArg.getText() : mount.expression,
    args: mount.args.map((arg, i) => givens[i]?.value ?? arg),
    forwarded: { fn: outer, prefix: outerPrefix?.fn === outer ? outerPrefix.index : -1 },
    file, line: lineOf(call, file.source), pos: call.getStart(file.source),
  };
}

/**
 * A built prefix (`'/api/' + name`) handed on by a call inside another helper (`mount(app, version + '/' + name, r)` in
 * `mountVersioned(app, version, name, r)`): known at this call, or made from the outer helper's parameters, read at its calls.
 */
function handedOnBuilt(project: LoadedProject, mount: Mount, call: ts.CallExpression, outer: ts.SignatureDeclaration, givens: ({ value: ts.Expression } | undefined)[]): Mount | undefined {
  const { fn } = mount.forwarded!;
  const at = givenAt(project, mount, fn, call);
  const value = stringAt(project, mount.prefixArg!, at);
  const used = helperPath(project, mount.prefixArg!)?.params ?? [];
  const usedArgs = used.map((i) => argumentAt(project, call, i));
  if (value === undefined && !usedArgs.every((arg) => arg && (stringValue(arg, project.checker) !== undefined || helperPath(project, arg)?.fn === outer))) return undefined;
  const file = fileOf(project, call);
  if (!file) return undefined;
  return {
    prefixes: value === undefined ? undefined : [value], expression: mount.expression, prefixArg: mount.prefixArg, at,
    args: mount.args.map((arg, i) => givens[i]?.value ?? arg),
    forwarded: value === undefined ? { fn: outer, prefix: -1, built: true } : { fn: outer, prefix: -1 },
    file, line: lineOf(call, file.source), pos: call.getStart(file.source),
  };
}

/** What a call gives a built prefix's function's parameters, with what inner helpers' parameters were given before. */
function givenAt(project: LoadedProject, mount: Mount, fn: ts.SignatureDeclaration, call: ts.CallExpression, element?: Iteration): Iteration {
  return parametersAt(project, fn, call, [...element ?? [], ...mount.at ?? []]);
}

/**
 * What a call gives a function's parameters, over what was given before: each parameter its argument by position
 * (through `call`/`apply` and spreads: argumentAt), the names of a pattern what the call's literal gives them.
 */
function parametersAt(project: LoadedProject, fn: ts.SignatureDeclaration, call: ts.CallExpression, before: Iterable<[ts.Node, Bound]>): Iteration {
  const at = new Map<ts.Node, Bound>(before);
  fn.parameters.forEach((p, i) => {
    const arg = argumentAt(project, call, i);
    if (arg) at.set(p, arg);
    if (!ts.isIdentifier(p.name)) bindAt(project, p.name, call, at);
  });
  return at;
}

/** One forwarded mount at one call: on the router the call is made on, with the call's prefix and what its arguments give. */
export function mountAt({ project, routers, warnings }: RouteContext, receiver: RouterNode, mount: Mount, call: ts.CallExpression, element?: Iteration): void {
  const { fn, prefix, built } = mount.forwarded!;
  const prefixArg = prefix >= 0 ? argumentAt(project, call, prefix) ?? undefined : undefined;
  const file = fileOf(project, call);
  if (prefix >= 0 && !prefixArg || !file) return;
  const atElement = (value: string | undefined): string[] | undefined => (value === undefined ? undefined : [value]);
  let prefixes = prefixArg ? (element ? atElement(stringAt(project, prefixArg, element)) : pathsOf(project, prefixArg).paths) : mount.prefixes;
  const expression = prefixArg ? prefixArg.getText() : mount.expression;
  if (built) {
    const value = stringAt(project, mount.prefixArg!, givenAt(project, mount, fn, call, element));
    prefixes = value === undefined ? undefined : [value];
    if (value === undefined) {
      const used = (helperPath(project, mount.prefixArg!)?.params ?? []).map((i) => argumentAt(project, call, i)?.getText()).filter((t) => t !== undefined);
      warnings.push({ file: file.rel, message: `${file.rel}:${lineOf(call, file.source)}: ${exprName(call.expression)}(…) gives ${mount.prefixArg!.getText()} no value known statically (${used.join(', ')}); the routes it mounts are reported unresolved` });
    }
  }
  const middleware: Middleware[] = [];
  for (const arg of mount.args) {
    const found = givenFor(project, fn, arg, call);
    const given = found && element && !found.called ? { ...found, value: expressionAt(project, found.value, element) ?? found.value } : found;
    const child = given ? (given.called ? routers.calledValue(given.value, given.value) : routers.existing(given.value)) : routers.existing(arg);
    if (isRouter(child) && child !== receiver) {
      receiver.children.push({ node: child, prefixes, expression, middleware: [...middleware], file, line: lineOf(call, file.source), pos: call.getStart(file.source) });
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
  if (direct >= 0) {
    const value = argumentAt(project, call, direct);
    return value ? { value, called: false } : undefined;
  }
  let calledIndex = -1;
  const visit = (n: ts.Node): void => {
    if (calledIndex >= 0) return;
    if (ts.isCallExpression(n) && parameterIndex(unwrap(n.expression)) >= 0) calledIndex = parameterIndex(unwrap(n.expression));
    else ts.forEachChild(n, visit);
  };
  visit(arg);
  const value = calledIndex >= 0 ? argumentAt(project, call, calledIndex) : undefined;
  return value ? { value, called: true } : undefined;
}

/** The names an object or array pattern of a parameter binds, each to what the call's literal gives it (`{ path }` → `'/books'`). */
function bindAt(project: LoadedProject, name: ts.BindingName, call: ts.CallExpression, at: { set(decl: ts.Node, value: ts.Expression): unknown }): void {
  if (ts.isIdentifier(name)) return;
  for (const el of name.elements) {
    if (ts.isOmittedExpression(el)) continue;
    if (!ts.isIdentifier(el.name)) {
      bindAt(project, el.name, call, at);
      continue;
    }
    const bound = boundDeclaration(project, el);
    const value = bound && boundArgument(project, bound, call);
    if (value && value.rest.length === 0) at.set(el, value.value);
  }
}

/** How a route is registered once its path is read (express-routes.ts's addRouteAt, lent by routes.ts). */
export type AddRouteAt = (ctx: RouteContext, file: LoadedFile, call: ts.CallExpression, method: string, receiver: ts.Expression, path: RoutePath, handlers: readonly ts.Expression[], through?: readonly ts.CallExpression[]) => void;

/**
 * A path made from parameters of the function it is written in (`name`, `'/api' + name`, `path` of `function (router, {
 * path })`): the function and those parameters' indexes.
 */
export function helperPath(project: LoadedProject, pathArg: ts.Expression): { fn: ts.SignatureDeclaration; params: number[] } | undefined {
  let fn: ts.SignatureDeclaration | undefined;
  const params: number[] = [];
  const visit = (n: ts.Node): void => {
    const param = ts.isIdentifier(n) ? parameterOf(project, n) ?? boundParameter(project, n) : undefined;
    if (param && (!fn || param.fn === fn)) {
      fn = param.fn;
      params.push(param.index);
    }
    if (!isFunctionLike(n)) ts.forEachChild(n, visit);
  };
  visit(pathArg);
  return fn && { fn, params };
}

/**
 * After pass 1: each route whose path is made from parameters of its function is registered at each call of the function,
 * on the router the call gives for the receiver, with the path the call's arguments make and the handlers it gives, on the
 * calling line; a call giving the path as its own function's parameter is followed to that function's calls (MAX_HELPERS
 * deep). A route no call reaches is read as written (a path made at run time).
 */
export function registerHelperRoutes(ctx: RouteContext, callsOf: CallsOf, addRouteAt: AddRouteAt): void {
  const { project } = ctx;
  const plain: RouteContext = { ...ctx, helperRoutes: undefined };
  const atCalls = (route: HelperRoute, depth: number): void => {
    const calls = callsOf(route.fn);
    const expression = route.pathArg.getText();
    if (calls.length === 0) {
      addRouteAt(plain, route.file, route.call, route.method, route.receiver, { paths: undefined, reason: 'path built at run time', expression }, route.handlers, route.through);
      return;
    }
    for (const call of calls) {
      // a call in a loop (`for (const [name, h] of pages) page(app, name, h)`): at each element, with what it gives
      for (const element of callIterations(project, call, ctx.warnings) ?? [undefined]) atCall(route, depth, call, element);
    }
  };
  const atCall = (route: HelperRoute, depth: number, call: ts.CallExpression, element: Iteration | undefined): void => {
    const expression = route.pathArg.getText();
    const file = fileOf(project, call);
    const atElement = (e: ts.Expression): ts.Expression => (element ? expressionAt(project, e, element) ?? e : e);
    const given = (e: ts.Expression): ts.Expression | undefined => {
      const param = parameterOf(project, e);
      if (param?.fn === route.fn) {
        const arg = argumentAt(project, call, param.index);
        return arg ? atElement(arg) : undefined;
      }
      // `router` of `function ({ router, path })`: the property the call's object gives it
      const bound = param ? undefined : boundParameter(project, e);
      if (bound?.fn !== route.fn) return atElement(e);
      const value = boundArgument(project, bound, call);
      if (value && value.rest.length === 0) return atElement(value.value);
      // a router given as a member of something else is not read; a handler is, through `through`
      return e === route.receiver ? undefined : e;
    };
    const receiver = given(route.receiver);
    if (!file || !receiver) return;
    const handlers = route.handlers.map(given).filter((h): h is ts.Expression => h !== undefined);
    const at = parametersAt(project, route.fn, call, [...element ?? [], ...route.at]);
    const value = stringAt(project, route.pathArg, at);
    // what the call gives for the path is made from its own function's parameters (`mountPage(router, name)` → `setupPageRoute(router, name, …)`)
    const handedOn = value === undefined && !element && depth < MAX_HELPERS ? route.params.map((i) => {
      const arg = argumentAt(project, call, i);
      return arg ? helperPath(project, arg) : undefined;
    }) : [];
    const outer = handedOn.find((h) => h !== undefined);
    // a handler written with a parameter of a helper (`ctrl.list` in `resource(router, name, ctrl)`) is what this call gives it
    const through = [call, ...route.through];
    if (outer) {
      const params = handedOn.flatMap((h) => (h?.fn === outer.fn ? h.params : []));
      atCalls({ fn: outer.fn, params, at, file, call, method: route.method, receiver, pathArg: route.pathArg, handlers, through }, depth + 1);
    } else {
      addRouteAt(plain, file, call, route.method, receiver, { paths: value === undefined ? undefined : [value], reason: 'path built at run time', expression }, handlers, through);
    }
  };
  for (const route of ctx.helperRoutes ?? []) atCalls(route, 0);
}
