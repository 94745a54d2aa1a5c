// What a loop goes over, read statically: an array literal (spreads and `concat()` of such arrays, and the push()es that grow
// one before the loop: array-growth.ts), `Object.keys/values/entries` of an object literal, and the members of such values.
// Each is written in place or held by a variable; anything built at run time is not known (undefined).
import { ts } from 'ts-morph';
import { arrayGrowth, grownBefore } from './array-growth.ts';
import type { LoadedProject } from './project.ts';
import { unwrap } from './value-key.ts';

/** A loop variable's value at one element: an expression of the collection, a key or index, or an `Object.entries` pair. */
export type Bound = ts.Expression | string | readonly Bound[];

/** How a loop reads its collection: the loop (push()es after it do not count) and the push()es not counted. */
export interface LoopRead {
  loop: ts.Node;
  uncounted: ts.CallExpression[];
}

const MAX_DEPTH = 5;

/** A member of a value: of a pair, of an array literal, or of an object literal (written in place or held by a variable). */
export function memberOf(project: LoadedProject, value: Bound, key: string, depth: number): Bound | undefined {
  if (typeof value === 'string') return undefined;
  if (Array.isArray(value)) return value[Number(key)];
  const elements = heldElements(project, value as ts.Expression, depth);
  if (elements) return /^\d+$/.test(key) ? elements[Number(key)] : undefined;
  return objectEntries(project, value as ts.Expression, depth)?.find(([k]) => k === key)?.[1];
}

/** What a loop goes over: an array literal (spreads of such arrays included), or `Object.keys/values/entries(o)`. */
export function collectionOf(project: LoadedProject, expr: ts.Expression, depth: number, read?: LoopRead): Bound[] | undefined {
  const e = unwrap(expr);
  const call = objectCall(e);
  if (call) return objectCollection(project, call.kind, call.object, depth);
  return heldElements(project, e, depth, read);
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
 */
export function heldElements(project: LoadedProject, expr: ts.Expression, depth: number, read?: LoopRead): ts.Expression[] | undefined {
  const { value: e, decl } = heldBy(project, expr, depth);
  if (!e) return undefined;
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'concat' && depth < MAX_DEPTH) {
    // `base.concat([x], y)`: base's elements, then each array's, or the value itself
    const out = heldElements(project, e.expression.expression, depth + 1, read);
    if (!out) return undefined;
    for (const arg of e.arguments) {
      if (ts.isSpreadElement(arg)) return undefined;
      const inner = heldElements(project, arg, depth + 1, read);
      if (inner) out.push(...inner);
      else if (isArrayTyped(project, arg)) return undefined;
      else out.push(arg);
    }
    return out;
  }
  if (!ts.isArrayLiteralExpression(e)) return undefined;
  const out: ts.Expression[] = [];
  for (const el of e.elements) {
    if (ts.isSpreadElement(el)) {
      const inner = depth < MAX_DEPTH ? heldElements(project, el.expression, depth + 1, read) : undefined;
      if (!inner) return undefined;
      out.push(...inner);
    } else if (!ts.isOmittedExpression(el)) {
      out.push(el);
    }
  }
  if (!read || !decl) return out;
  const growth = grownBefore(arrayGrowth(project, decl), decl, read.loop);
  if (growth.changed) return undefined;
  for (const { call, front } of growth.calls) {
    if (front) out.unshift(...call.arguments);
    else out.push(...call.arguments);
  }
  read.uncounted.push(...growth.uncounted);
  return out;
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

/** `held`, with the variable whose initializer it is (the last of a chain of them: `const a = b`, `const b = [x]`). */
function heldBy(project: LoadedProject, expr: ts.Expression, depth: number, decl?: ts.VariableDeclaration): { value?: ts.Expression; decl?: ts.VariableDeclaration } {
  const e = unwrap(expr);
  if (!ts.isIdentifier(e)) return { value: e, decl };
  if (depth > MAX_DEPTH) return {};
  const d = project.checker.getSymbolAtLocation(e)?.valueDeclaration;
  return d && ts.isVariableDeclaration(d) && d.initializer ? heldBy(project, d.initializer, depth + 1, d) : {};
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
  return value !== undefined && typeof value !== 'string' && !Array.isArray(value) ? (value as ts.Expression) : undefined;
}
