// What a call gives a project function's parameters: its arguments by position, also through Function.prototype's
// `fn.call(thisArg, …)` and `fn.apply(thisArg, [ … ])`, and through spreads of arrays written in place or held by a
// `const` (`register(...args)` with `const args = [router, ctrl]`). A spread of anything else leaves the positions
// from it on unknown.
import { ts } from 'ts-morph';
import { calledFunction } from './express-syntax.ts';
import type { LoadedProject } from './project.ts';
import { resolveReference } from './symbols.ts';
import { functionValue, unwrap } from './value-key.ts';

const MAX_DEPTH = 4;

/** `fn.call(…)` / `fn.apply(…)` of Function.prototype (not a project method of that name): which, and `fn`. */
function functionCall(project: LoadedProject, call: ts.CallExpression): { apply: boolean; fn: ts.Expression } | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'call' && callee.name.text !== 'apply') return undefined;
  if (resolveReference(project, callee.name).kind === 'project') return undefined;
  return { apply: callee.name.text === 'apply', fn: callee.expression };
}

/** The project function a call invokes, past `.call`/`.apply` (`register` in `register.call(null, router)`). */
export function invokedFunction(project: LoadedProject, call: ts.CallExpression): ts.Node | undefined {
  const direct = calledFunction(project, call);
  if (direct) return direct;
  const through = functionCall(project, call);
  return through && functionValue(project, through.fn);
}

/**
 * The argument a call gives the parameter at `index` of the function it invokes: undefined when it gives none, null when
 * that is not known (past a spread of a value not written statically, `apply` of one).
 */
export function argumentAt(project: LoadedProject, call: ts.CallExpression, index: number): ts.Expression | undefined | null {
  const args = call.arguments;
  // the common call: no `.call`/`.apply`, no spread
  if (!isCallOrApply(call) && !args.some(ts.isSpreadElement)) return args[index];
  const through = functionCall(project, call);
  let given = flatten(project, args, 0);
  if (through?.apply) {
    const list = given.elements[1];
    if (list === undefined) return given.open ? null : undefined;
    given = arrayElements(project, list) ?? { elements: [], open: true };
    given = flatten(project, given.elements, 0, given.open);
  } else if (through) {
    index++;
  }
  return index < given.elements.length ? given.elements[index] : given.open ? null : undefined;
}

function isCallOrApply(call: ts.CallExpression): boolean {
  const callee = unwrap(call.expression);
  return ts.isPropertyAccessExpression(callee) && (callee.name.text === 'call' || callee.name.text === 'apply');
}

interface Elements {
  elements: readonly ts.Expression[];
  /** more may follow those listed: a spread not known statically, or an array a `const` holds (it may be pushed onto) */
  open: boolean;
}

/** Arguments or array elements with spreads of static arrays expanded, up to the first spread that is not one. */
function flatten(project: LoadedProject, list: readonly ts.Expression[], depth: number, open = false): Elements {
  if (!list.some(ts.isSpreadElement)) return { elements: list, open };
  const elements: ts.Expression[] = [];
  for (const el of list) {
    if (!ts.isSpreadElement(el)) {
      elements.push(el);
      continue;
    }
    const spread = depth < MAX_DEPTH ? arrayElements(project, el.expression) : undefined;
    const inner = spread && flatten(project, spread.elements, depth + 1, spread.open);
    if (inner) elements.push(...inner.elements);
    if (!inner || inner.open) return { elements, open: true };
  }
  return { elements, open };
}

/**
 * The elements of an array written in place (`[router, ctrl]`), or held by a `const` (open: elements may be pushed
 * onto it, so a position past those written is not known to be empty).
 */
function arrayElements(project: LoadedProject, expr: ts.Expression): Elements | undefined {
  const e = unwrap(expr);
  if (ts.isArrayLiteralExpression(e)) return { elements: e.elements, open: false };
  if (!ts.isIdentifier(e)) return undefined;
  const decl = project.checker.getSymbolAtLocation(e)?.valueDeclaration;
  if (!decl || !ts.isVariableDeclaration(decl) || !(ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const) || !decl.initializer) return undefined;
  const init = unwrap(decl.initializer);
  return ts.isArrayLiteralExpression(init) ? { elements: init.elements, open: true } : undefined;
}
