// A function handed to a method that calls it back: an array's iteration method (`[a, b].forEach(register)`,
// `list.map(toRoute)`, `rows.reduce(addTotal, 0)`), a promise's `then`/`catch`/`finally`, an event emitter's `on`/`once`.
// An iteration stands for one call per element the array is known to hold (loop-collections.ts), the element given
// first (to reduce's callback second, after the accumulator), the other arguments not known; for an array not known
// statically, for one call whose arguments are all unknown, so that rules needing every caller to agree give nothing
// rather than a guess. A promise's value and an event's arguments are never known: one call with unknown arguments.
// The `async` package's helpers too (older Node code's control flow, NodeBB's): `async.apply(fn, a, b)` calls `fn(a, b,
// …)`, `async.each(list, fn)` / `async.map(list, fn)` call it with each element of `list`, `async.waterfall([f, g])` /
// `series` / `parallel` (an array or an object of functions) call each with arguments not known.
import { ts } from 'ts-morph';
import { heldElements, type LoopRead } from './loop-collections.ts';
import { packageOf } from './package-values.ts';
import type { LoadedProject } from './project.ts';
import { resolveReference } from './symbols.ts';
import { unwrap } from './value-key.ts';

/** how a method calls back the function it is given: which argument that is, and where the array's element goes */
interface CallsBack {
  /** the positions of the arguments it calls back */
  given: readonly number[];
  /** the callback's parameter given each element of the array the method is called on; undefined: none known */
  element?: number;
  /** where that array is: the receiver (`list.forEach(fn)`), or an argument (`async.each(list, fn)`) */
  array?: number;
  /** the functions are in an array or object given at `given` (`async.waterfall([f, g])`, `async.parallel({ a: f })`) */
  listed?: boolean;
  /** the arguments after the function are its first ones (`async.apply(fn, a, b)`) */
  bound?: boolean;
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

/** the `async` package's helpers, on a value that comes from it */
const ASYNC = new Map<string, CallsBack>([
  ['apply', { given: [0], bound: true }],
  ...['each', 'eachSeries', 'forEach', 'forEachSeries', 'map', 'mapSeries', 'filter', 'filterSeries', 'reject', 'some', 'every', 'detect', 'concat', 'sortBy', 'groupBy'].map(
    (m) => [m, { given: [1], element: 0, array: 0 }] as const,
  ),
  ...['eachLimit', 'forEachLimit', 'mapLimit', 'filterLimit'].map((m) => [m, { given: [2], element: 0, array: 0 }] as const),
  ['reduce', { given: [2], element: 1, array: 0 }],
  ...['waterfall', 'series', 'parallel', 'parallelLimit'].map((m) => [m, { given: [0], listed: true }] as const),
]);

const made = new WeakMap<ts.CallExpression, readonly ts.CallExpression[]>();

/**
 * The named functions a call hands to a method that calls them back (`users.saveUser` in `p.then(users.saveUser)`),
 * with how; undefined when it hands none, or the method is a project object's own (`db.on(…)` of a project class).
 */
export function callbacksGiven(project: LoadedProject, call: ts.CallExpression): { fns: ts.Expression[]; how: CallsBack } | undefined {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const method = callee.name.text;
  const own = CALLS_BACK.get(method);
  const fromAsync = ASYNC.get(method);
  if (!own && !fromAsync) return undefined;
  const how = fromAsync && packageOf(project.checker, callee.expression) === 'async' ? fromAsync : own;
  if (!how) return undefined;
  let fns: ts.Expression[] | undefined;
  const add = (arg: ts.Expression): void => {
    const fn = unwrap(arg);
    if (ts.isIdentifier(fn) || ts.isPropertyAccessExpression(fn)) (fns ??= []).push(fn);
  };
  for (const i of how.given) {
    const arg = call.arguments[i] && unwrap(call.arguments[i]);
    if (!arg) continue;
    if (!how.listed) add(arg);
    else if (ts.isArrayLiteralExpression(arg)) arg.elements.forEach(add);
    else if (ts.isObjectLiteralExpression(arg)) for (const p of arg.properties) if (ts.isPropertyAssignment(p)) add(p.initializer);
  }
  // a project object's own `map()` or `on()` is not an array's or an emitter's
  if (!fns || (how === own && resolveReference(project, callee.name).kind === 'project')) return undefined;
  return { fns, how };
}

/**
 * Whether a call hands over something named `name` (`register`, `ctrl.register`), as an argument or in an array or
 * object written as one (`async.waterfall([register])`): a cheap look before asking `callbackCalls`.
 */
export function handsOver(call: ts.CallExpression, name: string): boolean {
  const named = (arg: ts.Expression): boolean => {
    const e = unwrap(arg);
    return (ts.isIdentifier(e) && e.text === name) || (ts.isPropertyAccessExpression(e) && e.name.text === name);
  };
  for (const arg of call.arguments) {
    const e = unwrap(arg);
    if (named(e)) return true;
    if (ts.isArrayLiteralExpression(e) && e.elements.some(named)) return true;
    if (ts.isObjectLiteralExpression(e) && e.properties.some((p) => ts.isPropertyAssignment(p) && named(p.initializer))) return true;
  }
  return false;
}

/**
 * The calls of its callbacks a call stands for (`register(a, …)`, `register(b, …)` for `[a, b].forEach(register)`;
 * `saveUser(…)` for `p.then(saveUser)`), made up as call nodes placed at the call, an unknown spread in place of the
 * arguments not known; undefined when the call hands no named function to a method that calls it back. The same nodes
 * each time it is asked.
 */
export function callbackCalls(project: LoadedProject, call: ts.CallExpression): readonly ts.CallExpression[] | undefined {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || !(CALLS_BACK.has(callee.name.text) || ASYNC.has(callee.name.text))) return undefined;
  const known = made.get(call);
  if (known) return known;
  const given = callbacksGiven(project, call);
  if (!given) return undefined;
  const { fns, how } = given;
  let elements: readonly ts.Expression[] | undefined;
  let uncounted = false;
  const array = how.array === undefined ? callee.expression : call.arguments[how.array];
  if (how.element !== undefined && array) {
    const read: LoopRead = { loop: call, uncounted: [] };
    elements = heldElements(project, array, 0, read);
    uncounted = read.uncounted.length > 0;
  }
  const calls: ts.CallExpression[] = [];
  for (const fn of fns) {
    if (how.bound) {
      calls.push(madeCall(call, fn, call.arguments.slice(how.given[0] + 1)));
      continue;
    }
    // reduce's accumulator before the element: the call itself, which no reader knows the value of
    for (const el of elements ?? []) calls.push(madeCall(call, fn, [...Array<ts.Expression>(how.element ?? 0).fill(call), el]));
    // elements pushed an unknown number of times, or an array not known, or no array: callers whose arguments are not known
    if (!elements || uncounted) calls.push(madeCall(call, fn, []));
  }
  made.set(call, calls);
  return calls;
}

/**
 * `fn(element, ...?)`, `fn(?, element, ...?)` for reduce, `fn(a, b, ...?)` for `async.apply(fn, a, b)`: the rest is a
 * spread of the call itself, which no reader takes for an array it knows.
 */
function madeCall(at: ts.CallExpression, fn: ts.Expression, known: readonly ts.Expression[]): ts.CallExpression {
  const unknown = ts.factory.createSpreadElement(at);
  const call = ts.factory.createCallExpression(fn, undefined, [...known, unknown]);
  ts.setTextRange(call, at);
  ts.setTextRange(unknown, at);
  (call as { parent: ts.Node }).parent = at;
  (unknown as { parent: ts.Node }).parent = call;
  return call;
}
