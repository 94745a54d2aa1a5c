// A route handler reaching the registering function as a parameter (NodeBB's `controllers.accounts.edit`, `controllers`
// a parameter of `module.exports = function (app, middleware, controllers)`, or `controller` in `setupPageRoute`): read
// through what the function's callers pass for it, when every call gives the same project value.
import { ts } from 'ts-morph';
import type { CallsOf } from './route-helpers.ts';
import { parameterOf } from './route-helpers.ts';
import { projectMemberOf } from './handler-member.ts';
import type { LoadedProject } from './project.ts';
import { handlerRef } from './route-args.ts';
import { codeTargetOf, fileOf, symbolOf, type CodeTarget } from './symbols.ts';
import { unwrap } from './value-key.ts';
import type { HandlerRef } from './types.ts';

/** How many functions up a parameter is followed, each handing it on to the next (`addRoutes` ← `adminRouter` ← routes' export). */
const MAX_CALLERS = 3;

/** A route whose handler was left unresolved, written with a parameter of its function: its handler is set after pass 1. */
export interface ParameterHandler {
  route: { handler: HandlerRef };
  expr: ts.Expression;
}

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

/** After pass 1 (and the helpers' routes): each such handler, as the callers of its function give it. */
export function resolveParameterHandlers(project: LoadedProject, callsOf: CallsOf, pending: readonly ParameterHandler[]): void {
  const known: Known = new Map();
  for (const { route, expr } of pending) {
    const found = givenValue({ project, callsOf, known }, expr, [], 0);
    if (found) route.handler = found;
  }
}

/**
 * What a parameter with member names after it was found to be, by parameter and `.`-joined names, so that many routes of
 * one function, or functions called from many places, are read once: `found` null when nothing agreed, which holds for a
 * read from as deep or deeper (`depth` -1 while being read: a function reached again through its own calls).
 */
type Known = Map<ts.ParameterDeclaration, Map<string, { found: HandlerRef | null; depth: number }>>;

interface Reader {
  project: LoadedProject;
  callsOf: CallsOf;
  known: Known;
}

/**
 * What `expr` followed by `more` member names is, where `expr` may be rooted at a parameter: at each call of the
 * parameter's function, what the call passes for it; one value when all calls agree, none otherwise.
 */
function givenValue(reader: Reader, expr: ts.Expression, more: readonly string[], depth: number): HandlerRef | undefined {
  const { project, callsOf, known } = reader;
  const { root, names } = memberChain(expr);
  const param = parameterOf(project, root);
  if (!param) return valueOf(project, expr, more);
  if (depth >= MAX_CALLERS) return undefined;
  const chain = [...names, ...more];
  const decl = param.fn.parameters[param.index];
  const byChain = known.get(decl) ?? new Map<string, { found: HandlerRef | null; depth: number }>();
  known.set(decl, byChain);
  const key = chain.join('.');
  const seen = byChain.get(key);
  if (seen && (seen.found || seen.depth <= depth)) return seen.found ?? undefined;
  byChain.set(key, { found: null, depth: -1 });
  const calls = callsOf(param.fn);
  let agreed: HandlerRef | undefined;
  for (const call of calls) {
    const arg = call.arguments[param.index];
    // a call of the function in itself handing the parameter on as it is (`walk(router, handler, n - 1)`) adds no value
    const again = arg && parameterOf(project, arg);
    if (again && again.fn === param.fn && again.index === param.index) continue;
    const found = arg && !ts.isSpreadElement(arg) ? givenValue(reader, arg, chain, depth + 1) : undefined;
    if (!found || agreed && (agreed.file !== found.file || agreed.name !== found.name)) {
      agreed = undefined;
      break;
    }
    agreed ??= found;
  }
  byChain.set(key, { found: agreed ?? null, depth });
  return agreed;
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
  if (!ts.isIdentifier(e) && !ts.isPropertyAccessExpression(e)) return undefined;
  const checker = project.checker;
  let symbol = symbolOf(project, ts.isIdentifier(e) ? e : e.name).symbol;
  for (const name of names) {
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
