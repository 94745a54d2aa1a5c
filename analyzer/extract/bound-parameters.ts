// A name a function's parameter binds, plain (`ctrl` in `function (ctrl)`) or taken apart by an object or array pattern
// (`function ({ router, ctrl: { admin } } = {})`, `function ([router, ctrl])`), and what one call of the function gives
// it: the argument, through the object and array literals written in the call for the pattern, with the defaults the
// pattern and the parameter declare. A rest parameter (`function (app, ...ctrls)`) is read by position: `ctrls[1]` is the
// argument after the ones before it.
import { ts } from 'ts-morph';
import { argumentAt } from './call-arguments.ts';
import { isFunctionLike } from './functions.ts';
import type { LoadedProject } from './project.ts';
import { stringValue } from './string-value.ts';
import { unwrap } from './value-key.ts';

/**
 * The function, the parameter, and the property names from the argument to the name (`['ctrl', 'admin']`; an array
 * pattern's positions written `[1]`, as position() makes them), with the default each of them has (`{ ctrl =
 * require('./c') } = {}`). A rest parameter's first name is a position (the parameter alone binds no one argument).
 */
export interface Bound {
  fn: ts.SignatureDeclaration;
  index: number;
  decl: ts.ParameterDeclaration;
  names: string[];
  defaults: (ts.Expression | undefined)[];
}

/** The parameter binding the name `expr` is (an object pattern's names read statically; no rest element in a pattern). */
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
    const pattern: ts.BindingPattern = node.parent;
    if (node.dotDotDotToken) return undefined;
    let name: string | undefined;
    if (ts.isArrayBindingPattern(pattern)) name = position(pattern.elements.indexOf(node));
    else {
      const key = node.propertyName ?? node.name;
      name = ts.isIdentifier(key) || ts.isStringLiteral(key) ? key.text : ts.isComputedPropertyName(key) ? stringValue(key.expression, project.checker) : undefined;
    }
    if (name === undefined) return undefined;
    names.unshift(name);
    defaults.unshift(node.initializer);
    node = pattern.parent;
  }
  if (!ts.isParameter(node) || !isFunctionLike(node.parent)) return undefined;
  // `...ctrls` alone is no one argument; `...[router, ctrl]` is read by position
  if (node.dotDotDotToken && names.length > 0 && positionOf(names[0]) === undefined) return undefined;
  return { fn: node.parent, index: node.parent.parameters.indexOf(node), decl: node, names, defaults };
}

/** An array element's name among member names: `[1]` (memberChain writes `ctrls[1]` so too). */
export function position(index: number): string {
  return `[${index}]`;
}

export function positionOf(name: string | undefined): number | undefined {
  const m = name === undefined ? null : /^\[(\d+)\]$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/**
 * What one call gives a bound name: its argument for the parameter (the parameter's default when it gives none), taken
 * apart through the object literals written for the pattern, a property a literal lacks being the pattern's default.
 * `rest`: the names still to read on `value` when it is no literal (`register(deps)`: `deps` and `['ctrl']`). Undefined
 * when it gives nothing, or what it gives is not known.
 */
export function boundArgument(project: LoadedProject, bound: Bound, call: ts.CallExpression): { value: ts.Expression; rest: string[] } | undefined {
  // a rest parameter: its first name is the position among the arguments from the parameter's on
  const first = bound.decl.dotDotDotToken ? positionOf(bound.names[0]) : 0;
  if (first === undefined) return undefined;
  const arg = argumentAt(project, call, bound.index + first);
  if (arg === null) return undefined;
  const given = arg && !isUndefined(arg) ? arg : undefined;
  let value: ts.Expression | undefined = bound.decl.dotDotDotToken ? given ?? bound.defaults[0] : given ?? bound.decl.initializer;
  for (let k = bound.decl.dotDotDotToken ? 1 : 0; k < bound.names.length; k++) {
    if (!value) return undefined;
    const literal = unwrap(value);
    const at = positionOf(bound.names[k]);
    if (!ts.isObjectLiteralExpression(literal) && !ts.isArrayLiteralExpression(literal)) return { value, rest: bound.names.slice(k) };
    const element = at === undefined ? (ts.isObjectLiteralExpression(literal) ? propertyValue(project, literal, bound.names[k]) : null) : elementValue(literal, at);
    if (element === null) return undefined;
    value = element ?? bound.defaults[k];
  }
  return value && { value, rest: [] };
}

/**
 * The element an array literal written in place has at a position: undefined when it has none (a hole, or past its
 * end), null when that is not known (a spread before it; or the value is no array literal).
 */
export function elementValue(literal: ts.Expression, at: number): ts.Expression | undefined | null {
  if (!ts.isArrayLiteralExpression(literal)) return null;
  for (let i = 0; i < literal.elements.length && i <= at; i++) if (ts.isSpreadElement(literal.elements[i])) return null;
  const el = literal.elements[at];
  return el === undefined || ts.isOmittedExpression(el) || isUndefined(el) ? undefined : el;
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
