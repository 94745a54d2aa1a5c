// A route handler reaching the registering function as a parameter (NodeBB's `controllers.accounts.edit`, `controllers`
// a parameter of `module.exports = function (app, middleware, controllers)`, or `controller` in `setupPageRoute`): read
// through what the function's callers pass for it, when every call gives the same project value, or, for a route of a
// router a factory made at one call (`crud(require('./books'))`) or registered by one call of a helper, what that call gives.
// The parameter may be taken apart (`function ({ controllers })`, `function ([router, ctrl])`, bound-parameters.ts), a rest
// parameter read by position (`ctrls[1]` of `...ctrls`), and given through `call`, `apply` or a spread (call-arguments.ts).
import { ts } from 'ts-morph';
import { boundArgument, boundParameter, elementValue, positionOf, propertyValue, type Bound } from './bound-parameters.ts';
import { argumentAt, invokedFunction } from './call-arguments.ts';
import type { HandlerAt, LocalRoute } from './route-tree.ts';
import { chainMember, memberChain } from './handler-member.ts';
import type { LoadedProject } from './project.ts';
import { handlerRef } from './route-args.ts';
import { functionValue, unwrap } from './value-key.ts';
import type { HandlerRef } from './types.ts';

/** How many functions up a parameter is followed, each handing it on to the next (`addRoutes` ← `adminRouter` ← routes' export). */
const MAX_CALLERS = 3;

/** Is the handler a parameter of its function, or a member chain on one (cheap: only unresolved handlers are asked)? */
export function rootedAtParameter(project: LoadedProject, expr: ts.Expression): boolean {
  return boundParameter(project, memberChain(project, expr).root) !== undefined;
}

/**
 * Is the handler written with a parameter that has a default on the way to it (`ctrl.list` with `{ ctrl = require('./c')
 * } = {}`)? The checker names the default's member, which is only what a call giving none gets: it is read at the calls.
 */
export function rootedAtDefault(project: LoadedProject, expr: ts.Expression): boolean {
  const bound = boundParameter(project, memberChain(project, expr).root);
  return !!bound && (bound.decl.initializer !== undefined || bound.defaults.some((d) => d !== undefined));
}

/** Reads handlers written with a parameter of their function, sharing what it found between the routes asked about. */
export interface ParameterHandlers {
  /** after pass 1 (and the helpers' routes): each route's handler, as all the callers of its function give it */
  resolveAll(pending: readonly LocalRoute[]): void;
  /** the route's handler at the calls (outermost first) that made the router it was reached through (route-tree.ts) */
  at: HandlerAt;
}

/**
 * The calls of a project function; `all` also those passing nothing but literals, or nothing (asked only for a parameter
 * with a default, which such a call gives it).
 */
export type CallsOfFunction = (fn: ts.Node, all: boolean) => readonly ts.CallExpression[];

export function parameterHandlers(project: LoadedProject, callsOf: CallsOfFunction): ParameterHandlers {
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
  callsOf: CallsOfFunction;
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
  const { root, names } = memberChain(project, expr);
  const bound = boundParameter(project, root);
  if (!bound) {
    // `{ controllers }` given in place for a parameter whose member is read (`deps.controllers.list`): that property's value
    const obj = names.length + more.length > 0 ? unwrap(root) : undefined;
    if (obj && (ts.isObjectLiteralExpression(obj) || ts.isArrayLiteralExpression(obj))) {
      // `[router, ctrl]` given in place for a parameter read by position (`pair[1].list`): that element's value
      const [first, ...rest] = [...names, ...more];
      const at = positionOf(first);
      const value = ts.isObjectLiteralExpression(obj) ? (at === undefined ? propertyValue(project, obj, first) : undefined) : at === undefined ? undefined : elementValue(obj, at);
      return value ? givenValue(reader, value, rest, depth, calls) : undefined;
    }
    return valueOf(project, expr, more);
  }
  const chain = [...names, ...more];
  for (let i = calls.length - 1; i >= 0; i--) {
    if (invoked(reader, calls[i]) !== bound.fn) continue;
    return givenAt(reader, bound, calls[i], chain, depth, calls.slice(0, i));
  }
  if (depth >= MAX_CALLERS) return undefined;
  const key = [...bound.names, ...chain].join('.');
  let byChain: Map<string, { found: HandlerRef | null; depth: number }> | undefined;
  if (calls.length === 0) {
    byChain = known.get(bound.decl) ?? new Map<string, { found: HandlerRef | null; depth: number }>();
    known.set(bound.decl, byChain);
    const seen = byChain.get(key);
    if (seen && (seen.found || seen.depth <= depth)) return seen.found ?? undefined;
    byChain.set(key, { found: null, depth: -1 });
  }
  let agreed: HandlerRef | undefined;
  const defaulted = bound.decl.initializer !== undefined;
  for (const call of callsOf(bound.fn, defaulted)) {
    const arg = argumentAt(project, call, bound.index);
    // a call of the function in itself handing the parameter on as it is (`walk(router, handler, n - 1)`) adds no value
    const again = arg && boundParameter(project, arg);
    if (again && again.fn === bound.fn && again.index === bound.index && again.names.length === 0 && bound.names.length === 0) continue;
    const found = givenAt(reader, bound, call, chain, depth + 1, calls);
    if (!found || agreed && (agreed.file !== found.file || agreed.name !== found.name)) {
      agreed = undefined;
      break;
    }
    agreed ??= found;
  }
  byChain?.set(key, { found: agreed ?? null, depth });
  return agreed;
}

/** What one call gives for a bound name followed by `more` member names (bound-parameters.ts), read on as a member chain. */
function givenAt(reader: Reader, bound: Bound, call: ts.CallExpression, more: readonly string[], depth: number, calls: readonly ts.CallExpression[]): HandlerRef | undefined {
  // `ctrls[1]` of a rest parameter `...ctrls`: the position is the first name bound
  if (bound.decl.dotDotDotToken && bound.names.length === 0 && positionOf(more[0]) !== undefined) {
    bound = { ...bound, names: [more[0]], defaults: [undefined] };
    more = more.slice(1);
  }
  const given = boundArgument(reader.project, bound, call);
  return given ? givenValue(reader, given.value, [...given.rest, ...more], depth, calls) : undefined;
}

/** The project function a call invokes (asked once per call). */
function invoked(reader: Reader, call: ts.CallExpression): ts.Node | undefined {
  if (reader.called.has(call)) return reader.called.get(call);
  const fn = invokedFunction(reader.project, call) ?? functionValue(reader.project, call.expression);
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
  const target = chainMember(project, expr, more);
  return target && { kind: 'named', file: target.file.rel, name: target.name, line: target.line };
}
