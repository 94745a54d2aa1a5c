// A name a function's parameter binds, plain (`ctrl` in `function (ctrl)`) or taken apart by an object pattern
// (`function ({ router, ctrl: { admin } } = {})`), and what one call of the function gives it: the argument, through
// the object literals written in the call for the pattern, with the defaults the pattern and the parameter declare.
import { ts } from 'ts-morph';
import { argumentAt } from './call-arguments.ts';
import { isFunctionLike } from './functions.ts';
import type { LoadedProject } from './project.ts';
import { stringValue } from './string-value.ts';
import { unwrap } from './value-key.ts';

/**
 * The function, the parameter, and the property names from the argument to the name (`['ctrl', 'admin']`), with the
 * default each of them has (`{ ctrl = require('./c') } = {}`).
 */
export interface Bound {
  fn: ts.SignatureDeclaration;
  index: number;
  decl: ts.ParameterDeclaration;
  names: string[];
  defaults: (ts.Expression | undefined)[];
}

/** The parameter binding the name `expr` is (an object pattern's names read statically; no rest element, no array pattern). */
export function boundParameter(project: LoadedProject, expr: ts.Expression): Bound | undefined {
  const e = unwrap(expr);
  if (!ts.isIdentifier(e)) return undefined;
  const decl = project.checker.getSymbolAtLocation(e)?.valueDeclaration;
  return decl && boundDeclaration(project, decl);
}

/** The same for the declaration of the name: a parameter, or a binding element of one's object pattern. */
export function boundDeclaration(project: LoadedProject, decl: ts.Node): Bound | undefined {
  let node: ts.Node = decl;
  const names: string[] = [];
  const defaults: (ts.Expression | undefined)[] = [];
  while (ts.isBindingElement(node)) {
    const pattern = node.parent;
    if (node.dotDotDotToken || !ts.isObjectBindingPattern(pattern)) return undefined;
    const key = node.propertyName ?? node.name;
    const name = ts.isIdentifier(key) || ts.isStringLiteral(key) ? key.text : ts.isComputedPropertyName(key) ? stringValue(key.expression, project.checker) : undefined;
    if (name === undefined) return undefined;
    names.unshift(name);
    defaults.unshift(node.initializer);
    node = pattern.parent;
  }
  if (!ts.isParameter(node) || node.dotDotDotToken || !isFunctionLike(node.parent)) return undefined;
  return { fn: node.parent, index: node.parent.parameters.indexOf(node), decl: node, names, defaults };
}

/**
 * What one call gives a bound name: its argument for the parameter (the parameter's default when it gives none), taken
 * apart through the object literals written for the pattern, a property a literal lacks being the pattern's default.
 * `rest`: the names still to read on `value` when it is no literal (`register(deps)`: `deps` and `['ctrl']`). Undefined
 * when it gives nothing, or what it gives is not known.
 */
export function boundArgument(project: LoadedProject, bound: Bound, call: ts.CallExpression): { value: ts.Expression; rest: string[] } | undefined {
  const arg = argumentAt(project, call, bound.index);
  if (arg === null) return undefined;
  let value: ts.Expression | undefined = arg && !isUndefined(arg) ? arg : bound.decl.initializer;
  for (let k = 0; k < bound.names.length; k++) {
    if (!value) return undefined;
    const obj = unwrap(value);
    if (!ts.isObjectLiteralExpression(obj)) return { value, rest: bound.names.slice(k) };
    const property = propertyValue(project, obj, bound.names[k]);
    if (property === null) return undefined;
    value = property ?? bound.defaults[k];
  }
  return value && { value, rest: [] };
}

function isUndefined(expr: ts.Expression): boolean {
  const e = unwrap(expr);
  return ts.isIdentifier(e) && e.text === 'undefined' || ts.isVoidExpression(e);
}

/**
 * The value an object literal written in place gives a property: its initializer, or for `{ controllers }` the name it
 * holds, as declared (so that a parameter given on is seen as one); undefined when the literal has no such property,
 * null when it may (a spread or a computed name after the last one written, a method or accessor).
 */
export function propertyValue(project: LoadedProject, obj: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined | null {
  let value: ts.Expression | undefined | null;
  for (const p of obj.properties) {
    if (ts.isSpreadAssignment(p)) {
      value = null;
      continue;
    }
    const key = ts.isIdentifier(p.name) || ts.isStringLiteral(p.name) || ts.isNumericLiteral(p.name) ? p.name.text : ts.isComputedPropertyName(p.name) ? stringValue(p.name.expression, project.checker) : undefined;
    if (key === undefined) value = null;
    else if (key !== name) continue;
    else if (ts.isPropertyAssignment(p)) value = p.initializer;
    else if (ts.isShorthandPropertyAssignment(p)) value = shorthandValue(project, p);
    else value = null;
  }
  return value;
}

/** `{ controllers }`: the name of the declaration the property's value is (`controllers` where it is declared), else the property's own. */
function shorthandValue(project: LoadedProject, p: ts.ShorthandPropertyAssignment): ts.Expression {
  const decl = project.checker.getShorthandAssignmentValueSymbol(p)?.valueDeclaration as ts.NamedDeclaration | undefined;
  return decl?.name && ts.isIdentifier(decl.name) ? decl.name : p.name;
}
