// A function handed to an array's iteration method (`[a, b].forEach(register)`, `list.map(toRoute)`) is called with each
// element first, then the index and the array. Such a use stands for one call per element the array is known to hold
// (loop-collections.ts), its arguments after the element not known; for an array not known statically, for one call
// whose arguments are all unknown, so that rules needing every caller to agree give nothing rather than a guess.
import { ts } from 'ts-morph';
import { heldElements, type LoopRead } from './loop-collections.ts';
import type { LoadedProject } from './project.ts';
import { resolveReference } from './symbols.ts';
import { unwrap } from './value-key.ts';

/** Array methods whose callback gets (element, index, array). */
const ITERATION = new Set(['forEach', 'map', 'flatMap', 'filter', 'some', 'every', 'find', 'findIndex', 'findLast', 'findLastIndex']);

const made = new WeakMap<ts.CallExpression, readonly ts.CallExpression[]>();

/**
 * The calls of its callback an iteration call stands for (`register(a, …)`, `register(b, …)` for `[a, b].forEach(register)`),
 * made up as call nodes placed at the iteration, an unknown spread in place of the arguments not known; undefined when the
 * call hands no named function to an array's iteration method. The same nodes each time it is asked.
 */
export function callbackCalls(project: LoadedProject, call: ts.CallExpression): readonly ts.CallExpression[] | undefined {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || !ITERATION.has(callee.name.text) || call.arguments.length === 0) return undefined;
  const fn = unwrap(call.arguments[0]);
  if (!ts.isIdentifier(fn) && !ts.isPropertyAccessExpression(fn)) return undefined;
  const known = made.get(call);
  if (known) return known;
  // a project object's own `map()` is not an array's
  if (resolveReference(project, callee.name).kind === 'project') return undefined;
  const read: LoopRead = { loop: call, uncounted: [] };
  const elements = heldElements(project, callee.expression, 0, read);
  const calls = (elements ?? []).map((el) => madeCall(call, fn, el));
  // elements pushed an unknown number of times, or an array not known: callers whose arguments are not known
  if (!elements || read.uncounted.length > 0) calls.push(madeCall(call, fn, undefined));
  made.set(call, calls);
  return calls;
}

/** `fn(element, ...?)`: the rest is a spread of the iteration call itself, which no reader takes for an array it knows. */
function madeCall(at: ts.CallExpression, fn: ts.Expression, element: ts.Expression | undefined): ts.CallExpression {
  const unknown = ts.factory.createSpreadElement(at);
  const call = ts.factory.createCallExpression(fn, undefined, element ? [element, unknown] : [unknown]);
  ts.setTextRange(call, at);
  ts.setTextRange(unknown, at);
  (call as { parent: ts.Node }).parent = at;
  (unknown as { parent: ts.Node }).parent = call;
  return call;
}
