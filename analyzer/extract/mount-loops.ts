// What a mount written in a loop stands for, element by element: `routers.forEach((r) => app.use(r))`, `for (const
// [prefix, r] of mounts) app.use(prefix, r)`, `Object.keys(byName).forEach((k) => app.use('/' + k, byName[k]))`, and
// NodeBB's `for (…) app.use(relativePath, routers[x])`. The loop's variables take, at each element of the array or
// object it goes over, the value written there (an array's push()es before the loop too: array-growth.ts); a collection
// built at run time is not read.
import { ts } from 'ts-morph';
import { uncountedWhy } from './array-growth.ts';
import { lineOf } from './functions.ts';
import { collectionOf, declarationOf, heldElements, isExpression, literalKey, memberOf, objectCall, objectCollection, objectEntries, propertyKey, type Bound, type LoopRead } from './loop-collections.ts';
import type { LoadedProject } from './project.ts';
import { stringValue } from './string-value.ts';
import { fileOf } from './symbols.ts';
import type { Warning } from './types.ts';
import { unwrap } from './value-key.ts';

export type { Bound } from './loop-collections.ts';
/** The loop variables' values at one element, by their declarations. */
export type Iteration = ReadonlyMap<ts.Node, Bound>;

const MAX_DEPTH = 5;
/** How many combinations of the elements of loops in loops are read (a product grows fast; one loop's elements are written out). */
export const MAX_COMBINATIONS = 200;

/**
 * The iterations of the loops whose variables `exprs` read (each combination of loops in loops, the inner loop's
 * collection read at the outer one's element, up to MAX_COMBINATIONS, with a warning past it), or, for `routers[x]` with
 * an index not known statically (NodeBB's `for (var x = 0; x < routers.length; x++)`), one per element of the array, at
 * which `routers[x]` is that element. Undefined when the expressions read no loop variable, or the collection is not
 * written out. `base`: the values of loops already given (a use() made at one element of its receiver's loop), kept.
 */
export function loopIterations(project: LoadedProject, exprs: readonly ts.Expression[], warnings?: Warning[], base?: Iteration, byIndex = true): Iteration[] | undefined {
  const loops = new Set<LoopBinding>();
  const bound = base && boundLoops.get(base);
  let indexed: ts.ElementAccessExpression | undefined;
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n)) {
      const decl = declarationOf(project, n);
      const loop = decl && loopOf(decl);
      if (loop && !bound?.has(loop)) loops.add(loop);
    } else if (ts.isElementAccessExpression(n) && !indexed && literalKey(n.argumentExpression) === undefined) {
      indexed = n;
    }
    if (!isFunctionNode(n)) ts.forEachChild(n, visit);
  };
  for (const e of exprs) visit(e);
  // an inner loop's collection may be the outer loop's element (`groups.forEach((g) => g.routers.forEach(…))`)
  for (const loop of loops) visit(loop.collection);
  if (loops.size > 0) return combinations(project, [...loops], exprs[0], warnings, base);
  if (base) return [base];
  // `routers[x]`, x an index the analyzer does not follow: each element in turn
  const at = indexed;
  if (!at || !byIndex) return undefined;
  const read: LoopRead = { loop: enclosingLoop(at), uncounted: [] };
  const elements = heldElements(project, at.expression, 0, read);
  if (!elements?.length) return undefined;
  warnUncounted(project, read, elements.length, warnings);
  return elements.map((el) => new Map([[at as ts.Node, el as Bound]]));
}

/** Does an expression read a loop's variable (`prefix` in `for (const [prefix, sub] of pairs) app.route(prefix, sub)`)? */
export function readsLoop(project: LoadedProject, expr: ts.Expression): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n)) {
      const decl = declarationOf(project, n);
      found = !!decl && !!loopOf(decl);
    }
    if (!isFunctionNode(n)) ts.forEachChild(n, visit);
  };
  visit(expr);
  return found;
}

/** The iterations of the loops a helper's call is written in, as its arguments read them (no `routers[x]` index case). */
export function callIterations(project: LoadedProject, call: ts.CallExpression, warnings: Warning[]): Iteration[] | undefined {
  return call.arguments.length === 0 ? undefined : loopIterations(project, call.arguments, warnings, undefined, false);
}

/** The loop statement an expression is written in (the expression itself outside one). */
function enclosingLoop(node: ts.Node): ts.Node {
  for (let n = node.parent; n && !isFunctionNode(n) && !ts.isSourceFile(n); n = n.parent) if (ts.isIterationStatement(n, false)) return n;
  return node;
}

const warnedLoops = new WeakSet<ts.Node>();

/** One warning per loop whose array a push() grows an unknown number of times: the loop reads only the elements written out. */
function warnUncounted(project: LoadedProject, read: LoopRead, count: number, warnings: Warning[] | undefined): void {
  const [first] = read.uncounted;
  if (!first || !warnings || warnedLoops.has(read.loop)) return;
  warnedLoops.add(read.loop);
  const file = fileOf(project, first);
  const loopFile = fileOf(project, read.loop);
  if (!file || !loopFile) return;
  const callee = first.expression.getText().replace(/\s+/g, '');
  warnings.push({
    file: file.rel,
    message: `${file.rel}:${lineOf(first)}: ${callee}(…) ${uncountedWhy(first)} adds elements not known statically; the loop at ${loopFile.rel}:${lineOf(read.loop)} reads only the ${count} written out`,
  });
}

/**
 * The value an expression has at one iteration: an expression to read as usual (itself when no loop variable is in
 * it), a key, or a pair; undefined when the loop gives it no value known statically.
 */
export function valueAt(project: LoadedProject, expr: ts.Expression, at: Iteration, depth = 0): Bound | undefined {
  const e = unwrap(expr);
  const given = at.get(e);
  if (given !== undefined) return given;
  if (depth > MAX_DEPTH) return undefined;
  if (ts.isIdentifier(e)) {
    // (`{ prefix }` in `register(plugin, { prefix })`: the variable's)
    const decl = declarationOf(project, e);
    if (decl && at.has(decl)) return at.get(decl);
    return decl && loopOf(decl) ? undefined : e;
  }
  if (ts.isElementAccessExpression(e) || ts.isPropertyAccessExpression(e)) {
    const object = valueAt(project, e.expression, at, depth + 1);
    if (object === unwrap(e.expression) && (ts.isPropertyAccessExpression(e) || literalKey(e.argumentExpression) !== undefined)) return e;
    const key = ts.isPropertyAccessExpression(e) ? e.name.text : stringAt(project, e.argumentExpression, at, depth + 1);
    return object === undefined || key === undefined ? undefined : memberOf(project, object, key, depth + 1);
  }
  return e;
}

/** An argument's expression at one element of a loop (the element's router, `byName[k]`'s value), undefined when not known. */
export function expressionAt(project: LoadedProject, arg: ts.Expression, at: Iteration): ts.Expression | undefined {
  const value = valueAt(project, arg, at);
  return isExpression(value) ? value : undefined;
}

/** The string an expression has at one iteration (`'/' + k`, `` `/v1/${name}` ``, `pair[0]`, `m.path`), undefined when not known. */
export function stringAt(project: LoadedProject, expr: ts.Expression, at: Iteration, depth = 0): string | undefined {
  const e = unwrap(expr);
  if (depth > MAX_DEPTH) return undefined;
  if (ts.isNumericLiteral(e)) return e.text;
  if (ts.isTemplateExpression(e)) {
    let out = e.head.text;
    for (const span of e.templateSpans) {
      const v = stringAt(project, span.expression, at, depth + 1);
      if (v === undefined) return undefined;
      out += v + span.literal.text;
    }
    return out;
  }
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const l = stringAt(project, e.left, at, depth + 1);
    if (l === undefined) return undefined;
    const r = stringAt(project, e.right, at, depth + 1);
    return r === undefined ? undefined : l + r;
  }
  if (ts.isIdentifier(e) || ts.isElementAccessExpression(e) || ts.isPropertyAccessExpression(e)) {
    const v = valueAt(project, e, at, depth);
    if (typeof v === 'string') return v;
    if (!isExpression(v)) return undefined;
    const node = v;
    return node === e ? stringValue(e, project.checker) : stringAt(project, node, at, depth + 1);
  }
  return stringValue(e, project.checker);
}

/**
 * The part of a prefix known before the first value made at run time, up to its last `/` (`'/api/' + name` → `/api/`,
 * `relativePath` → ''): where the routers of a loop whose prefix is not known are reported.
 */
export function staticHead(project: LoadedProject, expr: ts.Expression, at: Iteration): string {
  const head = (n: ts.Expression): { text: string; whole: boolean } => {
    const e = unwrap(n);
    const known = stringAt(project, e, at);
    if (known !== undefined) return { text: known, whole: true };
    if (ts.isTemplateExpression(e)) return { text: e.head.text, whole: false };
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      const l = head(e.left);
      if (!l.whole) return l;
      return { text: l.text + head(e.right).text, whole: false };
    }
    return { text: '', whole: false };
  };
  const text = head(expr).text;
  return text.slice(0, text.lastIndexOf('/') + 1);
}

/** A loop that gives values to variables: `c.forEach((el, i) => …)` / `map`, `for (const el of c)`, `for (const k in o)`. */
interface LoopBinding {
  /** the loop statement, or the forEach/map call */
  node: ts.Node;
  /** what it goes over */
  collection: ts.Expression;
  /** `for…in`: the keys of an object */
  keys: boolean;
  /** the variable (or pattern) given each element, its declaration, and the one given the index */
  element: { name: ts.BindingName; decl: ts.Node } | undefined;
  index: ts.Node | undefined;
}

const loopCache = new WeakMap<ts.Node, LoopBinding | null>();

/** The loop a declaration is a variable of (also one inside a destructuring pattern), when it is one. */
function loopOf(decl: ts.Node): LoopBinding | undefined {
  let top = decl;
  while (ts.isBindingElement(top) && (ts.isArrayBindingPattern(top.parent) || ts.isObjectBindingPattern(top.parent))) top = top.parent.parent;
  const cached = loopCache.get(top);
  if (cached !== undefined) return cached ?? undefined;
  const loop = readLoop(top);
  loopCache.set(top, loop ?? null);
  return loop;
}

function readLoop(top: ts.Node): LoopBinding | undefined {
  if (ts.isParameter(top)) {
    const fn = top.parent;
    const call = fn.parent;
    if (!(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) || !ts.isCallExpression(call) || call.arguments[0] !== fn) return undefined;
    if (!ts.isPropertyAccessExpression(call.expression) || !/^(forEach|map)$/.test(call.expression.name.text)) return undefined;
    const [el, index] = fn.parameters;
    if (top !== el && top !== index) return undefined;
    return { node: call, collection: call.expression.expression, keys: false, element: el && { name: el.name, decl: el }, index: index && ts.isIdentifier(index.name) ? index : undefined };
  }
  if (ts.isVariableDeclaration(top) && ts.isVariableDeclarationList(top.parent) && top.parent.declarations.length === 1) {
    const stmt = top.parent.parent;
    if (ts.isForOfStatement(stmt)) return { node: stmt, collection: stmt.expression, keys: false, element: { name: top.name, decl: top }, index: undefined };
    if (ts.isForInStatement(stmt) && ts.isIdentifier(top.name)) return { node: stmt, collection: stmt.expression, keys: true, element: { name: top.name, decl: top }, index: undefined };
  }
  return undefined;
}

/**
 * The iterations of loops in loops, outermost first: each of an outer loop's iterations goes through the inner loop's
 * collection as it reads there. Undefined when one of them is not known statically.
 */
function combinations(project: LoadedProject, loops: LoopBinding[], at: ts.Expression, warnings: Warning[] | undefined, base: Iteration | undefined): Iteration[] | undefined {
  loops.sort((a, b) => a.node.getStart() - b.node.getStart() || b.node.getEnd() - a.node.getEnd());
  let done: Iteration[] = [base ?? new Map()];
  let total = 1;
  let cut = false;
  for (const loop of loops) {
    const next: Iteration[] = [];
    total = 0;
    for (const outer of done) {
      const inner = iterate(project, loop, outer, warnings);
      if (!inner) return undefined;
      total += inner.length;
      for (const it of inner) if (next.length < MAX_COMBINATIONS) next.push(it);
    }
    if (total > MAX_COMBINATIONS && loop !== loops[loops.length - 1]) cut = true;
    done = next;
  }
  if (total > MAX_COMBINATIONS && warnings && !warnedLoops.has(at)) {
    warnedLoops.add(at);
    const file = fileOf(project, at);
    const count = cut ? `more than ${MAX_COMBINATIONS}` : String(total);
    if (file) warnings.push({ file: file.rel, message: `${file.rel}:${lineOf(at)}: the loops around this call make ${count} combinations; only the first ${MAX_COMBINATIONS} are read` });
  }
  return done;
}

/** One iteration per element of the collection (read at the outer loops' iteration `outer`), the loop's variables given their values. */
function iterate(project: LoadedProject, loop: LoopBinding, outer: Iteration, warnings: Warning[] | undefined): Iteration[] | undefined {
  const read: LoopRead = { loop: loop.node, uncounted: [] };
  const collection = outer.size === 0 ? loop.collection : valueAt(project, loop.collection, outer);
  if (collection === undefined || typeof collection === 'string') return undefined;
  // a helper's pushed object (`{ path: p, routes: r }`) read as a collection: its values, or keys for `for…in`
  const elements = Array.isArray(collection) ? collection as readonly Bound[]
    : collection instanceof Map ? (loop.keys ? [...collection.keys()] : undefined)
    : loop.keys ? objectEntries(project, collection as ts.Expression, 0)?.map(([k]) => k)
    : outer.size === 0 ? collectionOf(project, collection as ts.Expression, 0, read) : collectionAt(project, collection as ts.Expression, outer, read);
  // an empty one is filled at run time (NodeBB's `loginStrategies = []`, given to plugins): not known
  if (!elements || elements.length === 0) return undefined;
  warnUncounted(project, read, elements.length, warnings);
  const loopsBound = new Set(boundLoops.get(outer)).add(loop);
  return elements.map((value, i) => {
    const at = new Map<ts.Node, Bound>(outer);
    if (loop.element) bind(project, loop.element.name, loop.element.decl, value, at);
    if (loop.index) at.set(loop.index, String(i));
    boundLoops.set(at, loopsBound);
    return at;
  });
}

/**
 * A collection read at the outer loops' iteration: `Object.entries(g.routes)` over the object the outer element `g`
 * gives (`for (const g of groups) for (const [p, h] of Object.entries(g.routes))`), else as written.
 */
function collectionAt(project: LoadedProject, collection: ts.Expression, outer: Iteration, read: LoopRead): Bound[] | undefined {
  const call = objectCall(collection);
  if (!call) return collectionOf(project, collection, 0, read);
  const object = valueAt(project, call.object, outer);
  if (object instanceof Map) return call.kind === 'keys' ? [...object.keys()] : call.kind === 'values' ? [...object.values()] : [...object].map(([k, v]) => [k, v]);
  return isExpression(object) ? objectCollection(project, call.kind, object, 0) : undefined;
}

/** The loops an iteration has given values to (a mount made at one element of its receiver's loop reads the others at it). */
const boundLoops = new WeakMap<Iteration, ReadonlySet<LoopBinding>>();

/** A variable, or each variable of a pattern (`[prefix, router]`, `{ path, router }`), given its part of a value. */
function bind(project: LoadedProject, name: ts.BindingName, decl: ts.Node, value: Bound | undefined, at: Map<ts.Node, Bound>): void {
  if (value === undefined) return;
  if (ts.isIdentifier(name)) {
    at.set(decl, value);
    return;
  }
  name.elements.forEach((el, i) => {
    if (ts.isOmittedExpression(el) || el.dotDotDotToken) return;
    const key = ts.isArrayBindingPattern(name) ? String(i) : propertyKey(el.propertyName ?? el.name);
    if (key !== undefined) bind(project, el.name, el, memberOf(project, value, key, 0), at);
  });
}

function isFunctionNode(n: ts.Node): boolean {
  return ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isFunctionDeclaration(n);
}
