// A route handler reaching the registering function as a parameter (NodeBB's `controllers.accounts.edit`, `controllers`
// a parameter of `module.exports = function (app, middleware, controllers)`, or `controller` in `setupPageRoute`): read
// through what the function's callers pass for it, when every call gives the same project value, or, for a route of a
// router a factory made at one call (`crud(require('./books'))`) or registered by one call of a helper, what that call gives.
import { ts } from 'ts-morph';
import { calledFunction } from './express-syntax.ts';
import type { CallsOf } from './route-helpers.ts';
import { parameterOf } from './route-helpers.ts';
import type { HandlerAt, LocalRoute } from './route-tree.ts';
import { projectMemberOf } from './handler-member.ts';
import type { LoadedProject } from './project.ts';
import { handlerRef } from './route-args.ts';
import { codeTargetOf, fileOf, symbolOf, type CodeTarget } from './symbols.ts';
import { functionValue, requiredFile, unwrap } from './value-key.ts';
import type { HandlerRef } from './types.ts';

/** How many functions up a parameter is followed, each handing it on to the next (`addRoutes` ← `adminRouter` ← routes' export). */
const MAX_CALLERS = 3;

/** `a.b.c` → the root expression `a` and the member names `['b', 'c']`; a chain of names only. */
function memberChain(expr: ts.Expression): { root: ts.Expression; names: string[] } {
  const names: string[] = [];
  let e = unwrap(expr);
  while (ts.isPropertyAccessExpression(e)) {
    names.unshift(e.name.text);
    e = unwrap(e.expression);
  }
  return { root: e, names };
}

/** Is the handler a parameter of its function, or a member chain on one (cheap: only unresolved handlers are asked)? */
export function rootedAtParameter(project: LoadedProject, expr: ts.Expression): boolean {
  return parameterOf(project, memberChain(expr).root) !== undefined;
}

/** Reads handlers written with a parameter of their function, sharing what it found between the routes asked about. */
export interface ParameterHandlers {
  /** after pass 1 (and the helpers' routes): each route's handler, as all the callers of its function give it */
  resolveAll(pending: readonly LocalRoute[]): void;
  /** the route's handler at the calls (outermost first) that made the router it was reached through (route-tree.ts) */
  at: HandlerAt;
}

export function parameterHandlers(project: LoadedProject, callsOf: CallsOf): ParameterHandlers {
  const reader: Reader = { project, callsOf, known: new Map(), called: new Map() };
  return {
    resolveAll(pending) {
      for (const route of pending) {
        const found = route.parameter && givenValue(reader, route.parameter.expr, [], 0, route.parameter.calls);
        if (found) route.handler = found;
      }
    },
    at: (route, calls) => (route.parameter ? givenValue(reader, route.parameter.expr, [], 0, calls) : undefined),
  };
}

/**
 * What a parameter with member names after it was found to be, by parameter and `.`-joined names, so that many routes of
 * one function, or functions called from many places, are read once: `found` null when nothing agreed, which holds for a
 * read from as deep or deeper (`depth` -1 while being read: a function reached again through its own calls). Only reads
 * at no particular call are kept.
 */
type Known = Map<ts.ParameterDeclaration, Map<string, { found: HandlerRef | null; depth: number }>>;

interface Reader {
  project: LoadedProject;
  callsOf: CallsOf;
  known: Known;
  /** the function each call of a `calls` list invokes */
  called: Map<ts.CallExpression, ts.Node | undefined>;
}

/**
 * What `expr` followed by `more` member names is, where `expr` may be rooted at a parameter. `calls` (outermost first)
 * are the calls this value is read at (a factory's for the router it made, a helper's for the route it registered): the
 * innermost of them that invokes the parameter's function gives it, read on at the calls outside that one. At no such
 * call, it is what every call of the function passes for it, when they all agree (MAX_CALLERS functions up).
 */
function givenValue(reader: Reader, expr: ts.Expression, more: readonly string[], depth: number, calls: readonly ts.CallExpression[]): HandlerRef | undefined {
  const { project, callsOf, known } = reader;
  const { root, names } = memberChain(expr);
  const param = parameterOf(project, root);
  if (!param) return valueOf(project, expr, more);
  const chain = [...names, ...more];
  for (let i = calls.length - 1; i >= 0; i--) {
    if (invoked(reader, calls[i]) !== param.fn) continue;
    const arg = calls[i].arguments[param.index];
    return arg && !ts.isSpreadElement(arg) ? givenValue(reader, arg, chain, depth, calls.slice(0, i)) : undefined;
  }
  if (depth >= MAX_CALLERS) return undefined;
  const decl = param.fn.parameters[param.index];
  const key = chain.join('.');
  let byChain: Map<string, { found: HandlerRef | null; depth: number }> | undefined;
  if (calls.length === 0) {
    byChain = known.get(decl) ?? new Map<string, { found: HandlerRef | null; depth: number }>();
    known.set(decl, byChain);
    const seen = byChain.get(key);
    if (seen && (seen.found || seen.depth <= depth)) return seen.found ?? undefined;
    byChain.set(key, { found: null, depth: -1 });
  }
  let agreed: HandlerRef | undefined;
  for (const call of callsOf(param.fn)) {
    const arg = call.arguments[param.index];
    // a call of the function in itself handing the parameter on as it is (`walk(router, handler, n - 1)`) adds no value
    const again = arg && parameterOf(project, arg);
    if (again && again.fn === param.fn && again.index === param.index) continue;
    const found = arg && !ts.isSpreadElement(arg) ? givenValue(reader, arg, chain, depth + 1, calls) : undefined;
    if (!found || agreed && (agreed.file !== found.file || agreed.name !== found.name)) {
      agreed = undefined;
      break;
    }
    agreed ??= found;
  }
  byChain?.set(key, { found: agreed ?? null, depth });
  return agreed;
}

/** The project function a call invokes (asked once per call). */
function invoked(reader: Reader, call: ts.CallExpression): ts.Node | undefined {
  if (reader.called.has(call)) return reader.called.get(call);
  const fn = calledFunction(reader.project, call) ?? functionValue(reader.project, call.expression);
  reader.called.set(call, fn);
  return fn;
}

/** The project code a value not rooted at a parameter names, with `more` member names after it: a function, or a member of a project object. */
function valueOf(project: LoadedProject, expr: ts.Expression, more: readonly string[]): HandlerRef | undefined {
  if (more.length === 0) {
    const ref = handlerRef(project, expr, expr.getSourceFile());
    if (ref.kind !== 'unresolved') return ref;
  }
  // the checker may not follow `require()`s of untyped JavaScript: the chain from its root, through the objects it names
  const { root, names } = memberChain(expr);
  const chain = [...names, ...more];
  if (chain.length === 0) return undefined;
  const target = memberByType(project, root, chain) ?? projectMemberOf(project, root, chain);
  return target && { kind: 'named', file: target.file.rel, name: target.name, line: target.line };
}

/**
 * `controllers` + `['accounts', 'edit']` through the checker's types (JavaScript's `exports.x = require('./x')`,
 * `Controllers.home = function`, index objects of `require()`s): the declaration the last member lands on.
 */
function memberByType(project: LoadedProject, expr: ts.Expression, names: readonly string[]): CodeTarget | undefined {
  const e = unwrap(expr);
  const checker = project.checker;
  let symbol: ts.Symbol | undefined;
  let rest = names;
  if (ts.isCallExpression(e)) {
    // `require('./books')` given in place (`crud(require('./books'))`): the members of the project module's exports
    if (names.length === 0 || !requiredFile(project, e)) return undefined;
    symbol = checker.getTypeAtLocation(e).getProperty(names[0]);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    rest = names.slice(1);
  } else if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) {
    symbol = symbolOf(project, ts.isIdentifier(e) ? e : e.name).symbol;
  } else {
    return undefined;
  }
  for (const name of rest) {
    if (!symbol?.declarations?.some((d) => fileOf(project, d))) return undefined;
    symbol = checker.getTypeOfSymbol(symbol).getProperty(name);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  }
  for (const decl of symbol?.declarations ?? []) {
    const target = codeTargetOf(project, decl);
    if (target && isCode(target.decl)) return target;
  }
  return undefined;
}

/** A function or class (not a property holding a `require()` or some data). */
function isCode(node: ts.Node): boolean {
  return ts.isFunctionLike(node) || ts.isClassLike(node);
}
