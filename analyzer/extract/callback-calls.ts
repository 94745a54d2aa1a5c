// A function handed to a method that calls it back: an array's iteration method (`[a, b].forEach(register)`,
// `list.map(toRoute)`, `rows.reduce(addTotal, 0)`), a promise's `then`/`catch`/`finally`, an event emitter's `on`/`once`.
// An iteration stands for one call per element the array is known to hold (loop-collections.ts), the element given
// first (to reduce's callback second, after the accumulator), the other arguments not known; for an array not known
// statically, for one call whose arguments are all unknown, so that rules needing every caller to agree give nothing
// rather than a guess. A promise's value and an event's arguments are never known: one call with unknown arguments.
import { ts } from 'ts-morph';
import { heldElements, type LoopRead } from './loop-collections.ts';
import type { LoadedProject } from './project.ts';
import { resolveReference } from './symbols.ts';
import { unwrap } from './value-key.ts';

/** how a method calls back the function it is given: which argument that is, and where the array's element goes */
interface CallsBack {
  /** the positions of the arguments it calls back */
  given: readonly number[];
  /** the callback's parameter given each element of the array the method is called on; undefined: none known */
  element?: number;
}

const ITERATION: CallsBack = { given: [0], element: 0 };
const CALLS_BACK = new Map<string, CallsBack>([
  ...['forEach', 'map', 'flatMap', 'filter', 'some', 'every', 'find', 'findIndex', 'findLast', 'findLastIndex'].map((m) => [m, ITERATION] as const),
  // (accumulator, element, index, array): the accumulator is the initial value once, then what the callback returned
  ...['reduce', 'reduceRight'].map((m) => [m, { given: [0], element: 1 }] as const),
  ['then', { given: [0, 1] }],
  ['catch', { given: [0] }],
  ['finally', { given: [0] }],
  ...['on', 'once', 'addListener', 'prependListener', 'prependOnceListener'].map((m) => [m, { given: [1] }] as const),
]);

const made = new WeakMap<ts.CallExpression, readonly ts.CallExpression[]>();

/**
 * The named functions a call hands to a method that calls them back (`users.saveUser` in `p.then(users.saveUser)`),
 * with how; undefined when it hands none, or the method is a project object's own (`db.on(…)` of a project class).
 */
export function callbacksGiven(project: LoadedProject, call: ts.CallExpression): { fns: ts.Expression[]; how: CallsBack } | undefined {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const how = CALLS_BACK.get(callee.name.text);
  if (!how) return undefined;
  let fns: ts.Expression[] | undefined;
  for (const i of how.given) {
    const arg = call.arguments[i];
    const fn = arg && unwrap(arg);
    if (fn && (ts.isIdentifier(fn) || ts.isPropertyAccessExpression(fn))) (fns ??= []).push(fn);
  }
  // a project object's own `map()` or `on()` is not an array's or an emitter's
  if (!fns || resolveReference(project, callee.name).kind === 'project') return undefined;
  return { fns, how };
}

/**
 * The calls of its callbacks a call stands for (`register(a, …)`, `register(b, …)` for `[a, b].forEach(register)`;
 * `saveUser(…)` for `p.then(saveUser)`), made up as call nodes placed at the call, an unknown spread in place of the
 * arguments not known; undefined when the call hands no named function to a method that calls it back. The same nodes
 * each time it is asked.
 */
export function callbackCalls(project: LoadedProject, call: ts.CallExpression): readonly ts.CallExpression[] | undefined {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || !CALLS_BACK.has(callee.name.text)) return undefined;
  const known = made.get(call);
  if (known) return known;
  const given = callbacksGiven(project, call);
  if (!given) return undefined;
  const { fns, how } = given;
  let elements: readonly ts.Expression[] | undefined;
  let uncounted = false;
  if (how.element !== undefined) {
    const read: LoopRead = { loop: call, uncounted: [] };
    elements = heldElements(project, callee.expression, 0, read);
    uncounted = read.uncounted.length > 0;
  }
  const calls: ts.CallExpression[] = [];
  for (const fn of fns) {
    for (const el of elements ?? []) calls.push(madeCall(call, fn, el, how.element ?? 0));
    // elements pushed an unknown number of times, or an array not known, or no array: callers whose arguments are not known
    if (!elements || uncounted) calls.push(madeCall(call, fn, undefined, 0));
  }
  made.set(call, calls);
  return calls;
}

/**
 * `fn(element, ...?)`, `fn(?, element, ...?)` for reduce: the rest is a spread of the call itself, which no reader takes
 * for an array it knows, and reduce's accumulator that call (what reduce gives back is its last accumulator), which no
 * reader knows the value of.
 */
function madeCall(at: ts.CallExpression, fn: ts.Expression, element: ts.Expression | undefined, position: number): ts.CallExpression {
  const unknown = ts.factory.createSpreadElement(at);
  const args: ts.Expression[] = element ? [...Array<ts.Expression>(position).fill(at), element, unknown] : [unknown];
  const call = ts.factory.createCallExpression(fn, undefined, args);
  ts.setTextRange(call, at);
  ts.setTextRange(unknown, at);
  (call as { parent: ts.Node }).parent = at;
  (unknown as { parent: ts.Node }).parent = call;
  return call;
}
