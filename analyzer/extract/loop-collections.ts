// What a loop goes over, read statically: an array literal (spreads and `concat()` of such arrays, and the push()es that grow
// one before the loop: array-growth.ts), `Object.keys/values/entries` of an object literal, and the members of such values.
// Each is written in place, held by a variable, or (an array) exported by a module-level variable of another module;
// anything built at run time is not known (undefined).
import { ts } from 'ts-morph';
import { arrayGrowth, grownBefore, type ArrayHolder, type GrowthCall } from './array-growth.ts';
import { argumentAt } from './call-arguments.ts';
import type { LoadedProject } from './project.ts';
import { stringValue } from './string-value.ts';
import { requiredFile, unwrap, valueKey } from './value-key.ts';

/**
 * A loop variable's value at one element: an expression of the collection, a key or index, an `Object.entries` pair, or
 * what a helper pushed, read at one call of it: a pair or an object whose members are the call's arguments.
 */
export type Bound = ts.Expression | string | readonly Bound[] | ReadonlyMap<string, Bound>;

/** A value that is an expression to read on (not a key, a pair, or a helper's pushed object). */
export function isExpression(value: Bound | undefined): value is ts.Expression {
  return value !== undefined && typeof value !== 'string' && !Array.isArray(value) && !(value instanceof Map);
}

/** How a loop reads its collection: the loop (push()es after it do not count) and the push()es not counted. */
export interface LoopRead {
  loop: ts.Node;
  uncounted: ts.CallExpression[];
}

const MAX_DEPTH = 5;

/** A member of a value: of a pair, of an array literal, or of an object literal (written in place or held by a variable). */
export function memberOf(project: LoadedProject, value: Bound, key: string, depth: number): Bound | undefined {
  if (value instanceof Map) return value.get(key);
  if (!isExpression(value)) return Array.isArray(value) ? value[Number(key)] : undefined;
  const elements = heldElements(project, value, depth);
  if (elements) return /^\d+$/.test(key) ? elements[Number(key)] : undefined;
  return objectEntries(project, value, depth)?.find(([k]) => k === key)?.[1];
}

/** What a loop goes over: an array literal (spreads of such arrays included), or `Object.keys/values/entries(o)`. */
export function collectionOf(project: LoadedProject, expr: ts.Expression, depth: number, read?: LoopRead): Bound[] | undefined {
  const e = unwrap(expr);
  const call = objectCall(e);
  if (call) return objectCollection(project, call.kind, call.object, depth);
  return heldBounds(project, e, depth, read);
}

/** `Object.keys/values/entries(o)`: which, and `o` (an expression still to be read: an outer loop's element's member, `g.routes`). */
export function objectCall(expr: ts.Expression): { kind: string; object: ts.Expression } | undefined {
  const e = unwrap(expr);
  if (!ts.isCallExpression(e) || e.arguments.length !== 1 || !ts.isPropertyAccessExpression(e.expression) || e.expression.expression.getText() !== 'Object') return undefined;
  const kind = e.expression.name.text;
  return kind === 'keys' || kind === 'values' || kind === 'entries' ? { kind, object: e.arguments[0] } : undefined;
}

/** The keys, values or `[key, value]` pairs of an object literal, written in place or held by a variable. */
export function objectCollection(project: LoadedProject, kind: string, object: ts.Expression, depth: number): Bound[] | undefined {
  const entries = objectEntries(project, object, depth + 1);
  if (!entries) return undefined;
  if (kind === 'keys') return entries.map(([k]) => k);
  if (kind === 'values') return entries.map(([, v]) => v);
  return entries.map(([k, v]) => [k, v]);
}

/**
 * An array literal's elements, written in place or held by a variable (`const routers = [a, b]`, `var routers = [...]`),
 * or joined by `concat()`; when a loop reads it (`read`), also what push() added before the loop (array-growth.ts).
 * Undefined also when a helper pushed an element that is no expression (a pair of its parameters: heldBounds has it).
 */
export function heldElements(project: LoadedProject, expr: ts.Expression, depth: number, read?: LoopRead): ts.Expression[] | undefined {
  const out = heldBounds(project, expr, depth, read);
  return out?.every(isExpression) ? out : undefined;
}

/** `heldElements`, with the elements a helper pushed read at each call of it (`add('/a', a)` pushing `[p, h]`: `['/a', a]`). */
function heldBounds(project: LoadedProject, expr: ts.Expression, depth: number, read?: LoopRead): Bound[] | undefined {
  const { value: e, decls } = heldBy(project, expr, depth);
  if (!e) return undefined;
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'concat' && depth < MAX_DEPTH) {
    // `base.concat([x], y)`: base's elements, then each array's, or the value itself
    const out = heldBounds(project, e.expression.expression, depth + 1, read);
    if (!out) return undefined;
    for (const arg of e.arguments) {
      if (ts.isSpreadElement(arg)) return undefined;
      const inner = heldBounds(project, arg, depth + 1, read);
      if (inner) out.push(...inner);
      else if (isArrayTyped(project, arg)) return undefined;
      else out.push(arg);
    }
    return out;
  }
  if (!ts.isArrayLiteralExpression(e)) return undefined;
  const out: Bound[] = [];
  for (const el of e.elements) {
    if (ts.isSpreadElement(el)) {
      const inner = depth < MAX_DEPTH ? heldBounds(project, el.expression, depth + 1, read) : undefined;
      if (!inner) return undefined;
      out.push(...inner);
    } else if (!ts.isOmittedExpression(el)) {
      out.push(el);
    }
  }
  if (!read || decls.length === 0) return out;
  // each variable on the way may be grown (`const routes = require('./routes')` in one module, pushes in the other): when
  // more than one is, in which order is not known
  const grown = decls.map((d) => grownBefore(arrayGrowth(project, d), d, read.loop)).filter((g) => g.changed || g.calls.length > 0 || g.uncounted.length > 0);
  if (grown.length > 1 || grown.some((g) => g.changed)) return undefined;
  for (const growth of grown) {
    for (const c of growth.calls) {
      const values = pushedValues(project, c);
      if (!values) read.uncounted.push(c.call);
      else if (c.front) out.unshift(...values);
      else out.push(...values);
    }
    read.uncounted.push(...growth.uncounted);
  }
  return out;
}

/** What a push() adds: its arguments, or, written in a helper, what they are at the helper's call; undefined when not known. */
function pushedValues(project: LoadedProject, c: GrowthCall): Bound[] | undefined {
  if (!c.through) return [...c.call.arguments];
  const out: Bound[] = [];
  for (const arg of c.call.arguments) {
    const value = valueThrough(project, arg, c.through, 0);
    if (value === undefined) return undefined;
    out.push(value);
  }
  return out;
}

/**
 * A value written in a helper (`[p, h]` in `function add(p, h) { routes.push([p, h]) }`) as one call gives the helper's
 * parameters: a parameter is the call's argument, pairs and object literals are read member by member, strings are built
 * (`'/api' + p`), `opts.path` is the member of what the call gives; one reading nothing of the helper's is itself.
 */
function valueThrough(project: LoadedProject, expr: ts.Expression, through: { fn: ts.SignatureDeclaration; call: ts.CallExpression }, depth: number): Bound | undefined {
  const e = unwrap(expr);
  if (!readsInside(project, e, through.fn)) return e;
  if (depth > MAX_DEPTH) return undefined;
  const next = (x: ts.Expression): Bound | undefined => valueThrough(project, x, through, depth + 1);
  if (ts.isIdentifier(e)) {
    const decl = declarationOf(project, e);
    const i = decl && ts.isParameter(decl) && ts.isIdentifier(decl.name) && !decl.dotDotDotToken ? through.fn.parameters.indexOf(decl) : -1;
    return i < 0 ? undefined : argumentAt(project, through.call, i) ?? undefined;
  }
  if (ts.isArrayLiteralExpression(e)) {
    const out: Bound[] = [];
    for (const el of e.elements) {
      const value = ts.isSpreadElement(el) || ts.isOmittedExpression(el) ? undefined : next(el);
      if (value === undefined) return undefined;
      out.push(value);
    }
    return out;
  }
  if (ts.isObjectLiteralExpression(e)) {
    const out = new Map<string, Bound>();
    for (const p of e.properties) {
      const key = p.name && propertyKey(p.name);
      const value = key === undefined ? undefined : ts.isPropertyAssignment(p) ? next(p.initializer) : ts.isShorthandPropertyAssignment(p) ? next(p.name) : undefined;
      if (key === undefined || value === undefined) return undefined;
      out.set(key, value);
    }
    return out;
  }
  if (ts.isPropertyAccessExpression(e)) {
    const object = next(e.expression);
    return object === undefined ? undefined : memberOf(project, object, e.name.text, depth + 1);
  }
  const text = (x: ts.Expression): string | undefined => {
    const v = next(x);
    return typeof v === 'string' ? v : isExpression(v) ? stringValue(v, project.checker) : undefined;
  };
  if (ts.isTemplateExpression(e)) {
    let out = e.head.text;
    for (const span of e.templateSpans) {
      const v = text(span.expression);
      if (v === undefined) return undefined;
      out += v + span.literal.text;
    }
    return out;
  }
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const l = text(e.left);
    const r = l === undefined ? undefined : text(e.right);
    return r === undefined ? undefined : l! + r;
  }
  return undefined;
}

/** Does an expression read a parameter or local of `fn` (or its `this` or `arguments`, which each call gives anew)? */
function readsInside(project: LoadedProject, expr: ts.Node, fn: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (n.kind === ts.SyntaxKind.ThisKeyword || ts.isIdentifier(n) && n.text === 'arguments') {
      found = true;
    } else if (ts.isIdentifier(n)) {
      const decl = declarationOf(project, n);
      if (decl && decl.getSourceFile() === fn.getSourceFile() && decl.pos >= fn.pos && decl.end <= fn.end) found = true;
    }
    ts.forEachChild(n, visit);
  };
  visit(expr);
  return found;
}

/** The declaration a name reads (a shorthand property's value, `{ path }`, its variable's). */
export function declarationOf(project: LoadedProject, id: ts.Identifier): ts.Declaration | undefined {
  const parent = id.parent;
  const symbol = ts.isShorthandPropertyAssignment(parent) && parent.name === id ? project.checker.getShorthandAssignmentValueSymbol(parent) : project.checker.getSymbolAtLocation(id);
  return symbol?.valueDeclaration;
}

/** A value the checker types as an array (or tuple): `concat()` spreads it, so it is not one element. */
function isArrayTyped(project: LoadedProject, expr: ts.Expression): boolean {
  const type = project.checker.getTypeAtLocation(expr);
  return project.checker.isArrayType(type) || project.checker.isTupleType(type);
}

/** An object literal's properties by name, written in place or held by a variable; undefined when a spread or a computed name may add any. */
export function objectEntries(project: LoadedProject, expr: ts.Expression, depth: number): [string, ts.Expression][] | undefined {
  const e = held(project, expr, depth);
  if (!e || !ts.isObjectLiteralExpression(e)) return undefined;
  const out: [string, ts.Expression][] = [];
  for (const p of e.properties) {
    const key = p.name && propertyKey(p.name);
    if (key === undefined) return undefined;
    if (ts.isPropertyAssignment(p)) out.push([key, p.initializer]);
    else if (ts.isShorthandPropertyAssignment(p)) out.push([key, p.name]);
  }
  return out;
}

/** The literal an expression is, or the initializer of the variable holding it. */
function held(project: LoadedProject, expr: ts.Expression, depth: number): ts.Expression | undefined {
  return heldBy(project, expr, depth).value;
}

/**
 * `held`, with the variables on the way to it (a chain of them: `const a = b`, `const b = [x]`; the last one the literal's).
 * An array another module exports (`const routes = require('./routes')`, `import { routes } from './routes'`) is the
 * literal of the module-level variable it exports.
 */
function heldBy(project: LoadedProject, expr: ts.Expression, depth: number, decls: readonly ArrayHolder[] = []): { value?: ts.Expression; decls: readonly ArrayHolder[] } {
  const e = unwrap(expr);
  const required = ts.isCallExpression(e) && requiredFile(project, e);
  if (ts.isPropertyAccessExpression(e)) {
    // `registry.routes`, `require('./registry').routes`
    const exported = depth <= MAX_DEPTH ? exportedArray(project, e) : undefined;
    return exported ? heldBy(project, exported.initializer!, depth + 1, [...decls, exported]) : { value: e, decls };
  }
  if (!ts.isIdentifier(e) && !required) return { value: e, decls };
  if (depth > MAX_DEPTH) return { decls: [] };
  // (`const routes = require('./routes')` in JavaScript: an alias, with no value declaration)
  const symbol = ts.isIdentifier(e) ? project.checker.getSymbolAtLocation(e) : undefined;
  const d = symbol?.valueDeclaration ?? symbol?.declarations?.[0];
  if (d && ts.isVariableDeclaration(d) && d.initializer) return heldBy(project, d.initializer, depth + 1, [...decls, d]);
  const exported = exportedArray(project, e);
  if (!exported) return required ? { value: e, decls } : { decls: [] };
  // the name the importing module holds it by (`import { routes }`, `const { routes } = require(…)`) may be pushed onto too
  const holder = d && (ts.isBindingElement(d) || ts.isImportSpecifier(d) || ts.isImportClause(d)) ? [d] : [];
  return heldBy(project, exported.initializer!, depth + 1, [...decls, ...holder, exported]);
}

/** The module-level variable holding an array literal that an import or `require()` gives, in another module. */
function exportedArray(project: LoadedProject, expr: ts.Expression): ts.VariableDeclaration | undefined {
  const key = valueKey(project, expr);
  if (!key || !ts.isVariableDeclaration(key) || !key.initializer || key.getSourceFile() === expr.getSourceFile()) return undefined;
  const stmt = key.parent.parent;
  return ts.isVariableStatement(stmt) && ts.isSourceFile(stmt.parent) && ts.isArrayLiteralExpression(unwrap(key.initializer)) ? key : undefined;
}

export function propertyKey(name: ts.Node): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) ? name.text : undefined;
}

export function literalKey(arg: ts.Expression): string | undefined {
  const e = unwrap(arg);
  return ts.isStringLiteralLike(e) || ts.isNumericLiteral(e) ? e.text : undefined;
}

/** `routers[1]` on an array literal held by a variable: the element, for the router a variable holding it is. */
export function heldElement(project: LoadedProject, expr: ts.Expression): ts.Expression | undefined {
  const e = unwrap(expr);
  if (!ts.isElementAccessExpression(e)) return undefined;
  const key = literalKey(e.argumentExpression);
  if (key === undefined) return undefined;
  const value = memberOf(project, e.expression, key, 0);
  return isExpression(value) ? value : undefined;
}
