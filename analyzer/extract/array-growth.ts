// What an array held by a variable holds when a loop goes over it: the literal it starts as, then the push()es (and
// unshift()es) written in the variable's own function before the loop, also those written in a helper function of that
// function called there (`function add(p, h) { routes.push([p, h]) }`, `add('/a', a)`: one push per call, read with what
// the call gives). A push that runs an unknown number of times (in a loop, in a function called from elsewhere or handed
// on) is not counted, and an array emptied, reordered or assigned again is not known, nor one whose push() is called
// off it (`keys.push.apply(keys, more)`, `Array.prototype.push.call(keys, k)`).
import { ts } from 'ts-morph';
import type { LoadedProject } from './project.ts';
import { namedFunction } from './symbols.ts';
import { isAssignment, unwrap } from './value-key.ts';

/** A push() or unshift() made once: in the variable's own function, or in a helper at one call of it there. */
export interface GrowthCall {
  call: ts.CallExpression;
  /** unshift(): at the front */
  front: boolean;
  /** the helper the push is written in, and the call of it that runs the push: its arguments are read with what that call gives */
  through?: { fn: ts.SignatureDeclaration; call: ts.CallExpression };
}

/** The calls that grow an array, in the order they run. */
export interface ArrayGrowth {
  /** push() (at the end) and unshift() (at the front) made once, in the variable's own function or through a helper called there */
  calls: GrowthCall[];
  /** push()es that run an unknown number of times: their elements are not known statically */
  uncounted: ts.CallExpression[];
  /** emptied (`length = 0`, `splice`, `pop`, …) or assigned again: what it holds is not known */
  changed: boolean;
}

const ADDS = new Set(['push', 'unshift']);
const CHANGES = new Set(['pop', 'shift', 'splice', 'reverse', 'sort', 'fill', 'copyWithin']);
const NONE: ArrayGrowth = { calls: [], uncounted: [], changed: false };

/** A name an array is held by: a variable, or one an import or a destructuring `require()` declares. */
export type ArrayHolder = ts.VariableDeclaration | ts.BindingElement | ts.ImportSpecifier | ts.ImportClause;

const cache = new WeakMap<ArrayHolder, ArrayGrowth>();

/** How the array a variable is declared with is grown in the file declaring it (other files are not looked at). */
export function arrayGrowth(project: LoadedProject, decl: ArrayHolder): ArrayGrowth {
  const known = cache.get(decl);
  if (known) return known;
  const growth = readGrowth(project, decl);
  cache.set(decl, growth);
  return growth;
}

function readGrowth(project: LoadedProject, decl: ArrayHolder): ArrayGrowth {
  if (!decl.name || !ts.isIdentifier(decl.name)) return NONE;
  const name = decl.name.text;
  const symbol = project.checker.getSymbolAtLocation(decl.name);
  // a file that never writes `name.`, assigns `name` nor hands it to a call leaves the literal as it is: skip the walk
  const text = decl.getSourceFile().text;
  if (!symbol || !['.', ' =', '=', ',', ')'].some((after) => text.includes(name + after))) return NONE;
  const scope = scopeOf(decl);
  const growth: ArrayGrowth = { calls: [], uncounted: [], changed: false };
  const use = (ref: ts.Identifier): void => {
    const u = useOf(ref);
    if (u.kind === 'changed') growth.changed = true;
    else if (u.kind === 'add') {
      const { call, front } = u;
      const spread = call.arguments.some(ts.isSpreadElement);
      const helper = spread || runsOnce(call, scope) ? undefined : helperCalls(project, call, scope);
      if (!spread && !helper && runsOnce(call, scope)) growth.calls.push({ call, front });
      else if (helper) growth.calls.push(...helper.calls.map((at) => ({ call, front, through: { fn: helper.fn, call: at } })));
      else growth.uncounted.push(call);
    } else if (u.kind === 'handed') handedTo(project, u.call, u.index, scope, growth);
  };
  eachReference(project, decl.getSourceFile(), decl.name, () => growth.changed, use);
  // in the order they run: a helper's push at each call of it
  if (growth.calls.some((c) => c.through)) growth.calls.sort((a, b) => runsAt(a).getStart() - runsAt(b).getStart());
  return growth;
}

/**
 * The array handed to a project function that grows its parameter (`function add(list, p, h) { list.push([p, h]) }`,
 * `add(routes, '/a', a)`): each push there made once at this call, read with what the call gives; one the call or the
 * push may make any number of times is not counted; emptying or reordering it there, or assigning the parameter, makes
 * the array not known. A function that hands the parameter on is not followed (one function deep).
 */
function handedTo(project: LoadedProject, call: ts.CallExpression, index: number, scope: ts.Node, growth: ArrayGrowth): void {
  if (index < 0 || call.arguments.slice(0, index + 1).some(ts.isSpreadElement)) return;
  const fn = namedFunction(project, unwrap(call.expression));
  const param = fn?.parameters[index];
  if (!fn || !param || !ts.isIdentifier(param.name) || param.dotDotDotToken || !('body' in fn) || !fn.body) return;
  const once = runsOnce(call, scope) && !call.arguments.some(ts.isSpreadElement);
  eachReference(project, fn.body, param.name, () => growth.changed, (n) => {
    const u = useOf(n);
    if (u.kind === 'changed') growth.changed = true;
    else if (u.kind === 'add') {
      if (once && runsOnce(u.call, fn) && !u.call.arguments.some(ts.isSpreadElement)) growth.calls.push({ call: u.call, front: u.front, through: { fn, call } });
      else growth.uncounted.push(u.call);
    } else if (u.kind === 'handed' && grownThere(project, u.call, u.index)) {
      // handed on again to a function that grows or changes it: not followed past one function, but said
      growth.uncounted.push(u.call);
    }
  });
}

/** Whether the project function `call` calls pushes onto, changes or assigns the parameter its argument `index` is. */
function grownThere(project: LoadedProject, call: ts.CallExpression, index: number): boolean {
  if (index < 0) return false;
  const fn = namedFunction(project, unwrap(call.expression));
  const param = fn?.parameters[index];
  if (!fn || !param || !ts.isIdentifier(param.name) || !('body' in fn) || !fn.body) return false;
  let grown = false;
  eachReference(project, fn.body, param.name, () => grown, (n) => {
    const kind = useOf(n).kind;
    grown = kind === 'changed' || kind === 'add';
  });
  return grown;
}

/** How one reference to an array is used. */
type ArrayUse =
  /** assigned, emptied or reordered (`x =`, `length = 0`, `splice`…), or a method taken off it (`push.apply`) */
  | { kind: 'changed' }
  /** grown by a `push()`/`unshift()` called on it */
  | { kind: 'add'; call: ts.CallExpression; front: boolean }
  /** given as an argument to a call */
  | { kind: 'handed'; call: ts.CallExpression; index: number }
  | { kind: 'read' };

function useOf(ref: ts.Identifier): ArrayUse {
  const parent = ref.parent;
  if (ts.isBinaryExpression(parent) && parent.left === ref && isAssignment(parent.operatorToken.kind)) return { kind: 'changed' };
  if (ts.isPropertyAccessExpression(parent) && parent.expression === ref) {
    const member = parent.name.text;
    const call = ts.isCallExpression(parent.parent) && parent.parent.expression === parent ? parent.parent : undefined;
    if (member === 'length' && ts.isBinaryExpression(parent.parent) && parent.parent.left === parent && isAssignment(parent.parent.operatorToken.kind)) return { kind: 'changed' };
    if (call && ADDS.has(member)) return { kind: 'add', call, front: member === 'unshift' };
    // a change called on it, or a method taken off it rather than called on it (`keys.push.apply(keys, more)`,
    // `keys.push.bind(keys)`): not known
    if (ADDS.has(member) || CHANGES.has(member)) return { kind: 'changed' };
    return { kind: 'read' };
  }
  if (ts.isCallExpression(parent) && parent.expression !== ref) {
    // `Array.prototype.push.apply(keys, more)`, `[].push.call(keys, x)`: grown or changed by what is not known
    if (parent.arguments[0] === ref && borrowedMethod(parent.expression)) return { kind: 'changed' };
    return { kind: 'handed', call: parent, index: parent.arguments.indexOf(ref) };
  }
  return { kind: 'read' };
}

/** Each reference under `root` to what `name` declares (not `name` itself), in order, until `done()`. */
function eachReference(project: LoadedProject, root: ts.Node, name: ts.Identifier, done: () => boolean, use: (ref: ts.Identifier) => void): void {
  const symbol = project.checker.getSymbolAtLocation(name);
  const text = name.text;
  const visit = (n: ts.Node): void => {
    if (done()) return;
    if (ts.isIdentifier(n) && n !== name && n.text === text && project.checker.getSymbolAtLocation(n) === symbol) use(n);
    ts.forEachChild(n, visit);
  };
  visit(root);
}

/** `<anything>.push.apply`, `.splice.call`: an array method called on the array its first argument is. */
function borrowedMethod(callee: ts.Expression): boolean {
  const e = unwrap(callee);
  if (!ts.isPropertyAccessExpression(e) || (e.name.text !== 'apply' && e.name.text !== 'call')) return false;
  const method = unwrap(e.expression);
  return ts.isPropertyAccessExpression(method) && (ADDS.has(method.name.text) || CHANGES.has(method.name.text));
}

/** Where a growth call runs in the array's function: the push itself, or the helper call that runs it. */
function runsAt(c: GrowthCall): ts.Node {
  return c.through?.call ?? c.call;
}

/**
 * A push written once in a helper function of the array's own function (`function add(p, h) { routes.push([p, h]) }`,
 * `const add = (r) => routes.push(r)`): the helper's calls, when every use of the helper is a call made once in that
 * function, so each runs the push once. A helper exported, handed on or called in a loop or another function is not one.
 */
function helperCalls(project: LoadedProject, push: ts.CallExpression, scope: ts.Node): HelperCalls | undefined {
  const fn = scopeOf(push);
  if (!runsOnce(push, fn) || scopeOf(fn) !== scope) return undefined;
  // once per helper, not per push: a helper of thousands of pushes walked its function's scope for each
  let known = helperCallsMemo.get(fn);
  if (known === undefined) helperCallsMemo.set(fn, (known = readHelperCalls(project, fn, scope) ?? null));
  return known ?? undefined;
}

interface HelperCalls {
  fn: ts.SignatureDeclaration;
  calls: ts.CallExpression[];
}

const helperCallsMemo = new WeakMap<ts.Node, HelperCalls | null>();

/** The calls of a helper function written in `scope`, the function it pushes in (helperCalls). */
function readHelperCalls(project: LoadedProject, fn: ts.Node, scope: ts.Node): HelperCalls | undefined {
  const name = helperName(fn);
  if (!name || ts.getCombinedModifierFlags(ts.isFunctionDeclaration(fn) ? fn : name.parent as ts.Declaration) & ts.ModifierFlags.Export) return undefined;
  const symbol = project.checker.getSymbolAtLocation(name);
  if (!symbol) return undefined;
  const calls: ts.CallExpression[] = [];
  let other = false;
  const visit = (n: ts.Node): void => {
    if (other) return;
    if (ts.isIdentifier(n) && n !== name && n.text === name.text && referenced(project, n) === symbol) {
      const call = n.parent;
      if (ts.isCallExpression(call) && call.expression === n && runsOnce(call, scope) && !call.arguments.some(ts.isSpreadElement)) calls.push(call);
      else other = true;
    }
    ts.forEachChild(n, visit);
  };
  visit(scope);
  return other || calls.length === 0 ? undefined : { fn: fn as ts.SignatureDeclaration, calls };
}

/** The symbol a name reads: a shorthand property's (`module.exports = { add }`) is its value's. */
function referenced(project: LoadedProject, id: ts.Identifier): ts.Symbol | undefined {
  const parent = id.parent;
  return ts.isShorthandPropertyAssignment(parent) && parent.name === id ? project.checker.getShorthandAssignmentValueSymbol(parent) : project.checker.getSymbolAtLocation(id);
}

/** A helper's name: `function add() {}`, or `const add = () => …` / `= function () {}`. */
function helperName(fn: ts.Node): ts.Identifier | undefined {
  if (ts.isFunctionDeclaration(fn)) return fn.name;
  const decl = fn.parent;
  if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && ts.isVariableDeclaration(decl) && decl.initializer === fn && ts.isIdentifier(decl.name) &&
    ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const) return decl.name;
  return undefined;
}

/** The calls that grew an array before a loop went over it: those written after the loop in the loop's own function do not count. */
export function grownBefore(growth: ArrayGrowth, decl: ArrayHolder, loop: ts.Node): ArrayGrowth {
  if (growth.calls.length === 0 && growth.uncounted.length === 0) return growth;
  const same = scopeOf(loop) === scopeOf(decl);
  const before = (call: ts.Node): boolean => !same || call.getStart() < loop.getStart();
  return { calls: growth.calls.filter((c) => before(runsAt(c))), uncounted: growth.uncounted.filter(before), changed: growth.changed };
}

/** A call made once each time the variable's function runs: no loop and no function of its own between them. */
function runsOnce(call: ts.Node, scope: ts.Node): boolean {
  for (let n = call.parent; n && n !== scope; n = n.parent) {
    if (ts.isIterationStatement(n, false) || isFunction(n)) return false;
  }
  return true;
}

/** Why a push() is not counted: what it is written in that may run it any number of times. */
export function uncountedWhy(call: ts.Node): string {
  for (let n = call.parent; n; n = n.parent) {
    if (ts.isIterationStatement(n, false)) return 'in a loop';
    if (isFunction(n)) return 'in a function of its own';
  }
  return 'in a loop';
}

/** The function (or file) a node is written in. */
function scopeOf(node: ts.Node): ts.Node {
  let n = node.parent;
  while (n && !isFunction(n) && !ts.isSourceFile(n)) n = n.parent;
  return n ?? node.getSourceFile();
}

function isFunction(n: ts.Node): boolean {
  return ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n) || ts.isMethodDeclaration(n) || ts.isConstructorDeclaration(n) || ts.isGetAccessor(n) || ts.isSetAccessor(n);
}

